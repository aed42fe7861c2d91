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

from smtpgui.core.model import Connection
from smtpgui.services.connections import ConnectionService
from smtpgui.services.secrets import SecretService
from smtpgui.services.settings import SettingsService
from smtpgui.storage.services import Services, build_services

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from smtpgui.services.discovery import DiscoveryService
    from smtpgui.services.sending import TestService
    from smtpgui.services.shared import SharedService


@dataclass
class AppServices:
    """The services of one config folder. ``tests`` (the engine's side) is made on first use."""

    config_dir: Path
    connections: ConnectionService
    secrets: SecretService
    settings: SettingsService
    _tests: TestService | None = field(default=None, repr=False)
    _discovery: DiscoveryService | None = field(default=None, repr=False)
    _shared: SharedService | None = field(default=None, repr=False)

    @property
    def tests(self) -> TestService:
        if self._tests is None:
            from smtpgui.services.sending import TestService

            self._tests = TestService(self.settings)
        return self._tests

    @property
    def discovery(self) -> DiscoveryService:
        """Settings from an address and the sender-domain check (made on first use: no DNS or XML
        module is loaded before someone asks)."""
        if self._discovery is None:
            from smtpgui.services.discovery import DiscoveryService

            self._discovery = DiscoveryService(self.connections, self.settings)
        return self._discovery

    @property
    def shared(self) -> SharedService:
        """Shared credentials and network connectors (made on first use: start-up needs none)."""
        if self._shared is None:
            from smtpgui.services.shared import SharedService

            self._shared = SharedService(self.connections.store, self.secrets)
        return self._shared

    def resolve(self, connection: Connection) -> Connection:
        """The connection as a session uses it (:meth:`SharedService.resolve`); one that uses no
        shared credential or connector is returned as it is, without loading them."""
        if not connection.credential_id and not connection.connector_id:
            return connection
        return self.shared.resolve(connection)

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
    "app_services",
    "build_app_services",
]
