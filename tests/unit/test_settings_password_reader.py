"""Which command an exported setting uses to read the password: the keyring's own (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtpgui.core.formats.passwordread import Reader
from smtpgui.services import build_app_services
from smtpgui.services.settingsio import password_reader
from tests.support.keyrings import MemoryKeyring


def _backend_from(module: str) -> MemoryKeyring:
    cls = type("Keyring", (MemoryKeyring,), {"__module__": module})
    return cls()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("module", "reader"),
    [
        ("keyring.backends.SecretService", Reader.SECRET_TOOL),
        ("keyring.backends.libsecret", Reader.SECRET_TOOL),
        ("keyring.backends.macOS", Reader.MACOS),
        ("keyring.backends.Windows", Reader.VARIABLE),
        ("keyrings.alt.file", Reader.VARIABLE),
    ],
)
def test_the_reader_follows_the_keyring_backend(tmp_path: Path, module: str, reader: Reader) -> None:
    app = build_app_services(tmp_path, keyring_backend=_backend_from(module))
    assert password_reader(app.secrets) is reader
    assert password_reader(app.secrets, wait=False) is reader  # already known: no wait either way


def test_without_waiting_an_unknown_backend_means_the_variable(tmp_path: Path) -> None:
    app = build_app_services(tmp_path)  # the backend is found on first use, which this must not start
    assert password_reader(app.secrets, wait=False) is Reader.VARIABLE
    assert app.secrets.store.known_backend_path() is None
