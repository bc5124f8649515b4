"""Files in and out: inputs read only as regular files within a limit (/dev/zero never ends);
outputs written whole or not at all, never over a file nobody agreed to replace."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from wizard.core.errors import FileReadError, ProfileWriteError, ReadProblem, WriteProblem

#: Larger than any CA bundle (a whole system store is a few hundred KiB).
MAX_CA_BYTES = 4 * 1024 * 1024

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_WINDOWS = sys.platform == "win32"
_FOLDER = "is a folder, not a file."
_OPEN_FAILURES: dict[type[Exception], tuple[str, ReadProblem]] = {
    FileNotFoundError: ("does not exist.", ReadProblem.MISSING),
    IsADirectoryError: (_FOLDER, ReadProblem.IS_FOLDER),
    PermissionError: ("cannot be read (permission denied).", ReadProblem.DENIED),
}
log = logging.getLogger(__name__)


def read_limited(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path`` (``what`` starts the message), or
    FileReadError if it is not one or is longer than ``limit``."""

    def fail(words: str, problem: ReadProblem) -> FileReadError:
        return FileReadError(f"{what} {os.fspath(path)} {words}", problem)

    # Opened first, then examined: what is read is what was checked. Non-blocking, so a
    # named pipe nobody writes to does not wait; limit + 1 bytes, in case the file grows.
    try:
        fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "invalid name"
        failed = (f"cannot be read: {reason}.", ReadProblem.FAILED)
        raise fail(*_OPEN_FAILURES.get(type(exc), failed)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise fail(_FOLDER, ReadProblem.IS_FOLDER)
        why = "is not a regular file (a device or a pipe cannot be read as one)."
        raise fail(why, ReadProblem.NOT_REGULAR)
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise fail(f"cannot be read: {reason}.", ReadProblem.FAILED) from None
    if len(data) > limit:
        raise fail(f"is too large (the limit is {_size_words(limit)}).", ReadProblem.TOO_LARGE)
    return data


def _size_words(size: int) -> str:
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


def check_output_path(path: str | Path, *, force: bool) -> Path:
    """Raise ProfileWriteError now if writing to ``path`` is bound to fail (before a slow
    check, so the user does not wait only to learn the file exists)."""
    target = Path(path)
    folder = target.parent
    if "\0" in str(target):
        raise ProfileWriteError(
            f"Cannot write {target!r}: a file name cannot contain a NUL character.",
            WriteProblem.BAD_NAME,
        )
    try:
        if target.is_dir():
            raise ProfileWriteError(
                f"{target} is a folder; give a file name, for example "
                f"{target / 'mail.mobileconfig'}.",
                WriteProblem.IS_FOLDER,
            )
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise ProfileWriteError(
                f"Cannot write {target}: the folder {folder} {what}.", WriteProblem.NO_FOLDER
            )
        if target.exists() and not force:
            raise ProfileWriteError(f"{target} already exists.", WriteProblem.EXISTS)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ProfileWriteError(
                f"Cannot write in the folder {folder} (permission denied).",
                WriteProblem.NOT_WRITABLE,
            )
    except OSError as exc:  # a name too long, a loop of links...
        raise _write_error(target, exc) from None
    return target


def write_file(path: str | Path, data: bytes, *, force: bool, private: bool) -> bool:
    """Write ``data`` to ``path`` whole or not at all (a temporary file renamed into place);
    True if it is readable by its owner only (``private``, from the moment it exists).
    False for a private file on Windows whose access list could not be set: say so."""
    target = check_output_path(path, force=force)
    temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    mode = 0o600 if private else 0o666  # the umask still applies to 0666
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, mode)
    except OSError as exc:
        raise _write_error(target, exc) from None
    owner_only = private
    try:
        with os.fdopen(fd, "wb") as file:
            if private and _WINDOWS:  # still empty: no password in a file others may read
                owner_only = _restrict_to_user_on_windows(temp)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temp, target)
        else:
            _rename_no_replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the real error is raised below
            temp.unlink()
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise
    return owner_only


def _restrict_to_user_on_windows(path: Path) -> bool:
    """Give ``path`` an access list for the current user alone; False if that failed."""
    # Windows ignores 0600: a new file takes its folder's list. ``/inheritance:r`` drops
    # the folder's entries, ``/grant:r`` leaves only the user's; renaming keeps the list.
    user = os.environ.get("USERNAME", "")
    if not user:
        return False
    domain = os.environ.get("USERDOMAIN", "")
    account = f"{domain}\\{user}" if domain else user
    icacls = os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"), "System32", "icacls.exe")
    try:
        result = subprocess.run(  # noqa: S603 - a fixed program; the path is our own file
            [icacls, str(path), "/inheritance:r", "/grant:r", f"{account}:F"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("icacls could not be run", exc_info=True)
        return False
    if result.returncode != 0:
        log.warning("icacls failed (%s)", result.returncode)
    return result.returncode == 0


def _rename_no_replace(temp: Path, target: Path) -> None:
    # A hard link fails with EEXIST if the target appeared since check_output_path, so a
    # file made by someone else in the meantime is never overwritten. Some file systems
    # (FAT, some network shares) have no hard links: fall back to check-then-rename.
    try:
        os.link(temp, target)
    except OSError as exc:  # EEXIST among them: raised as it is
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def _write_error(target: Path, exc: OSError) -> ProfileWriteError:
    cannot = f"Cannot write {target}:"
    if isinstance(exc, FileExistsError):
        return ProfileWriteError(f"{target} already exists.", WriteProblem.EXISTS)
    if isinstance(exc, IsADirectoryError):
        return ProfileWriteError(f"{target} is a folder.", WriteProblem.IS_FOLDER)
    if isinstance(exc, FileNotFoundError):
        return ProfileWriteError(
            f"{cannot} the folder {target.parent} does not exist.", WriteProblem.NO_FOLDER
        )
    if exc.errno == errno.ENAMETOOLONG:
        return ProfileWriteError(f"{cannot} the file name is too long.", WriteProblem.BAD_NAME)
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        reason = exc.strerror or "permission denied"
        return ProfileWriteError(f"{cannot} {reason}.", WriteProblem.NOT_WRITABLE)
    reason = exc.strerror or type(exc).__name__
    return ProfileWriteError(f"{cannot} {reason}.", WriteProblem.FAILED)
