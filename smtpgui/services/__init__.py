"""The application layer both front ends call (DESIGN §1): no Qt, no terminal.

The command line (``smtpgui.cli``) and the window (``smtpgui.ui``) ask these services to do
things; neither talks to the connections file or the keyring itself. Each rule of the product
(who becomes the default, what a copy is called, when a secret must be dropped) is decided in
exactly one function here. :func:`build_app_services` builds them for one config folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smtpgui.services.connections import ConnectionService
from smtpgui.services.secrets import SecretService
from smtpgui.services.settings import SettingsService
from smtpgui.services.shared import SharedService
from smtpgui.storage.services import Services, build_services

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from smtpgui.services.sending import TestService


@dataclass
class AppServices:
    """The services of one config folder. ``tests`` (the engine's side) is made on first use."""

    config_dir: Path
    connections: ConnectionService
    secrets: SecretService
    settings: SettingsService
    shared: SharedService
    _tests: TestService | None = field(default=None, repr=False)

    @property
    def tests(self) -> TestService:
        if self._tests is None:
            from smtpgui.services.sending import TestService

            self._tests = TestService(self.settings)
        return self._tests

    @property
    def notices(self) -> list[str]:
        """What the user must be told about the files (a damaged file moved aside, say)."""
        return self.connections.notices + self.settings.notices

    def clear_notices(self) -> None:
        self.connections.notices.clear()
        self.settings.notices.clear()


def app_services(stores: Services) -> AppServices:
    """The services over stores already built (tests build the stores with a test keyring)."""
    secrets = SecretService(stores.secrets)
    return AppServices(
        config_dir=stores.config_dir,
        connections=ConnectionService(stores.store, secrets),
        secrets=secrets,
        settings=SettingsService(stores.settings),
        shared=SharedService(stores.store, secrets),
    )


def build_app_services(
    config_dir: str | Path | None = None,
    keyring_backend: KeyringBackend | None = None,
    session_fallback: bool = False,
) -> AppServices:
    """The services of the config folder ``config_dir`` (the per-user one when None)."""
    return app_services(build_services(config_dir, keyring_backend, session_fallback))


__all__ = [
    "AppServices",
    "ConnectionService",
    "SecretService",
    "SettingsService",
    "SharedService",
    "app_services",
    "build_app_services",
]
