"""Hostile JSON in the files smtpgui reads: deep nesting, lone surrogates, a byte-order mark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import ValidationError
from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import Connection
from smtpgui.storage import exchange
from smtpgui.storage.settings import SettingsStore
from smtpgui.storage.store import ConnectionStore

DEEP = '{"schema_version": 2, "connections": [{"name": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}]}"
SURROGATE = '{"schema_version": 2, "connections": [{"name": "bad \\ud800 name", "host": "a.example"}]}'
HOSTILE = {"deeply nested": DEEP, "lone surrogate": SURROGATE}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_parse_json_refuses_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match="nested too deeply|not valid Unicode"):
        parse_json(text.encode())


def test_parse_json_keeps_surrogate_pairs_and_accepts_a_bom() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_connections_file_is_moved_aside_and_the_backup_restored(tmp_path: Path, text: str) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.add(Connection(name="a", host="a.example"))
    store.add(Connection(name="b", host="b.example"))
    store.path.write_text(text)
    assert [c.name for c in store.load()] == ["a"]
    aside = list(store.config_dir.glob("connections.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == text
    assert "moved aside" in store.notices[0] and "restored" in store.notices[0]
    store.add(Connection(name="c", host="c.example"))  # the store works on


def test_a_connections_file_with_a_bom_is_read(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.add(Connection(name="a", host="a.example"))
    store.path.write_bytes(b"\xef\xbb\xbf" + store.path.read_bytes())
    assert [c.name for c in store.load()] == ["a"] and store.notices == []


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_settings_file_is_moved_aside_and_the_backup_restored(tmp_path: Path, text: str) -> None:
    settings = SettingsStore(tmp_path / "cfg")
    settings.save(AppSettings(default_from_address="one@example.test"))
    settings.save(AppSettings(default_from_address="two@example.test"))
    settings.path.write_text(text.replace('"connections"', '"x"'))
    assert settings.load().default_from_address == "one@example.test"
    assert len(list(settings.config_dir.glob("settings.json.corrupt-*"))) == 1
    assert "moved aside" in settings.notices[0]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_import_file_is_not_valid(tmp_path: Path, text: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(text.replace('"schema_version"', '"format": "smtpgui-connections", "schema_version"'))
    with pytest.raises(ValidationError, match=str(path)):
        exchange.read_import(path)


def test_an_import_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    document = exchange.export_document([Connection(name="a", host="a.example")])
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    assert [c.name for c in exchange.read_import(path)] == ["a"]


def test_a_nested_or_huge_value_in_an_import_entry_is_named_briefly(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    nested = "[" * 900 + "]" * 900
    path.write_text(
        '{"format": "smtpgui-connections", "connections": ['
        f'{{"name": "{"n" * 5000}", "host": {nested}}}, {{"name": "b", "security": {nested}}}]}}'
    )
    with pytest.raises(ValidationError) as caught:
        exchange.read_import(path)
    message = str(caught.value)
    assert "host must be text, not a list" in message and len(message) < 300 + len(str(path))
