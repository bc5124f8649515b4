"""Offering a profile to the phone from a terminal (``serve`` and ``export --serve``): at 80x24
the link, the whole QR code and the first steps beside it fit the first screen, and nothing
is broken inside a word or a link."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import textwrap
from itertools import zip_longest

from wizard.console.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from wizard.core.errors import PortInUseError, ServeError, UsageError
from wizard.core.export import ExportedProfile
from wizard.core.handoff.profile_file import NotOffered, load_profile_file, refuse_practice
from wizard.core.handoff.qr import qr_ansi, qr_text
from wizard.core.handoff.server import (
    DEFAULT_MINUTES,
    EventKind,
    Link,
    ServeEvent,
    StopReason,
    download_name,
    offer_notes,
    serve_once,
)
from wizard.core.handoff.steps import PLAIN_HTTP_WARNING, download_steps, install_steps, numbered

# A day is far more than anyone waits for a phone; beyond it is a typo.
MAX_MINUTES = 24 * 60
# Narrower than this beside the QR code, the steps go below it.
_MIN_SIDE = 28
_STOPPED_EARLY = "Stopped before the phone downloaded the profile; the link no longer works."


def serve_file(
    path: str,
    *,
    host: str | None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    yes_serve_password: bool = False,
) -> int:
    """``serve FILE``: the file is read once; bad input raises UsageError (exit 2)."""
    if not 0 < minutes <= MAX_MINUTES:
        raise UsageError(f"--minutes {minutes:g}: give a number of minutes above 0, at most 1440.")
    try:
        profile = load_profile_file(path)
        refuse_practice(profile)
    except ServeError as exc:
        raise UsageError(str(exc)) from None
    return offer(profile, host=host, port=port, minutes=minutes, yes=yes_serve_password)


def serve_exported(profile: ExportedProfile) -> int:
    """``export --serve``: offer the profile just made, from memory; a practice one is not."""
    try:
        refuse_practice(profile)
    except NotOffered:  # shown as the TUI shows it: a QR code of words, and why
        print(qr_text(NotOffered.qr_words))
        _say(NotOffered.instead)
        return EXIT_OK
    # Consent to put the password in a file is not consent to send it over plain HTTP.
    return offer(profile, host=None)


def offer(
    profile: ExportedProfile,
    *,
    host: str | None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    yes: bool = False,
) -> int:
    """Ask about a password, serve until the download (or Ctrl+C) and say how it ended."""
    allowed = profile.contains_password and _confirm_password(yes)
    if profile.contains_password and not allowed:
        print("Not served.", file=sys.stderr)
        return EXIT_FAILED
    shown = _Progress(profile, minutes)
    try:
        reason = asyncio.run(
            serve_once(
                profile,
                host=host,
                port=port,
                minutes=minutes,
                allow_password=allowed,
                on_event=shown.event,
            )
        )
    except ServeError as exc:
        raise UsageError(_with_flag(exc, host, port)) from None
    except KeyboardInterrupt:
        if shown.reason not in (StopReason.DOWNLOADED, StopReason.UNCONFIRMED):
            print(f"\n{_STOPPED_EARLY}")
            return EXIT_INTERRUPTED
        reason = shown.reason
    return shown.report(reason)


class _Progress:
    """What the terminal shows as the offer goes."""

    def __init__(self, profile: ExportedProfile, minutes: float) -> None:
        self.profile, self.minutes, self.refused = profile, minutes, 0
        self.reason: StopReason | None = None

    def event(self, event: ServeEvent) -> None:
        if event.link is not None:
            print("\n".join(self.first_screen(event.link, *_size())), flush=True)
        elif event.kind is EventKind.DOWNLOAD_STARTED:
            print(f"The phone ({event.client}) is downloading the profile...", flush=True)
        elif event.kind is EventKind.DOWNLOAD_FAILED:
            _say(
                f"The download to {event.client} broke off before the whole profile was sent; "
                "the link still works."
            )
        elif event.kind is EventKind.NOT_FOUND:
            self.refused = event.count
        elif event.kind is EventKind.ENDED:
            self.reason = event.reason

    def first_screen(self, link: Link, width: int, height: int) -> list[str]:
        """Title, link, the QR code with the first steps and notes beside it, the wait."""
        profile, url = self.profile, link.url
        kind = "signed" if profile.signed else "unsigned"
        title = f"Offering {download_name(profile)} ({kind}, {len(profile.data)} bytes) at:"
        top = [*_lines([title], width), f"  {url}" if len(url) + 2 < width else url]
        qr = qr_text(url).split("\n")
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        drawn = qr_ansi(url).split("\n") if colour else qr
        notes = offer_notes(profile, link)
        if link.host.detected and link.host.others:
            notes.append(
                "This computer has other addresses too: "
                + "; ".join(f"{other.address} ({other.interface})" for other in link.host.others)
                + ". If the phone cannot open the link, try one with --host ADDR."
            )
        side = ["On the iPhone:", *numbered(download_steps())]
        side_width = width - len(qr[0]) - 3
        wait = f"Waiting for the phone (one download, or {_minutes(self.minutes)})."
        bottom = _lines([f"{wait} Ctrl+C stops now."], width)
        if side_width < _MIN_SIDE:
            body, below = drawn, _lines([*side, *notes], width)
        else:
            beside = _lines([*side, "", *notes], side_width)
            blank = " " * len(qr[0])
            body = [
                f"{code}  {text}".rstrip()
                for code, text in zip_longest(drawn, beside[: len(qr)], fillvalue=blank)
            ]
            below = [f"{blank}  {text}" for text in beside[len(qr) :]]
        # The QR code and the link come first; what does not fit below it is left out.
        room = max(0, height - 1 - len(top) - len(body) - len(bottom))
        return top + body + below[:room] + bottom

    def report(self, reason: StopReason) -> int:
        """Say why the offer ended; exit 0 only when the phone has the profile."""
        if self.refused:
            print(f"Turned away {self.refused} request(s) for a wrong or used link.")
        said = {
            StopReason.DOWNLOADED: "Done: the profile was downloaded and the link no longer works.",
            StopReason.UNCONFIRMED: (
                "Stopped: the whole profile left this computer, but the phone did not confirm "
                "receiving all of it (the connection broke off or went silent at the end). The "
                "link no longer works, so no second copy can leave. If the iPhone shows no "
                "Profile Downloaded in Settings, run the command again for a new link; if it does:"
            ),
            StopReason.TIMED_OUT: (
                f"Stopped: nobody downloaded the profile within {_minutes(self.minutes)}; the "
                "link no longer works. Run the command again for a new link."
            ),
        }
        _say(said.get(reason, _STOPPED_EARLY))
        if reason in (StopReason.DOWNLOADED, StopReason.UNCONFIRMED):
            steps = numbered(install_steps(self.profile), len(download_steps()) + 1)
            _say("Now on the iPhone:", *steps)
        return EXIT_OK if reason is StopReason.DOWNLOADED else EXIT_FAILED


def _size() -> tuple[int, int]:
    columns, lines = shutil.get_terminal_size()
    return max(columns, 20), max(lines, 10)


def _lines(items: list[str], width: int) -> list[str]:
    """Each item wrapped to ``width`` in whole words (a link, a path or a hyphenated name is
    never broken inside); numbered ones indented under their text."""
    wrapper = textwrap.TextWrapper(width - 1, break_long_words=False, break_on_hyphens=False)
    lines: list[str] = []
    for item in items:
        number = re.match(r"\d+\. ", item)
        wrapper.subsequent_indent = " " * number.end() if number else ""
        lines += wrapper.wrap(item) or [""]
    return lines


def _say(*items: str) -> None:
    print("\n".join(_lines(list(items), _size()[0])), flush=True)


def _with_flag(exc: ServeError, host: str | None, port: int) -> str:
    """The core's message with the option that changes the input it is about."""
    message = str(exc)
    if exc.field == "host" and host is None:  # nothing was found to serve on
        return f"{message} Choose one with --host ADDR."
    if exc.field == "host":
        return f"--host: {message} Leave --host out to detect it."
    if exc.field == "port" and isinstance(exc, PortInUseError):
        return f"{message} Choose another with --port N, or leave --port out to use any free port."
    return f"--port {port}: {message}" if exc.field == "port" and port else message


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


def _minutes(minutes: float) -> str:
    """10 -> '10 minutes', 0.5 -> '30 seconds', 0.005 -> '0.3 seconds'."""
    number, unit = (f"{minutes:g}", "minute") if minutes >= 1 else (f"{minutes * 60:.3g}", "second")
    return f"{number} {unit}" + ("" if number == "1" else "s")
