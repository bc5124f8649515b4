"""Finding this computer's local-network address for ``serve``, on any operating system.

The real interfaces of this machine are read as they are (loopback is never offered); the
macOS and Windows shapes of ifaddr's answer are simulated, since only Linux is here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import ifaddr
import pytest

from wizard.core.errors import ServeError
from wizard.core.handoff import addresses
from wizard.core.handoff.addresses import LocalAddress, is_loopback


def _adapter(name: str, *ips: tuple[str, int], nice_name: str | None = None) -> ifaddr.Adapter:
    label = nice_name or name
    return ifaddr.Adapter(
        name,
        label,
        [ifaddr.IP(ip if "." in ip else (ip, 0, 0), prefix, label) for ip, prefix in ips],
    )


def test_detected_addresses_are_this_machines_and_never_loopback() -> None:
    found = addresses.local_addresses()
    on_interfaces = {
        str(ip.ip) for adapter in ifaddr.get_adapters() for ip in adapter.ips if ip.is_IPv4
    }
    for candidate in found:
        assert not is_loopback(candidate.address)
        assert not candidate.address.startswith("169.254.")
        assert candidate.address in on_interfaces
    # Private addresses first; among equals, the default route's.
    keys = [(not addresses.is_private(c.address), not c.default_route) for c in found]
    assert keys == sorted(keys)
    default = addresses.default_route_address()
    if default is not None:
        assert [a.address for a in found if a.default_route] == [default]


def test_the_default_route_interface_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """docker0 has an address but not the default route; wlan0 has it; lo is never offered."""
    monkeypatch.setattr(
        ifaddr,
        "get_adapters",
        lambda: [
            _adapter("lo", ("127.0.0.1", 8), ("::1", 128)),
            _adapter("docker0", ("172.17.0.1", 16)),
            _adapter("wlan0", ("192.168.1.20", 24), ("fe80::1", 64), ("169.254.3.4", 16)),
        ],
    )
    monkeypatch.setattr(addresses, "default_route_address", lambda: "192.168.1.20")
    assert addresses.local_addresses() == [
        LocalAddress("wlan0", "192.168.1.20", default_route=True),
        LocalAddress("docker0", "172.17.0.1"),
    ]
    assert addresses.choose_host(None).address == "192.168.1.20"


def test_windows_interfaces_are_named_as_in_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows ifaddr names an adapter by GUID and its addresses by the friendly name."""
    wifi = ifaddr.Adapter(
        "{846EE342-7039-11DE-9D20-806E6F6E6963}",
        "Intel(R) Wi-Fi 6 AX201 160MHz",
        [ifaddr.IP("192.168.1.20", 24, "Wi-Fi")],
    )
    monkeypatch.setattr(ifaddr, "get_adapters", lambda: [wifi])
    monkeypatch.setattr(addresses, "default_route_address", lambda: "192.168.1.20")
    assert addresses.local_addresses() == [
        LocalAddress("Wi-Fi", "192.168.1.20", default_route=True)
    ]


def test_a_default_route_the_listing_missed_is_still_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ifaddr, "get_adapters", lambda: [_adapter("en0", ("10.0.0.5", 24))])
    monkeypatch.setattr(addresses, "default_route_address", lambda: "10.0.1.7")
    assert addresses.local_addresses()[0] == LocalAddress(
        "default route", "10.0.1.7", default_route=True
    )


def test_no_network_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ifaddr, "get_adapters", lambda: [_adapter("lo0", ("127.0.0.1", 8))])
    monkeypatch.setattr(addresses, "default_route_address", lambda: None)
    assert addresses.local_addresses() == []


def test_a_failing_interface_listing_falls_back_to_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> list[ifaddr.Adapter]:
        raise OSError("GetAdaptersAddresses failed")

    monkeypatch.setattr(ifaddr, "get_adapters", broken)
    monkeypatch.setattr(addresses, "default_route_address", lambda: None)
    monkeypatch.setattr(
        "wizard.core.handoff.addresses.socket.getaddrinfo",
        lambda *_a, **_k: [(2, 1, 6, "", ("192.168.7.9", 0)), (2, 1, 6, "", ("127.0.1.1", 0))],
    )
    assert addresses.local_addresses() == [LocalAddress("host name", "192.168.7.9")]


def test_the_route_lookup_sends_nothing_and_reads_no_proc() -> None:
    """In a fresh interpreter, with Python's audit hooks watching: no file under /proc or
    /sys is opened, no ioctl is made, and the only socket use is a UDP connect."""
    code = textwrap.dedent(
        """
        import json, sys
        events = []
        def hook(event, args):
            if event == "open" and str(args[0]).startswith(("/proc", "/sys")):
                events.append(["open", str(args[0])])
            elif event.startswith("fcntl."):
                events.append([event])
            elif event in ("socket.sendto", "socket.sendmsg", "socket.bind"):
                events.append([event])
            elif event == "socket.connect":
                events.append([event, args[0].type.name])
        from wizard.core.handoff import addresses
        sys.addaudithook(hook)
        found = addresses.local_addresses()
        print(json.dumps({"events": events, "found": [a.address for a in found]}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(result.stdout)
    assert all(event == ["socket.connect", "SOCK_DGRAM"] for event in seen["events"]), seen


def test_a_private_address_is_preferred_to_a_public_or_carrier_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 19: the link went out on a public or CGNAT address without a word."""
    monkeypatch.setattr(
        ifaddr,
        "get_adapters",
        lambda: [
            _adapter("wwan0", ("100.72.9.4", 10)),  # a carrier's shared address (CGNAT)
            _adapter("eth1", ("203.0.113.50", 24)),  # public
            _adapter("wlan0", ("192.168.1.20", 24)),
        ],
    )
    monkeypatch.setattr(addresses, "default_route_address", lambda: "100.72.9.4")
    found = addresses.local_addresses()
    assert [a.address for a in found] == ["192.168.1.20", "100.72.9.4", "203.0.113.50"]
    choice = addresses.choose_host(None)
    assert choice.address == "192.168.1.20" and addresses.address_note(choice.address) is None


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("100.64.0.7", "shared by a mobile carrier"),
        ("100.127.255.1", "shared by a mobile carrier"),
        ("203.0.113.50", "public"),
        ("127.0.0.1", "this computer only"),
        ("::1", "this computer only"),
    ],
)
def test_the_only_address_being_public_or_carriers_is_said(address: str, words: str) -> None:
    note = addresses.address_note(address)
    assert note is not None and words in note and address in note


@pytest.mark.parametrize("private", ["10.1.2.3", "172.20.0.5", "192.168.178.23", "fd00::2"])
def test_a_private_address_needs_no_note(private: str) -> None:
    assert addresses.address_note(private) is None


def test_only_this_computers_addresses_are_accepted_to_serve_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--host``: the address a spelling resolves to must be one of the interfaces'."""
    monkeypatch.setattr(
        ifaddr, "get_adapters", lambda: [_adapter("wlan0", ("192.168.1.20", 24), ("fd00::2", 64))]
    )
    assert addresses.own_address("192.168.1.20") == "192.168.1.20"
    assert addresses.own_address("3232235796") == "192.168.1.20"  # the same, as one number
    assert addresses.own_address("[fd00::2]") == "fd00::2"
    assert addresses.own_address("::ffff:127.0.0.1") == "127.0.0.1"
    for foreign in ("192.168.1.21", "10.0.0.1", "fd00::3"):
        with pytest.raises(ServeError, match="not an address of this computer"):
            addresses.own_address(foreign)
