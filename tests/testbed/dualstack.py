"""A host name with a dead IPv6 path: ``::1`` drops connection attempts, ``127.0.0.2`` works.

Home routers, hotel Wi-Fi and VPNs often hand out IPv6 addresses that go nowhere: the SYN
is swallowed and nothing ever answers. To show that the check gets through on IPv4 all the
same, the bed adds a name to ``/etc/hosts`` that resolves to ``::1`` and to ``127.0.0.2``
(where the real servers listen), and an nftables table that drops SYNs to ``::1`` on the
ports given. Both need root. Both are undone by ``close()``; if a run was killed before
that, the next run removes what the dead run left (``reap_stale_dual_stack``), as
``reap_stale_beds`` does for servers.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .certs import DUAL_STACK_HOST
from .servers import SERVER_HOST, process_start_time

__all__ = [
    "DUAL_STACK_HOST",
    "DualStack",
    "DualStackUnavailable",
    "missing_prerequisite",
    "reap_stale_dual_stack",
]

IPV6_ADDRESS = "::1"
IPV4_ADDRESS = SERVER_HOST

HOSTS_FILE = Path("/etc/hosts")
NFT = "nft"
_MARK = "# mailcom-wizard test bed"
_TABLE_PREFIX = "mailcom_testbed_"


class DualStackUnavailable(RuntimeError):
    """This machine cannot host the dual-stack name (not root, or no nft); says why."""


def _alive(pid: int, started: str) -> bool:
    return process_start_time(pid) == started


def _nft(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NFT, *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=check,
    )


def missing_prerequisite() -> str | None:
    """Why the dual-stack name cannot be set up here, or None when it can."""
    if os.geteuid() != 0:
        return "the dual-stack test name needs root (it edits /etc/hosts and nftables)"
    if shutil.which(NFT) is None:
        return "the dual-stack test name needs nft: run scripts/test.sh, which installs nftables"
    return None


def _write_hosts(lines: list[str]) -> None:
    # Written in place, not replaced: /etc/hosts is often a bind mount in containers.
    HOSTS_FILE.write_text("".join(lines), encoding="utf-8")


def _hosts_lines() -> list[str]:
    return HOSTS_FILE.read_text(encoding="utf-8").splitlines(keepends=True)


def reap_stale_dual_stack() -> None:
    """Remove the hosts lines and nftables tables of test runs that died without undoing
    them. Those of live runs are left alone."""
    if missing_prerequisite() is not None:
        return
    lines = _hosts_lines()
    kept = []
    for line in lines:
        match = re.search(re.escape(_MARK) + r" (\d+) (\S+)$", line.rstrip("\n"))
        if match is None or _alive(int(match[1]), match[2]):
            kept.append(line)
    if kept != lines:
        _write_hosts(kept)
    listed = _nft("list", "tables", check=False).stdout
    for family, name, pid, started in re.findall(
        rf"table (\w+) ({_TABLE_PREFIX}(\d+)_(\d+))", listed
    ):
        if not _alive(int(pid), started):
            _nft("delete", "table", family, name, check=False)


class DualStack:
    """The dual-stack name, set up for as long as the object is open."""

    def __init__(self) -> None:
        reason = missing_prerequisite()
        if reason is not None:
            raise DualStackUnavailable(reason)
        reap_stale_dual_stack()
        pid = os.getpid()
        started = process_start_time(pid) or "0"
        self.host = DUAL_STACK_HOST
        self._owner = f"{_MARK} {pid} {started}"
        self._table = f"{_TABLE_PREFIX}{pid}_{started}"
        self._closed = False
        lines = _hosts_lines()
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += [
            f"{IPV6_ADDRESS} {DUAL_STACK_HOST} {self._owner}\n",
            f"{IPV4_ADDRESS} {DUAL_STACK_HOST} {self._owner}\n",
        ]
        _write_hosts(lines)
        try:
            _nft("add", "table", "inet", self._table)
            _nft(
                "add",
                "chain",
                "inet",
                self._table,
                "out",
                "{ type filter hook output priority 0 ; }",
            )
        except BaseException:
            self.close()
            raise

    def drop_syn(self, address: str, ports: Iterable[int]) -> None:
        """Silently drop connection attempts (TCP SYN) to ``address`` on ``ports``."""
        selector = "ip6" if ":" in address else "ip"
        listed = ", ".join(str(port) for port in ports)
        _nft(
            "add",
            "rule",
            "inet",
            self._table,
            "out",
            f"{selector} daddr {address} tcp dport {{ {listed} }} tcp flags syn drop",
        )

    def close(self) -> None:
        """Remove the hosts lines and the nftables table (each even if the other fails)."""
        if self._closed:
            return
        self._closed = True
        try:
            _nft("delete", "table", "inet", self._table, check=False)
        finally:
            with contextlib.suppress(OSError):
                _write_hosts(
                    [line for line in _hosts_lines() if not line.rstrip().endswith(self._owner)]
                )

    def __enter__(self) -> DualStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
