"""The link as a QR code drawn with text, for a terminal or a Textual widget."""

from __future__ import annotations

import io

import segno

# Quiet zone in modules: the standard asks for 4; 2, as terminal QR tools use, scans on the
# iPhone and keeps the code within 24 lines.
QR_BORDER = 2


def qr_text(url: str) -> str:
    """The QR code of ``url``, two module rows a line, as segno's compact terminal output: a
    glyph paints a LIGHT module, so show it light on dark."""
    text = io.StringIO()
    # make_qr, not make: segno.make may pick a Micro QR code, which the iPhone cannot read.
    segno.make_qr(url).terminal(out=text, compact=True, border=QR_BORDER)
    lines = text.getvalue().rstrip("\n").split("\n")
    # segno leaves an odd last half line to the terminal; it is quiet zone: light.
    return "\n".join([*lines[:-1], lines[-1].replace("▀", "█")])


def qr_ansi(url: str) -> str:
    """``qr_text`` bright white on black, so it scans on light terminal themes too."""
    return "\n".join(f"\x1b[97;40m{line}\x1b[0m" for line in qr_text(url).split("\n"))
