"""Paragraphs of text drawn by one widget: a widget per paragraph would cost styling,
layout and renders in the wizard's first frame (benchmarks/startup.py measures it)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class Prose(Static):
    """Paragraphs separated by blank lines, wrapped to the width."""

    def __init__(self, *paragraphs: Content, id: str | None = None) -> None:
        super().__init__(Content("\n\n").join(paragraphs), id=id)
