"""Connections for front ends: list, create, save, duplicate, delete, default, import, export.

The rules a person sees in both the window and the command line are decided here once:
what a new or copied connection is called, who becomes the default when the default goes,
and which secrets an imported connection may keep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smtpgui.core.errors import SecretStoreUnavailable, ValidationError
from smtpgui.core.model import AuthMode, Connection, Kind, new_id
from smtpgui.services.secrets import SecretService
from smtpgui.storage.secrets import Slot
from smtpgui.storage.store import ConnectionStore, find_by_id

if TYPE_CHECKING:
    from smtpgui.storage.exchange import ImportOutcome

log = logging.getLogger("smtpgui.services")


class DeleteOutcome(NamedTuple):
    """What a delete did: the connection removed, the new default, a keyring problem if any."""

    deleted: Connection
    new_default: Connection | None
    secrets_warning: str | None = None


def unique_name(base: str, existing: list[str]) -> str:
    """``base``, or ``base 2``, ``base 3``… whichever is free (names compare ignoring case)."""
    from smtpgui.core.validation import name_key

    taken = {name_key(name) for name in existing}
    name, counter = base, 1
    while name_key(name) in taken:
        counter += 1
        name = f"{base} {counter}"
    return name


def duplicate_needs_password(connection: Connection) -> bool:
    """True when a copy of ``connection`` is made only with its password given (issue 20, item 3):
    "unless the user enters the password value, the data source cannot be duplicated".

    Secrets are never copied, so a copy of a connection that signs in with its own password could
    not sign in; one with no password (anonymous, OAuth2 sign-in, Graph with the app's client
    secret) duplicates as it is. (A shared credential will hold its own password: no prompt.)
    """
    return needs_password(connection)


def settle_sign_in(connection: Connection, *, has_password: bool, auth_chosen: bool = True) -> Connection:
    """The sign-in a connection's user name and password amount to (issue 20, item 7).

    - Password sign-in with neither a user name nor a password is anonymous: saved as such
      (an orchestrator's host settings treat a blank user name the same way).
    - A user name and a password given without choosing a sign-in (``add --username U
      --password-env V``) is password sign-in, not a silently anonymous connection.
    """
    if connection.kind is not Kind.SMTP or connection.credential_id:
        return connection  # a shared credential brings its own user name and password
    named = bool(connection.username.strip())
    if connection.auth_mode is AuthMode.PASSWORD and not named and not has_password:
        return connection.replace(auth_mode=AuthMode.NONE)
    if not auth_chosen and connection.auth_mode is AuthMode.NONE and named and has_password:
        return connection.replace(auth_mode=AuthMode.PASSWORD)
    return connection


GRAPH_PASSWORD_WARNING = (
    "Microsoft discourages a user's password for Graph (the password grant), and it fails for accounts that "
    "need MFA. Prefer the app's client secret."
)


def sign_in_warning(connection: Connection) -> str | None:
    """What the editor and ``add``/``edit`` say about a connection's sign-in, if anything (one rule)."""
    if connection.kind is Kind.GRAPH and connection.auth_mode is AuthMode.PASSWORD:
        return GRAPH_PASSWORD_WARNING
    return None


def needs_password(connection: Connection) -> bool:
    """True when the connection signs in with a password of its own (the keyring's ``password``):
    SMTP password sign-in, or Microsoft Graph with a user's password (issue 20, item 9); not with a
    shared credential's, which stays with the credential."""
    return connection.auth_mode is AuthMode.PASSWORD and not connection.credential_id


class ConnectionService:
    """The connections of one config folder, with their secrets kept in step."""

    def __init__(self, store: ConnectionStore, secrets: SecretService) -> None:
        self.store = store
        self.secrets = secrets

    # reading -------------------------------------------------------------------------------

    def list_all(self) -> list[Connection]:
        return self.store.load()

    def get(self, name: str) -> Connection:
        """The connection with this name (ignoring case); ``NotFoundError`` names it otherwise."""
        return self.store.get(name)

    def get_by_id(self, connection_id: str) -> Connection:
        return find_by_id(self.store.load(), connection_id)

    def default(self) -> Connection | None:
        return next((c for c in self.store.load() if c.is_default), None)

    @property
    def notices(self) -> list[str]:
        """Things the user must be told about the connections file (a damaged file moved aside)."""
        return self.store.notices

    # new connections -----------------------------------------------------------------------

    def blank(
        self, existing: list[Connection] | None = None, base: Connection | None = None, name: str = "New connection"
    ) -> Connection:
        """A new, unsaved connection called ``name`` (or ``name 2``… when taken), from ``base``'s
        settings when given (a preset's, say)."""
        names = [c.name for c in (existing if existing is not None else self.store.load())]
        free = unique_name(name, names)
        return (base or Connection(name=free)).replace(id=new_id(), name=free, is_default=False)

    def create(self, connection: Connection, secrets: Mapping[Slot, str | None] | None = None) -> Connection:
        """Save a new connection and its secrets; nothing is kept when the secrets cannot be."""
        wanted = {slot: value for slot, value in (secrets or {}).items() if value is not None}
        if wanted:
            self.secrets.check()  # fail before saving anything
        added = self.store.add(connection)
        try:
            self.secrets.write(added.id, wanted)
        except SecretStoreUnavailable:
            self.store.delete(added.id, new_default_id=self._successor(added))
            raise
        return added

    # changing ------------------------------------------------------------------------------

    def save(
        self,
        connection: Connection,
        expected: Connection | None = None,
        secrets: Mapping[Slot, str | None] | None = None,
    ) -> Connection:
        """Save an edit of a stored connection and the secrets typed with it.

        With ``expected`` (the connection as the editor loaded it), a connection changed
        elsewhere meanwhile raises ``ConflictError`` and nothing is written.
        """
        saved = self.store.put(connection, expected=expected)
        if secrets:
            self.secrets.write(saved.id, secrets)
        return saved

    def edit(
        self,
        connection_id: str,
        edit: Callable[[Connection], Connection],
        secrets: Mapping[Slot, str | None] | None = None,
    ) -> Connection:
        """The user's own edit (``smtpgui edit``): applied to the connection as the file holds it
        now, then the secrets given with it are stored (checked first, so a refusing keyring
        changes nothing)."""
        if secrets:
            self.secrets.check()
        edited = self.store.modify(connection_id, edit)
        if secrets:
            self.secrets.write(edited.id, secrets)
        return edited

    def modify(self, connection_id: str, edit: Callable[[Connection], Connection]) -> Connection:
        """Apply ``edit`` to the connection as the file holds it now (another process's edit stays)."""
        return self.store.modify(connection_id, edit)

    def set_default(self, connection_id: str) -> None:
        self.store.set_default(connection_id)

    def set_enabled(self, connection_id: str, enabled: bool) -> Connection:
        return self.store.modify(connection_id, lambda c: c.replace(enabled=enabled))

    def pin_certificate(self, connection_id: str, sha256: str) -> Connection:
        return self.store.modify(connection_id, lambda c: c.replace(pinned_sha256=sha256))

    # duplicate and delete ------------------------------------------------------------------

    def copy_name_for(self, source: Connection, existing: list[Connection] | None = None) -> str:
        """``<name>_copied``, then ``_copied2``… (DESIGN §5)."""
        names = [c.name for c in (existing if existing is not None else self.store.load())]
        from smtpgui.core.naming import copy_name

        return copy_name(source.name, names)

    def duplicate(self, source: Connection, name: str | None = None, password: str | None = None) -> Connection:
        """A copy of ``source`` with every setting but no secret (a password given here is stored).

        A connection that needs its password (:func:`duplicate_needs_password`) is copied only with
        one: without it, ``ValidationError`` and nothing is created.
        """
        if not password and duplicate_needs_password(source):
            raise ValidationError(
                f"“{source.name}” signs in with a password: a copy is made only with the password given.", "password"
            )
        copy = source.replace(id=new_id(), name=self.copy_name_for(source) if name is None else name, is_default=False)
        return self.create(copy, {Slot.PASSWORD: password} if password is not None else None)

    def needs_new_default(self, victim: Connection, connections: list[Connection] | None = None) -> bool:
        """Deleting the default while others remain needs the user to choose the next default."""
        others = [c for c in (connections if connections is not None else self.store.load()) if c.id != victim.id]
        return victim.is_default and bool(others)

    def delete(self, victim: Connection, new_default_id: str | None = None) -> DeleteOutcome:
        """Delete a connection and its secrets; deleting the default needs ``new_default_id``
        while others remain (``ValidationError`` otherwise)."""
        deleted = self.store.delete(victim.id, new_default_id)
        warning = self.secrets.clear_quietly(deleted.id)
        new_default = self.get_by_id(new_default_id) if new_default_id else None
        return DeleteOutcome(deleted, new_default, warning)

    def _successor(self, connection: Connection) -> str | None:
        """When rolling back an added default, the connection that gets the default back."""
        others = [c for c in self.store.load() if c.id != connection.id]
        return others[0].id if connection.is_default and others else None

    # import and export ---------------------------------------------------------------------

    def export(self, path: Path | None, names: list[str] | None = None) -> tuple[dict[str, object], int]:
        """The export document (never a secret), written to ``path`` unless it is None."""
        from smtpgui.storage import exchange  # with its first use: `smtpgui test` needs none of it

        connections, shared = self.store.load_all()
        if names:
            connections = exchange.select_by_names(connections, names)
        document = exchange.export_document(connections, shared)
        if path is not None:
            exchange.write_export(path, connections, shared)
        return document, len(connections)

    def clashing_names(self, incoming: list[Connection]) -> list[str]:
        """The names in ``incoming`` that stored connections already have (ignoring case)."""
        from smtpgui.storage import exchange  # with its first use: `smtpgui test` needs none of it

        return exchange.clashing_names(self.store.load(), incoming)

    def read_import(self, path: Path) -> list[Connection]:
        """The connections of an export file (``ValidationError`` naming the file and entry)."""
        from smtpgui.storage import exchange  # with its first use: `smtpgui test` needs none of it

        return exchange.read_import(path)

    def import_connections(
        self, incoming: list[Connection], replace: bool = False, source: str = "the file"
    ) -> ImportOutcome:
        """Add connections; with ``replace``, same-named ones are overwritten.

        A replaced connection keeps its secrets only when the imported one carries the same id
        and still sends them to the same place (:func:`smtpgui.core.binding.secrets_must_drop`);
        otherwise they are removed from the keyring and the outcome says so
        (:func:`smtpgui.storage.exchange.import_connections` holds that rule).
        """
        from smtpgui.storage import exchange  # with its first use: `smtpgui test` needs none of it

        return exchange.import_connections(
            self.store, incoming, replace=replace, source=source, secrets=self.secrets.store
        )

    def import_file(self, path: Path, replace: bool = False) -> ImportOutcome:
        """Read an export file into the store (see :meth:`import_connections`)."""
        return self.import_connections(self.read_import(path), replace=replace, source=str(path))

    def unbind_overwritten_secrets(self, original: Connection, theirs: Connection, mine: Connection) -> list[str]:
        """After saving the user's version over one another program saved (the conflict dialog's
        "Save mine"): when that program moved the connection (and may have stored secrets for the
        new place) and the user's version points elsewhere, those secrets do not follow it back.
        Returns the fields that moved when secrets were removed, else []."""
        from smtpgui.core.binding import changed_binding, secrets_must_drop

        if not secrets_must_drop(original, theirs) or not secrets_must_drop(theirs, mine):
            return []
        if self.secrets.store.drop_all(mine.id):
            return changed_binding(theirs, mine)
        return []
