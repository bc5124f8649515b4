"""The iPhone steps as plain text (a terminal, a saved file) or Markdown (with their sources)."""

from __future__ import annotations

import textwrap

from wizard.core.instructions.model import Instructions, Step

WIDTH = 78


def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` wrapped paragraph by paragraph (``first``: the first line's indent), never
    inside a word: host names would break at a hyphen, and links must stay whole."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        )
        first = None
    return lines


def step_lines(number: int, step: Step) -> list[str]:
    indent = " " * len(f"{number}. ")
    lines = [f"{number}. {step.title}", *wrap(step.text, indent)]
    width = max((len(value.label) for value in step.values), default=0) + 1
    for value in step.values:
        note = f"   ({value.note})" if value.note else ""
        lines.append(f"{indent}  {value.label + ':':<{width}} {value.value}{note}")
    return lines


def _header(instructions: Instructions) -> list[tuple[str, str]]:
    """The paragraphs above the steps, each with its label (the caveat's, Warning) or none."""
    caveat = instructions.settings.caveat
    paragraphs = [
        (caveat.label if caveat else "", instructions.caveat_note or ""),
        ("Warning", instructions.warning_unverified or ""),
        *(("", note) for note in instructions.settings.provider_notes),
        ("", instructions.version_note or ""),
        ("", instructions.version_hint),
        ("", instructions.summary),
        *(("", f"{note.title}: {note.text}") for note in instructions.before),
    ]
    return [(label, text) for label, text in paragraphs if text]


def render_text(instructions: Instructions) -> str:
    lines = [instructions.title, "=" * len(instructions.title), ""]
    for label, text in _header(instructions):
        wrapped = wrap(f"{label.upper()}: {text}", "  ", first="") if label else wrap(text)
        lines += [*wrapped, ""]
    for number, step in enumerate(instructions.steps, start=1):
        lines += [*step_lines(number, step), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(instructions: Instructions) -> str:
    lines = [f"# {_md(instructions.title)}", ""]
    for label, text in _header(instructions):
        lines += [f"> **{label}:** {_md(text)}" if label else _md(text), ""]
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
    # Table pipes and emphasis markers; the text is ours plus host names and addresses.
    for char in ("\\", "|", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return text
