"""Export and import files: connections as JSON, never with secrets."""

from __future__ import annotations

import errno
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smtpgui.core.binding import changed_binding, secrets_must_drop
from smtpgui.core.errors import SecretStoreUnavailable, StorageError, ValidationError
from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import Connection, connection_from_dict, connection_to_dict, new_id
from smtpgui.core.shared import SharedSettings
from smtpgui.core.validation import name_key
from smtpgui.storage.atomic import atomic_write_json
from smtpgui.storage.exchange_shared import (
    ImportBatch,
    SharedImport,
    export_rows,
    merge,
    read_definitions,
    strip_references,
)
from smtpgui.storage.migrations import SCHEMA_VERSION, migrate
from smtpgui.storage.private import MAX_DATA_BYTES, RefusedFile, describe_os_error, read_file, refuse_unless_replaceable
from smtpgui.storage.secrets import SecretStore, Slot
from smtpgui.storage.store import ConnectionStore, find_by_name

FORMAT = "smtpgui-connections"


def export_document(connections: list[Connection], shared: SharedSettings | None = None) -> dict[str, Any]:
    """The export file's content. The model holds no secrets, so none can slip in; shared
    credentials and connectors are named, and the ones named are defined (without passwords)."""
    rows = [connection_to_dict(c) for c in connections]
    extra = export_rows(connections, rows, shared or SharedSettings())
    return {"format": FORMAT, "schema_version": SCHEMA_VERSION, "connections": rows, **extra}


def select_by_names(connections: list[Connection], names: list[str]) -> list[Connection]:
    """The named connections, in the order given; an unknown name is an error."""
    return [find_by_name(connections, name) for name in names]


def write_export(path: Path, connections: list[Connection], shared: SharedSettings | None = None) -> None:
    """Write the export file; its folder must exist (a typo must not create folders).

    An existing regular file is replaced; anything else at ``path`` (a symbolic link, a named
    pipe, a device) is refused, never replaced nor written through.
    """
    folder = path.parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise ValidationError(f"Cannot export to {path}: the folder {folder} {what}; create it or choose another.")
    refuse_export_target(path)
    atomic_write_json(path, export_document(connections, shared), keep_backup=False)


def refuse_export_target(path: Path) -> None:
    """``ValidationError`` when ``path`` exists and is not a regular file (a link included)."""
    try:
        refuse_unless_replaceable(path)
    except RefusedFile as exc:
        raise ValidationError(f"Cannot export to {path}: {exc.reason}; choose another file.") from None


def read_import(path: Path) -> list[Connection]:
    """Connections from an export file; missing keys take their defaults, ids are optional.

    A file that is not a regular one (a named pipe, a device) or is too large is refused
    (``ValidationError``) without being read.
    """
    try:
        raw = read_file(path, MAX_DATA_BYTES)
    except RefusedFile as exc:
        raise ValidationError(f"{path} cannot be imported: {exc.reason}; choose an smtpgui export (.json).") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):  # a link that loops, a socket: not an export either
            raise ValidationError(describe_os_error(exc, path, "import")) from None
        raise StorageError(describe_os_error(exc, path, "read")) from exc
    try:
        document = parse_json(raw)
    except ValueError as exc:
        raise ValidationError(f"{path} cannot be imported: {exc}; choose an smtpgui export (.json).") from None
    return parse_import(document, str(path))


def parse_import(document: Any, source: str = "the file") -> ImportBatch:
    """The connections of an export document, with the credentials and connectors they name."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError(f"{source} is not an smtpgui export (its format is not {FORMAT!r}).")
    version = document.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise ValidationError(
            f"{source} was exported by a newer smtpgui (schema {version}); update smtpgui to import it."
        )
    items = document.get("connections")
    if not isinstance(items, list):
        raise ValidationError(f"{source} has no list of connections.")
    if isinstance(version, int) and not isinstance(version, bool) and 1 <= version < SCHEMA_VERSION:
        # An export of an older schema means what it meant then (version 2's receipt address sent
        # one): the same steps as the connections file bring it up.
        try:
            items = migrate({"schema_version": version, "connections": list(items)})["connections"]
        except ValueError as exc:
            raise ValidationError(f"{source} cannot be imported: {exc}.") from None
    connections = ImportBatch()
    references = []
    for index, raw_item in enumerate(items, start=1):
        item, names = strip_references(raw_item, index, source)
        references.append(names)
        try:
            connection = connection_from_dict(item)
            if not _is_our_id(connection.id):
                # An id is a keyring entry's name: a file cannot choose one that is not of the form
                # smtpgui makes (an upper-case copy of another's, a path), so it gets a new one.
                connection = connection.replace(id=new_id())
            connections.append(connection)
        except (ValueError, TypeError) as exc:
            name = item.get("name") if isinstance(item, dict) else None
            owner = f"Entry #{index}" + (f" ({_short(name)})" if isinstance(name, str) else "")
            raise ValidationError(f"{owner} in {source}: {exc}.") from None
    connections.references = references
    read_definitions(document, connections, source)
    return connections


def _is_our_id(value: str) -> bool:
    """True for an id as smtpgui makes them: a UUID in its canonical lower-case form."""
    try:
        return str(uuid.UUID(value)) == value
    except (ValueError, TypeError, AttributeError):
        return False


def _short(name: str) -> str:
    """A name from a file as a message quotes it: a hostile file's 10,000-character name is cut."""
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."


def clashing_names(stored: list[Connection], incoming: list[Connection]) -> list[str]:
    """The names in ``incoming`` a stored connection already has (ignoring case)."""
    taken = {name_key(c.name) for c in stored}
    return [c.name for c in incoming if name_key(c.name) in taken]


@dataclass
class ImportOutcome:
    """What an import did, for the CLI and the window to tell the user."""

    imported: list[Connection] = field(default_factory=list)
    replaced: list[Connection] = field(default_factory=list)
    # Imported connections that kept their id but now point elsewhere (another host, port,
    # security, user, mechanism, proxy...): their stored secrets were removed, with the fields.
    secrets_dropped: list[tuple[Connection, list[str]]] = field(default_factory=list)
    # Sentences about secrets of replaced connections that could not be removed.
    warnings: list[str] = field(default_factory=list)
    # Shared credentials and connectors the import added (without passwords) or moved.
    shared: SharedImport = field(default_factory=SharedImport)


def import_file(store: ConnectionStore, secrets: SecretStore, path: Path, replace: bool = False) -> ImportOutcome:
    """Read ``path`` and import it: the one import both the CLI and the window run."""
    return import_connections(store, read_import(path), replace=replace, source=str(path), secrets=secrets)


def import_connections(
    store: ConnectionStore,
    incoming: list[Connection],
    replace: bool = False,
    source: str = "the file",
    secrets: SecretStore | None = None,
) -> ImportOutcome:
    """Add ``incoming`` to the store.

    A name that exists already is an error unless ``replace``. A replaced connection keeps its
    secrets only when the imported one carries the same id (a restored backup) and still sends
    them to the same place (:func:`smtpgui.core.binding.secrets_must_drop`): a file can never
    borrow a stored password, nor move one to another server. Secrets are removed before the
    file is written; when the keyring cannot remove them, nothing is imported
    (``SecretStoreUnavailable``). The store's default stays the default.
    """
    outcome = ImportOutcome()
    folded: set[str] = set()
    for connection in incoming:  # one pass: a set, not a count() per name (that was quadratic)
        name = name_key(connection.name)
        if name in folded:
            raise ValidationError(f"The file holds the name {connection.name!r} more than once.", "name")
        folded.add(name)
    replaced: list[Connection] = []
    imported: list[Connection] = []
    entries: dict[str, int] = {}  # id as imported -> position in the file, to name problems

    def label(connection: Connection) -> str:
        index = entries.get(connection.id)
        if index is None:
            return f"Connection {connection.name!r}"
        return f"Entry #{index} ({_short(connection.name)}) in {source}"

    def change(connections: list[Connection], shared: SharedSettings) -> tuple[list[Connection], SharedSettings]:
        replaced.clear()
        imported.clear()
        outcome.shared = SharedImport()
        resolved, shared = merge(
            incoming,
            shared,
            replace,
            lambda i, c: f"Entry #{i} ({_short(c.name)}) in {source}",
            outcome.shared,
            stored=connections,
        )
        by_name = {name_key(c.name): c for c in connections}
        clashes = [c.name for c in incoming if name_key(c.name) in by_name]
        if clashes and not replace:
            raise ValidationError(
                f"A connection called {clashes[0]!r} exists already; use --replace to overwrite it.",
                "name",
            )
        kept: list[Connection] = []
        for existing in connections:
            (replaced if name_key(existing.name) in folded else kept).append(existing)
        has_default = any(c.is_default for c in kept)
        taken_ids = {c.id for c in kept}
        entries.clear()
        for index, original in enumerate(resolved, start=1):
            connection = original.replace(id=new_id()) if original.id in taken_ids else original
            entries[connection.id] = index
            if has_default and connection.is_default:
                connection = connection.replace(is_default=False)
            has_default = has_default or connection.is_default
            taken_ids.add(connection.id)
            imported.append(connection)
        return [*kept, *imported], shared

    def drop_moved_secrets(_after: list[Connection]) -> None:
        outcome.secrets_dropped.clear()
        if secrets is None or secrets.is_absent():
            return
        for owner, slot in outcome.shared.owners_to_clear:  # a shared password the file moved
            secrets.delete(owner, Slot(slot))
        by_id = {c.id: c for c in imported}
        for old in replaced:
            new = by_id.get(old.id)
            if new is not None and secrets_must_drop(old, new) and secrets.drop_all(old.id):
                outcome.secrets_dropped.append((new, changed_binding(old, new)))

    store.update_all(change, label, drop_moved_secrets)
    outcome.imported, outcome.replaced = list(imported), list(replaced)
    if secrets is not None and not secrets.is_absent():
        kept_ids = {c.id for c in imported}
        for old in replaced:
            if old.id not in kept_ids:  # replaced by a stranger's connection: its secrets go
                try:
                    secrets.delete_all(old.id)
                except SecretStoreUnavailable as exc:
                    outcome.warnings.append(f"the secrets of the replaced {old.name!r} could not be removed: {exc}")
    return outcome
