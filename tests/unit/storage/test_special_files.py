"""Hostile files where smtpgui expects its own: named pipes (FIFOs), devices, folders, symbolic
link loops and huge files are refused with a sentence, at once, and left where they are.

Only FIFOs and links made under ``tmp_path`` are used; a link to ``/dev/zero`` is only read.
Every call that could block on a FIFO runs through :func:`_soon`, which fails (and unblocks the
call) instead of hanging when a regression opens the FIFO without ``O_NONBLOCK``.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import StorageError, ValidationError
from smtpgui.core.model import Connection
from smtpgui.storage import exchange, logs
from smtpgui.storage.atomic import atomic_write_json, file_lock
from smtpgui.storage.results import ResultStore, StoredResult
from smtpgui.storage.settings import SettingsStore
from smtpgui.storage.store import ConnectionStore

T = TypeVar("T")
BIG = 300 * 1024 * 1024  # past the 256 MB limit; made sparse, so it costs no disk


def _soon(fifo: Path, call: Callable[[], T]) -> T:
    """``call()``'s value or exception; a call still blocked after 10 s fails the test."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # the other end: the blocked open returns
        os.close(fd)
        thread.join(10)
        pytest.fail(f"blocked on the FIFO {fifo}")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def _is_fifo(path: Path) -> bool:
    return stat.S_ISFIFO(os.lstat(path).st_mode)


def _sparse(path: Path, size: int = BIG) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


# the shared read --------------------------------------------------------------------------


def test_the_shared_read_refuses_a_fifo_a_device_and_a_folder_at_once(tmp_path: Path) -> None:
    from smtpgui.storage.private import MAX_DATA_BYTES, describe_os_error, read_file

    fifo = _fifo(tmp_path / "pipe")
    with pytest.raises(OSError) as caught:
        _soon(fifo, lambda: read_file(fifo, MAX_DATA_BYTES))
    assert (
        describe_os_error(caught.value, fifo, "read")
        == f"Could not read {fifo}: it is a named pipe (FIFO), not a regular file."
    )
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    with pytest.raises(OSError, match="device"):
        read_file(zero, MAX_DATA_BYTES)
    with pytest.raises(OSError, match="folder"):
        read_file(tmp_path, MAX_DATA_BYTES)


def test_the_shared_read_caps_the_size(tmp_path: Path) -> None:
    from smtpgui.storage.private import describe_os_error, read_file

    path = tmp_path / "f.json"
    path.write_bytes(b"x" * 2000)
    assert read_file(path, 2000) == b"x" * 2000
    with pytest.raises(OSError) as caught:
        read_file(path, 1000)
    assert "larger than" in describe_os_error(caught.value, path, "read")


def test_open_private_never_changes_the_mode_of_what_is_not_a_regular_file(tmp_path: Path) -> None:
    # As root, a lock or log file linked to /dev/zero had /dev/zero narrowed to 0600 (for everyone).
    from smtpgui.storage.private import open_private

    fifo = _fifo(tmp_path / "pipe")
    fifo.chmod(0o644)
    fd = _soon(fifo, lambda: open_private(fifo, os.O_RDWR | os.O_CREAT))
    os.close(fd)
    assert stat.S_IMODE(os.lstat(fifo).st_mode) == 0o644


# connections.json and its lock -------------------------------------------------------------


def test_a_fifo_as_the_connections_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    fifo = _fifo(store.path)
    for call in (store.load, lambda: store.add(Connection(name="a", host="a.example.test"))):
        with pytest.raises(StorageError, match="named pipe") as caught:
            _soon(fifo, call)
        assert str(store.path) in str(caught.value)
    assert _is_fifo(store.path) and not store.notices
    assert sorted(p.name for p in store.config_dir.iterdir()) == ["connections.json", "connections.json.lock"]


def test_a_connections_file_linked_to_dev_zero_is_refused_and_left_alone(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.config_dir.mkdir()
    store.path.symlink_to("/dev/zero")
    with pytest.raises(StorageError, match="device"):
        store.load()
    with pytest.raises(StorageError, match="device"):
        store.add(Connection(name="a", host="a.example.test"))
    assert os.readlink(store.path) == "/dev/zero" and not store.notices


def test_a_huge_connections_file_is_refused_unread(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    _sparse(store.path)
    with pytest.raises(StorageError, match="larger than"):
        store.load()
    assert store.path.stat().st_size == BIG  # not moved aside, not replaced


def test_a_lock_file_that_is_a_symlink_loop_is_a_storage_error(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.config_dir.mkdir()
    store.lock_path.symlink_to(store.lock_path)
    for call in (store.load, lambda: store.add(Connection(name="a", host="a.example.test"))):
        with pytest.raises(StorageError) as caught:
            call()
        assert str(store.lock_path) in str(caught.value)


def test_a_lock_file_that_is_a_fifo_is_a_storage_error_at_once(tmp_path: Path) -> None:
    lock = _fifo(tmp_path / "cfg" / "connections.json.lock")
    for reading in (True, False):

        def hold(reading: bool = reading) -> None:
            with file_lock(lock, reading=reading):
                pass

        with pytest.raises(StorageError, match="named pipe"):
            _soon(lock, hold)
    assert _is_fifo(lock)


def test_saving_over_a_fifo_keeps_the_fifo(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "cfg" / "x.json")
    with pytest.raises(StorageError, match="named pipe"):
        _soon(fifo, lambda: atomic_write_json(fifo, {"a": 1}))
    assert _is_fifo(fifo)


# settings.json ------------------------------------------------------------------------------


def test_a_fifo_as_the_settings_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "cfg")
    fifo = _fifo(settings.path)
    with pytest.raises(StorageError, match="named pipe"):
        _soon(fifo, settings.load)
    with pytest.raises(StorageError, match="named pipe"):
        _soon(fifo, lambda: settings.save(AppSettings(default_from_address="a@example.test")))
    assert _is_fifo(settings.path) and not settings.notices


def test_a_settings_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "cfg")
    settings.config_dir.mkdir()
    settings.path.symlink_to("/dev/zero")
    with pytest.raises(StorageError, match="device"):
        settings.load()
    assert os.readlink(settings.path) == "/dev/zero"


def test_a_huge_settings_file_is_refused(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "cfg")
    _sparse(settings.path, 64 * 1024 * 1024)
    with pytest.raises(StorageError, match="larger than"):
        settings.load()


def test_a_settings_file_from_a_newer_smtpgui_is_read_but_never_overwritten(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "cfg")
    settings.config_dir.mkdir()
    newer = {"schema_version": 99, "default_from_address": "old@example.test", "theme": "dark"}
    settings.path.write_text(json.dumps(newer))
    assert settings.load().default_from_address == "old@example.test"
    with pytest.raises(StorageError, match="settings.json is from a newer smtpgui"):
        settings.save(AppSettings(default_from_address="new@example.test"))
    assert json.loads(settings.path.read_text()) == newer


# import and export -------------------------------------------------------------------------


def test_importing_a_fifo_a_device_or_a_huge_file_is_refused_naming_it(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path / "in.fifo")
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    huge = _sparse(tmp_path / "huge.json")
    for path in (fifo, zero, huge):
        with pytest.raises(ValidationError) as caught:
            _soon(fifo, lambda path=path: exchange.read_import(path))
        assert str(path) in str(caught.value)


def test_export_refuses_a_symlink_or_a_fifo_and_leaves_both(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text('{"orig": 1}')
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = _fifo(tmp_path / "pipe")
    connections = [Connection(name="a", host="a.example.test")]
    for path in (link, fifo):
        with pytest.raises(ValidationError, match="not a regular file") as caught:
            _soon(fifo, lambda path=path: exchange.write_export(path, connections))
        assert str(path) in str(caught.value)
    assert link.is_symlink() and target.read_text() == '{"orig": 1}' and _is_fifo(fifo)
    regular = tmp_path / "old.json"
    regular.write_text("{}")
    exchange.write_export(regular, connections)  # a regular file is replaced as before
    assert json.loads(regular.read_text())["connections"][0]["name"] == "a"


# the log and the last results ---------------------------------------------------------------


def test_a_fifo_as_the_log_file_is_reported_once_and_never_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(logs.LOG_DIR_ENV, raising=False)
    monkeypatch.setattr(logs, "_problem", [])
    fifo = _fifo(tmp_path / "config" / "logs" / "smtpgui.log")
    assert _soon(fifo, lambda: logs.setup_logging(tmp_path / "config")) is None
    problem = logs.log_problem()
    assert problem is not None and str(fifo) in problem
    assert capsys.readouterr().err.count("smtpgui: ") == 1
    assert _is_fifo(fifo)


def test_a_fifo_as_the_results_file_is_never_read_nor_replaced(tmp_path: Path) -> None:
    results = ResultStore(tmp_path / "cfg")
    fifo = _fifo(results.path)
    assert _soon(fifo, results.load) == {}
    with pytest.raises(StorageError, match="named pipe"):
        _soon(fifo, lambda: results.record("id", StoredResult(True, "done", 1.0)))
    assert _is_fifo(fifo)


def test_a_damaged_connections_file_linked_elsewhere_is_moved_aside_without_touching_the_target(
    tmp_path: Path,
) -> None:
    # As root, narrowing the moved-aside link's target made any file it pointed to (/etc/passwd) 0600.
    target = tmp_path / "elsewhere.txt"
    target.write_text("not json")
    target.chmod(0o644)
    store = ConnectionStore(tmp_path / "cfg")
    store.config_dir.mkdir()
    store.path.symlink_to(target)
    assert store.load() == [] and store.notices
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_text() == "not json"


def test_a_lock_file_that_is_a_dangling_link_creates_nothing_where_it_points(tmp_path: Path) -> None:
    store = ConnectionStore(tmp_path / "cfg")
    store.config_dir.mkdir()
    elsewhere = tmp_path / "elsewhere" / "created-by-smtpgui"
    elsewhere.parent.mkdir()
    store.lock_path.symlink_to(elsewhere)
    with pytest.raises(StorageError, match="symbolic link"):
        store.add(Connection(name="a", host="a.example.test"))
    assert not elsewhere.exists()


def test_a_private_file_reached_through_a_link_keeps_the_targets_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A link planted in a folder smtpgui writes (as root, say) never narrows the file it points at."""
    import os
    import stat

    from smtpgui.storage.private import open_private

    target = tmp_path / "someone-elses-file"
    target.write_text("keep me readable\n")
    target.chmod(0o644)
    link = tmp_path / "smtpgui.log"
    link.symlink_to(target)
    os.close(open_private(link, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
