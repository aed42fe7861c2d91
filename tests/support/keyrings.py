"""Keyring backends for tests: in memory, in a file shared across processes, and broken ones."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A keyring in a dictionary; ``entries`` is there for assertions."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


class FileKeyring(KeyringBackend):
    """Shares secrets between the test and the ``smtpgui`` processes it starts.

    Selected with ``PYTHON_KEYRING_BACKEND=tests.support.keyrings.FileKeyring``; the file is
    ``$SMTPGUI_TEST_KEYRING``. Only tests use it: the app itself never writes a secret to a file.
    """

    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["SMTPGUI_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path.read_text()))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._path.write_text(json.dumps(data))


class RaisingKeyring(KeyringBackend):
    """Every call raises the exception it was built with."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class LockedKeyring(RaisingKeyring):
    """Raises ``KeyringLocked`` like a Secret Service collection the user has not unlocked."""

    def __init__(self) -> None:
        super().__init__(keyring.errors.KeyringLocked("Failed to unlock the collection!"))


class SetFailsKeyring(RaisingKeyring):
    """Reads work; writes fail like a Secret Service whose prompt was dismissed."""

    def __init__(self) -> None:
        super().__init__(keyring.errors.PasswordSetError("Prompt dismissed."))

    def get_password(self, service: str, username: str) -> str | None:
        return None


class OsErrorKeyring(RaisingKeyring):
    """A backend that lets a raw OS error escape, as some third-party backends do."""

    def __init__(self) -> None:
        super().__init__(OSError(5, "Input/output error"))


class LockedFileKeyring(LockedKeyring):
    """``LockedKeyring`` with the no-argument constructor PYTHON_KEYRING_BACKEND needs."""


class DropsKeyring(KeyringBackend):
    """Accepts every secret and keeps none, like a misconfigured or read-only store."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("not found")


class HangingKeyring(KeyringBackend):
    """Never answers, like a Secret Service that accepts the D-Bus call and never replies.

    Every call waits on ``release`` (set it to let the threads go when a test ends).
    """

    priority = 1  # type: ignore[assignment]

    def __init__(self, release: threading.Event | None = None) -> None:
        super().__init__()
        self.release = release if release is not None else threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait()

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait()


class KeepsDeletedKeyring(MemoryKeyring):
    """Says a secret was deleted and keeps it."""

    def delete_password(self, service: str, username: str) -> None:
        return None
