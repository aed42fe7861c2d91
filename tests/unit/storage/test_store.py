"""The connections file: atomic writes, backups, damaged and newer files, migrations, invariants."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from smtpgui.core.errors import NotFoundError, StorageError, ValidationError
from smtpgui.core.model import Connection
from smtpgui.storage import atomic
from smtpgui.storage.migrations import SCHEMA_VERSION, migrate
from smtpgui.storage.store import ConnectionStore


def conn(name: str, **changes: object) -> Connection:
    return Connection(name=name, host="smtp.example.com").replace(**changes)


@pytest.fixture
def store(tmp_path: Path) -> ConnectionStore:
    return ConnectionStore(tmp_path / "cfg")


def test_empty_store_and_first_connection_becomes_default(store: ConnectionStore) -> None:
    assert store.load() == []
    added = store.add(conn("a"))
    assert added.is_default
    document = json.loads(store.path.read_text())
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["connections"][0]["name"] == "a"


def test_file_is_private_to_the_user(store: ConnectionStore) -> None:
    store.add(conn("a"))
    assert store.path.stat().st_mode & 0o077 == 0


def test_backup_keeps_the_previous_good_file(store: ConnectionStore) -> None:
    store.add(conn("a"))
    first = store.path.read_text()
    store.add(conn("b"))
    assert store.backup_path.read_text() == first
    assert [c.name for c in store.load()] == ["a", "b"]


def test_only_one_default(store: ConnectionStore) -> None:
    a = store.add(conn("a"))
    b = store.add(conn("b", is_default=True))
    assert [c.is_default for c in store.load()] == [False, True]
    store.set_default(a.id)
    assert [c.is_default for c in store.load()] == [True, False]
    with pytest.raises(ValidationError, match="default"):
        store.delete(a.id)
    store.delete(a.id, new_default_id=b.id)
    assert [(c.name, c.is_default) for c in store.load()] == [("b", True)]
    store.delete(b.id)  # the last one may go without a new default
    assert store.load() == []


def test_invalid_connections_and_clashes_are_refused(store: ConnectionStore) -> None:
    store.add(conn("Work"))
    with pytest.raises(ValidationError, match="already called"):
        store.add(conn("work"))
    with pytest.raises(ValidationError, match="port"):
        store.add(conn("x", port=0))
    assert [c.name for c in store.load()] == ["Work"]


def test_missing_connection(store: ConnectionStore) -> None:
    with pytest.raises(NotFoundError, match="smtpgui list"):
        store.get("ghost")


def test_damaged_file_is_moved_aside_and_backup_restored(store: ConnectionStore) -> None:
    store.add(conn("a"))
    store.add(conn("b"))
    store.path.write_text('{"schema_version": 1, "connections": [')
    loaded = store.load()
    assert [c.name for c in loaded] == ["a"]  # the .bak held the file before "b" was added
    aside = list(store.config_dir.glob("connections.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text().endswith("[")
    assert "moved aside" in store.notices[0] and "restored" in store.notices[0]


def test_damaged_file_without_backup_starts_empty_but_keeps_the_file(store: ConnectionStore) -> None:
    store.config_dir.mkdir()
    store.path.write_bytes(b"\xff\xfe garbage")
    assert store.load() == []
    assert len(list(store.config_dir.glob("connections.json.corrupt-*"))) == 1
    assert "moved aside" in store.notices[0]


def test_file_from_a_newer_version_is_refused_untouched(store: ConnectionStore) -> None:
    store.config_dir.mkdir()
    newer = json.dumps({"schema_version": SCHEMA_VERSION + 1, "connections": [], "future": 1})
    store.path.write_text(newer)
    with pytest.raises(StorageError, match="newer smtpgui"):
        store.load()
    with pytest.raises(StorageError, match="newer smtpgui"):
        store.add(conn("a"))
    assert store.path.read_text() == newer


def test_unreadable_entry_is_refused_untouched(store: ConnectionStore) -> None:
    store.config_dir.mkdir()
    text = json.dumps({"schema_version": 1, "connections": [{"name": "a", "port": "x"}]})
    store.path.write_text(text)
    with pytest.raises(StorageError, match="Connection #1"):
        store.load()
    assert store.path.read_text() == text


def test_config_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "cfg"
    blocker.write_text("not a folder")
    store = ConnectionStore(blocker)
    with pytest.raises(StorageError, match="not a folder"):
        store.add(conn("a"))
    assert blocker.read_text() == "not a folder"


def test_failed_write_keeps_the_old_file(store: ConnectionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add(conn("a"))
    before = store.path.read_text()

    def full_disk(*args: object, **kwargs: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "_write_temp", full_disk)
    with pytest.raises(StorageError, match="disk is full.*unchanged"):
        store.add(conn("b"))
    assert store.path.read_text() == before
    assert not list(store.config_dir.glob(".connections.json.*.tmp"))


def test_migration_steps_chain() -> None:
    steps = {
        1: lambda d: {**d, "connections": [{**c, "port": int(c["port"])} for c in d["connections"]]},
        2: lambda d: {**d, "renamed": True},
    }
    document = {"schema_version": 1, "connections": [{"name": "a", "port": "25"}]}
    migrated = migrate(document, target=3, steps=steps)
    assert migrated == {"schema_version": 3, "connections": [{"name": "a", "port": 25}], "renamed": True}
    with pytest.raises(ValueError, match="no migration from schema version 3"):
        migrate(migrated, target=4, steps=steps)
    with pytest.raises(ValueError, match="whole number"):
        migrate({"connections": []})


def test_current_schema_needs_no_migration() -> None:
    document = {"schema_version": SCHEMA_VERSION, "connections": []}
    assert migrate(document) == document


def _writer(folder: str, prefix: str, count: int) -> None:
    store = ConnectionStore(Path(folder))
    for i in range(count):
        store.add(Connection(name=f"{prefix}{i}", host="smtp.example.com"))


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(str(folder), p, 25)) for p in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    names = {c.name for c in ConnectionStore(folder).load()}
    assert names == {f"{p}{i}" for p in ("a", "b") for i in range(25)}
    assert sum(c.is_default for c in ConnectionStore(folder).load()) == 1


def test_permission_denied_is_explained_and_clobbers_nothing(
    store: ConnectionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(conn("a"))
    before = store.path.read_text()

    def denied(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    # CI runs as root, which no chmod stops; refuse the final rename the way a read-only
    # folder owned by someone else would.
    monkeypatch.setattr(atomic.os, "replace", denied)
    with pytest.raises(StorageError, match="permission was denied"):
        store.add(conn("b"))
    monkeypatch.undo()
    assert store.path.read_text() == before


def test_schema_1_oauth2_connections_get_their_provider_from_the_host(tmp_path: Path) -> None:
    document = {
        "schema_version": 1,
        "connections": [
            {"name": "g", "host": "smtp.gmail.com", "auth_mode": "oauth2", "username": "u"},
            {"name": "m", "host": "SMTP.office365.com.", "auth_mode": "oauth2", "username": "u"},
            {"name": "o", "host": "mail.example.com", "auth_mode": "oauth2", "username": "u"},
            {"name": "p", "host": "smtp.gmail.com", "auth_mode": "password", "username": "u"},
        ],
    }
    store = ConnectionStore(tmp_path)
    store.path.write_text(json.dumps(document))
    by_name = {c.name: c.oauth_provider.value for c in store.load()}
    assert by_name == {"g": "google", "m": "microsoft", "o": "custom", "p": "custom"}
    store.update(lambda connections: connections)
    assert json.loads(store.path.read_text())["schema_version"] == SCHEMA_VERSION == 3


def test_the_per_user_folders_are_the_ones_platformdirs_gives(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On Linux the folders follow the XDG rule without loading platformdirs (start-up time): the
    same answer platformdirs gives, with and without the XDG variables, relative ones ignored."""
    import sys

    from platformdirs import PlatformDirs

    from smtpgui.storage.paths import user_config_dir, user_log_dir

    monkeypatch.setattr(sys, "platform", "linux")
    for config_home, state_home in ((None, None), (str(tmp_path / "c"), str(tmp_path / "s")), ("relative", "rel")):
        for name, value in (("XDG_CONFIG_HOME", config_home), ("XDG_STATE_HOME", state_home)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        expected = PlatformDirs("smtpgui", appauthor=False)
        assert str(user_config_dir()) == expected.user_config_dir
        assert str(user_log_dir()) == expected.user_log_dir
