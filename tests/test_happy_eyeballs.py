"""A server name whose IPv6 path is dead: the check gets through on IPv4 (Happy Eyeballs).

The ``dual_stack`` fixture's name resolves to ``::1`` first, where every connection attempt
to the bed's ports is silently dropped (as on a home router, hotel Wi-Fi or VPN with broken
IPv6), and to ``127.0.0.2``, where the real Dovecot and Postfix answer.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from pathlib import Path

import pytest

from tests.testbed import DualStack, Testbed
from tests.testbed.servers import free_port
from wizard.cli import main
from wizard.core.check import run_check
from wizard.core.models import (
    CheckOptions,
    CheckReport,
    Endpoint,
    IncomingChoice,
    Protocol,
    Security,
    Status,
)
from wizard.core.provider import Provider

#: One xdist worker runs all of these: the dual-stack name and its nftables rule belong to
#: the process that set them up (scripts/test.sh passes --dist loadgroup).
pytestmark = [pytest.mark.servers, pytest.mark.xdist_group("dual-stack")]

TIMEOUT = 10.0
#: Loopback answers in milliseconds; waiting out the timeout on IPv6 would take 10 s.
WELL_UNDER = 2.0


def _renamed(endpoints: tuple[Endpoint, ...], host: str) -> list[Endpoint]:
    return [dataclasses.replace(endpoint, host=host) for endpoint in endpoints]


def _dual_stack_provider_file(bed: Testbed, stack: DualStack, folder: Path) -> Path:
    bed.require_postfix()
    return bed.provider_file(
        folder,
        imap=_renamed(bed.real_imap, stack.host),
        pop3=_renamed(bed.real_pop3, stack.host),
        smtp=_renamed(bed.real_smtp, stack.host),
    )


def _dual_stack_provider(bed: Testbed, stack: DualStack, folder: Path) -> Provider:
    bed.require_postfix()
    return bed.provider(
        folder,
        imap=_renamed(bed.real_imap, stack.host),
        pop3=_renamed(bed.real_pop3, stack.host),
        smtp=_renamed(bed.real_smtp, stack.host),
    )


async def _check(
    bed: Testbed, provider: Provider, choice: IncomingChoice, timeout: float = TIMEOUT
) -> tuple[CheckReport, float]:
    started = time.monotonic()
    report = await run_check(
        bed.alice.account(choice), provider, CheckOptions(timeout=timeout, cafile=bed.cafile)
    )
    return report, time.monotonic() - started


@pytest.mark.parametrize("choice", [IncomingChoice.IMAP, IncomingChoice.POP])
async def test_dead_ipv6_path_still_verifies_over_ipv4(
    testbed: Testbed, dual_stack: DualStack, tmp_path: Path, choice: IncomingChoice
) -> None:
    provider = _dual_stack_provider(testbed, dual_stack, tmp_path)
    report, elapsed = await _check(testbed, provider, choice)
    assert report.verified, [a.to_json() for a in report.attempts]
    assert elapsed < WELL_UNDER, elapsed
    assert len(report.attempts) == 4
    for attempt in report.attempts:
        assert attempt.endpoint.host == dual_stack.host
        assert attempt.status is Status.OK, attempt.to_json()
        assert attempt.address == testbed.host  # 127.0.0.2: the IPv4 address answered
        assert attempt.to_json()["address"] == testbed.host


def test_check_command_on_a_dead_ipv6_path(
    testbed: Testbed,
    dual_stack: DualStack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As a user would run it: ``check --timeout 10 --json``, done in well under 10 s."""
    provider_file = _dual_stack_provider_file(testbed, dual_stack, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(testbed.alice.password + "\n"))
    started = time.monotonic()
    code = main(
        [
            "check",
            "--email",
            testbed.alice.email,
            "--provider",
            str(provider_file),
            "--cafile",
            testbed.cafile,
            "--timeout",
            "10",
            "--password-stdin",
            "--json",
        ]
    )
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert elapsed < WELL_UNDER, elapsed
    data = json.loads(out)
    assert data["verified"] is True
    attempts = [data["incoming"], data["outgoing"], *data["attempts"]]
    assert all(attempt["status"] != "timeout" for attempt in attempts)
    assert {attempt["address"] for attempt in attempts} == {testbed.host}


def _nowhere(stack: DualStack, port: int) -> Provider:
    """A provider whose only servers are ``stack.host`` on ``port`` (IMAP and SMTP)."""
    return Provider(
        id="nowhere",
        display_name="Test bed",
        domains=("mail.com",),
        imap=(Endpoint(Protocol.IMAP, stack.host, port, Security.SSL),),
        pop3=(),
        smtp=(Endpoint(Protocol.SMTP, stack.host, port, Security.SSL),),
        source="test",
    )


async def test_both_families_refused_says_both_were_tried(
    testbed: Testbed, dual_stack: DualStack
) -> None:
    port = free_port(testbed.host)  # nothing listens there, on ::1 nor on 127.0.0.2
    report, elapsed = await _check(testbed, _nowhere(dual_stack, port), IncomingChoice.IMAP)
    assert elapsed < WELL_UNDER
    for attempt in report.attempts:
        assert attempt.status is Status.CONNECTION_REFUSED, attempt.to_json()
        assert attempt.address is None
        assert attempt.to_json()["address"] is None
        assert "IPv6 and IPv4" in attempt.advice, attempt.advice


async def test_both_families_silent_says_both_were_tried(
    testbed: Testbed, dual_stack: DualStack
) -> None:
    port = free_port(testbed.host)
    dual_stack.drop_syn("::1", [port])
    dual_stack.drop_syn(testbed.host, [port])
    timeout = 1.5
    report, elapsed = await _check(
        testbed, _nowhere(dual_stack, port), IncomingChoice.IMAP, timeout=timeout
    )
    assert elapsed <= timeout + 1
    for attempt in report.attempts:
        assert attempt.status is Status.TIMEOUT, attempt.to_json()
        assert attempt.address is None
        assert "IPv6 and IPv4" in attempt.advice, attempt.advice
