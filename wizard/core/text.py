"""Text from outside (a server's reply, a certificate's name, a file), made safe where it enters:
control characters could retitle, clear or colour a terminal, so such text is cleaned once, on
capture, and printed as it is from then on."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from typing import Any

log = logging.getLogger(__name__)

# What XML 1.0 cannot hold (plus C1 controls, which it only discourages).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Whitespace that breaks a line (CR LF, tabs, NEL, the Unicode separators): one space per run.
_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")


def clean_line(text: str, limit: int | None = None) -> str:
    """``text`` as one printable line, cut to ``limit``: line breaks and tabs become a space;
    other control and format characters (bidirectional overrides, lone surrogates) go."""
    if text.isascii() and text.isprintable():  # the common case, without a look-up per char
        line = text
    else:
        line = "".join(_clean_char(char) for char in _BREAKS.sub(" ", text))
    line = line.strip()
    if limit is not None and len(line) > limit:
        line = line[:limit].rstrip() + "…"
    return line


def control_characters(text: str) -> list[str]:
    """The control and format characters in ``text`` (empty when it is printable as it is)."""
    return [char for char in text if _clean_char(char) != char]


def xml_text(text: str) -> str:
    """``text`` without what an XML document (a plist) cannot hold: most C0 and all C1
    controls, lone surrogates (an undecodable byte), U+FFFE and U+FFFF."""
    return _NOT_XML.sub("", text)


def quotes(text: str, secret: str) -> bool:
    """True when ``secret`` stands in ``text`` as a word of its own (between spaces, quotes,
    brackets, ``=`` or ``:``, or ending a sentence), not inside a longer one like ``mail``."""
    return bool(secret) and _word(secret).search(text) is not None


def replace_quoted(text: str, secret: str, mark: str) -> str:
    """``text`` with every word-of-its-own occurrence of ``secret`` replaced by ``mark``."""
    return _word(secret).sub(lambda _match: mark, text) if secret else text


def _word(secret: str) -> re.Pattern[str]:
    before = r"(?:^|(?<=[\s\"'(\[<{=:,]))"
    after = r"(?=$|[\s\"')\]>},;]|[.!?:](?:\s|$))"
    return re.compile(before + re.escape(secret) + after)


def _clean_char(char: str) -> str:
    if _BREAKS.match(char):
        return " "
    # Cc: C0, DEL and C1 controls (U+009B is a one-character CSI escape).
    return "" if unicodedata.category(char) in ("Cc", "Cf", "Cs") else char


def withhold_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The exception handler of every event loop the wizard runs: names the kind only, since
    a library's text may quote what was sent (aioimaplib's Abort quotes a pending LOGIN)."""
    exception = context.get("exception")
    kind = "error"
    if exception is not None:
        package = type(exception).__module__.partition(".")[0]
        name = type(exception).__qualname__
        kind = name if package == "builtins" else f"{package} {name}"
    log.warning("%s inside the event loop (its text is withheld: it may quote a password)", kind)


class WithheldLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """Every event loop made under it has ``withhold_loop_exception`` as its handler."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.set_exception_handler(withhold_loop_exception)
        return loop
