"""The connections file: load, validate, change under a lock, write atomically.

``ConnectionStore`` is the one place that enforces the store's invariants: every connection
valid, names unique ignoring case, ids unique, and exactly one default while any exist.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smtpgui.core.errors import ConflictError, NotFoundError, Problem, StorageError, ValidationError
from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import Connection, connection_from_dict, connection_to_dict, id_problem
from smtpgui.storage.atomic import atomic_write_json, ensure_dir, file_lock, remove_stale_temps
from smtpgui.storage.migrations import SCHEMA_VERSION, migrate
from smtpgui.storage.private import MAX_DATA_BYTES, describe_os_error, open_for_reading, read_capped
from smtpgui.storage.recovery import recover

if TYPE_CHECKING:
    # core.shared is loaded only by a file that holds credentials or connectors, or a change of
    # them: the window's start-up and a plain `smtpgui test` never need it.
    from smtpgui.core.shared import SharedSettings

FILE_NAME = "connections.json"
log = logging.getLogger("smtpgui.store")

Change = Callable[[list[Connection]], list[Connection]]
# A change of the shared credentials and connectors together with the connections (both under
# the one lock: deleting a credential and saving a connection that uses it cannot cross).
SharedChange = Callable[[list[Connection], "SharedSettings"], tuple[list[Connection], "SharedSettings"]]


@dataclass
class ConnectionStore:
    """Connections kept in ``<config_dir>/connections.json``.

    Every change goes through ``update``: lock, read the file as it is now, apply the change,
    check the invariants, write atomically, unlock. Two processes therefore never lose each
    other's change. ``notices`` collects things the user must be told (a corrupt file moved
    aside), for the CLI or the window to show.
    """

    config_dir: Path
    notices: list[str] = field(default_factory=list)
    # The file as this store last read or wrote it: its identity (inode, size, mtime), the
    # connections parsed from it, and each one's row as written, by object. Reading a file no one
    # has replaced since costs one stat, and saving one edit among 10,000 serializes one row.
    # Every writer replaces the file (a new inode), so another program's save is always seen.
    _cache: tuple[tuple[int, int, int, int], list[Connection], dict[int, tuple[Connection, dict[str, Any]]]] | None = (
        field(default=None, repr=False, compare=False)
    )
    # The shared credentials and connectors as last read or written with the connections.
    # None: the file holds none.
    _shared: SharedSettings | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> Path:
        return self.config_dir / FILE_NAME

    @property
    def backup_path(self) -> Path:
        return self.config_dir / (FILE_NAME + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.config_dir / (FILE_NAME + ".lock")

    # reading -------------------------------------------------------------------------------

    def load(self) -> list[Connection]:
        """All connections, in file order. A missing file is an empty store."""
        with file_lock(self.lock_path, reading=True):
            return self._read()

    def load_shared(self) -> SharedSettings:
        """The shared credentials and connectors (none when there is no file)."""
        with file_lock(self.lock_path, reading=True):
            self._read()
            return _or_empty(self._shared)

    def load_all(self) -> tuple[list[Connection], SharedSettings]:
        """The connections and the shared settings, read together."""
        with file_lock(self.lock_path, reading=True):
            connections = self._read()
            return connections, _or_empty(self._shared)

    def _read(self) -> list[Connection]:
        if self.config_dir.exists() and not self.config_dir.is_dir():
            raise StorageError(f"Could not use {self.config_dir} as the config folder: it is a file, not a folder.")
        try:
            with open_for_reading(self.path, MAX_DATA_BYTES) as handle:
                signature = _signature(os.fstat(handle.fileno()))
                if self._cache is not None and self._cache[0] == signature:
                    return list(self._cache[1])
                raw = read_capped(handle, self.path, MAX_DATA_BYTES)
        except FileNotFoundError:
            self._shared = None
            return []
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "read")) from exc
        try:
            document = parse_json(raw)
        except ValueError:
            self._cache = None
            return self._recover_from_corrupt_file()
        connections, shared = self._parse_all(document, self.path)
        self._cache = (signature, connections, {})
        self._shared = shared
        return list(connections)

    def _parse(self, document: Any, source: Path) -> list[Connection]:
        connections, shared = self._parse_all(document, source)
        self._shared = shared
        return connections

    def _parse_all(self, document: Any, source: Path) -> tuple[list[Connection], SharedSettings | None]:
        if not isinstance(document, dict) or not isinstance(document.get("connections"), list):
            raise StorageError(
                f"{source} is not an smtpgui connections file (no connections list); it was left untouched."
            )
        version = document.get("schema_version")
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise StorageError(
                f"{source} was written by a newer smtpgui (schema {version}, this version reads "
                f"up to {SCHEMA_VERSION}); it was left untouched. Update smtpgui to use it."
            )
        try:
            document = migrate(document)
        except ValueError as exc:
            raise StorageError(f"{source} cannot be read: {exc}; it was left untouched.") from exc
        connections = []
        for index, item in enumerate(document["connections"], start=1):
            try:
                connection = connection_from_dict(item)
                problem = id_problem(connection.id)  # "credential:<id>" would be a credential's entry
                if problem:
                    raise ValueError(problem)
                connections.append(connection)
            except (ValueError, TypeError) as exc:
                raise StorageError(
                    f"Connection #{index} in {source} cannot be read ({exc}); the file was left "
                    f"untouched: fix it, or restore {self.backup_path.name}."
                ) from exc
        return connections, self._parse_shared(document, source)

    def _parse_shared(self, document: dict[str, Any], source: Path) -> SharedSettings | None:
        lists_given = [document.get(key, []) for key in ("credentials", "connectors")]
        if all(isinstance(given, list) and not given for given in lists_given):
            return None  # none in the file: nothing to load
        from smtpgui.core.shared import SharedSettings, connector_from_dict, credential_from_dict

        lists: list[tuple[Any, ...]] = []
        for key, what, parse in (
            ("credentials", "Credential", credential_from_dict),
            ("connectors", "Connector", connector_from_dict),
        ):
            items = document.get(key, [])
            if not isinstance(items, list):
                raise StorageError(f"{source} cannot be read: {key} is not a list; it was left untouched.")
            parsed = []
            for index, item in enumerate(items, start=1):
                try:
                    shared_item = parse(item)
                    problem = id_problem(shared_item.id)
                    if problem:
                        raise ValueError(problem)
                    parsed.append(shared_item)
                except ValueError as exc:
                    raise StorageError(
                        f"{what} #{index} in {source} cannot be read ({exc}); the file was left "
                        f"untouched: fix it, or restore {self.backup_path.name}."
                    ) from exc
            lists.append(tuple(parsed))
        return SharedSettings(credentials=lists[0], connectors=lists[1])

    def _recover_from_corrupt_file(self) -> list[Connection]:
        nothing: list[Connection] = []
        self._shared = None  # what the backup holds, if it is restored
        restored, notice = recover(
            self.path,
            lambda document: self._parse(document, self.backup_path),
            lambda connections: atomic_write_json(
                self.path, self._document(connections, None, self._shared), keep_backup=False
            ),
            nothing,
        )
        if restored is nothing:
            self._shared = None
        self.notices.append(notice)
        return restored

    def get(self, name: str) -> Connection:
        """The connection with this name (ignoring case)."""
        return find_by_name(self.load(), name)

    # writing -------------------------------------------------------------------------------

    def update(
        self,
        change: Change,
        label: Labeller | None = None,
        before_write: Callable[[list[Connection]], None] | None = None,
    ) -> list[Connection]:
        """Apply ``change`` to the current connections under the lock and save the result.

        What ``change`` added or altered is validated (see :func:`enforce_invariants`, which
        ``label`` is passed to). ``before_write`` runs once the result is known to be valid and
        before it is written (still under the lock); raising there leaves the file unchanged.
        """
        return self._update(lambda connections, shared: (change(connections), shared), label, before_write, False)[0]

    def update_all(
        self,
        change: SharedChange,
        label: Labeller | None = None,
        before_write: Callable[[list[Connection]], None] | None = None,
    ) -> tuple[list[Connection], SharedSettings]:
        """:meth:`update` for a change of the shared credentials and connectors too.

        Every connection that changed must refer only to credentials and connectors that exist
        (checked under the lock, so a delete elsewhere cannot leave a dangling reference).
        """
        after, shared = self._update(change, label, before_write, True)
        return after, _or_empty(shared)

    def _update(
        self,
        change: Callable[[list[Connection], Any], tuple[list[Connection], Any]],
        label: Labeller | None,
        before_write: Callable[[list[Connection]], None] | None,
        with_shared: bool,
    ) -> tuple[list[Connection], SharedSettings | None]:
        ensure_dir(self.config_dir)
        with file_lock(self.lock_path):
            before = self._read()
            shared_before = _or_empty(self._shared) if with_shared else self._shared
            changed_connections, shared = change(list(before), shared_before)
            after = enforce_invariants(changed_connections, before, label, shared)
            if before_write is not None:
                before_write(after)
            if after != before or shared != shared_before or not self.path.exists():
                remove_stale_temps(self.path)
                rows = self._cache[2] if self._cache is not None else {}
                self._cache = None
                written = {id(c): (c, self._row(c, rows)) for c in after}
                try:
                    atomic_write_json(self.path, self._document(after, written, shared))
                except StorageError as exc:
                    log.error("save failed: %s", exc)
                    raise
                self._shared = shared
                with contextlib.suppress(OSError):
                    self._cache = (_signature(os.stat(self.path)), list(after), written)
            return after, shared

    @staticmethod
    def _row(connection: Connection, rows: dict[int, tuple[Connection, dict[str, Any]]]) -> dict[str, Any]:
        cached = rows.get(id(connection))
        if cached is not None and cached[0] is connection:
            return cached[1]
        # Defaults are left out: they belong to the schema version (a version that changes a
        # default must write the old one into older files in its migration step).
        return connection_to_dict(connection, omit_defaults=True)

    @classmethod
    def _document(
        cls,
        connections: list[Connection],
        rows: dict[int, tuple[Connection, dict[str, Any]]] | None = None,
        shared: SharedSettings | None = None,
    ) -> dict[str, Any]:
        known = rows or {}
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "connections": [cls._row(c, known) for c in connections],
        }
        if shared is not None and (shared.credentials or shared.connectors):
            from smtpgui.core.shared import connector_to_dict, credential_to_dict

            if shared.credentials:
                document["credentials"] = [credential_to_dict(c) for c in shared.credentials]
            if shared.connectors:
                document["connectors"] = [connector_to_dict(c) for c in shared.connectors]
        return document

    def add(self, connection: Connection) -> Connection:
        """Add a new connection; with ``is_default`` set it becomes the default."""

        def change(connections: list[Connection]) -> list[Connection]:
            if connection.is_default:
                connections = [c.replace(is_default=False) for c in connections]
            return [*connections, connection]

        added = find_by_id(self.update(change), connection.id)
        log.info("added connection %r (%s)", added.name, added.id)
        return added

    def put(self, connection: Connection, expected: Connection | None = None) -> Connection:
        """Replace the stored connection that has the same id (a save from an editor).

        With ``expected`` (the connection as the editor loaded it), refuse with ``ConflictError``
        when the file holds something else: another window or command changed it meanwhile, and
        writing now would silently undo that change.
        """

        def change(connections: list[Connection]) -> list[Connection]:
            index = _index_of(connections, connection.id)
            if expected is not None and connections[index] != expected:
                raise ConflictError(
                    f"{connections[index].name!r} was changed by another smtpgui window or command "
                    "after you opened it.",
                    connections[index],
                )
            result = list(connections)
            if connection.is_default:
                result = [c.replace(is_default=False) for c in result]
            result[index] = connection
            return result

        saved = find_by_id(self.update(change), connection.id)
        log.info("saved connection %r (%s)", saved.name, saved.id)
        return saved

    def modify(self, connection_id: str, edit: Callable[[Connection], Connection]) -> Connection:
        """Apply ``edit`` to the connection as it is in the file now (not as a window last saw it)."""

        def change(connections: list[Connection]) -> list[Connection]:
            index = _index_of(connections, connection_id)
            edited = edit(connections[index])
            result = [c.replace(is_default=False) for c in connections] if edited.is_default else list(connections)
            result[index] = edited
            return result

        saved = find_by_id(self.update(change), connection_id)
        log.info("changed connection %r (%s)", saved.name, saved.id)
        return saved

    def set_default(self, connection_id: str) -> None:
        def change(connections: list[Connection]) -> list[Connection]:
            _index_of(connections, connection_id)
            return [c.replace(is_default=c.id == connection_id) for c in connections]

        self.update(change)
        log.info("default connection is now %s", connection_id)

    def delete(self, connection_id: str, new_default_id: str | None = None) -> Connection:
        """Delete a connection; deleting the default while others remain needs a new default."""
        removed: list[Connection] = []

        def change(connections: list[Connection]) -> list[Connection]:
            victim = connections[_index_of(connections, connection_id)]
            rest = [c for c in connections if c.id != connection_id]
            if new_default_id is not None:
                if new_default_id == connection_id:
                    raise ValidationError("The new default cannot be the connection being deleted.", "is_default")
                _index_of(rest, new_default_id)
                rest = [c.replace(is_default=c.id == new_default_id) for c in rest]
            elif victim.is_default and rest:
                raise ValidationError(
                    f"{victim.name!r} is the default connection: choose which connection becomes the new default.",
                    "is_default",
                )
            removed.append(victim)
            return rest

        self.update(change)
        log.info("deleted connection %r (%s)", removed[0].name, removed[0].id)
        return removed[0]


def find_by_name(connections: list[Connection], name: str) -> Connection:
    from smtpgui.core.validation import name_key  # names are one however composed (NFKC) or cased

    folded = name_key(name)
    for connection in connections:
        if connection.name.casefold() == name.casefold() or name_key(connection.name) == folded:
            return connection
    raise NotFoundError(f"There is no connection called {name!r}; 'smtpgui list' shows them.")


def find_by_id(connections: list[Connection], connection_id: str) -> Connection:
    return connections[_index_of(connections, connection_id)]


def _index_of(connections: list[Connection], connection_id: str) -> int:
    for index, connection in enumerate(connections):
        if connection.id == connection_id:
            return index
    raise NotFoundError("That connection no longer exists; another window or command may have deleted it.")


Labeller = Callable[[Connection], str]


def enforce_invariants(
    connections: list[Connection],
    before: list[Connection] | None = None,
    label: Labeller | None = None,
    shared: SharedSettings | None = None,
) -> list[Connection]:
    """Check the rules of the store for what changed; fix the one thing that can be fixed safely.

    Only connections that are new or differ from ``before`` (the file as it was) are validated,
    each against every other name: a save costs the same with ten or ten thousand connections,
    and one invalid connection already in the file (edited by hand) blocks no one else's change.
    Ids must be unique and at most one connection may be the default. ``label`` names the owner
    of a problem (an import's "entry #3 ('Work') in FILE"); without it problems carry their field
    alone, for the editor or the command options that changed that connection.

    Raises ``ValidationError``. When connections exist and none is the default, the first one
    becomes it.
    """
    problems: list[Problem] = []
    previous = {c.id: c for c in before} if before is not None else {}
    changed = [c for c in connections if _changed(c, previous.get(c.id))]
    seen_ids: set[str] = set()
    for connection in connections:
        if connection.id in seen_ids:
            problems.append(Problem("id", f"Two connections share the id {connection.id}."))
        seen_ids.add(connection.id)
    if changed:
        from smtpgui.core.validation import TakenNames, validate  # only a change needs the rules

        taken = TakenNames(connections)
        credential_ids = {c.id for c in shared.credentials} if shared is not None else set()
        connector_ids = {c.id for c in shared.connectors} if shared is not None else set()
        for connection in changed:
            found = validate(connection, taken)
            found.extend(_reference_problems(connection, credential_ids, connector_ids))
            if label is not None:
                owner = label(connection)
                found = [
                    Problem("", f"{owner}: {p.field}: {p.message}" if p.field else f"{owner}: {p.message}")
                    for p in found
                ]
            problems.extend(found)
    defaults = [c for c in connections if c.is_default]
    if len(defaults) > 1:
        names = ", ".join(repr(c.name) for c in defaults)
        problems.append(Problem("is_default", f"Only one connection can be the default, not {names}."))
    if problems:
        raise ValidationError(_dedupe(problems))
    if connections and not defaults:
        connections = [connections[0].replace(is_default=True), *connections[1:]]
    return connections


def _or_empty(shared: SharedSettings | None) -> SharedSettings:
    if shared is not None:
        return shared
    from smtpgui.core.shared import SharedSettings

    return SharedSettings()


def _reference_problems(connection: Connection, credential_ids: set[str], connector_ids: set[str]) -> list[Problem]:
    """A connection may only name a shared credential or connector that exists."""
    problems = []
    if connection.credential_id and connection.credential_id not in credential_ids:
        problems.append(
            Problem("credential_id", "The shared credential it uses no longer exists; choose another or its own.")
        )
    if connection.connector_id and connection.connector_id not in connector_ids:
        problems.append(
            Problem("connector_id", "The network connector it uses no longer exists; choose another or its own.")
        )
    return problems


def _signature(status: os.stat_result) -> tuple[int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _changed(connection: Connection, previous: Connection | None) -> bool:
    """New, or changed in more than which connection is the default (moving the default to
    another connection does not make this one's old problems the user's business now)."""
    if previous is None:
        return True
    if connection is previous or connection == previous:
        return False
    return (
        connection.is_default == previous.is_default or connection.replace(is_default=previous.is_default) != previous
    )


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    result = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result
