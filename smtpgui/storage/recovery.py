"""Damaged files: moved aside as ``<name>.corrupt-<time>``, the last good backup restored.

A file that cannot be read (not UTF-8, not JSON, nested too deeply, holding a lone surrogate)
is never silently overwritten: it is kept under a new name, private to the user, and the
caller restores its ``.bak`` when that one reads, or starts empty.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from smtpgui.core.errors import StorageError
from smtpgui.core.jsondoc import parse_json
from smtpgui.storage.private import MAX_DATA_BYTES, describe_os_error, make_private, read_file

T = TypeVar("T")
log = logging.getLogger("smtpgui.store")


def move_aside(path: Path) -> Path:
    """Rename the damaged ``path`` to a free ``<name>.corrupt-<time>`` beside it; returns that."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        raise StorageError(
            f"{path} is damaged and could not be moved aside: " + describe_os_error(exc, aside, "write")
        ) from exc
    make_private(aside)  # it may hold what the damaged file held: keep it the user's alone
    return aside


def recover(
    path: Path,
    read_backup: Callable[[Any], T],
    write: Callable[[T], None],
    empty: T,
    limit: int = MAX_DATA_BYTES,
) -> tuple[T, str]:
    """Move the damaged ``path`` aside and restore ``<path>.bak`` when it reads.

    ``read_backup`` turns the backup's parsed JSON into the value (raising ``ValueError`` or
    ``StorageError`` when it cannot); ``write`` saves the restored value as ``path``. Returns
    the value (``empty`` when there is no usable backup) and the sentence to tell the user.
    A backup that is not a regular file or is larger than ``limit`` bytes is not used.
    """
    aside = move_aside(path)
    backup = path.with_name(path.name + ".bak")
    notice = f"{path.name} was damaged; it was moved aside as {aside.name}."
    value = empty
    if backup.exists():
        try:
            value = read_backup(parse_json(read_file(backup, limit)))
            write(value)
            notice += f" The last good copy ({backup.name}) was restored."
        except (OSError, ValueError, StorageError):
            value = empty
            notice += " The backup could not be read either; starting afresh."
    log.warning("%s", notice)
    return value, notice
