"""Exit codes of every headless command (documented in the README)."""

from __future__ import annotations

EXIT_OK = 0
#: The check or the task failed with good input.
EXIT_FAILED = 1
#: Bad input: one line on stderr says what to fix.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
