"""What one run of the wizard works against, and what it knows before anything is typed:
built once by the command line (``console/options.open_target``); nothing else needs to know
which run it is (steps, profiles and answers show the caveat they get)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from wizard.core.caveat import Caveat
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
    #: Shown on the welcome screen; a headless command says its one line first.
    banner: str = ""
    notice: str = ""
    #: False when no password may be read from or stored in the system keyring.
    keyring: bool = True
    caveat: Caveat | None = None
    #: The command-line flags that chose this run, for the commands it suggests next.
    flags: str = ""

    def mark(self, settings: MailSettings) -> MailSettings:
        """``settings`` as this run hands them on (with its caveat, if it has one)."""
        return replace(settings, caveat=self.caveat) if self.caveat else settings
