"""Offering a profile to the phone from a terminal: the link, its QR code, progress, the end.

Used by ``serve`` and by ``export --serve``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

from wizard.console.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from wizard.core.errors import PortInUseError, ServeError, UsageError
from wizard.core.handoff.addresses import describe_candidates, is_loopback
from wizard.core.handoff.offer import Offer, start_offer
from wizard.core.handoff.qr import qr_ansi, qr_text
from wizard.core.handoff.server import DEFAULT_MINUTES, EventKind, ServeEvent, StopReason
from wizard.core.handoff.steps import INSTALL_WINDOW_MINUTES, PLAIN_HTTP_WARNING, phone_steps

# A day is far more than anyone waits for a phone; beyond it is a typo.
MAX_MINUTES = 24 * 60
# The server stops within a second whatever its clients do; this bounds the wait for it
# (its threads are daemons, so the command ends regardless).
_STOP_WAIT_SECONDS = 3.0


def serve_profile_after_export(
    path: str,
    host: str | None = None,
    *,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    yes_serve_password: bool = False,
) -> int:
    """``export --serve``: offer the profile just written; print errors and return exit codes."""
    try:
        return serve_file(
            path, host=host, port=port, minutes=minutes, yes_serve_password=yes_serve_password
        )
    except UsageError as exc:
        print(f"mailcom-wizard: {exc}", file=sys.stderr)
        return EXIT_USAGE


def serve_file(
    path: str,
    *,
    host: str | None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    yes_serve_password: bool = False,
) -> int:
    """The whole command; bad input raises UsageError (exit 2)."""
    if not 0 < minutes <= MAX_MINUTES:
        raise UsageError(f"--minutes {minutes:g}: give a number of minutes above 0, at most 1440.")
    try:
        offer = start_offer(
            path,
            allow_password=lambda: _confirm_password(yes_serve_password),
            host=host,
            port=port,
            minutes=minutes,
            on_event=_print_event,
        )
    except ServeError as exc:
        raise UsageError(_with_flag(exc, host, port)) from None
    if offer is None:
        print("Not served.", file=sys.stderr)
        return EXIT_FAILED

    out = sys.stdout
    server = offer.server
    choice = offer.host
    reason: StopReason | None = None
    interrupted = False
    try:
        _show_offer(out, offer, minutes)
        if choice.detected and choice.others:
            print(
                "This computer has other addresses too: "
                + "; ".join(describe_candidates(choice.others))
                + ". If the phone cannot open the link, try one with --host ADDR.",
                file=out,
            )
        if is_loopback(choice.address):
            print(
                f"Note: {choice.address} is this computer only; the iPhone cannot reach it.",
                file=out,
            )
        print(
            f"\nWaiting for the phone: the link works for one download or {_minutes(minutes)}."
            " Ctrl+C stops now.",
            file=out,
            flush=True,
        )
        reason = server.wait()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Whatever happened above (even a broken stdout), no server outlives the command.
        # One wait, bounded; a second Ctrl+C while it lasts only ends it sooner.
        server.stop()
        with contextlib.suppress(KeyboardInterrupt):
            reason = server.wait(_STOP_WAIT_SECONDS)
    if interrupted and reason not in (StopReason.DOWNLOADED, StopReason.UNCONFIRMED):
        print("\nStopped before the phone downloaded the profile; the link no longer works.")
        return EXIT_INTERRUPTED
    return _report(out, reason, minutes)


def _with_flag(exc: ServeError, host: str | None, port: int) -> str:
    """The core's message with the option that changes the input it is about."""
    message = str(exc)
    if exc.field == "host":
        if host is None:  # nothing was found to serve on
            return f"{message} Choose one with --host ADDR."
        return f"--host: {message} Leave --host out to detect it."
    if exc.field == "port":
        if isinstance(exc, PortInUseError):
            return (
                f"{message} Choose another with --port N, or leave --port out to use any free port."
            )
        if port:
            return f"--port {port}: {message}"
    return message


def _confirm_password(yes: bool) -> bool:
    """The explicit consent needed to send a password over plain HTTP."""
    print(f"Warning: {PLAIN_HTTP_WARNING}", file=sys.stderr)
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            "the profile contains a password and plain HTTP would let anyone on the network "
            "read it; not served. Export it without --include-password (iOS asks for the "
            "password), or pass --yes-serve-password to serve it anyway."
        )
    try:
        answer = input("Serve it anyway? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def _show_offer(out: TextIO, offer: Offer, minutes: float) -> None:
    """The URL as text and as a QR code, then the steps on the phone."""
    profile, url = offer.profile, offer.url
    colour = out.isatty() and "NO_COLOR" not in os.environ
    kind = "signed" if profile.signed else "unsigned"
    print(f"Offering {profile.filename} ({kind}, {profile.size} bytes) at:\n", file=out)
    print(f"  {url}\n", file=out)
    print(qr_ansi(url) if colour else qr_text(url), file=out)
    print("\nOn the iPhone:", file=out)
    for number, step in enumerate(phone_steps(profile), start=1):
        print(f"  {number}. {step}", file=out)


def _print_event(event: ServeEvent) -> None:
    """Progress lines, printed from the server's threads."""
    if event.kind is EventKind.DOWNLOAD_STARTED:
        print(f"The phone ({event.client}) is downloading the profile...", flush=True)
    elif event.kind is EventKind.DOWNLOAD_FAILED:
        print(
            f"The download to {event.client} broke off before the whole profile was sent; "
            "the link still works.",
            flush=True,
        )


def _report(out: TextIO, reason: StopReason | None, minutes: float) -> int:
    """Say why the server stopped; exit 0 only when the phone has the profile."""
    if reason is StopReason.DOWNLOADED:
        print(
            "Done: the profile was downloaded and the link no longer works. On the iPhone, "
            f"open Settings > Profile Downloaded > Install within {INSTALL_WINDOW_MINUTES} "
            "minutes.",
            file=out,
        )
        return EXIT_OK
    if reason is StopReason.UNCONFIRMED:
        print(
            "Stopped: the whole profile left this computer, but the phone did not confirm "
            "receiving all of it (the connection broke off or went silent at the end). The "
            "link no longer works, so no second copy can leave. If the iPhone shows no "
            "Profile Downloaded in Settings, run the command again for a new link.",
            file=out,
        )
        return EXIT_FAILED
    if reason is StopReason.TIMED_OUT:
        print(
            f"Stopped: nobody downloaded the profile within {_minutes(minutes)}; the link no "
            "longer works. Run the command again for a new link.",
            file=out,
        )
        return EXIT_FAILED
    print("Stopped before the phone downloaded the profile; the link no longer works.", file=out)
    return EXIT_FAILED


def _minutes(minutes: float) -> str:
    """10 -> '10 minutes', 0.5 -> '30 seconds', 0.005 -> '0.3 seconds'."""
    if minutes < 1:
        seconds = minutes * 60
        return f"{seconds:.3g} second" + ("" if seconds == 1 else "s")
    return f"{minutes:g} minute" + ("" if minutes == 1 else "s")
