"""Start offering a profile file: the one way both front ends begin a hand-off."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass

from wizard.core.errors import ProfileFileError
from wizard.core.handoff.addresses import HostChoice, choose_host
from wizard.core.handoff.profile_file import ProfileFile, load_profile_file
from wizard.core.handoff.server import DEFAULT_MINUTES, EventCallback, ProfileServer
from wizard.core.profile import is_practice_profile


@dataclass(frozen=True)
class Offer:
    """A profile being offered: what is served, on which address, at which link, by whom."""

    profile: ProfileFile
    host: HostChoice
    url: str
    server: ProfileServer


def start_offer(
    path: str | os.PathLike[str],
    *,
    allow_password: Callable[[], bool],
    host: str | None = None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    on_event: EventCallback | None = None,
) -> Offer | None:
    """Load the profile, choose the address and start serving; None if a password is refused.

    A profile that holds a password goes out only if ``allow_password()`` says yes (plain
    HTTP). Raises ProfileFileError, NoNetworkError, PortInUseError or ServeError. Blocks
    (file, address lookup, bind): async code calls it from a thread. The caller stops the
    server.
    """
    profile = load_profile_file(path)
    if is_practice_profile(profile.data):
        # It would set up the demo's address against the real servers on the phone.
        raise ProfileFileError(
            f"{path} is a practice profile made by the demo; it is never offered to a phone. "
            "Export one for your own mailbox without the demo."
        )
    if profile.contains_password and not allow_password():
        return None
    choice = choose_host(host)
    server = ProfileServer(
        profile, choice.address, port, time_limit=minutes * 60, on_event=on_event
    )
    try:
        url = server.start()
    except BaseException:
        # Interrupted (Ctrl+C) after the threads started: no server outlives the call.
        server.stop()
        raise
    return Offer(profile=profile, host=choice, url=url, server=server)


async def start_offer_async(
    path: str | os.PathLike[str],
    *,
    allow_password: Callable[[], bool],
    host: str | None = None,
    port: int = 0,
    minutes: float = DEFAULT_MINUTES,
    on_event: EventCallback | None = None,
) -> Offer | None:
    """``start_offer`` in a worker thread, for asyncio code that must not block.

    Cancelling the awaiting task cannot stop the thread, so the server it starts is
    stopped as soon as it is up: nobody is left to show its link.
    """
    starting = asyncio.ensure_future(
        asyncio.to_thread(
            start_offer,
            path,
            allow_password=allow_password,
            host=host,
            port=port,
            minutes=minutes,
            on_event=on_event,
        )
    )
    try:
        return await asyncio.shield(starting)
    except asyncio.CancelledError:
        starting.add_done_callback(_stop_unwanted)
        raise


def _stop_unwanted(starting: asyncio.Future[Offer | None]) -> None:
    """Stop the server of an offer whose caller has gone away."""
    if starting.cancelled() or starting.exception() is not None:
        return
    offer = starting.result()
    if offer is not None:
        offer.server.stop()
