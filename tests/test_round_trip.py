"""The round trip removes its own test message and nothing of the user's.

Against the real Dovecot and Postfix: a mailbox holding ordinary messages and one the user
flagged as deleted (not yet purged) keeps every one of them through ``check --round-trip``.
Against lying fake servers: no SEARCH answer other than one message number, and no FETCH
that does not show the test marker on that very message, leads to a deletion; without
UIDPLUS the message is only flagged, never purged by EXPUNGE or CLOSE.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from tests.testbed import FaultListeners, Testbed
from tests.testbed.mailbox import FakeImapMailbox, FakePop3Mailbox
from wizard.cli import main
from wizard.core.models import Security
from wizard.core.probes import MailSession, ProbeFailure, open_mail_session
from wizard.core.roundtrip import MARKER_HEADER
from wizard.core.tls import make_tls_context

USERS_MAIL = [("Keep me 1", ""), ("Flagged, not yet purged", "\\Deleted"), ("Keep me 2", "\\Seen")]


@pytest.mark.servers
@pytest.mark.parametrize("incoming", ["imap", "pop"])
def test_check_round_trip_leaves_every_message_of_the_user(
    testbed: Testbed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    incoming: str,
) -> None:
    testbed.require_postfix()
    user = testbed.keeper
    testbed.fill_inbox(user, USERS_MAIL)
    before = sorted(testbed.inbox(user))
    monkeypatch.setattr("sys.stdin", io.StringIO(user.password + "\n"))
    argv = ["check", "--email", user.email, "--provider", str(testbed.provider_file(tmp_path))]
    argv += ["--cafile", testbed.cafile, "--password-stdin", "--round-trip", "--protocol", incoming]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "Test message: sent and arrived" in out
    after = sorted(testbed.inbox(user))
    assert after == before  # the flagged one too, still flagged; the test message gone
    assert ("Flagged, not yet purged", frozenset({"\\Deleted"})) in after


# -- lying servers -------------------------------------------------------------------------

TOKEN = "0123456789abcdef0123456789abcdef"


def _marker(token: str = TOKEN) -> str:
    return f"{MARKER_HEADER}: {token}"


async def _remove(faults: FaultListeners, fake: FakeImapMailbox | FakePop3Mailbox) -> bool:
    """Log in to ``fake`` and ask the session to remove the message marked TOKEN."""
    faults.add(fake)
    context = make_tls_context(str(faults.certificates.cafile))
    session: MailSession | None = None
    async with asyncio.timeout(5):
        try:
            session = await open_mail_session(fake.endpoint(Security.SSL), context)
            await session.login("ann@mail.com", "pw")
            return (await session.delete_marked(MARKER_HEADER, TOKEN)).found
        finally:
            if session is not None:
                await session.close()


def _mailbox(
    faults: FaultListeners, name: str, search: list[str], fetched_uid: str = "", header: str = ""
) -> FakeImapMailbox:
    return FakeImapMailbox(
        name,
        faults.certificates.server.server_context(),
        search=search,
        fetch=lambda uid: (fetched_uid or uid, header or _marker()),
        uidplus=True,
    )


def _deleting(fake: FakeImapMailbox) -> list[str]:
    """The commands that could delete or purge anything, as the fake received them."""
    return [
        line
        for line in fake.commands
        if {"STORE", "EXPUNGE", "CLOSE"} & {word.upper() for word in line.split()[1:3]}
    ]


@pytest.mark.parametrize(
    ("search", "fetched_uid", "header"),
    [
        (["* SEARCH SEARCH 1:*"], "", ""),
        (["* SEARCH 1:*"], "", ""),
        (["* SEARCH 1,2,3"], "", ""),
        (["* SEARCH 1 2 3"], "", ""),
        (["* SEARCH 5", "* SEARCH 6"], "", ""),
        (["* SEARCH 4294967296"], "", ""),
        (["* SEARCH 0"], "", ""),
        (["* SEARCH 05"], "", ""),
        (["* SEARCH *"], "", ""),
        (["* SEARCH 5"], "6", ""),  # FETCH shows another message
        (["* SEARCH 5"], "", f"{MARKER_HEADER}: ffff"),  # ...a marker that is not ours
        (["* SEARCH 5"], "", "Subject: the user's own mail"),  # ...no marker at all
    ],
    ids=lambda value: str(value),
)
async def test_no_lie_of_the_server_deletes_anything(
    faults: FaultListeners, search: list[str], fetched_uid: str, header: str
) -> None:
    name = f"lying_{abs(hash((tuple(search), fetched_uid, header)))}"
    fake = _mailbox(faults, name, search, fetched_uid, header)
    with pytest.raises(ProbeFailure) as caught:
        await _remove(faults, fake)
    assert "nothing was deleted" in caught.value.detail
    assert fake.saw_login
    assert not _deleting(fake), fake.commands


async def test_the_one_marked_message_is_flagged_and_purged_by_its_uid(
    faults: FaultListeners,
) -> None:
    fake = _mailbox(faults, "honest_uidplus", ["* SEARCH 5"])
    assert await _remove(faults, fake)
    assert [line.split(" ", 1)[1] for line in _deleting(fake)] == [
        "UID STORE 5 +FLAGS.SILENT (\\Deleted)",
        "UID EXPUNGE 5",
    ]


async def test_without_uidplus_the_message_is_only_flagged_and_the_result_says_so(
    faults: FaultListeners,
) -> None:
    fake = FakeImapMailbox(
        "honest_no_uidplus",
        faults.certificates.server.server_context(),
        search=["* SEARCH 5"],
        fetch=lambda uid: (uid, _marker()),
        uidplus=False,
    )
    faults.add(fake)
    context = make_tls_context(str(faults.certificates.cafile))
    async with asyncio.timeout(5):
        session = await open_mail_session(fake.endpoint(Security.SSL), context)
        await session.login("ann@mail.com", "pw")
        removal = await session.delete_marked(MARKER_HEADER, TOKEN)
        await session.close()
    assert removal.found and not removal.purged
    assert [line.split(" ", 1)[1] for line in _deleting(fake)] == [
        "UID STORE 5 +FLAGS.SILENT (\\Deleted)"
    ]  # no EXPUNGE, no CLOSE: the user's own flagged mail stays as it is


async def test_no_search_answer_is_not_found_and_deletes_nothing(faults: FaultListeners) -> None:
    fake = _mailbox(faults, "empty", ["* SEARCH"])
    assert not await _remove(faults, fake)
    assert not _deleting(fake)


# -- POP3 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "deleted"),
    [
        (["Subject: a", _marker(), "Subject: b"], ["DELE 2"]),
        (["Subject: a", "Subject: b", f"{MARKER_HEADER}: ffff"], []),
        (
            [_marker().upper().replace(TOKEN.upper(), TOKEN)],
            ["DELE 1"],
        ),  # a header's name is case-blind
    ],
)
async def test_pop3_deletes_only_the_message_whose_marker_it_read(
    faults: FaultListeners, headers: list[str], deleted: list[str]
) -> None:
    name = f"pop3_{abs(hash(tuple(headers)))}"
    fake = FakePop3Mailbox(name, faults.certificates.server.server_context(), headers=headers)
    assert await _remove(faults, fake) is bool(deleted)
    assert [line for line in fake.commands if line.upper().startswith("DELE")] == deleted
    tops = [line for line in fake.commands if line.upper().startswith("TOP")]
    for line in deleted:  # read before it was deleted
        assert f"TOP {line.split()[1]} 0" in tops
