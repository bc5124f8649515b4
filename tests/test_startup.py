"""Start-up stays light: what ``--help``, ``import wizard.app`` and the first screen import.

These pin the lazy imports that keep ``mailcom-wizard --help`` instant and the wizard's first
frame close to a bare Textual app's (``benchmarks/startup.py`` measures the time; no test
here times anything). Each check runs in a fresh interpreter, so nothing imported by other
tests can hide an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The live check's network libraries, the profile's signing, the QR code and the demo server:
# none of them is needed before the user has typed an account.
NETWORK_AND_PROFILE = ("aioimaplib", "aiosmtplib", "cryptography", "segno", "pymap")

REPORT_MODULES = """
import json, sys
print("\\nMODULES " + json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_packages(code: str) -> tuple[set[str], str]:
    """Run ``code`` in a fresh interpreter; the top-level packages it imported, and its output."""
    result = subprocess.run(
        [sys.executable, "-c", code + REPORT_MODULES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output, _, modules = result.stdout.rpartition("\nMODULES ")
    return set(json.loads(modules)), output


def test_help_imports_no_ui_and_no_network_library() -> None:
    """``mailcom-wizard --help`` needs argparse, not Textual or the network libraries."""
    code = (
        "from wizard.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
    )
    packages, output = imported_packages(code)
    assert "usage: mailcom-wizard" in output
    heavy = packages & {"textual", "rich", *NETWORK_AND_PROFILE}
    assert not heavy, f"--help imports {sorted(heavy)}; import them where they are used"


def test_app_module_imports_no_network_library() -> None:
    """``import wizard.app`` brings in the first screen only, not the check or the export."""
    packages, _ = imported_packages("import wizard.app\n")
    heavy = packages & set(NETWORK_AND_PROFILE)
    assert not heavy, f"import wizard.app imports {sorted(heavy)}; import them where they are used"


def test_first_screen_imports_no_network_library_and_no_markdown_parser() -> None:
    """Showing the welcome screen needs neither the network libraries nor a Markdown parser."""
    code = (
        "from wizard.app import WizardApp\n"
        "from wizard.core.provider import builtin_provider\n"
        "from wizard.screens.welcome import WelcomeScreen\n"
        "shown = []\n"
        "async def first_screen(pilot):\n"
        "    await pilot.pause()\n"
        "    shown.append(type(pilot.app.screen) is WelcomeScreen)\n"
        "    pilot.app.exit()\n"
        "WizardApp(builtin_provider()).run(headless=True, size=(80, 24), auto_pilot=first_screen)\n"
        "assert shown == [True], shown\n"
    )
    packages, _ = imported_packages(code)
    heavy = packages & {*NETWORK_AND_PROFILE, "markdown_it"}
    assert not heavy, f"the welcome screen imports {sorted(heavy)}"
