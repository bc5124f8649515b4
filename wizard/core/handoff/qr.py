"""The link as a QR code drawn with text, for a terminal or a Textual widget."""

from __future__ import annotations

import segno

# Quiet zone around the QR code in modules. The standard asks for 4; 2 is what terminal QR
# tools commonly use, the iPhone camera reads it, and it keeps the code within 24 lines.
QR_BORDER = 2
# Two module rows per character: (top light, bottom light) -> glyph.
_GLYPHS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def qr_text(url: str, border: int = QR_BORDER) -> str:
    """The QR code of ``url`` as text, two module rows per line, lines of equal width.

    As segno's compact terminal output, a glyph paints a LIGHT module: show it light on dark
    (``qr_ansi`` in the terminal, ``color: white; background: black`` in the TUI).
    """
    # make_qr, not make: segno.make may pick a Micro QR code, which the iPhone cannot read.
    matrix = segno.make_qr(url).matrix_iter(scale=1, border=border)
    rows = [[not dark for dark in row] for row in matrix]
    if len(rows) % 2:
        rows.append([True] * len(rows[0]))  # the missing half line is quiet zone: light
    return "\n".join(
        "".join(_GLYPHS[pair] for pair in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    )


def qr_ansi(url: str, border: int = QR_BORDER) -> str:
    """``qr_text`` with ANSI colours (bright white on black) so it scans on light themes too."""
    return "\n".join(f"\x1b[97;40m{line}\x1b[0m" for line in qr_text(url, border).split("\n"))
