"""Benchmark: does the wizard open as fast as a bare Textual app, and is ``--help`` instant?

Every measurement is a whole fresh Python process, started the way a user starts it, and
the pairs run side by side in one run, interleaved (A B, then B A, round after round), so
the noise of a shared machine falls on both sides alike. Only ratios of medians are judged:

1. ``mailcom-wizard`` (no arguments: ``wizard.cli.main([])``, through argparse and the
   ``tui`` command) to its first frame, the welcome screen, against a bare Textual app (a
   Label and a Footer) to its first frame                               (goal: <= 1.3)
2. ``mailcom-wizard --help`` (``python -m wizard --help``) against ``python -c pass``
                                                                        (goal: "instant")

"First frame" means: the first screen is mounted and has refreshed, and its full frame has
been rendered to terminal text (the headless driver skips that last step, so the child
does it itself and checks that the frame shows the expected words). Both apps run headless
at the same size with ``App.run`` patched to do exactly that and then exit. For each child
the script records the time from launch to the first frame, the time of the whole
process (with its exit), its CPU time and its peak memory (``ru_maxrss`` from
``os.wait4``). One unmeasured round first writes the bytecode caches, as an installed
package has them (kept in a temporary folder, whatever PYTHONDONTWRITEBYTECODE says).

It prints the goals beside the measured ratios and never fails on a timing: the numbers
describe this machine at this moment, nothing more.

Run: .venv/bin/python benchmarks/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Patches App.run so that any Textual app in the child runs headless, waits for its first
# screen to be mounted and refreshed, renders the full frame (what a terminal would be
# sent) and exits. The frame must contain MARKER, so a broken start cannot look fast.
# time.monotonic is CLOCK_MONOTONIC, one clock for the parent and the child on Linux.
_FIRST_FRAME = """\
import asyncio, sys, time
from textual.app import App

MARKER = {marker!r}
EXPECTED_SCREEN = {screen!r}
_run = App.run
_frame_at = []

async def _first_frame(pilot):
    app = pilot.app
    try:
        async with asyncio.timeout(60):  # an error dialog instead of the screen: fail, not hang
            while type(app.screen).__name__ != EXPECTED_SCREEN:
                await app.screen.wait_for_refresh()
            await app.screen.wait_for_refresh()
    except TimeoutError:
        app.exit(return_code=5)
        return
    # Private, and the one thing the headless driver leaves out: the frame as terminal text.
    frame = app.screen._compositor.render_full_update().render_segments(app.console)
    _frame_at.append(time.monotonic())
    app.exit(return_code=0 if MARKER in frame else 3)

def _run_to_first_frame(self, *args, **kwargs):
    return _run(self, headless=True, size=(100, 32), auto_pilot=_first_frame)

App.run = _run_to_first_frame
"""

_WIZARD = """\
from wizard.cli import main
code = main([])
"""

_BARE = """\
from textual.app import App, ComposeResult
from textual.widgets import Footer, Label

class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("Hello from a bare Textual app")
        yield Footer()

app = BareApp()
app.run()
code = app.return_code or 0
"""

_REPORT = """\
if code != 0 or not _frame_at:
    sys.exit(code or 4)
print("first-frame-at", _frame_at[0])
"""


@dataclass
class Runs:
    """What one kind of child measured, round after round."""

    label: str
    argv: list[str]
    first_frame: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    def run_once(self, env: dict[str, str]) -> None:
        """Start the child, reap it with wait4 (for its own rusage), record times and memory."""
        # stderr goes to a file, not a pipe: reading two pipes could block, and wait4 (not
        # communicate) must reap the child to get its resource usage.
        with tempfile.TemporaryFile() as errors:
            started = time.monotonic()
            with subprocess.Popen(
                self.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors
            ) as child:
                assert child.stdout is not None
                out = child.stdout.read()
                _, status, usage = os.wait4(child.pid, 0)
                ended = time.monotonic()
                child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                errors.seek(0)
                tail = errors.read().decode(errors="replace")[-3000:]
                raise SystemExit(f"{self.label}: exit code {child.returncode}\n{tail}")
        self.whole.append(ended - started)
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.peak_kib.append(usage.ru_maxrss)  # KiB on Linux
        for line in out.decode().splitlines():
            if line.startswith("first-frame-at "):
                self.first_frame.append(float(line.split()[1]) - started)

    def clear(self) -> None:
        """Forget what was measured (after the warm-up round)."""
        self.first_frame.clear()
        self.whole.clear()
        self.cpu.clear()
        self.peak_kib.clear()


def _child(argv: list[str]) -> list[str]:
    return [sys.executable, *argv]


def _ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:6.0f} ms"
        f"  [{min(values) * 1000:4.0f}-{max(values) * 1000:4.0f}]"
    )


def _mib(values: list[int]) -> str:
    return f"{statistics.median(values) / 1024:6.1f} MiB"


def _ratio(a: list[float] | list[int], b: list[float] | list[int]) -> float:
    return statistics.median(a) / statistics.median(b)


def main() -> int:
    """Measure both pairs, interleaved, and print medians, ranges, peaks and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="runs of each child (median)")
    args = parser.parse_args()

    # The user's own Textual settings (a dev console, a forced driver) must not skew one side.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    # Bytecode caches as on a user's machine (pip compiles them at install, Python writes
    # them on first import), kept in a temporary folder so the source tree stays clean:
    # without them every run would compile the wizard's own modules from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pycache = tempfile.TemporaryDirectory(prefix="startup-pycache-")
    env["PYTHONPYCACHEPREFIX"] = pycache.name

    def frame_child(code: str, marker: str, screen: str) -> list[str]:
        return _child(["-c", _FIRST_FRAME.format(marker=marker, screen=screen) + code + _REPORT])

    wizard = Runs("wizard TUI, first frame", frame_child(_WIZARD, "Set up", "WelcomeScreen"))
    bare = Runs("bare Textual app, first frame", frame_child(_BARE, "Hello", "Screen"))
    helps = Runs("mailcom-wizard --help", _child(["-m", "wizard", "--help"]))
    empty = Runs("python -c pass", _child(["-c", "pass"]))
    pairs = [(wizard, bare), (helps, empty)]

    # One unmeasured round: writes the bytecode caches and warms the file cache for both.
    for first, second in pairs:
        for runs in (first, second):
            runs.run_once(env)
            runs.clear()

    for round_number in range(args.rounds):
        for first, second in pairs:
            order = (first, second) if round_number % 2 == 0 else (second, first)
            for runs in order:
                runs.run_once(env)

    print(
        f"Start-up: {args.rounds} rounds per child, interleaved; "
        "median [min-max] of fresh processes"
    )
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print(
        f"{'':30}{'launch -> first frame':>24}{'whole process':>24}"
        f"{'CPU (user+sys)':>24}{'peak memory':>13}"
    )
    for runs in (wizard, bare, helps, empty):
        frame = _ms(runs.first_frame) if runs.first_frame else ""
        print(
            f"{runs.label:30}{frame:>24}{_ms(runs.whole):>24}{_ms(runs.cpu):>24}"
            f"{_mib(runs.peak_kib):>13}"
        )

    def line(what: str, ratio: float, goal: str = "") -> None:
        print(f"{what:44}{ratio:5.2f}" + (f"   (goal: {goal})" if goal else ""))

    print("\nratios of medians")
    line(
        "first frame, wizard / bare Textual app",
        _ratio(wizard.first_frame, bare.first_frame),
        "at most 1.3",
    )
    line("whole process, wizard / bare Textual app", _ratio(wizard.whole, bare.whole))
    line("CPU time, wizard / bare Textual app", _ratio(wizard.cpu, bare.cpu))
    line("peak memory, wizard / bare Textual app", _ratio(wizard.peak_kib, bare.peak_kib))
    extra = (statistics.median(helps.whole) - statistics.median(empty.whole)) * 1000
    line(
        "--help / python -c pass",
        _ratio(helps.whole, empty.whole),
        f"instant; here {extra:+.0f} ms over an empty interpreter",
    )
    pycache.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
