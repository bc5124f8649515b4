"""Paragraphs and lists with hanging indents, drawn by one widget.

One widget instead of one per paragraph, list item and marker: each widget costs styling,
layout and a render, and the welcome text would otherwise be half the widgets of the
wizard's first frame (benchmarks/startup.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget


@dataclass(frozen=True)
class Bullets:
    """A list: each item's wrapped lines start under its text, not under its marker."""

    markers: tuple[str, ...]
    items: tuple[Content, ...]


Block = Content | Bullets


class Prose(Widget):
    """Blocks of text (paragraphs and lists) separated by blank lines, wrapped to the width."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"prose--marker"}

    DEFAULT_CSS = """
    Prose {
        height: auto;
    }
    Prose > .prose--marker {
        color: $text-primary;
    }
    Prose:light > .prose--marker {
        color: $text-secondary;
    }
    """

    def __init__(self, *blocks: Block, id: str | None = None) -> None:
        """``blocks`` in reading order."""
        super().__init__(id=id)
        self.blocks = blocks

    def lines(self, width: int) -> list[Content]:
        """The text wrapped to ``width`` cells, one Content per line."""
        width = max(width, 1)
        marker_style = self.get_visual_style("prose--marker", partial=True)
        lines: list[Content] = []
        for block in self.blocks:
            if lines:
                lines.append(Content())
            if isinstance(block, Content):
                lines.extend(block.wrap(width))
                continue
            for marker, item in zip(block.markers, block.items, strict=True):
                marker_width = Content(marker).cell_length
                first, *rest = item.wrap(max(width - marker_width, 1))
                lines.append(Content.assemble((marker, marker_style), first))
                lines.extend(Content(" " * marker_width) + line for line in rest)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the text takes at this width."""
        return len(self.lines(width))

    def render(self) -> Content:
        """The wrapped lines (they fit, so nothing wraps again)."""
        return Content("\n").join(self.lines(self.size.width))
