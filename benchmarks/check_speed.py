"""Benchmark: is the concurrent check as fast as its slowest endpoint, and bounded by the timeout?

Starts the real test bed (Dovecot + Postfix on loopback, as root: see scripts/test.sh for the
packages), puts a delay proxy of 150 ms each way in front of every endpoint, and prints, all
measured in this one run (these machines are shared and noisy, so only ratios are compared):

1. full check time / slowest single endpoint checked alone      (goal: <= 1.15)
2. time of a check whose 465 is silent while 587 works, against
   the timeout                                                   (goal: <= timeout + 1 s)
3. in that check, from 587's login working to the verdict the
   user can go on with (the Decided event), against the timeout  (goal: <= 1 s, ~0)

Run: .venv/bin/python benchmarks/check_speed.py [--rounds N] [--delay S] [--timeout S]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.testbed import DelayProxy, start_testbed  # noqa: E402
from wizard.core.check import Decided, Progress, check_endpoint, run_check  # noqa: E402
from wizard.core.models import (  # noqa: E402
    Account,
    CheckOptions,
    Endpoint,
    IncomingChoice,
    Phase,
)
from wizard.core.provider import Provider  # noqa: E402


def _proxied(endpoint: Endpoint, proxies: list[DelayProxy], delay: float) -> Endpoint:
    proxy = DelayProxy(endpoint.host, endpoint.port, delay=delay).start()
    proxies.append(proxy)
    # The test certificate covers 127.0.0.1, where the proxy listens.
    return Endpoint(endpoint.protocol, "127.0.0.1", proxy.port, endpoint.security)


def _median_seconds(runs: int, make: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        asyncio.run(make())  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--delay", type=float, default=0.15, help="proxy delay each way (s)")
    parser.add_argument("--timeout", type=float, default=3.0, help="check timeout (s)")
    args = parser.parse_args()

    bed = start_testbed(with_postfix=True)
    faults = bed.faults
    proxies: list[DelayProxy] = []
    try:
        imap = [_proxied(e, proxies, args.delay) for e in (bed.imap_ssl, bed.imap_starttls)]
        smtp = [_proxied(e, proxies, args.delay) for e in (bed.smtp_ssl, bed.smtp_starttls)]
        provider = Provider("bench", "Bench", ("mail.com",), tuple(imap), (), tuple(smtp))
        account = Account(bed.alice.email, bed.alice.password, incoming=IncomingChoice.IMAP)
        options = CheckOptions(timeout=10.0, cafile=bed.cafile)

        async def full() -> None:
            report = await run_check(account, provider, options)
            assert report.verified, [a.to_json() for a in report.attempts]

        def single(endpoint: Endpoint) -> object:
            async def one() -> None:
                attempt = await check_endpoint(account, endpoint, options)
                assert attempt.verified, attempt.to_json()

            return one

        full_time = _median_seconds(args.rounds, full)
        singles = {e.label: _median_seconds(args.rounds, single(e)) for e in imap + smtp}
        slowest_label, slowest = max(singles.items(), key=lambda item: item[1])
        ratio = full_time / slowest

        silent = faults.silent.endpoint(smtp[0].protocol, smtp[0].security)
        blocked = Provider("bench", "Bench", ("mail.com",), tuple(imap), (), (silent, smtp[1]))
        blocked_options = CheckOptions(timeout=args.timeout, cafile=bed.cafile)

        async def with_silent_465() -> None:
            report = await run_check(account, blocked, blocked_options)
            assert report.verified and report.outgoing.endpoint == smtp[1]

        blocked_time = _median_seconds(max(1, args.rounds // 2), with_silent_465)

        waits: list[float] = []

        async def verdict_after_587() -> None:
            verified: list[float] = []

            def seen(event: Progress | Decided) -> None:
                now = time.perf_counter()
                if isinstance(event, Decided):
                    waits.append(now - verified[0])
                elif event.phase is Phase.DONE and event.endpoint == smtp[1]:
                    verified.append(now)

            await run_check(account, blocked, blocked_options, seen)

        _median_seconds(max(1, args.rounds // 2), verdict_after_587)
        verdict_wait = statistics.median(waits)
    finally:
        for proxy in proxies:
            proxy.stop()
        bed.stop()

    print(f"delay proxy: {args.delay * 1000:.0f} ms each way; median of {args.rounds} runs")
    for label, seconds in singles.items():
        print(f"  {label:<32} alone: {seconds:6.3f} s")
    print(f"  full check (IMAP 2 endpoints + SMTP 2 endpoints): {full_time:6.3f} s")
    verdict = "OK" if ratio <= 1.15 else "OVER GOAL"
    print(f"ratio full / slowest single ({slowest_label}): {ratio:.3f}  (goal <= 1.15) {verdict}")
    bound = args.timeout + 1
    verdict = "OK" if blocked_time <= bound else "OVER GOAL"
    print(
        f"silent 465, working 587: {blocked_time:.3f} s with timeout {args.timeout:g} s "
        f"= timeout + {blocked_time - args.timeout:.3f} s  (goal <= timeout + 1 s) {verdict}"
    )
    verdict = "OK" if verdict_wait <= 1 else "OVER GOAL"
    print(
        f"silent 465: the verdict {verdict_wait:.3f} s after 587's login worked "
        f"= {verdict_wait / args.timeout:.3f} of the timeout  (goal <= 1 s) {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
