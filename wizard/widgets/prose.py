"""Paragraphs of text drawn by one widget: a widget per paragraph would cost styling,
layout and renders in the wizard's first frame (benchmarks/startup.py measures it)."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget


class Prose(Widget):
    """Paragraphs separated by blank lines, wrapped to the width."""

    DEFAULT_CSS = """
    Prose {
        height: auto;
    }
    """

    def __init__(self, *paragraphs: Content, id: str | None = None) -> None:
        """``paragraphs`` in reading order."""
        super().__init__(id=id)
        self.paragraphs = paragraphs

    def lines(self, width: int) -> list[Content]:
        """The text wrapped to ``width`` cells, one Content per line."""
        lines: list[Content] = []
        for paragraph in self.paragraphs:
            if lines:
                lines.append(Content())
            lines.extend(paragraph.wrap(max(width, 1)))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the text takes at this width."""
        return len(self.lines(width))

    def render(self) -> Content:
        """The wrapped lines (they fit, so nothing wraps again)."""
        return Content("\n").join(self.lines(self.size.width))
