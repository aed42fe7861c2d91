"""The services a front end needs, built in one place from a config folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smtpgui.storage.paths import resolve_config_dir
from smtpgui.storage.secrets import SecretStore
from smtpgui.storage.settings import SettingsStore
from smtpgui.storage.store import ConnectionStore

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


@dataclass
class Services:
    """The stores one config folder is made of."""

    config_dir: Path
    store: ConnectionStore
    secrets: SecretStore
    settings: SettingsStore


def build_services(
    config_dir: str | Path | None = None,
    keyring_backend: KeyringBackend | None = None,
    session_fallback: bool = False,
) -> Services:
    folder = resolve_config_dir(config_dir)
    return Services(
        config_dir=folder,
        store=ConnectionStore(folder),
        secrets=SecretStore(keyring_backend, session_fallback=session_fallback),
        settings=SettingsStore(folder),
    )
