"""``mailcom-wizard repair`` as a user runs it: against the demo (every fault, every symptom),
against the real test bed, and with bad input.

One practice server per fault serves every run of that fault, and its check runs once per
incoming protocol (the first run's report is reused), so the whole table stays quick.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.testbed import FaultListeners, Testbed
from wizard.cli import main
from wizard.commands import repair as repair_command
from wizard.console.report import perform_check
from wizard.core.instructions import IOS_11_13, IOS_14_17, IOS_18_26_27
from wizard.core.models import Account, CheckOptions, CheckReport, Endpoint, Protocol, Security
from wizard.core.provider import Provider
from wizard.core.repair.causes import Cause
from wizard.core.repair.symptoms import SYMPTOM_CODES, Symptom
from wizard.demo import practice
from wizard.demo.faults import DEMO_FAULTS
from wizard.demo.practice import DEMO_PASSWORD, RunningDemo, start_demo

#: The one cause each demo fault leads to, per symptom (in ``Symptom`` order), with the
#: phone's settings unknown.
EXPECTED: dict[str | None, tuple[str, ...]] = {
    None: (
        "old-password-on-phone",
        "phone-network",
        "phone-network-intercepts",
        "outgoing-settings-on-phone",
        "nothing-found",
    ),
    "blocked-465": (
        "old-password-on-phone",
        "phone-network",
        "phone-network-intercepts",
        "outgoing-port-blocked",
        "nothing-found",
    ),
    "blocked-587": (
        "old-password-on-phone",
        "phone-network",
        "phone-network-intercepts",
        "outgoing-port-blocked",
        "nothing-found",
    ),
    "intercepted": (
        "password-not-tested",
        "network-intercepts",
        "network-intercepts",
        "network-intercepts",
        "network-intercepts",
    ),
    "expired": (
        "password-not-tested",
        "clock-or-expired-certificate",
        "clock-or-expired-certificate",
        "clock-or-expired-certificate",
        "clock-or-expired-certificate",
    ),
    "wrong-host": (
        "password-not-tested",
        "network-intercepts",
        "network-intercepts",
        "network-intercepts",
        "network-intercepts",
    ),
    "wrong-password": (
        "login-refused",
        "login-refused",
        "phone-network-intercepts",
        "login-refused",
        "login-refused",
    ),
    "no-starttls": (
        "old-password-on-phone",
        "phone-network",
        "phone-network-intercepts",
        "outgoing-port-blocked",
        "nothing-found",
    ),
    # Servers that accept the connection and then say nothing: never "offline".
    "silent": (
        "password-not-tested",
        "mailcom-trouble",
        "network-intercepts",
        "mailcom-trouble",
        "mailcom-trouble",
    ),
}

#: For the port fault_demos: what the phone uses, and the one action the answer gives.
PORT_FIXES: dict[str, tuple[str, str]] = {
    "blocked-465": ("465", "Change the iPhone's outgoing port to 587."),
    "blocked-587": ("587", "Change the iPhone's outgoing port to 465."),
    "no-starttls": ("587", "Change the iPhone's outgoing port to 465."),
}

Run = Callable[..., tuple[int, str, str]]


@dataclass
class FaultDemo:
    """A running practice server for one fault, and its check reports by protocol."""

    fault: str | None
    demo: RunningDemo
    reports: dict[str, CheckReport] = field(default_factory=dict)


class FaultDemos(dict[str | None, FaultDemo]):
    """Practice servers by fault, each started when first asked for."""

    def __init__(self, stack: ExitStack) -> None:
        super().__init__()
        self.stack = stack

    def __missing__(self, fault: str | None) -> FaultDemo:
        self[fault] = FaultDemo(fault, self.stack.enter_context(start_demo(fault)))
        return self[fault]


@pytest.fixture(scope="module")
def fault_demos() -> Iterator[FaultDemos]:
    """Every practice server this module started, all stopped at its end."""
    with ExitStack() as stack:
        yield FaultDemos(stack)


@pytest.fixture(params=[None, *DEMO_FAULTS], ids=lambda f: f or "no-fault")
def fault_demo(
    request: pytest.FixtureRequest, fault_demos: dict[str | None, FaultDemo]
) -> FaultDemo:
    return fault_demos[request.param]


@pytest.fixture
def run(
    fault_demo: FaultDemo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``mailcom-wizard repair --demo [--demo-fault F] ARGS``: exit code, stdout, stderr."""
    return runner(fault_demo, monkeypatch, capsys)


def runner(
    fault_demo: FaultDemo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """The ``run`` fixture's function, for a test that uses more than one fault."""

    @contextmanager
    def running(fault: str | None = None) -> Iterator[RunningDemo]:
        assert fault == fault_demo.fault
        yield fault_demo.demo

    check = perform_check

    def check_once(
        account: Account, provider: Provider, options: CheckOptions, **kw: Any
    ) -> CheckReport:
        key = account.incoming.value
        if key not in fault_demo.reports:
            fault_demo.reports[key] = check(account, provider, options, **kw)
        return fault_demo.reports[key]

    monkeypatch.setattr(practice, "start_demo", running)
    monkeypatch.setattr(repair_command, "perform_check", check_once)
    fault = ["--demo-fault", fault_demo.fault] if fault_demo.fault else []

    def repair(*args: str) -> tuple[int, str, str]:
        code = main(["repair", "--demo", *fault, "--timeout", "1", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return repair


def flat(text: str) -> str:
    return " ".join(text.split())


def test_each_fault_and_symptom_leads_to_one_named_cause_and_its_fix(
    fault_demo: FaultDemo, run: Run
) -> None:
    for symptom, expected in zip(Symptom, EXPECTED[fault_demo.fault], strict=True):
        code, out, err = run("--symptom", symptom.value, "--ios", "26", "--json")
        data = json.loads(out)
        assert data["cause"] == expected, (fault_demo.fault, symptom)
        assert code == (0 if Cause(expected).conclusive else 1), err
        assert data["symptom"] == symptom.value and data["practice"] is True
        assert data["action"] and data["steps"]
        assert data["ios"]["layout"] == IOS_18_26_27.key
        steps = json.dumps(data["steps"])
        # The fix is for a real phone: mail.com's values, never the practice server's.
        assert "127.0.0.1" not in steps
        assert DEMO_PASSWORD not in out + err

        # The same answer in words, on the menus of an older iOS.
        code_text, text, _ = run("--symptom", symptom.value, "--ios", "15")
        assert code_text == code
        text = flat(text)
        assert f"cause {expected})" in text and data["title"] in text
        assert data["action"] in text
        if IOS_18_26_27.accounts.text in steps:
            assert IOS_14_17.accounts.text in text and IOS_18_26_27.accounts.text not in text


@pytest.mark.parametrize("fault_demo", list(PORT_FIXES), indirect=True)
def test_the_port_faults_say_which_port_to_use_on_the_phones_menus(
    fault_demo: FaultDemo, run: Run
) -> None:
    assert fault_demo.fault is not None
    port, action = PORT_FIXES[fault_demo.fault]
    good = action.split()[-1].rstrip(".")
    args = ("--symptom", "cannot-send", "--outgoing-port", port)
    outputs = {}
    for version in ("26", "15", "12"):
        code, out, _ = run(*args, "--ios", version)
        assert code == 0
        outputs[version] = flat(out)
        assert action in outputs[version]
        assert f"Server Port: {good}" in outputs[version]
        assert "Host Name: smtp.mail.com" in outputs[version]
    assert IOS_18_26_27.accounts.text in outputs["26"]
    assert f"Settings, then tap {IOS_14_17.accounts.text}," in outputs["15"]
    assert IOS_11_13.accounts.text in outputs["12"]
    # The phone already on the port that works: the answer moves on to its SMTP settings.
    code, out, _ = run("--symptom", "cannot-send", "--outgoing-port", good, "--json")
    assert json.loads(out)["cause"] == "outgoing-settings-on-phone"


@pytest.mark.parametrize("fault_demo", [None], indirect=True, ids=["no-fault"])
def test_the_phone_on_pop_is_checked_over_pop(fault_demo: FaultDemo, run: Run) -> None:
    code, out, _ = run("--symptom", "no-new-mail", "--incoming", "pop", "--json")
    data = json.loads(out)
    assert code == 1 and data["cause"] == "nothing-found" and data["fresh_profile"]
    assert data["report"]["protocol"] == "pop"
    assert data["phone"] == {"incoming": "pop", "outgoing_port": None}
    assert {a["protocol"] for a in data["report"]["attempts"]} == {"pop3", "smtp"}
    # The ports the phone would use are mail.com's, not the practice server's.
    assert "receive mail on port 995 and send on port 465" in data["check"]["uses"]
    code, out, _ = run("--symptom", "no-new-mail")
    assert "mailcom-wizard export --demo --email demo@mail.com" in out


# -- bad input: one line, exit 2, nothing checked ------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--symptom", "broken-phone"], ["--symptom", *SYMPTOM_CODES]),
        ([], ["--symptom is required", *SYMPTOM_CODES]),
        (["--symptom", "cannot-send", "--outgoing-port", "smtp"], ["--outgoing-port"]),
        (["--symptom", "cannot-send", "--outgoing-port", "70000"], ["--outgoing-port"]),
        (["--symptom", "cannot-send", "--incoming", "exchange"], ["--incoming", "imap, pop"]),
        (["--symptom", "cannot-send", "--ios", "10"], ["--ios 10", "11"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str],
    words: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_check(*_: object) -> None:
        raise AssertionError("nothing is checked on bad input")

    monkeypatch.setattr(repair_command, "resolve_inputs", no_check)
    code = main(["repair", "--email", "jane@mail.com", *args])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    for word in words:
        assert word in err


def test_help_lists_every_symptom_with_its_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["repair", "--help"])
    assert done.value.code == 0
    out = flat(capsys.readouterr().out)
    for symptom in Symptom:
        assert symptom.value in out and flat(symptom.description) in out
    assert "--outgoing-port" in out and "--demo-fault" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "repair" in capsys.readouterr().out


# -- the real servers ----------------------------------------------------------------------


@pytest.mark.servers
def test_repair_against_the_real_servers(
    testbed: Testbed,
    faults: FaultListeners,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Dovecot and Postfix, with the 465 slot a closed port: the network blocking 465."""
    testbed.require_postfix()
    closed = Endpoint(Protocol.SMTP, "127.0.0.1", faults.closed_port.port, Security.SSL)
    provider_file = testbed.provider_file(
        tmp_path, smtp=[closed, testbed.smtp_starttls], provider_id="mail.com"
    )
    base = [
        "repair",
        "--email",
        testbed.alice.email,
        "--provider",
        str(provider_file),
        "--cafile",
        testbed.cafile,
        "--password-stdin",
        "--timeout",
        "3",
        "--json",
    ]
    cases = [
        (testbed.alice.password, "cannot-send", str(closed.port), "outgoing-port-blocked"),
        (testbed.alice.password, "password-incorrect", "unknown", "old-password-on-phone"),
        ("not the password", "password-incorrect", "unknown", "login-refused"),
    ]
    for password, symptom, port, cause in cases:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        code = main([*base, "--symptom", symptom, "--outgoing-port", port])
        out, err = capsys.readouterr()
        assert code == 0, err
        data = json.loads(out)
        assert data["cause"] == cause
        assert data["practice"] is False
        assert testbed.alice.password not in out + err
        if cause == "outgoing-port-blocked":
            assert data["outcome"] == "outgoing-port-blocked-here"
            assert data["action"] == (
                f"Change the iPhone's outgoing port to {testbed.smtp_starttls.port}."
            )


# -- the README's JSON shapes --------------------------------------------------------------


def _readme_shape(heading: str) -> set[str]:
    """The keys named in the code block under ``heading`` in the README."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    block = section.split("```", 2)[1]
    return set(re.findall(r'"(\w+)":', block))


def _keys(value: object, skip: frozenset[str] = frozenset()) -> set[str]:
    """Every key of every object inside ``value``, not looking inside keys in ``skip``."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(key)
            if key not in skip:
                found |= _keys(inner, skip)
    elif isinstance(value, list):
        for inner in value:
            found |= _keys(inner, skip)
    return found


def test_the_readme_names_every_key_the_json_outputs_have(
    fault_demos: FaultDemos, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check --json`` and ``repair --json`` print exactly the keys the README documents
    (a certificate's own keys are left to the README's ``{...}``): one run whose answer has
    phone values and a test message, one with a certificate problem."""
    # Fresh checks: another test's report (without a test message) may be cached already.
    blocked = fault_demos["blocked-465"]
    run = runner(FaultDemo(blocked.fault, blocked.demo), monkeypatch, capsys)
    _, out, _ = run("--symptom", "cannot-send", "--outgoing-port", "465", "--round-trip", "--json")
    with_values = json.loads(out)
    assert with_values["report"]["round_trip"] is not None
    monkeypatch.undo()  # the next runner must wrap the real check, not this one's
    intercepted = fault_demos["intercepted"]
    run = runner(FaultDemo(intercepted.fault, intercepted.demo), monkeypatch, capsys)
    _, out, _ = run("--symptom", "cannot-verify-identity", "--json")
    with_certificate = json.loads(out)
    assert any("certificate" in a for a in with_certificate["report"]["attempts"])

    repair_keys = set[str]()
    check_keys = set[str]()
    for data in (with_values, with_certificate):
        repair_keys |= _keys(data, skip=frozenset({"report"}))
        check_keys |= _keys(data["report"], skip=frozenset({"certificate"}))
    assert repair_keys == _readme_shape("### `repair --json`")
    assert check_keys == _readme_shape("### `check --json`")
