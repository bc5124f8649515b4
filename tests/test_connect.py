"""Connecting (no server needed): what the route reports, how failures are classified, and
the sentence that says which kinds of address were tried. The dead-IPv6 case itself runs
against the real servers in test_happy_eyeballs.py."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import pytest

from wizard.core.diagnosis import address_families_sentence
from wizard.core.models import Attempt, Endpoint, Protocol, Security, Status
from wizard.core.probes import ProbeFailure, Route
from wizard.core.probes.connect import connect_socket

#: IPv6 unreachable, IPv4 refused: aiohappyeyeballs joins the messages, with no errno.
MIXED = OSError("Multiple exceptions: [Errno 101] ..., [Errno 111] ...")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def _endpoint(host: str, port: int) -> Endpoint:
    return Endpoint(Protocol.IMAP, host, port, Security.SSL)


async def test_the_route_names_the_family_then_the_address(listener: socket.socket) -> None:
    routes: list[Route] = []
    port = listener.getsockname()[1]
    sock = await connect_socket(_endpoint("localhost", port), routes.append)
    sock.close()
    assert routes[0].address is None and "IPv4" in routes[0].families
    assert routes[-1].address == "127.0.0.1"


async def test_a_closed_port_is_refused_with_no_address() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    routes: list[Route] = []
    with pytest.raises(ProbeFailure) as caught:
        await connect_socket(_endpoint("127.0.0.1", port), routes.append)
    assert caught.value.status is Status.CONNECTION_REFUSED
    assert routes == [Route(("IPv4",))]


async def test_an_unknown_name_is_dns_failed() -> None:
    with pytest.raises(ProbeFailure) as caught:
        await connect_socket(_endpoint("no-such-host.invalid", 993))
    assert caught.value.status is Status.DNS_FAILED


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OSError(errno.ECONNREFUSED, "Multiple exceptions: ..."), Status.CONNECTION_REFUSED),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), Status.NO_ROUTE),
        (OSError(errno.EHOSTUNREACH, "No route to host"), Status.NO_ROUTE),
        (OSError("Multiple exceptions: [Errno 101] ..., [Errno 113] ..."), Status.NO_ROUTE),
        (OSError(errno.ETIMEDOUT, "Connection timed out"), Status.TIMEOUT),
        (MIXED, Status.CONNECTION_REFUSED),
    ],
)
async def test_every_address_failing_is_classified(
    monkeypatch: pytest.MonkeyPatch, error: OSError, status: Status
) -> None:
    """What aiohappyeyeballs raises when every address failed, mixed kinds included."""

    async def failing(*_args: object, **_kw: object) -> socket.socket:
        raise error

    monkeypatch.setattr("wizard.core.probes.connect.aiohappyeyeballs.start_connection", failing)
    with pytest.raises(ProbeFailure) as caught:
        await connect_socket(_endpoint("localhost", 993))
    assert caught.value.status is status
    assert "Multiple exceptions" not in caught.value.detail


def test_the_families_sentence() -> None:
    both = address_families_sentence("imap.mail.com", ("IPv4", "IPv6"))
    assert "imap.mail.com over both IPv6 and IPv4" in both
    one = address_families_sentence("imap.mail.com", ("IPv4",))
    assert "imap.mail.com over IPv4 (it has no IPv6 address)" in one
    assert address_families_sentence("127.0.0.1", ("IPv4",)) == ""  # typed as an address
    assert address_families_sentence("[::1]", ("IPv6",)) == ""
    assert address_families_sentence("imap.mail.com", ()) == ""


def test_the_json_attempt_carries_the_address() -> None:
    endpoint = _endpoint("imap.mail.com", 993)
    assert Attempt(endpoint, Status.OK, address="203.0.113.5").to_json()["address"] == (
        "203.0.113.5"
    )
    assert Attempt(endpoint, Status.TIMEOUT).to_json()["address"] is None
