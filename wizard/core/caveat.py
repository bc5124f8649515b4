"""What steps, profiles and answers add about settings checked only on a stand-in for the
provider (``Target.mark`` gives them a ``Caveat``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caveat:
    """The caveat's words, each a template taking {provider}, {email}, {servers}, {choice}."""

    #: The notes' label (steps, repair answer, the steps' title); the steps' note and the
    #: sentence after their servers; the repair answer's note.
    label: str
    steps: str
    servers: str
    repair: str
    #: The start of the profile's name, and its whole description.
    profile_name: str
    profile: str
    #: What ``export`` prints instead of how to get the file to the phone; the start of the
    #: install step it shows as what would come next.
    export: str
    then: str
    #: Markup: the export screen's note; the result screen's verdict, proven or not, then
    #: what the values are.
    export_screen: str
    proven: str
    unproven: str
    values: str
