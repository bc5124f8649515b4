"""The package as a user installs it: build the wheel, install it into a fresh virtual
environment (dependencies from the package index), and run it from a folder with no
project checkout in sight.

A file the wheel forgets (the stylesheet, the built-in provider XML) or a dependency
pyproject.toml does not declare passes every other test, which run from the checkout with
the test extra installed; here it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: In the installed copy: every module imports (so every dependency is there), and the
#: wizard starts headless, reading its stylesheet and the built-in provider, which
#: ``check --demo`` alone would not need.
WIZARD_STARTS = """
import asyncio, importlib, pkgutil
import wizard
for module in pkgutil.walk_packages(wizard.__path__, "wizard."):
    if not module.name.endswith("__main__"):  # that one would start the wizard
        importlib.import_module(module.name)
from wizard.app import WizardApp
from wizard.core.provider import builtin_provider

async def main():
    app = WizardApp(builtin_provider())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        print(type(app.screen).__name__, len(app.stylesheet.rules) > 0)

asyncio.run(main())
"""
#: What the wheel is built from: the project's own files, nothing from a developer's tree.
SOURCES = ("pyproject.toml", "README.md", "wizard")


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    result = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{argv}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.timeout(900)
def test_the_built_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    # No trace of the checkout or of the test run's interpreter reaches the new venv.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    wheels = tmp_path / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        elsewhere,
        env,
    )
    (wheel,) = wheels.glob("mailcom_wizard-*.whl")

    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    _run([base_python, "-m", "venv", str(venv)], elsewhere, env)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], elsewhere, env)

    location = _run(
        [str(python), "-c", "import wizard; print(wizard.__file__)"], elsewhere, env
    ).strip()
    assert Path(location).resolve().is_relative_to(venv.resolve()), location

    script = venv / ("Scripts" if os.name == "nt" else "bin") / "mailcom-wizard"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version in _run([str(script), "--version"], elsewhere, env)

    assert _run([str(python), "-c", WIZARD_STARTS], elsewhere, env, 120).split() == [
        "WelcomeScreen",
        "True",
    ]

    report = json.loads(_run([str(script), "check", "--demo", "--json"], elsewhere, env, 120))
    assert report["verified"] is True, report
    assert report["incoming"]["status"] == "ok" and report["outgoing"]["status"] == "ok"
