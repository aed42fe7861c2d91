"""Folders and files private to the user: the one way smtpgui creates either.

Every folder smtpgui creates (the config folder and the missing parents it makes on the way,
the log folder, the folder of an export) is 0700 and every file it writes (connections.json,
its backup and temporary files, lock files, settings.json, logs, exports) is 0600, whatever
the process's umask: permissions are set explicitly, not left to ``mkdir``'s mode argument,
which the umask narrows but never widens, and which ``parents=True`` ignores for the parents.

Every file smtpgui reads that a user or another program could have put there (connections.json,
settings.json, their backups, the last results, an import file) is read through
:func:`read_file`: opened without blocking, so a named pipe never hangs a command, refused
unless it is a regular file (a device such as ``/dev/zero`` is never read), and capped in size.

Only ``os`` and ``stat`` are imported here: the log (which opens its file through this module)
is set up before anything else at start-up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600

MEGABYTE = 1024 * 1024
# The most smtpgui reads of one file. connections.json (and its backup, the last results, an
# import file) holds about 300 bytes a connection: 256 MB is far past any real one. settings.json
# holds a few short defaults and one message body.
MAX_DATA_BYTES = 256 * MEGABYTE
MAX_SETTINGS_BYTES = 16 * MEGABYTE

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class RefusedFile(OSError):
    """A path smtpgui will not read or replace: not a regular file, or too large.

    ``reason`` ends the sentence :func:`describe_os_error` makes ("Could not read X: <reason>.").
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(errno.EINVAL, reason, str(path))
        self.reason = reason


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, for a sentence ("a named pipe (FIFO)")."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def not_regular(path: Path | str, mode: int) -> RefusedFile:
    return RefusedFile(path, f"it is {kind_of(mode)}, not a regular file")


def open_for_reading(path: Path | str, limit: int) -> BinaryIO:
    """Open ``path`` to read it, at once and only when it is a regular file of at most ``limit`` bytes.

    ``O_NONBLOCK`` makes a named pipe open without waiting for a writer (it is then refused like
    any file that is not regular); ``O_NOCTTY`` keeps a terminal from becoming ours. Raises
    ``FileNotFoundError`` for a missing file, :class:`RefusedFile` for one smtpgui will not
    read, ``OSError`` otherwise: :func:`describe_os_error` turns each into a sentence.
    """
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(path, info.st_mode)
        if info.st_size > limit:
            raise too_large(path, limit)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_capped(handle: BinaryIO, path: Path | str, limit: int) -> bytes:
    """The rest of ``handle``, refused (:class:`RefusedFile`) when it holds more than ``limit``
    bytes (a file that grew after it was opened)."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise too_large(path, limit)
    return data


def read_file(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_for_reading`)."""
    with open_for_reading(path, limit) as handle:
        return read_capped(handle, path, limit)


def too_large(path: Path | str, limit: int) -> RefusedFile:
    size = f"{limit // MEGABYTE} MB" if limit >= MEGABYTE else f"{limit} bytes"
    return RefusedFile(path, f"it is larger than {size}, too large to be an smtpgui file")


def refuse_unless_replaceable(path: Path | str) -> None:
    """Raise :class:`RefusedFile` when something other than a regular file stands at ``path``.

    For a file smtpgui is told to write (an export, a report): a symbolic link, a named pipe or
    a device there is refused, not silently replaced by the new file (nor written through).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise not_regular(path, info.st_mode)


def describe_os_error(exc: OSError, path: Path | str, action: str) -> str:
    """A sentence about a failed file operation that a user can act on."""
    if isinstance(exc, RefusedFile):
        reason = exc.reason
    elif exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "permission was denied"
    elif exc.errno == errno.EROFS:
        reason = "the disk is read-only"
    elif exc.errno == errno.ENOTDIR:
        reason = "part of the path is a file, not a folder"
    elif exc.errno == errno.EISDIR:
        reason = "a folder stands where the file should be"
    elif exc.errno == errno.ELOOP:
        reason = "it is a symbolic link that leads round in a loop"
    elif exc.errno == errno.ENXIO:
        reason = "it is not a regular file (a named pipe no program reads, or a device that is not there)"
    else:
        reason = exc.strerror or str(exc)
    return f"Could not {action} {path}: {reason}."


def make_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents, each 0700; an existing folder is left as it is.

    Raises ``OSError`` (``ENOTDIR`` when a file stands in the way).
    """
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        if current.exists() or current.is_symlink():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(current))
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made by another process meanwhile: theirs, leave its mode alone
        _chmod(folder, DIR_MODE)


def open_private(path: Path | str, flags: int) -> int:
    """``os.open`` for a file smtpgui writes, 0600 whatever the umask. Returns the fd.

    ``O_CREAT``'s mode is narrowed by the umask, so the mode is set again on the open file; a
    file of ours that was wider (made by an older version) is narrowed too. Only a regular file:
    a link to a device (``/dev/zero``, which root owns) or a named pipe keeps its mode, and so does
    whatever a symbolic link points at (run as root on a user's folder, a planted link to a system
    file must not change that file's mode).
    """
    fd = os.open(path, flags | _CLOEXEC, FILE_MODE)
    if sys.platform != "win32" and flags & os.O_CREAT:
        try:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and not os.path.islink(path):
                os.fchmod(fd, FILE_MODE)
        except OSError:
            pass  # a file system without permissions (a FAT stick): nothing to narrow
    return fd


def write_private_file(path: Path | str, data: bytes) -> None:
    """Write ``data`` as the regular file ``path``, 0600 (a report the user asked for).

    Something other than a regular file at ``path`` (a symbolic link, a named pipe, a device)
    is refused (:class:`RefusedFile`), never written through nor replaced.
    """
    refuse_unless_replaceable(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | _NONBLOCK | _NOCTTY
    with os.fdopen(open_private(path, flags), "wb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):  # put there since the check above
            raise not_regular(path, mode)
        handle.write(data)


def make_private(path: Path | str) -> None:
    """Narrow an existing file smtpgui wrote (a copy, a temporary file, one moved aside) to 0600.

    Only a regular file, never through a symbolic link: a damaged connections.json that was a
    link is moved aside as the link, and what it points to (any file, for root) keeps its mode.
    """
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.lstat(path).st_mode):
            _chmod(Path(path), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):  # a file system without permissions: nothing to narrow
        os.chmod(path, mode)
