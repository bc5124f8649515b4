"""What a screen shows, read from Textual's own screenshot (an SVG), row by row.

Importable helpers (no tests): a test can say what the user sees at a terminal size, not
just what a widget holds.
"""

from __future__ import annotations

import html
import re

#: The box, scroll-bar and border characters, which are drawing rather than words.
_DRAWING = re.compile(r"[▁▂▃▄▅▆▇█▔▊▎▌▐│╭╮╰╯─●]")


def screen_lines(svg: str) -> dict[int, str]:
    """The screen's lines by row number, from an SVG screenshot (no-break spaces as spaces)."""
    rows = _parts(svg)
    return {row: "".join(t for _, t in sorted(parts)) for row, parts in sorted(rows.items())}


def screen_text(svg: str) -> str:
    """The words on the screen, from an SVG screenshot, in one line."""
    return " ".join(" ".join(screen_lines(svg).values()).split())


def visible_words(svg: str) -> str:
    """The words on the screen without boxes and scroll bars, spaces squeezed."""
    return " ".join(_DRAWING.sub(" ", screen_text(svg)).split())


#: The width of one cell in Textual's SVG screenshots (Rich: font size 20 x aspect 0.61).
_CELL = 12.2


def screen_rows(svg: str) -> dict[int, str]:
    """The screen's lines by row number, each character at its column (gaps as spaces)."""
    rows: dict[int, str] = {}
    for row, parts in _parts(svg).items():
        line = ""
        for x, text in sorted(parts):
            column = round(x / _CELL)
            line = line.ljust(column)[:column] + text
        rows[row] = line
    return rows


def _parts(svg: str) -> dict[int, list[tuple[float, str]]]:
    rows: dict[int, list[tuple[float, str]]] = {}
    pattern = r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[^)]*line-(\d+)\)">(.*?)</text>'
    for x, line, text in re.findall(pattern, svg):
        rows.setdefault(int(line), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    return rows
