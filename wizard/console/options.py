"""What the wizard and every headless command start from: the target of the run.

``open_target`` reads --demo, --provider, --cafile and --timeout once: the provider and the
check options (with the practice server's dial map in the demo), and what the run knows in
advance. Kept apart from ``inputs.py`` (passwords, addresses) so that starting the wizard
imports only what its first screen needs.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from wizard.core.errors import FileReadError, ProviderError, ReadProblem, UsageError
from wizard.core.files import MAX_CA_BYTES, read_limited
from wizard.core.models import CheckOptions
from wizard.core.provider import Provider, builtin_provider, load_provider
from wizard.core.target import Target


@contextmanager
def open_target(args: argparse.Namespace) -> Iterator[Target]:
    """The run's target, for the ``with`` block: with --demo the practice server (running
    until the block ends, whatever ends it), else --provider (or mail.com) and --cafile."""
    timeout = float(getattr(args, "timeout", 10.0))
    if getattr(args, "demo", False):
        from wizard.demo.practice import start_demo

        with start_demo(getattr(args, "demo_fault", None)) as demo:
            yield demo.target(timeout)
        return
    provider = load_selected_provider(getattr(args, "provider", None))
    cafile = check_cafile(getattr(args, "cafile", None))
    yield Target(provider, CheckOptions(timeout=timeout, cafile=cafile))


def load_selected_provider(path: str | None) -> Provider:
    """--provider FILE, or the built-in mail.com record."""
    try:
        return load_provider(path) if path else builtin_provider()
    except ProviderError as exc:
        raise UsageError(str(exc)) from None


def check_cafile(cafile: str | None) -> str | None:
    """--cafile must name a readable regular file (checked now, read again by the check)."""
    if cafile is None:
        return None
    try:
        read_limited(cafile, MAX_CA_BYTES, "--cafile")
    except FileReadError as exc:
        if exc.problem is ReadProblem.MISSING:
            raise UsageError(f"--cafile {cafile}: no such file.") from None
        raise UsageError(str(exc)) from None
    return cafile
