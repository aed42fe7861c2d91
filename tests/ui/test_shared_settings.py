"""The Authentication and Proxy tabs' choice of a shared credential or connector, and the
Manage dialogs, with real widgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton

from smtpgui.core.model import AuthMode, Connection, ProxyType
from smtpgui.core.shared import Connector, Credential
from smtpgui.services import build_app_services
from smtpgui.storage.store import ConnectionStore
from tests.support.keyrings import MemoryKeyring

SHOTS = Path(os.environ.get("SMTPGUI_SHOTS", "/work/notes/shots-C"))


@pytest.fixture
def seeded(config_dir: Path, keyring_backend: MemoryKeyring):  # type: ignore[no-untyped-def]
    app = build_app_services(config_dir, keyring_backend=keyring_backend)
    corp = app.shared.add(Credential(name="Corp", username="alice", domain="ACME"), "corp-password")
    office = app.shared.add(
        Connector(name="Office", proxy_type=ProxyType.SOCKS5, host="proxy.example", port=1081, username="pu"),
        "proxy-password",
    )
    ConnectionStore(config_dir).add(
        Connection(name="Work", host="work.example.com", auth_mode=AuthMode.PASSWORD, username="own-user")
    )
    return app, corp, office


def _combo(window, name: str) -> QComboBox:  # type: ignore[no-untyped-def]
    return window.findChild(QComboBox, name)


def test_choosing_a_shared_credential_saves_the_reference_and_hides_the_own_fields(  # type: ignore[no-untyped-def]
    make_window, qtbot, seeded
) -> None:
    app, corp, _office = seeded
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    combo = _combo(window, "credentialCombo")
    assert [combo.itemText(i) for i in range(combo.count())] == ["Its own user name and password", "Corp"]
    assert combo.currentData() == ""
    user = window.findChild(QLineEdit, "usernameEdit")
    qtbot.waitUntil(user.isVisible)  # the tab's rows are shown once built (a queued show)
    combo.setCurrentIndex(combo.findData(corp.id))
    assert not user.isVisible()
    note = window.findChild(QLabel, "credentialNote")
    assert note.isVisible() and "ACME\\alice" in note.text()
    assert window.editor.is_dirty()
    assert window.connections.save()
    stored = app.connections.get("Work")
    assert stored.credential_id == corp.id and stored.username == "own-user"
    _shot(window, "auth-tab-shared")
    combo.setCurrentIndex(0)
    assert user.isVisible()


def test_choosing_a_connector_replaces_the_own_proxy_fields(make_window, qtbot, seeded) -> None:  # type: ignore[no-untyped-def]
    app, _corp, office = seeded
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.proxy_tab)
    combo = _combo(window, "connectorCombo")
    host = window.findChild(QLineEdit, "proxyHostEdit")
    qtbot.waitUntil(host.isVisible)
    combo.setCurrentIndex(combo.findData(office.id))
    assert not host.isVisible()
    assert "socks5://pu@proxy.example:1081" in window.findChild(QLabel, "connectorNote").text()
    assert window.connections.save()
    assert app.connections.get("Work").connector_id == office.id
    _shot(window, "proxy-tab-connector")


def test_manage_dialog_adds_renames_and_refuses_to_delete_one_in_use(  # type: ignore[no-untyped-def]
    make_window, qtbot, seeded, keyring_backend
) -> None:
    app, corp, _office = seeded
    app.connections.modify(app.connections.get("Work").id, lambda c: c.replace(credential_id=corp.id))
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    qtbot.mouseClick(window.findChild(QPushButton, "manageCredentialsButton"), qtbot_left())
    dialog = window.manage_dialog
    qtbot.waitUntil(dialog.isVisible)
    _shot(dialog, "manage-credentials")
    # delete in use: refused, naming the connection
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedDeleteButton"), qtbot_left())
    message = dialog.findChild(QLabel, "sharedMessage")
    assert "'Work'" in message.text()
    assert [c.name for c in app.shared.credentials()] == ["Corp"]
    # rename: the connection keeps using it
    name = dialog.findChild(QLineEdit, "sharedNameEdit")
    name.setText("Head office")
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedSaveButton"), qtbot_left())
    assert [c.name for c in app.shared.credentials()] == ["Head office"]
    assert app.connections.get("Work").credential_id == corp.id
    # a new one, with its password in the keyring under its own entry
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedNewButton"), qtbot_left())
    name.setText("Second")
    dialog.findChild(QLineEdit, "sharedUserEdit").setText("bob")
    dialog.findChild(QLineEdit, "sharedPasswordEdit").setText("second-pw")
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedSaveButton"), qtbot_left())
    second = app.shared.credential("Second")
    assert keyring_backend.get_password("smtpgui", f"credential:{second.id}:password") == "second-pw"
    # a bad name: the sentence, nothing saved
    name.setText("x" * 51)
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedSaveButton"), qtbot_left())
    assert "50" in message.text()
    dialog.reject()
    combo = _combo(window, "credentialCombo")
    assert [combo.itemText(i) for i in range(combo.count())][1:] == ["Head office", "Second"]
    assert combo.currentData() == corp.id


def test_manage_connectors_dialog_deletes_an_unused_one(make_window, qtbot, seeded, keyring_backend) -> None:  # type: ignore[no-untyped-def]
    app, _corp, office = seeded
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.proxy_tab)
    qtbot.mouseClick(window.findChild(QPushButton, "manageConnectorsButton"), qtbot_left())
    dialog = window.manage_dialog
    qtbot.waitUntil(dialog.isVisible)
    _shot(dialog, "manage-connectors")
    qtbot.mouseClick(dialog.findChild(QPushButton, "sharedDeleteButton"), qtbot_left())
    assert app.shared.connectors() == ()
    assert keyring_backend.get_password("smtpgui", f"connector:{office.id}:proxy-password") is None
    dialog.reject()


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    """Light and dark pictures at 800×560 for the notes (a look, not an assertion)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    original = app.palette()
    size = widget.size()
    try:
        widget.resize(800, 560)
        for label, palette in (("light", original), ("dark", _dark())):
            app.setPalette(palette)
            QApplication.processEvents()
            widget.grab().save(str(SHOTS / f"{name}-{label}.png"))
    finally:
        app.setPalette(original)
        widget.resize(size)


def _dark() -> QPalette:
    from tests.ui.test_palette import dark_palette

    palette = dark_palette()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return palette


def test_duplicating_a_connection_on_a_shared_credential_asks_no_password(  # type: ignore[no-untyped-def]
    make_window, seeded, prompts, keyring_backend
) -> None:
    app, corp, office = seeded
    app.connections.modify(
        app.connections.get("Work").id, lambda c: c.replace(username="", credential_id=corp.id, connector_id=office.id)
    )
    window = make_window()
    before = dict(keyring_backend.entries)
    window.connections.duplicate()
    assert prompts.asked == []
    copy = app.connections.get("Work_copied")
    assert (copy.credential_id, copy.connector_id) == (corp.id, office.id)
    assert copy.auth_mode is AuthMode.PASSWORD
    assert keyring_backend.entries == before  # nothing copied, nothing asked


def test_a_blank_own_user_name_with_a_shared_credential_stays_password_sign_in(  # type: ignore[no-untyped-def]
    make_window, qtbot, seeded
) -> None:
    app, corp, _office = seeded
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    user = window.findChild(QLineEdit, "usernameEdit")
    qtbot.waitUntil(user.isVisible)
    user.clear()
    user.textEdited.emit("")
    combo = _combo(window, "credentialCombo")
    combo.setCurrentIndex(combo.findData(corp.id))
    assert window.connections.save()
    stored = app.connections.get("Work")
    assert stored.auth_mode is AuthMode.PASSWORD and stored.credential_id == corp.id


def test_a_hand_edited_credential_name_is_listed_escaped(make_window, qtbot, config_dir) -> None:  # type: ignore[no-untyped-def]
    import json

    credential_id = "6f1c7d0e-6c1e-4a43-9d39-5c2d1e0a9b11"
    (config_dir).mkdir(parents=True, exist_ok=True)
    (config_dir / "connections.json").write_text(
        json.dumps(
            {
                "schema_version": 3,
                "connections": [
                    {"name": "Work", "host": "w.example", "auth_mode": "password", "credential_id": credential_id}
                ],
                "credentials": [{"id": credential_id, "name": "Evil\u202e\x1b", "username": "u"}],
            }
        )
    )
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    combo = _combo(window, "credentialCombo")
    text = combo.itemText(combo.currentIndex())
    assert text.startswith("Evil") and "\u202e" not in text and "\x1b" not in text


def test_a_credential_deleted_elsewhere_is_a_problem_shown_under_the_list(  # type: ignore[no-untyped-def]
    make_window, qtbot, seeded
) -> None:
    app, corp, _office = seeded
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    combo = _combo(window, "credentialCombo")
    combo.setCurrentIndex(combo.findData(corp.id))
    # another window or command deletes it before this one saves
    app.shared.delete(corp)
    window.editor.refresh_shared()
    assert combo.currentData() == corp.id and "no longer exists" in combo.currentText()
    assert any(p.field == "credential_id" for p in window.editor.problems())
    error = window.findChild(QLabel, "credential_idError")
    window.editor.reveal_problems()
    assert "no longer exists" in error.text()
    assert not window.connections.save()
    assert app.connections.get("Work").credential_id == ""
