"""Issue 20, item 9 in the window: a Graph connection signs in with the app's client secret or a
user's password; the editor says Microsoft discourages the latter and that it fails with MFA, and
the test dialog sends through the local fake provider and Graph as that user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton

from smtpgui.core.model import AuthMode
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab
from tests.support.identity import FakeIdentity, graph_connection
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import PASSWORD, USER

pytestmark = pytest.mark.integration


def test_graph_user_password_in_the_editor_and_a_test(  # type: ignore[no-untyped-def]
    make_window, config_dir, keyring_backend: MemoryKeyring, idp: FakeIdentity, qtbot
) -> None:
    saved = ConnectionStore(config_dir).add(graph_connection(idp))  # app-only, as before
    window = make_window()
    window.select_connection(saved.id)
    open_tab(window, "auth")
    combo = window.findChild(QComboBox, "authCombo")
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "The app's client secret (recommended)" in labels and "A user's password (discouraged)" in labels
    warning = window.findChild(QLabel, "graphPasswordWarning")
    assert not warning.isVisibleTo(window.editor)
    combo.setCurrentIndex(combo.findData(AuthMode.PASSWORD.value))
    qtbot.waitUntil(lambda: warning.isVisibleTo(window.editor))
    assert "discourages" in warning.text() and "MFA" in warning.text()
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.width() == 800)
    shots = Path(os.environ.get("SMTPGUI_SHOTS", "/work/notes/shots-D"))
    shots.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(shots / "graph-user-password-warning-800x560.png"))
    assert not window.findChild(QComboBox, "mechanismCombo").isEnabled()
    qtbot.keyClicks(window.findChild(QLineEdit, "usernameEdit"), USER)
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), PASSWORD)
    open_tab(window, "graph")
    window.findChild(QLineEdit, "mailboxEdit").clear()
    window.editor.put_edits({})
    assert window.editor.reveal_problems() == []  # no mailbox needed: the user's own
    assert window.connections.save()
    (stored,) = ConnectionStore(config_dir).load()
    assert (stored.auth_mode, stored.username) == (AuthMode.PASSWORD, USER)
    assert keyring_backend.entries[("smtpgui", f"{stored.id}:password")] == PASSWORD
    assert PASSWORD.encode() not in (config_dir / "connections.json").read_bytes()
    dialog = window.tests.open_dialog()
    dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
    with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.ok, result.error
    assert result.auth_mechanism == "OAUTH2-PASSWORD"
    assert idp.sent[0]["mailbox"] == USER
    # back to SMTP: the labels and the warning follow
    window.select_connection(stored.id)
    open_tab(window, "main")
    kind = window.findChild(QComboBox, "kindCombo")
    kind.setCurrentIndex(kind.findData("smtp"))
    assert combo.itemText(combo.findData("password")) == "Password"
    qtbot.waitUntil(lambda: not warning.isVisibleTo(window.editor))
