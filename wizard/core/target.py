"""What one run of the wizard works against, and what it knows before anything is typed.

The command line builds a ``Target`` once (``console/options.open_target``) and the wizard
and every headless command take it from there: the provider and how to check it, and, for
a practice run, the address to fill in, the password it accepts, what to say first, and
that the settings it makes are practice values. Nothing else needs to know which run it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from wizard.core.models import CheckOptions, MailSettings
from wizard.core.provider import Provider


@dataclass(frozen=True)
class Target:
    """The provider and the check options, plus what the run knows in advance."""

    provider: Provider
    options: CheckOptions = field(default_factory=CheckOptions)
    #: The address to fill in ("" when the user types one).
    email: str = ""
    #: The password this run accepts, when it is known and public (never a real one).
    password: str | None = field(default=None, repr=False)
    #: Shown on the welcome screen, and its one line said first by a headless command.
    banner: str = ""
    notice: str = ""
    #: False when no password may be read from or stored in the system keyring.
    keyring: bool = True
    #: The settings this run makes are practice values (steps and profiles say so).
    practice: bool = False
    #: The command-line flags that chose this run, for the commands it suggests next.
    flags: str = ""

    def mark(self, settings: MailSettings) -> MailSettings:
        """``settings`` as this run hands them on (marked when they are practice values)."""
        return replace(settings, practice=True) if self.practice else settings
