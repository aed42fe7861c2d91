"""The window under faults: other writers, a full disk, a broken keyring. Nothing is lost."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox

from smtpgui.core.model import AuthMode, Connection
from smtpgui.storage import atomic
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab
from tests.support.keyrings import RaisingKeyring
from tests.support.prompts import ScriptedPrompts


def _seed(config_dir: Path) -> tuple[Connection, Connection]:
    store = ConnectionStore(config_dir)
    return (
        store.add(Connection(name="Alpha", host="alpha.example.com")),
        store.add(Connection(name="Beta", host="beta.example.com")),
    )


def _edit_host(window, qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    host = window.findChild(QLineEdit, "hostEdit")
    host.clear()
    qtbot.keyClicks(host, text)


def test_saving_keeps_what_another_program_changed_meanwhile(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    alpha, beta = _seed(config_dir)
    window = make_window()
    window.select_connection(alpha.id)
    # Meanwhile a CLI changes Beta and adds a connection.
    other = ConnectionStore(config_dir)
    other.modify(beta.id, lambda c: c.replace(port=2525))
    other.add(Connection(name="Gamma", host="gamma.example.com"))
    _edit_host(window, qtbot, "alpha2.example.com")
    assert window.connections.save()
    stored = {c.name: c for c in ConnectionStore(config_dir).load()}
    assert stored["Alpha"].host == "alpha2.example.com"
    assert stored["Beta"].port == 2525
    assert "Gamma" in stored


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_edit_of_the_same_connection_elsewhere_is_not_silently_undone(  # type: ignore[no-untyped-def]
    make_window, config_dir, prompts: ScriptedPrompts, qtbot, overwrite: bool
) -> None:
    alpha, _ = _seed(config_dir)
    window = make_window()
    window.select_connection(alpha.id)
    ConnectionStore(config_dir).modify(alpha.id, lambda c: c.replace(port=2525))
    _edit_host(window, qtbot, "mine.example.com")
    prompts.overwrite = overwrite
    assert window.connections.save() is overwrite
    assert prompts.asked == ["conflict:Alpha"]
    stored = ConnectionStore(config_dir).get("Alpha")
    if overwrite:
        assert stored.host == "mine.example.com" and stored.port == alpha.port
    else:
        assert stored.host == "alpha.example.com" and stored.port == 2525
        # The editor now shows what was saved elsewhere, with nothing pending.
        assert window.findChild(QSpinBox, "portSpin").value() == 2525
        assert not window.editor.is_dirty()


def test_toggling_enabled_does_not_write_back_a_stale_copy(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    alpha, _ = _seed(config_dir)
    window = make_window()
    window.select_connection(alpha.id)
    ConnectionStore(config_dir).modify(alpha.id, lambda c: c.replace(description="changed by the CLI"))
    window.connections.toggle_enabled()
    stored = ConnectionStore(config_dir).get("Alpha")
    assert stored.enabled is False
    assert stored.description == "changed by the CLI"


def test_disk_full_while_saving_keeps_the_file_and_the_edits(  # type: ignore[no-untyped-def]
    make_window, config_dir, prompts: ScriptedPrompts, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, _ = _seed(config_dir)
    window = make_window()
    window.select_connection(alpha.id)
    before = (config_dir / "connections.json").read_bytes()
    real_fsync = atomic.os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    _edit_host(window, qtbot, "unsaved.example.com")
    assert not window.connections.save()
    title, text = prompts.messages[-1]
    assert title == "Cannot save" and "disk is full" in text and "previous file is unchanged" in text
    assert (config_dir / "connections.json").read_bytes() == before
    assert window.editor.is_dirty()
    assert window.findChild(QLineEdit, "hostEdit").text() == "unsaved.example.com"
    # Once there is room again, the same Save works.
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert window.connections.save()
    assert ConnectionStore(config_dir).get("Alpha").host == "unsaved.example.com"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (__import__("keyring.errors").errors.PasswordSetError("Prompt dismissed"), "Prompt dismissed"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_a_failing_keyring_write_becomes_a_banner_and_session_only_secret(  # type: ignore[no-untyped-def]
    make_window, config_dir, qtbot, error: BaseException, words: str
) -> None:
    alpha = ConnectionStore(config_dir).add(
        Connection(name="Alpha", host="alpha.example.com", auth_mode=AuthMode.PASSWORD, username="me")
    )
    window = make_window(RaisingKeyring(error))
    window.select_connection(alpha.id)
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "only-in-memory-pw")
    assert window.connections.save()
    banner = window.findChild(QLabel, "keyringBanner")
    assert banner.isVisible() and words in banner.text() and "session only" in banner.text()
    assert window.services.secrets.session_only
    assert window.services.secrets.get(alpha.id, "password") == "only-in-memory-pw"  # type: ignore[arg-type]
    for path in config_dir.rglob("*"):
        if path.is_file():
            assert b"only-in-memory-pw" not in path.read_bytes(), path


def test_verify_off_is_warned_on_the_card_and_in_the_editor(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.core.model import Security
    from smtpgui.ui.delegate import _badge

    store = ConnectionStore(config_dir)
    unchecked = store.add(Connection(name="Unchecked", host="a.example.com", security=Security.TLS, verify=False))
    pinned = store.add(unchecked.replace(id="pinned-id", name="Pinned", pinned_sha256="ab" * 32, is_default=False))
    window = make_window()
    window.select_connection(unchecked.id)
    open_tab(window, "encryption")
    warning = window.findChild(QLabel, "verifyWarning")
    assert not warning.isHidden() and "verif" in warning.text().lower()
    assert "unverified" in _badge(unchecked)
    # A pinned certificate is checked (against the pin): no warning there.
    window.select_connection(pinned.id)
    assert warning.isHidden()
    assert "unverified" not in _badge(pinned)
