"""Shared credentials and network connectors for front ends: list, add, edit, rename, delete,
and the one function that gives a connection as a session uses it (:meth:`SharedService.resolve`).

The rules decided here once: a credential or connector in use is never deleted (the refusal
names the connections), a rename keeps every reference (connections store the id), a password
is stored under the credential's own keyring entry (``credential:<id>:password``;
``connector:<id>:proxy-password``), and nothing is kept when its password cannot be.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from smtpgui.core.errors import NotFoundError, Problem, SecretStoreUnavailable, ValidationError
from smtpgui.core.model import Connection
from smtpgui.core.shared import (
    Connector,
    Credential,
    SharedSettings,
    apply_shared,
    users_by_reference,
    validate_connector,
    validate_credential,
)
from smtpgui.services.secrets import SecretService
from smtpgui.storage.secrets import Slot
from smtpgui.storage.store import ConnectionStore

if TYPE_CHECKING:
    from smtpgui.transport.engine import SessionSecrets

log = logging.getLogger("smtpgui.services")
Item = Credential | Connector


class InUseError(ValidationError):
    """A credential or connector that connections still use cannot be deleted."""

    def __init__(self, message: str, users: list[str]) -> None:
        super().__init__(message)
        self.users = users


def _slot(item: Credential | Connector) -> Slot:
    return Slot.PASSWORD if isinstance(item, Credential) else Slot.PROXY_PASSWORD


def _noun(item: Credential | Connector | type[Credential] | type[Connector]) -> str:
    kind = item if isinstance(item, type) else type(item)
    return "credential" if kind is Credential else "connector"


def _items(shared: SharedSettings, kind: type[Item]) -> tuple[Any, ...]:
    return shared.credentials if kind is Credential else shared.connectors


def _with_items(
    shared: SharedSettings, kind: type[Credential] | type[Connector], items: tuple[Any, ...]
) -> SharedSettings:
    return shared.replace(credentials=items) if kind is Credential else shared.replace(connectors=items)


def _find(items: tuple[Any, ...], name: str, noun: str) -> Any:
    from smtpgui.core.validation import name_key

    folded = name_key(name)
    for item in items:
        if name_key(item.name) == folded:
            return item
    raise NotFoundError(f"There is no {noun} called {name!r}; 'smtpgui {noun} list' shows them.")


def _problems(item: Credential | Connector, others: tuple[Any, ...]) -> list[Problem]:
    if isinstance(item, Credential):
        return validate_credential(item, others)
    return validate_connector(item, others)


def quoted_names(names: list[str], limit: int = 10) -> str:
    """'A', 'B' and 3 more: the users of a credential as a sentence names them."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class SharedService:
    """The credentials and connectors of one config folder, with their passwords kept in step."""

    def __init__(self, store: ConnectionStore, secrets: SecretService) -> None:
        self.store = store
        self.secrets = secrets

    # reading -------------------------------------------------------------------------------

    def settings(self) -> SharedSettings:
        return self.store.load_shared()

    def credentials(self) -> tuple[Credential, ...]:
        return self.store.load_shared().credentials

    def connectors(self) -> tuple[Connector, ...]:
        return self.store.load_shared().connectors

    def credential(self, name: str) -> Credential:
        """The credential called ``name`` (ignoring case); ``NotFoundError`` otherwise."""
        found: Credential = _find(self.credentials(), name, "credential")
        return found

    def connector(self, name: str) -> Connector:
        """The connector called ``name`` (ignoring case); ``NotFoundError`` otherwise."""
        found: Connector = _find(self.connectors(), name, "connector")
        return found

    def users(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Connection names by credential id and by connector id (one pass over the connections)."""
        return users_by_reference(self.store.load())

    def has_password(self, item: Credential | Connector) -> bool:
        """Whether its password is stored (False with no keyring at all)."""
        store = self.secrets.store
        if store.is_absent() and not store.session_only:
            return False
        return store.has(item.owner, _slot(item))

    def names_of(self, connection: Connection) -> tuple[str | None, str | None]:
        """The names of the credential and connector ``connection`` uses (None: its own)."""
        shared = self.store.load_shared()
        credential = shared.credential(connection.credential_id) if connection.credential_id else None
        connector = shared.connector(connection.connector_id) if connection.connector_id else None
        return (credential.name if credential else None, connector.name if connector else None)

    # a session -----------------------------------------------------------------------------

    def resolve(self, connection: Connection, shared: SharedSettings | None = None) -> Connection:
        """The connection as a session uses it: its credential's user name, domain and mechanism,
        its connector's proxy route, in place of its own (read from the file at send time, so a
        credential changed once is used by every connection at their next session).

        ``ValidationError`` when what it names no longer exists.
        """
        if not connection.credential_id and not connection.connector_id:
            return connection
        current = shared if shared is not None else self.store.load_shared()
        credential = connector = None
        if connection.credential_id:
            credential = current.credential(connection.credential_id)
            if credential is None:
                raise ValidationError(
                    f"{connection.name!r} uses a shared credential that no longer exists; choose another "
                    "(or its own user name and password) in its Authentication settings.",
                    "credential_id",
                )
        if connection.connector_id:
            connector = current.connector(connection.connector_id)
            if connector is None:
                raise ValidationError(
                    f"{connection.name!r} uses a network connector that no longer exists; choose another "
                    "(or its own proxy) in its Proxy settings.",
                    "connector_id",
                )
        return apply_shared(connection, credential, connector)

    def prepare(
        self,
        connection: Connection,
        pending: Mapping[Slot, str | None] | None = None,
        token_env: str | None = None,
    ) -> tuple[Connection, SessionSecrets]:
        """The resolved connection and the secrets its session uses (the keyring read here)."""
        resolved = self.resolve(connection)
        return resolved, self.secrets.for_session(resolved, pending, token_env)

    # changing ------------------------------------------------------------------------------

    def add(self, item: Item, password: str | None = None) -> Item:
        """Save a new credential or connector and its password; nothing is kept when the
        password cannot be stored."""
        if password is not None:
            self.secrets.check()  # fail before saving anything
        kind = type(item)

        def change(connections: list[Connection], shared: SharedSettings) -> tuple[list[Connection], SharedSettings]:
            items = _items(shared, kind)
            problems = _problems(item, items)
            if problems:
                raise ValidationError(problems)
            return connections, _with_items(shared, kind, (*items, item))

        self.store.update_all(change)
        if password is not None:
            try:
                self.secrets.store.set(item.owner, _slot(item), password)
            except SecretStoreUnavailable:
                self._remove(item)
                raise
        log.info("added %s %r (%s)", _noun(item), item.name, item.id)
        return item

    def save(self, item: Item, password: str | None = None) -> Item:
        """Save an edit (a rename included) of a stored credential or connector, matched by id;
        with ``password``, store it too (checked first: a refusing keyring changes nothing)."""
        if password is not None:
            self.secrets.check()
        kind = type(item)

        def change(connections: list[Connection], shared: SharedSettings) -> tuple[list[Connection], SharedSettings]:
            items = _items(shared, kind)
            if not any(i.id == item.id for i in items):
                raise NotFoundError(
                    f"That {_noun(item)} no longer exists; another window or command may have deleted it."
                )
            problems = _problems(item, items)
            if problems:
                raise ValidationError(problems)
            return connections, _with_items(shared, kind, tuple(item if i.id == item.id else i for i in items))

        self.store.update_all(change)
        if password is not None:
            self.secrets.store.set(item.owner, _slot(item), password)
        log.info("saved %s %r (%s)", _noun(item), item.name, item.id)
        return item

    def rename(self, item: Item, new_name: str) -> Item:
        """Rename; connections refer to it by id, so every one of them keeps using it."""
        return self.save(item.replace(name=new_name))

    def delete(self, item: Credential | Connector) -> str | None:
        """Delete an unused credential or connector and its password.

        ``InUseError`` (naming the connections) while any connection uses it. Returns the
        keyring's sentence when the password could not be removed, else None.
        """
        kind = type(item)
        noun = _noun(item)

        def change(connections: list[Connection], shared: SharedSettings) -> tuple[list[Connection], SharedSettings]:
            attribute = "credential_id" if kind is Credential else "connector_id"
            users = [c.name for c in connections if getattr(c, attribute) == item.id]
            if users:
                raise InUseError(
                    f"The {noun} {item.name!r} is used by {quoted_names(users)}; choose another for "
                    f"{'it' if len(users) == 1 else 'them'} first (nothing was deleted).",
                    users,
                )
            items = _items(shared, kind)
            return connections, _with_items(shared, kind, tuple(i for i in items if i.id != item.id))

        self.store.update_all(change)
        log.info("deleted %s %r (%s)", noun, item.name, item.id)
        return self._forget_password(item)

    def _remove(self, item: Credential | Connector) -> None:
        kind = type(item)
        self.store.update_all(
            lambda connections, shared: (
                connections,
                _with_items(shared, kind, tuple(i for i in _items(shared, kind) if i.id != item.id)),
            )
        )

    def _forget_password(self, item: Credential | Connector) -> str | None:
        store = self.secrets.store
        if store.is_absent() and not store.session_only:
            return None
        try:
            store.delete(item.owner, _slot(item))
        except SecretStoreUnavailable as exc:
            entry = f"{item.owner}:{_slot(item).value}"
            return f"{exc} Remove the entry '{entry}' of service 'smtpgui' when the keyring works again."
        return None
