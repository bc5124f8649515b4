"""What one run of the wizard works against, and what it knows before anything is typed.

The command line builds a ``Target`` once (``console/options.open_target``) and the wizard
and every headless command take it from there: the provider and how to check it, and, for
a practice run, the address to fill in, the password it accepts, what to say first, and
the caveat its settings carry (``PRACTICE``, every practice text in one place). Nothing
else needs to know which run it is: steps, profiles and answers show the caveat they get.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from wizard.core.caveat import Caveat
from wizard.core.models import CheckOptions, MailSettings
from wizard.core.provider import Provider

#: What a practice run's settings say wherever they are shown.
PRACTICE = Caveat(
    label="Practice",
    steps="This is a practice run. The values are the ones a real {provider} account uses, "
    "but {email} is the demo's address: do not set it up on a real iPhone.",
    servers="These are the values a real {provider} account uses; the demo checked its "
    "practice servers on this computer, not {provider}.",
    repair="This is a practice run: the check ran against the practice server on this "
    "computer, standing in for {provider}'s servers. The steps show the values a real "
    "{provider} account uses. Do not change a real iPhone for it.",
    profile_name="PRACTICE, do not install: ",
    profile="PRACTICE PROFILE from the mailcom-wizard demo: do not install it. It shows the "
    "values a real {provider} account uses ({servers}) for the demo's address {email} "
    "({choice}); only a practice server on the computer that made it was checked.",
    export="Practice profile: it holds the values a real {provider} account uses, for the "
    "demo's address {email}. Do not install it on an iPhone.",
    then="With a real profile, next",
    export_screen="[b]Practice:[/b] the profile holds the values a real mail.com account "
    "uses, for the demo's address. [b]Send to iPhone[/b] rehearses the hand-off without "
    "offering it to a phone.",
    proven="[b]✓ Practice:[/b] the practice servers accepted your login.",
    unproven="[b]! Unverified practice settings.[/b] The login was not proven, even on the "
    "practice servers.",
    values="Below are the values a real mail.com account uses; the steps and the profile "
    "show them, marked as practice.",
)


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
        """``settings`` as this run hands them on (with the practice caveat in a practice run)."""
        return replace(settings, caveat=PRACTICE) if self.practice else settings
