"""``mailcom-wizard check`` in a terminal: a line as soon as it starts, each result as it
arrives, 80 columns, and time limits stated and named as they are checked."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wizard import cli
from wizard.console.report import format_report
from wizard.core.models import (
    Attempt,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    Status,
)
from wizard.demo.blackhole import Blackhole
from wizard.demo.faults import DEMO_FAULTS

ROOT = Path(__file__).resolve().parent.parent


def _provider_xml(provider_id: str, endpoints: list[Endpoint]) -> str:
    """A Mozilla autoconfig file listing ``endpoints`` (written here, not by the wizard)."""
    servers = []
    for e in endpoints:
        kind = "outgoingServer" if e.protocol is Protocol.SMTP else "incomingServer"
        socket_type = "SSL" if e.security is Security.SSL else "STARTTLS"
        servers.append(
            f'<{kind} type="{e.protocol.value}"><hostname>{e.host}</hostname>'
            f"<port>{e.port}</port><socketType>{socket_type}</socketType>"
            "<username>%EMAILADDRESS%</username>"
            f"<authentication>password-cleartext</authentication></{kind}>"
        )
    return (
        f'<clientConfig version="1.1"><emailProvider id="{provider_id}">'
        f"<domain>{provider_id}</domain><displayName>{provider_id}</displayName>"
        f"{''.join(servers)}</emailProvider></clientConfig>"
    )


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    with Blackhole() as hole:
        yield hole


def _provider_file(folder: Path, imap: Endpoint, smtp: Endpoint) -> Path:
    path = folder / "provider.xml"
    path.write_text(_provider_xml("example.test", [imap, smtp]))
    return path


def test_a_line_at_once_then_each_result_as_it_arrives(
    tmp_path: Path, blackhole: Blackhole
) -> None:
    """IMAP is refused at once, SMTP never answers (3 s): the start line and IMAP's result
    are out long before the check ends."""
    with Blackhole() as closed:
        closed_port = closed.port  # nothing listens here once it is closed
    imap = Endpoint(Protocol.IMAP, "127.0.0.1", closed_port, Security.SSL)
    smtp = Endpoint(Protocol.SMTP, blackhole.host, blackhole.port, Security.SSL)
    argv = [sys.executable, "-m", "wizard", "check", "--email", "ann@example.test"]
    argv += ["--provider", str(_provider_file(tmp_path, imap, smtp))]
    argv += ["--password-stdin", "--timeout", "3"]
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    process.stdin.write("pw\n")
    process.stdin.close()
    arrivals: list[tuple[float, str]] = []

    def read(stream: object, name: str) -> None:
        for line in stream:  # type: ignore[attr-defined]
            arrivals.append((time.monotonic() - started, f"{name}: {line.rstrip()}"))

    readers = [
        threading.Thread(target=read, args=(process.stderr, "err")),
        threading.Thread(target=read, args=(process.stdout, "out")),
    ]
    for reader in readers:
        reader.start()
    assert process.wait(30) == cli.EXIT_FAILED
    for reader in readers:
        reader.join()
    ended = time.monotonic() - started
    first_err = next(at for at, line in arrivals if line.startswith("err: Checking"))
    imap_line = next(at for at, line in arrivals if "connection_refused" in line)
    smtp_line = next(
        at for at, line in arrivals if str(blackhole.port) in line and line.endswith("timeout")
    )
    assert ended >= 3
    assert first_err < ended - 2.5, arrivals
    assert imap_line < ended - 2.5, arrivals  # printed when it was known, not at the end
    assert smtp_line > imap_line
    said = " ".join(line[4:].strip() for _, line in arrivals if line.startswith("err: "))
    assert "(up to 3 s each)" in said


@pytest.mark.parametrize("fault", [None, *DEMO_FAULTS])
def test_the_text_report_fits_80_columns(
    fault: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "--demo", "--timeout", "1"] + (["--demo-fault", fault] if fault else [])
    cli.main(argv)
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert lines and all(len(line) <= 80 for line in lines), [
        line for line in lines if len(line) > 80
    ]


def test_long_host_names_and_codes_still_fit() -> None:
    host = "imap.a-very-long-host-name-of-a-hosting-company.mail.example.test"
    endpoint = Endpoint(Protocol.IMAP, host, 10993, Security.STARTTLS)
    smtp = Endpoint(Protocol.SMTP, "smtp.example.test", 465, Security.SSL)
    failed = Attempt(
        endpoint,
        Status.CERTIFICATE_HOSTNAME_MISMATCH,
        title="The certificate is for another name",
        advice="A long piece of advice " * 12,
        server_reply="x" * 300,
        elapsed_ms=1234,
    )
    sent = Attempt(smtp, Status.OK, title="Login works", login_tested=True, elapsed_ms=80)
    report = CheckReport(
        "a@example.test",
        IncomingChoice.IMAP,
        (failed, sent),
        failed,
        sent,
        dt.datetime.now(dt.UTC),
    )
    text = format_report(report, flags=" --provider /a/rather/long/path/to/a/provider.xml")
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert host in text.replace("\n", "").replace(" ", "")
    assert "certificate_hostname_mismatch" in text


@pytest.mark.parametrize("value", ["0", "-1", "600.5", "nan", "inf"])
def test_the_timeout_bounds_are_stated_as_they_are_checked(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["check", "--timeout", value, "--email", "a@mail.com"])
    assert exited.value.code == cli.EXIT_USAGE
    assert "more than 0 and at most 600 seconds" in capsys.readouterr().err


def test_600_seconds_is_allowed() -> None:
    args = cli.build_parser().parse_args(["check", "--timeout", "600"])
    assert args.timeout == 600


def test_a_limit_too_short_to_connect_is_named_as_that(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = cli.main(["check", "--demo", "--timeout", "0.001"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == cli.EXIT_FAILED
    assert "The time limit of 0.001 s is too short to connect" in out
    assert "internet connection" not in out
