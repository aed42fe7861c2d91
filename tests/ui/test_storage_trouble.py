"""The window with files it cannot write, and imports that move a connection elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from smtpgui.storage import logs


def test_a_log_that_cannot_be_written_shows_a_banner_and_the_window_works(  # type: ignore[no-untyped-def]
    make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the log folder's parent should be")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    monkeypatch.setattr(logs, "_problem", [])
    window = make_window()
    banner = window.findChild(QLabel, "keyringBanner")
    assert banner.isVisible() and str(blocker / "logs") in banner.text() and "without writing its log" in banner.text()
    assert window.model.rowCount() == 0


def _export_work(window, prompts, tmp_path: Path, **changes: object) -> None:  # type: ignore[no-untyped-def]
    import json

    prompts.save_path = str(tmp_path / "out.json")
    window.exchange.export_connections()
    document = json.loads(Path(prompts.save_path).read_text())
    document["connections"][0].update(changes)
    (tmp_path / "in.json").write_text(json.dumps(document))
    prompts.open_path = str(tmp_path / "in.json")


def test_the_windows_import_that_moves_a_connection_drops_its_password_and_says_so(  # type: ignore[no-untyped-def]
    window_with_work, prompts, keyring_backend, tmp_path: Path
) -> None:
    window = window_with_work
    work = window.model.connections()[0]
    _export_work(window, prompts, tmp_path, host="evil.example", security="none", mechanism="plain")
    prompts.replace_ok = True
    window.exchange.import_connections()
    assert "replace:Work" in prompts.asked
    assert ("smtpgui", f"{work.id}:password") not in keyring_backend.entries
    assert [c.host for c in window.model.connections()] == ["evil.example"]
    said = " ".join(text for _, text in prompts.messages)
    assert "Work" in said and "removed" in said and "host" in said


def test_the_windows_import_that_keeps_the_endpoint_keeps_the_password(  # type: ignore[no-untyped-def]
    window_with_work, prompts, keyring_backend, tmp_path: Path
) -> None:
    window = window_with_work
    work = window.model.connections()[0]
    _export_work(window, prompts, tmp_path, description="restored from a backup")
    prompts.replace_ok = True
    window.exchange.import_connections()
    assert keyring_backend.entries[("smtpgui", f"{work.id}:password")] == "original-password"
    assert window.model.connections()[0].description == "restored from a backup"


def test_the_windows_import_replaces_nothing_unless_asked(  # type: ignore[no-untyped-def]
    window_with_work, prompts, keyring_backend, tmp_path: Path
) -> None:
    window = window_with_work
    _export_work(window, prompts, tmp_path, host="evil.example")
    prompts.replace_ok = False
    window.exchange.import_connections()
    assert [c.host for c in window.model.connections()] == ["work.example.com"]


def test_saving_mine_over_a_moved_connection_drops_the_secret_set_for_the_new_place(  # type: ignore[no-untyped-def]
    window_with_work, prompts, keyring_backend, config_dir: Path
) -> None:
    """Another program moved the connection and stored a password for the new server; the user,
    who never touched the host, saves their older version over it: that password must not
    follow the connection back to the old host."""
    from smtpgui.storage.store import ConnectionStore

    window = window_with_work
    work = window.model.connections()[0]
    window.select_connection(work.id)
    ConnectionStore(config_dir).modify(work.id, lambda c: c.replace(host="new.example.com"))
    keyring_backend.set_password("smtpgui", f"{work.id}:password", "password-for-new-host")
    window.editor.main_tab.widgets["description"].setPlainText("my edit")  # type: ignore[attr-defined]
    prompts.overwrite = True
    assert window.connections.save()
    assert "conflict:Work" in prompts.asked
    assert ConnectionStore(config_dir).load()[0].host == "work.example.com"
    assert ("smtpgui", f"{work.id}:password") not in keyring_backend.entries


def test_a_keyring_that_drops_secrets_becomes_the_banner(make_window, config_dir: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    from smtpgui.core.model import AuthMode, Connection
    from smtpgui.storage.store import ConnectionStore
    from tests.support.keyrings import DropsKeyring

    alpha = ConnectionStore(config_dir).add(
        Connection(name="Alpha", host="alpha.example.com", auth_mode=AuthMode.PASSWORD, username="me")
    )
    window = make_window(DropsKeyring())
    window.select_connection(alpha.id)
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "kept-in-memory-pw")
    assert window.connections.save()
    banner = window.findChild(QLabel, "keyringBanner")
    assert banner.isVisible() and "DropsKeyring" in banner.text() and "does not give it back" in banner.text()
    assert window.services.secrets.get(alpha.id, "password") == "kept-in-memory-pw"  # type: ignore[arg-type]


def test_a_keyring_that_never_answers_becomes_the_banner(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from PySide6.QtWidgets import QLineEdit

    from smtpgui.core.model import AuthMode, Connection
    from smtpgui.storage.store import ConnectionStore
    from tests.support.keyrings import HangingKeyring

    monkeypatch.setenv("SMTPGUI_KEYRING_TIMEOUT", "0.3")
    alpha = ConnectionStore(config_dir).add(
        Connection(name="Alpha", host="alpha.example.com", auth_mode=AuthMode.PASSWORD, username="me")
    )
    release = threading.Event()
    try:
        window = make_window(HangingKeyring(release))
        window.select_connection(alpha.id)
        qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "kept-in-memory-pw")
        assert window.connections.save()
        banner = window.findChild(QLabel, "keyringBanner")
        qtbot.waitUntil(lambda: banner.isVisible() and "did not answer" in banner.text())
        assert window.services.secrets.get(alpha.id, "password") == "kept-in-memory-pw"  # type: ignore[arg-type]
    finally:
        release.set()


def test_a_log_that_fails_later_in_the_session_shows_the_banner(  # type: ignore[no-untyped-def]
    make_window, tmp_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import logging
    import threading

    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "logs"))
    monkeypatch.setattr(logs, "_problem", [])
    window = make_window()
    banner = window.findChild(QLabel, "keyringBanner")
    assert not banner.isVisible()
    handler = next(h for h in logs.log.handlers if h.get_name() == "smtpgui-file")
    assert isinstance(handler, logging.FileHandler)

    class FullDisk:
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self) -> None: ...

        def close(self) -> None: ...

        def seek(self, *args: object) -> int:
            return 0

        def tell(self) -> int:
            return 0

    monkeypatch.setattr(handler, "stream", FullDisk())
    worker = threading.Thread(target=logs.log.info, args=("a line from a worker",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: banner.isVisible() and "the disk is full" in banner.text())


def test_the_windows_export_refuses_a_symlink_or_a_fifo_and_says_so(  # type: ignore[no-untyped-def]
    window_with_work, prompts, tmp_path: Path
) -> None:
    import os
    import stat

    target = tmp_path / "target.json"
    target.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (link, fifo):
        prompts.messages.clear()
        prompts.save_path = str(path)
        window_with_work.exchange.export_connections()
        assert [title for title, _text in prompts.messages] == ["Cannot export"]
        assert str(path) in prompts.messages[0][1] and "not a regular file" in prompts.messages[0][1]
    assert link.is_symlink() and target.read_text() == "keep" and stat.S_ISFIFO(os.lstat(fifo).st_mode)
