"""Saving runs on a worker: the GUI thread keeps handling its timers (and paints) meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QTimer

from smtpgui.core.model import Connection
from smtpgui.storage.secrets import Slot
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab
from tests.support.keyrings import MemoryKeyring


class GatedKeyring(MemoryKeyring):
    """Writes wait until the test opens the gate (or 10 s pass): a slow Secret Service."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.writer: threading.Thread | None = None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writer = threading.current_thread()
        self.gate.wait(10)
        super().set_password(service, username, password)


def test_a_save_waiting_on_the_keyring_leaves_the_gui_thread_free(qtbot, make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="relay", host="smtp.example.com", username="u"))
    keyring = GatedKeyring()
    window = make_window(keyring)
    open_tab(window, "auth")
    window.editor.auth_tab.password.edit.setText("a new password")
    window.editor.auth_tab.password.edit.textEdited.emit("a new password")  # as typing does
    assert window.editor.pending_secrets() == {Slot.PASSWORD: "a new password"}
    ticks: list[bool] = []

    def tick() -> None:  # runs only if the GUI thread is free while the save waits
        ticks.append(keyring.gate.is_set())
        keyring.gate.set()

    QTimer.singleShot(50, tick)
    assert window.connections.save()
    assert ticks == [False]  # the timer fired while the write was still waiting
    assert keyring.writer is not None and keyring.writer is not threading.main_thread()
    assert keyring.entries  # and the password was stored
