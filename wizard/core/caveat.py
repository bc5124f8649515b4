"""What steps, profiles and answers add about settings checked only on a stand-in for the
provider: the run (``Target.mark``) gives its settings a ``Caveat``, and every front end
shows its words without knowing which run it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caveat:
    """The caveat's words, each a template taking {provider}, {email}, {servers} and {choice}
    (each text fills in what it names)."""

    #: The label of the notes (the steps' header, the repair answer, the steps' title).
    label: str
    #: Said above the steps, and after their list of servers.
    steps: str
    servers: str
    #: Said at the top of a repair answer.
    repair: str
    #: The start of the profile's name, and its whole description.
    profile_name: str
    profile: str
    #: What ``export`` prints instead of how to get the file to the phone, and the start of
    #: the install step it shows as what would come next.
    export: str
    then: str
    #: The export screen's note (markup).
    export_screen: str
    #: The result screen's verdict (markup): proven or not, then what the values are.
    proven: str
    unproven: str
    values: str
