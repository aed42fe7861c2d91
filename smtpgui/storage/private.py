"""Folders and files private to the user: the one way smtpgui creates either.

Every folder smtpgui creates (the config folder and the missing parents it makes on the way,
the log folder, the folder of an export) is 0700 and every file it writes (connections.json,
its backup and temporary files, lock files, settings.json, logs, exports) is 0600, whatever
the process's umask: permissions are set explicitly, not left to ``mkdir``'s mode argument,
which the umask narrows but never widens, and which ``parents=True`` ignores for the parents.

Only ``os`` is imported here: the log (which opens its file through this module) is set up
before anything else at start-up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def describe_os_error(exc: OSError, path: Path | str, action: str) -> str:
    """A sentence about a failed file operation that a user can act on."""
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "permission was denied"
    elif exc.errno == errno.EROFS:
        reason = "the disk is read-only"
    elif exc.errno == errno.ENOTDIR:
        reason = "part of the path is a file, not a folder"
    elif exc.errno == errno.EISDIR:
        reason = "a folder stands where the file should be"
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
    file of ours that was wider (made by an older version) is narrowed too.
    """
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    if sys.platform != "win32" and flags & os.O_CREAT:
        try:
            if os.fstat(fd).st_uid == os.geteuid():
                os.fchmod(fd, FILE_MODE)
        except OSError:
            pass  # a file system without permissions (a FAT stick): nothing to narrow
    return fd


def make_private(path: Path | str) -> None:
    """Narrow an existing file smtpgui wrote (a copy, a temporary file) to 0600."""
    _chmod(Path(path), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):  # a file system without permissions: nothing to narrow
        os.chmod(path, mode)
