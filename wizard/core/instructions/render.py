"""The iPhone steps as plain text (a terminal, a saved file) or Markdown (with their sources)."""

from __future__ import annotations

import textwrap

from wizard.core.instructions.model import Instructions

_WIDTH = 78


def _wrap(paragraph: str, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    # Never inside a word: a host name breaks at its hyphen otherwise ("mail.your- /
    # server.de"), and a long link or address stays whole on a line of its own.
    return textwrap.wrap(
        paragraph,
        _WIDTH,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _header(instructions: Instructions) -> list[str]:
    """The paragraphs above the steps, in order: practice, warning, the provider file's
    notes, version, servers."""
    paragraphs = []
    if instructions.practice_note:
        paragraphs.append("PRACTICE: " + instructions.practice_note)
    if instructions.warning_unverified:
        paragraphs.append("WARNING: " + instructions.warning_unverified)
    paragraphs.extend(instructions.settings.provider_notes)
    if instructions.version_note:
        paragraphs.append(instructions.version_note)
    paragraphs.append(instructions.version_hint)
    paragraphs.append(instructions.summary)
    paragraphs += [f"{note.title}: {note.text}" for note in instructions.before]
    return paragraphs


def render_text(instructions: Instructions) -> str:
    """Plain text for a terminal: a heading, the warnings if any, then numbered steps."""
    lines = [instructions.title, "=" * len(instructions.title), ""]
    for paragraph in _header(instructions):
        indent = "  " if paragraph.startswith(("WARNING: ", "PRACTICE: ")) else ""
        lines += _wrap(paragraph, subsequent_indent=indent)
        lines.append("")
    for number, step in enumerate(instructions.steps, start=1):
        head = f"{number}. "
        indent = " " * len(head)
        lines.append(head + step.title)
        for paragraph in step.text.split("\n"):
            lines += _wrap(paragraph, initial_indent=indent, subsequent_indent=indent)
        if step.values:
            width = max(len(value.label) for value in step.values) + 1
            for value in step.values:
                row = f"{indent}  {value.label + ':':<{width}} {value.value}"
                if value.note:
                    row += f"   ({value.note})"
                lines.append(row)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(instructions: Instructions) -> str:
    """Markdown: a heading, the warnings as quotes, numbered steps with value tables, sources."""
    lines = [f"# {_md(instructions.title)}", ""]
    for paragraph in _header(instructions):
        for label, marker in (("PRACTICE: ", "Practice"), ("WARNING: ", "Warning")):
            if paragraph.startswith(label):
                paragraph = f"> **{marker}:** {_md(paragraph.removeprefix(label))}"
                break
        else:
            paragraph = _md(paragraph)
        lines += [paragraph, ""]
    for number, step in enumerate(instructions.steps, start=1):
        lines.append(f"{number}. **{_md(step.title)}**")
        for paragraph in step.text.split("\n"):
            lines += ["", f"   {_md(paragraph)}"]
        if step.values:
            lines += ["", "   | Field | Value | Note |", "   |---|---|---|"]
            for value in step.values:
                # In a table even a code span must escape "|" (GitHub-flavoured Markdown).
                code = value.value.replace("|", "\\|")
                shown = f"`{code}`" if value.copyable else _md(value.value)
                lines.append(f"   | {_md(value.label)} | {shown} | {_md(value.note)} |")
        lines.append("")
    lines += ["## Where these facts come from", ""]
    for fact in instructions.facts:
        sources = "; ".join(f"{source.where}: {source.says}" for source in fact.sources)
        lines.append(
            f"- {_md(fact.text)} ({fact.status.value}, checked {fact.checked:%Y-%m-%d}): "
            f"{_md(sources)}"
        )
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    # Escape the characters that would change the meaning of our Markdown: table pipes,
    # emphasis markers and a leading '#'. Text here is ours plus host names and addresses.
    for char in ("\\", "|", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return text
