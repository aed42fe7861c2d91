"""Shared credentials and connectors in export files: by name, never with a secret.

An export names each connection's credential and connector (``"credential": "Corp"``) and lists
the definitions of those it names (user name, domain, mechanism; proxy route), without ids and
without passwords. An import matches them to the stored ones by name:

- not stored: added without a password (the outcome says so; set it with ``credential edit``);
- stored with the same user, domain and mechanism (proxy: type, host, port, user, domain): the
  stored one is used, with its password;
- stored with other such settings: refused unless ``--replace``; replacing it removes its
  password (issue 17's binding rule: a file never moves a stored secret to another user or proxy);
- a connection naming one that neither the file nor the store has: the import is refused with a
  sentence naming it, and nothing changes;
- a connection naming a stored credential whose password is kept must send it where a stored
  connection on that credential already sends it (the same server, port, security, checks, proxy:
  :func:`smtpgui.core.binding.binding_key`); otherwise the import is refused. A file never
  attaches a stored password to a server the user has not chosen for it (a restored backup, the
  same connections back in, still imports).

A ``credential_id`` / ``connector_id`` in a file is ignored: a file cannot borrow a stored
password by guessing an id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smtpgui.core.binding import binding_key
from smtpgui.core.errors import ValidationError
from smtpgui.core.model import Connection, new_id
from smtpgui.core.shared import (
    Connector,
    Credential,
    SharedSettings,
    binding_changed,
    connector_from_dict,
    connector_to_dict,
    credential_from_dict,
    credential_to_dict,
    validate_connector,
    validate_credential,
)
from smtpgui.core.validation import name_key

REFERENCE_KEYS = {"credential_id": "credential", "connector_id": "connector"}


class ImportBatch(list[Connection]):
    """The connections of an import file, with the shared settings they name (by name).

    ``references[i]`` is (credential name, connector name) of the i-th connection (None: its own).
    """

    def __init__(self, connections: list[Connection] = ()) -> None:  # type: ignore[assignment]
        super().__init__(connections)
        self.references: list[tuple[str | None, str | None]] = [(None, None)] * len(self)
        self.credentials: list[Credential] = []
        self.connectors: list[Connector] = []


@dataclass
class SharedImport:
    """What an import did to the shared settings, for the front ends to say."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (noun, name) added without a password
    # (noun, name, fields) stored ones the import changed where their password goes: password removed
    dropped: list[tuple[str, str, list[str]]] = field(default_factory=list)
    owners_to_clear: list[tuple[str, str]] = field(default_factory=list)  # (keyring owner, slot)


# export -------------------------------------------------------------------------------------


def export_rows(
    connections: list[Connection], rows: list[dict[str, Any]], shared: SharedSettings
) -> dict[str, list[dict[str, Any]]]:
    """Replace each row's ids by names (in place); the definitions of what they name, in file order."""
    credential_ids: set[str] = set()
    connector_ids: set[str] = set()
    for connection, row in zip(connections, rows, strict=True):
        row.pop("credential_id", None)
        row.pop("connector_id", None)
        credential = shared.credential(connection.credential_id) if connection.credential_id else None
        connector = shared.connector(connection.connector_id) if connection.connector_id else None
        if credential is not None:
            row["credential"] = credential.name
            credential_ids.add(credential.id)
        if connector is not None:
            row["connector"] = connector.name
            connector_ids.add(connector.id)
    extra: dict[str, list[dict[str, Any]]] = {}
    if credential_ids:
        extra["credentials"] = [
            credential_to_dict(c, with_id=False) for c in shared.credentials if c.id in credential_ids
        ]
    if connector_ids:
        extra["connectors"] = [connector_to_dict(c, with_id=False) for c in shared.connectors if c.id in connector_ids]
    return extra


# import: reading ----------------------------------------------------------------------------


def _short(name: object) -> str:
    text = repr(name)
    return text if len(text) <= 60 else text[:57] + "..."


def strip_references(item: Any, index: int, source: str) -> tuple[Any, tuple[str | None, str | None]]:
    """The item without stored ids, and the names it gives (``ValidationError`` for a bad one)."""
    if not isinstance(item, dict):
        return item, (None, None)
    names: list[str | None] = []
    for key in ("credential", "connector"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"Entry #{index} in {source}: {key} must be the name of a {key}.")
        names.append(value.strip() if value and value.strip() else None)
    cleaned = {k: v for k, v in item.items() if k not in REFERENCE_KEYS}
    return cleaned, (names[0], names[1])


def read_definitions(document: dict[str, Any], batch: ImportBatch, source: str) -> None:
    """The file's credential and connector definitions into ``batch`` (ids dropped)."""
    targets: tuple[tuple[str, str, Callable[[Any], Any], list[Any]], ...] = (
        ("credentials", "Credential", credential_from_dict, batch.credentials),
        ("connectors", "Connector", connector_from_dict, batch.connectors),
    )
    for key, noun, parse, target in targets:
        items = document.get(key, [])
        if not isinstance(items, list):
            raise ValidationError(f"{source}: {key} is not a list.")
        seen: set[str] = set()
        for index, item in enumerate(items, start=1):
            try:
                parsed = parse({k: v for k, v in item.items() if k != "id"} if isinstance(item, dict) else item)
            except ValueError as exc:
                raise ValidationError(f"{noun} #{index} in {source}: {exc}.") from None
            problems = validate_credential(parsed) if isinstance(parsed, Credential) else validate_connector(parsed)
            if problems:
                raise ValidationError(
                    f"{noun} #{index} ({_short(parsed.name)}) in {source}: {problems[0].field}: {problems[0].message}"
                )
            if name_key(parsed.name) in seen:
                raise ValidationError(f"{source} defines the {noun.lower()} {_short(parsed.name)} more than once.")
            seen.add(name_key(parsed.name))
            target.append(parsed)


# import: merging under the store's lock -----------------------------------------------------


def _differs(stored: Credential | Connector, incoming: Credential | Connector) -> bool:
    return stored != incoming.replace(id=stored.id)


def merge(
    batch: list[Connection],
    shared: SharedSettings,
    replace: bool,
    label: Callable[[int, Connection], str],
    report: SharedImport,
    *,
    stored: list[Connection],
) -> tuple[list[Connection], SharedSettings]:
    """The incoming connections with their references as stored ids, and the shared settings
    after the import (see the module's rules). ``stored``: the connections in the store before the
    import. Raises ``ValidationError``; changes nothing itself."""
    references = getattr(batch, "references", None) or [(None, None)] * len(batch)
    credentials, credential_ids = _merge_kind(
        list(shared.credentials), getattr(batch, "credentials", []), "credential", replace, report
    )
    connectors, connector_ids = _merge_kind(
        list(shared.connectors), getattr(batch, "connectors", []), "connector", replace, report
    )
    cleared = set(report.owners_to_clear)
    kept_passwords = {c.id for c in shared.credentials if (c.owner, "password") not in cleared}
    places = _places_by_credential(stored, kept_passwords)
    result = []
    for index, (connection, (credential, connector)) in enumerate(zip(batch, references, strict=True), start=1):
        changes: dict[str, str] = {}
        for name, ids, noun, key in (
            (credential, credential_ids, "credential", "credential_id"),
            (connector, connector_ids, "connector", "connector_id"),
        ):
            if name is None:
                continue
            found = ids.get(name_key(name))
            if found is None:
                raise ValidationError(
                    f"{label(index, connection)} uses the {noun} {_short(name)}, which neither the file nor "
                    f"smtpgui has: add it first ('smtpgui {noun} add {name} …') or remove the reference. "
                    "Nothing was imported."
                )
            changes[key] = found
        resolved = connection.replace(**changes) if changes else connection
        if resolved.credential_id in kept_passwords and binding_key(resolved) not in places.get(
            resolved.credential_id, ()
        ):
            raise ValidationError(
                f"{label(index, connection)} would sign in to {resolved.host!r} with the stored credential "
                f"{_short(credential)} and its password, which no connection of yours sends there this way: "
                "a file cannot choose where a stored password goes. Import it without the credential and "
                f"choose it yourself ('smtpgui edit NAME --credential {credential}') if you trust that "
                "server. Nothing was imported."
            )
        result.append(resolved)
    return result, shared.replace(credentials=tuple(credentials), connectors=tuple(connectors))


def _places_by_credential(stored: list[Connection], credential_ids: set[str]) -> dict[str, set[tuple[object, ...]]]:
    """Where each stored credential's password already goes (binding keys), in one pass."""
    places: dict[str, set[tuple[object, ...]]] = {}
    for connection in stored:
        if connection.credential_id in credential_ids:
            places.setdefault(connection.credential_id, set()).add(binding_key(connection))
    return places


def _merge_kind(
    stored: list[Any], incoming: list[Any], noun: str, replace: bool, report: SharedImport
) -> tuple[list[Any], dict[str, str]]:
    by_name = {name_key(item.name): index for index, item in enumerate(stored)}
    for item in incoming:
        index = by_name.get(name_key(item.name))
        if index is None:
            added = item.replace(id=new_id())
            by_name[name_key(added.name)] = len(stored)
            stored.append(added)
            report.added.append((noun, added.name))
            continue
        current = stored[index]
        if not _differs(current, item):
            continue
        moved = binding_changed(current, item)
        if moved and not replace:
            raise ValidationError(
                f"A {noun} called {current.name!r} exists already with another {', '.join(moved)}; "
                "use --replace to overwrite it (its stored password is then removed)."
            )
        if replace:
            stored[index] = item.replace(id=current.id, name=current.name)
            if moved:
                report.dropped.append((noun, current.name, moved))
                report.owners_to_clear.append((current.owner, "password" if noun == "credential" else "proxy-password"))
    return stored, {name_key(item.name): item.id for item in stored}
