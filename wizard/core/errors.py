"""The one error tree: every failure the user can act on is a ``WizardError`` (a check's
refusals are ``Attempt`` results); ``bad_input`` exits 2 headless, other failures 1."""

from __future__ import annotations

from enum import StrEnum


class WizardError(Exception):
    """A failure the user can act on; the message is one line for people."""

    bad_input: bool = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field  # the input the message is about ("host", "output"...), or None


class UsageError(WizardError):
    """Bad input: a value, file or combination that cannot be used as given."""

    bad_input = True


class ProviderError(UsageError):
    """A provider file that cannot be used."""


class TLSConfigError(UsageError):
    """The extra CA file cannot be used."""


class SigningError(UsageError):
    """The certificate, key or chain cannot be used to sign."""


class ReadProblem(StrEnum):
    """Why an input file could not be read (NOT_REGULAR: a device, pipe or socket)."""

    MISSING = "missing"
    IS_FOLDER = "is_folder"
    NOT_REGULAR = "not_regular"
    TOO_LARGE = "too_large"
    DENIED = "denied"
    FAILED = "failed"


class FileReadError(UsageError):
    """An input file could not be read; ``problem`` says why, for code."""

    def __init__(self, message: str, problem: ReadProblem) -> None:
        super().__init__(message)
        self.problem = problem


class WriteProblem(StrEnum):
    """Why a file could not be written (BAD_NAME: a NUL in it, or too long)."""

    EXISTS = "exists"
    NO_FOLDER = "no_folder"
    IS_FOLDER = "is_folder"
    BAD_NAME = "bad_name"
    NOT_WRITABLE = "not_writable"
    FAILED = "failed"


class ProfileWriteError(WizardError):
    """The profile (or a text file) could not be written; ``problem`` says why, for code."""

    def __init__(self, message: str, problem: WriteProblem, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.problem = problem
        # A path the user chose badly is bad input; the disk refusing a good one is not.
        self.bad_input = problem not in (WriteProblem.NOT_WRITABLE, WriteProblem.FAILED)


class ResourceLimitError(WizardError):
    """Too many open files on this computer: not the server's or the network's fault."""


class ServeError(WizardError):
    """The profile cannot be offered to the phone."""

    bad_input = True


class ProfileFileError(ServeError):
    """The file is missing, unreadable, too big or not a configuration profile."""


class NoNetworkError(ServeError):
    """No local-network address was found to serve on."""


class PortInUseError(ServeError):
    """The chosen port is already taken by another program."""
