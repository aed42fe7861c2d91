"""Schema 3 (issue 20): read confirmation is switched on and off apart from its address.

A schema-2 connection with ``read_receipt_to`` set always sent Disposition-Notification-To, so the
step turns ``send_read_receipt`` on for it; a schema-3 file is read as written; a newer file is
refused untouched; an export of the previous schema is brought up the same way on import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpgui.core.errors import StorageError, ValidationError
from smtpgui.storage.exchange import FORMAT, parse_import
from smtpgui.storage.migrations import SCHEMA_VERSION, migrate
from smtpgui.storage.store import ConnectionStore


def test_the_current_schema_is_3() -> None:
    assert SCHEMA_VERSION == 3


def test_a_schema_2_file_keeps_sending_read_confirmations(tmp_path: Path) -> None:
    document = {
        "schema_version": 2,
        "connections": [
            {"name": "with", "host": "h", "read_receipt_to": "dnt@example.org"},
            {"name": "without", "host": "h"},
            {"name": "empty", "host": "h", "read_receipt_to": ""},
        ],
    }
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    by_name = {c.name: c for c in store.load()}
    assert by_name["with"].send_read_receipt is True
    assert by_name["with"].read_receipt_to == "dnt@example.org"
    assert by_name["without"].send_read_receipt is False
    assert by_name["empty"].send_read_receipt is False
    store.update(lambda connections: connections)
    written = json.loads(store.path.read_text())
    assert written["schema_version"] == 3
    assert {c["name"]: c.get("send_read_receipt", False) for c in written["connections"]} == {
        "with": True,
        "without": False,
        "empty": False,
    }


def test_a_schema_1_file_goes_through_both_steps() -> None:
    document = {
        "schema_version": 1,
        "connections": [
            {"name": "g", "host": "smtp.gmail.com", "auth_mode": "oauth2", "read_receipt_to": "r@example.org"}
        ],
    }
    migrated = migrate(document)
    assert migrated["schema_version"] == 3
    assert migrated["connections"][0]["oauth_provider"] == "google"
    assert migrated["connections"][0]["send_read_receipt"] is True


def test_a_schema_3_file_is_read_as_written(tmp_path: Path) -> None:
    # The current release writes the switch itself: an address kept with the switch off stays off.
    document = {
        "schema_version": 3,
        "connections": [
            {"name": "off", "host": "h", "read_receipt_to": "dnt@example.org"},
            {"name": "on", "host": "h", "send_read_receipt": True},
        ],
    }
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    by_name = {c.name: c for c in store.load()}
    assert by_name["off"].send_read_receipt is False
    assert by_name["off"].read_receipt_to == "dnt@example.org"
    assert by_name["on"].send_read_receipt is True


def test_a_schema_4_file_is_refused_untouched(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path)
    newer = json.dumps({"schema_version": 4, "connections": [{"name": "a"}], "future": 1})
    store.path.write_text(newer)
    with pytest.raises(StorageError, match="newer smtpgui"):
        store.load()
    assert store.path.read_text() == newer


def test_a_schema_2_step_leaves_odd_entries_to_the_reader() -> None:
    document = {"schema_version": 2, "connections": ["junk", {"name": "x", "read_receipt_to": 5}]}
    migrated = migrate(document)
    # not a dict, or not text: the step does not guess; reading the entry reports it later
    assert migrated["connections"] == ["junk", {"name": "x", "read_receipt_to": 5}]


def test_an_export_of_schema_2_is_migrated_on_import() -> None:
    document = {
        "format": FORMAT,
        "schema_version": 2,
        "connections": [{"name": "with", "host": "h", "read_receipt_to": "dnt@example.org"}],
    }
    (connection,) = parse_import(document)
    assert connection.send_read_receipt is True


def test_an_export_of_schema_4_is_refused() -> None:
    document = {"format": FORMAT, "schema_version": 4, "connections": []}
    with pytest.raises(ValidationError, match="newer smtpgui"):
        parse_import(document)


def test_a_schema_2_graph_connection_keeps_signing_in_with_the_client_secret(tmp_path: Path) -> None:
    # Version 2 ignored auth_mode for Graph; version 3 reads "password" as a user's password.
    document = {
        "schema_version": 2,
        "connections": [
            {"name": "g", "kind": "graph", "auth_mode": "password", "username": "u@example.com"},
            {"name": "s", "kind": "smtp", "host": "h", "auth_mode": "password", "username": "u"},
        ],
    }
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    by_name = {c.name: c.auth_mode.value for c in store.load()}
    assert by_name == {"g": "none", "s": "password"}


def test_a_schema_3_graph_connection_with_a_user_password_is_read_as_written(tmp_path: Path) -> None:
    document = {
        "schema_version": 3,
        "connections": [{"name": "g", "kind": "graph", "auth_mode": "password", "username": "u@example.com"}],
    }
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    assert store.load()[0].auth_mode.value == "password"


# schema 3, part two (issue 20, items 1 and 2): shared credentials and connectors ---------------


def test_a_schema_2_file_gains_empty_credentials_and_connectors(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps({"schema_version": 2, "connections": [{"name": "a", "host": "h"}]}))
    connections, shared = store.load_all()
    assert [c.name for c in connections] == ["a"]
    assert connections[0].credential_id == "" and connections[0].connector_id == ""
    assert shared.credentials == () and shared.connectors == ()
    assert migrate({"schema_version": 2, "connections": []})["credentials"] == []


def test_a_schema_3_file_with_credentials_and_connectors_loads_and_is_written_back(tmp_path: Path) -> None:
    credential_id, connector_id = "6f1c7d0e-6c1e-4a43-9d39-5c2d1e0a9b11", "0b7a8a8c-3f55-4c3e-8f0d-1a2b3c4d5e6f"
    document = {
        "schema_version": 3,
        "connections": [
            {"name": "a", "host": "h", "auth_mode": "password", "credential_id": credential_id,
             "connector_id": connector_id},
        ],
        "credentials": [{"id": credential_id, "name": "Corp", "username": "alice", "domain": "ACME",
                         "mechanism": "login", "description": ""}],
        "connectors": [{"id": connector_id, "name": "Office", "proxy_type": "http", "host": "proxy.example",
                        "port": 3128, "username": "", "domain": "", "remote_dns": True, "description": ""}],
    }  # fmt: skip
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    connections, shared = store.load_all()
    assert connections[0].credential_id == credential_id and connections[0].connector_id == connector_id
    assert [(c.name, c.username, c.domain, c.mechanism.value) for c in shared.credentials] == [
        ("Corp", "alice", "ACME", "login")
    ]
    assert [(c.name, c.proxy_type.value, c.host, c.port) for c in shared.connectors] == [
        ("Office", "http", "proxy.example", 3128)
    ]
    store.update(lambda cs: [c.replace(description="edited") for c in cs])
    written = json.loads(store.path.read_text())
    assert written["credentials"] == document["credentials"]
    assert written["connectors"] == document["connectors"]


def test_a_schema_4_file_with_shared_settings_is_refused_untouched(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path)
    newer = json.dumps({"schema_version": 4, "connections": [], "credentials": [{"name": "x", "vault": 1}]})
    store.path.write_text(newer)
    with pytest.raises(StorageError, match="newer smtpgui"):
        store.load_shared()
    assert store.path.read_text() == newer


def test_a_damaged_credential_entry_is_reported_and_left_untouched(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path)
    text = json.dumps({"schema_version": 3, "connections": [], "credentials": [{"name": "x", "username": 5}]})
    store.path.write_text(text)
    with pytest.raises(StorageError, match="Credential #1"):
        store.load()
    assert store.path.read_text() == text
