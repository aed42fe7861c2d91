"""Secrets for front ends: what is stored, writing and clearing, and a session's secrets.

Every call may block on the keyring (a Secret Service over D-Bus, a locked collection), so the
window calls these on worker threads; the command line calls them directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from smtpgui.core.errors import SecretStoreUnavailable, ValidationError
from smtpgui.core.model import AuthMode, Connection, Kind, ProxyType
from smtpgui.storage.secrets import SecretStore, Slot

if TYPE_CHECKING:
    from smtpgui.transport.engine import SessionSecrets


def secret_owners(connection: Connection) -> dict[Slot, str]:
    """Whose keyring entry a session reads for each slot: a shared credential's password
    (``credential:<id>:password``) and a connector's proxy password replace the connection's own."""
    owners: dict[Slot, str] = {}
    if connection.credential_id:
        owners[Slot.PASSWORD] = f"credential:{connection.credential_id}"
    if connection.connector_id:
        owners[Slot.PROXY_PASSWORD] = f"connector:{connection.connector_id}"
    return owners


# The keys of ``show --json`` (CLI.md) for each slot.
FLAG_KEYS: dict[str, Slot] = {
    "password_set": Slot.PASSWORD,
    "proxy_password_set": Slot.PROXY_PASSWORD,
    "client_secret_set": Slot.CLIENT_SECRET,
    "oauth_client_secret_set": Slot.OAUTH_CLIENT_SECRET,
    "oauth_signed_in": Slot.OAUTH_REFRESH_TOKEN,
}


class SecretService:
    """The connections' secrets in the keyring, as the front ends need them."""

    def __init__(self, store: SecretStore) -> None:
        self.store = store

    # state ---------------------------------------------------------------------------------

    @property
    def session_only(self) -> bool:
        """True when the keyring failed and secrets live in this process's memory only."""
        return bool(self.store.session_only)

    @property
    def unavailable_reason(self) -> str:
        return str(self.store.unavailable_reason or "")

    @property
    def backend_name(self) -> str:
        return self.store.backend_name

    def backend_path(self) -> str:
        """``module.Class`` of the keyring backend (for reports), or why there is none; never hangs."""
        return self.store.backend_path()

    def is_absent(self) -> bool:
        return self.store.is_absent()

    def check(self) -> None:
        """Raise ``SecretStoreUnavailable`` unless a secret could be stored now."""
        self.store.check()

    # reading -------------------------------------------------------------------------------

    def stored_slots(self, connection_id: str) -> set[Slot]:
        """The slots that hold a secret for this connection."""
        return {slot for slot in Slot if self.store.has(connection_id, slot)}

    def flags(self, connection: Connection) -> dict[str, bool]:
        """``password_set`` and its siblings (CLI.md's JSON keys); all False with no keyring at all."""
        if self.store.is_absent() and not self.store.session_only:
            return dict.fromkeys(FLAG_KEYS, False)
        return {key: self.store.has(connection.id, slot) for key, slot in FLAG_KEYS.items()}

    def get(self, connection_id: str, slot: Slot) -> str | None:
        return self.store.get(connection_id, slot)

    # writing -------------------------------------------------------------------------------

    def write(self, connection_id: str, secrets: Mapping[Slot, str | None]) -> None:
        """Store each secret; ``None`` forgets that slot."""
        for slot, value in secrets.items():
            if value is None:
                self.store.delete(connection_id, slot)
            else:
                self.store.set(connection_id, slot, value)

    def clear(self, connection_id: str, slots: tuple[Slot, ...] | None = None) -> None:
        """Forget the connection's secrets (all of them, or those slots)."""
        for slot in slots if slots is not None else tuple(Slot):
            self.store.delete(connection_id, slot)

    def clear_quietly(self, connection_id: str) -> str | None:
        """Forget every secret of a deleted connection; the keyring's sentence when it could not."""
        if self.store.is_absent() and not self.store.session_only:
            return None
        try:
            self.clear(connection_id)
        except SecretStoreUnavailable as exc:
            return f"{exc} Remove the entries '{connection_id}:*' of service 'smtpgui' when the keyring works again."
        return None

    # a session's secrets -------------------------------------------------------------------

    def for_session(
        self,
        connection: Connection,
        pending: Mapping[Slot, str | None] | None = None,
        token_env: str | None = None,
    ) -> SessionSecrets:
        """Read only the secrets this connection's session uses (the keyring is not touched
        otherwise). ``pending`` holds secrets typed but not saved yet (the window's editor);
        ``token_env`` names a variable holding an OAuth2 access token for this one session."""
        from smtpgui.transport.engine import SessionSecrets

        unsaved = dict(pending or {})
        store = self.store
        owners = secret_owners(connection)

        def read(slot: Slot) -> str | None:
            owner = owners.get(slot, connection.id)
            if slot in unsaved and owner == connection.id:  # typed for this connection, not a shared one
                return unsaved[slot]
            if store.is_absent() and not store.session_only:
                return None
            return store.get(owner, slot)

        password = token = proxy_password = client_secret = refresh = None
        if connection.kind is Kind.GRAPH:
            client_secret = read(Slot.CLIENT_SECRET)
            if connection.auth_mode is AuthMode.PASSWORD:  # a user's password (the password grant)
                password = read(Slot.PASSWORD)
        elif connection.auth_mode is AuthMode.PASSWORD:
            password = read(Slot.PASSWORD)
        elif connection.auth_mode is AuthMode.OAUTH2 and token_env:
            token = os.environ.get(token_env)
            if token is None:
                raise ValidationError(f"The environment variable {token_env!r} is not set.", "--access-token-env")
        elif connection.auth_mode is AuthMode.OAUTH2:
            refresh = read(Slot.OAUTH_REFRESH_TOKEN)
            client_secret = read(Slot.OAUTH_CLIENT_SECRET) if refresh else None
        if connection.proxy_type is not ProxyType.NONE and connection.proxy_username:
            proxy_password = read(Slot.PROXY_PASSWORD)

        def keep_rotated(new_token: str) -> None:  # on the session's thread, like the reads
            store.set(connection.id, Slot.OAUTH_REFRESH_TOKEN, new_token)

        return SessionSecrets(
            password=password,
            proxy_password=proxy_password,
            bearer_token=token,
            client_secret=client_secret,
            refresh_token=refresh,
            on_refresh_token=keep_rotated if refresh else None,
        )
