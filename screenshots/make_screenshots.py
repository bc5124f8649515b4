"""Regenerate an SVG of every screen state of the wizard into ``screenshots/``.

    .venv/bin/python screenshots/make_screenshots.py [--size 80x24] [NAME ...]

The states live in ``screenshots/states.py``; ``tests/test_snapshots.py`` pins the same ones.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import keyring

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from screenshots.states import STATES, State, build_app  # noqa: E402


async def save(state: State, folder: Path, size: tuple[int, int]) -> Path:
    """Drive a fresh app to ``state`` and save its SVG."""
    app = build_app(state)
    previous = keyring.get_keyring()
    try:
        async with app.run_test(size=size) as pilot:
            await state.setup(pilot)
            filename = f"{state.name}.svg"
            app.save_screenshot(filename=filename, path=str(folder))
    finally:
        keyring.set_keyring(previous)
    return folder / filename


def main() -> int:
    """Write every state's SVG (or the named ones) into this folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these states")
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS")
    parser.add_argument("--out", default=str(Path(__file__).parent), help="folder")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in STATES if not args.names or s.name in args.names]
    with tempfile.TemporaryDirectory():
        for state in chosen:
            path = asyncio.run(save(state, folder, (width, height)))
            print(path.relative_to(folder.parent) if path.is_relative_to(folder.parent) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
