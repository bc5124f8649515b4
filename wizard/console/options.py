"""The target of the run, for the wizard and every headless command: apart from
``inputs.py`` so that starting the wizard imports only what its first screen needs."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from wizard.core.errors import FileReadError, ReadProblem, UsageError
from wizard.core.files import MAX_CA_BYTES, read_limited
from wizard.core.models import CheckOptions
from wizard.core.provider import builtin_provider, load_provider
from wizard.core.target import Target


@contextmanager
def open_target(args: argparse.Namespace) -> Iterator[Target]:
    """The run's target from --demo, --provider, --cafile and --timeout, for the ``with``
    block (with --demo, the practice server runs until the block ends)."""
    if args.demo:
        from wizard.demo.practice import start_demo

        with start_demo(args.demo_fault) as demo:
            yield demo.target(args.timeout)
        return
    provider = load_provider(args.provider) if args.provider else builtin_provider()
    if args.cafile is not None:  # a readable regular file now (the check reads it again)
        try:
            read_limited(args.cafile, MAX_CA_BYTES, "--cafile")
        except FileReadError as exc:
            if exc.problem is ReadProblem.MISSING:
                raise UsageError(f"--cafile {args.cafile}: no such file.") from None
            raise
    yield Target(provider, CheckOptions(timeout=args.timeout, cafile=args.cafile))
