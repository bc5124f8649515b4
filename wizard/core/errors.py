"""The one error tree: every failure the user can act on is a ``WizardError``.

Expected outcomes of a check (a refused port, a wrong password) are *results*, not errors:
they become ``Attempt`` values. The exceptions here are for input or surroundings the
wizard cannot work with: a provider file it cannot read, a CA file that is not PEM, a
profile path it cannot write. ``str(error)`` is one line for people and never names a
command-line flag; ``field`` says which input it is about, so the command line can add
its flag (``--host``) and a screen can point at its field.

    WizardError
    ├── UsageError            bad input (headless: exit 2)
    │   ├── ProviderError     the provider file cannot be used
    │   ├── TLSConfigError    the extra CA file cannot be used
    │   ├── SigningError      the certificate, key or chain cannot sign
    │   └── FileReadError     an input file cannot be read (callers word it their way)
    ├── ProfileWriteError     the profile (or a text file) cannot be written
    ├── ResourceLimitError    this computer cannot open another connection
    └── ServeError            the profile cannot be offered to the phone
        ├── ProfileFileError  the file is not a servable profile
        ├── NoNetworkError    no local-network address to serve on
        └── PortInUseError    the port is taken
"""

from __future__ import annotations

from enum import StrEnum


class WizardError(Exception):
    """A failure the user can act on; the message is one line for people."""

    #: True when what the user gave must change (headless: exit 2); False when the task
    #: itself failed with good input (exit 1).
    bad_input: bool = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        #: The input the message is about ("host", "port", "output", ...), or None.
        self.field = field


class UsageError(WizardError):
    """Bad input: a value, file or combination that cannot be used as given."""

    bad_input = True


class ProviderError(UsageError):
    """A provider file that cannot be used; the message says what is wrong, for people."""


class TLSConfigError(UsageError):
    """The extra CA file cannot be used; the message is for people."""


class SigningError(UsageError):
    """The certificate, key or chain cannot be used to sign; the message says why."""


class ReadProblem(StrEnum):
    """Why an input file could not be read, for callers that word it their own way."""

    MISSING = "missing"
    IS_FOLDER = "is_folder"
    #: A device, a named pipe or a socket: it may never end, or never answer.
    NOT_REGULAR = "not_regular"
    TOO_LARGE = "too_large"
    DENIED = "denied"
    FAILED = "failed"


class FileReadError(UsageError):
    """An input file could not be read; the message is for people, ``problem`` for code."""

    def __init__(self, message: str, problem: ReadProblem, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.problem = problem


class WriteProblem(StrEnum):
    """Why a file could not be written, for callers that word it their own way."""

    EXISTS = "exists"
    NO_FOLDER = "no_folder"
    IS_FOLDER = "is_folder"
    #: A name no file system takes (a NUL in it, or too long).
    BAD_NAME = "bad_name"
    NOT_WRITABLE = "not_writable"
    FAILED = "failed"


class ProfileWriteError(WizardError):
    """A file could not be written; the message is for people, ``problem`` for code."""

    def __init__(self, message: str, problem: WriteProblem, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.problem = problem
        # A path the user chose badly is bad input; the disk refusing a good path is a
        # failed task.
        self.bad_input = problem in (
            WriteProblem.EXISTS,
            WriteProblem.NO_FOLDER,
            WriteProblem.IS_FOLDER,
            WriteProblem.BAD_NAME,
        )


class ResourceLimitError(WizardError):
    """This computer cannot open another connection (too many open files): the check
    cannot go on, and it is not the server's or the network's fault."""


class ServeError(WizardError):
    """The profile cannot be served; the message is one line for the user."""

    bad_input = True


class ProfileFileError(ServeError):
    """The file is missing, unreadable, too big or not a configuration profile."""


class NoNetworkError(ServeError):
    """No local-network address was found to serve on."""


class PortInUseError(ServeError):
    """The chosen port is already taken by another program."""
