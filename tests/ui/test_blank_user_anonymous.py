"""Issue 20, item 7: in the editor, clearing the user name and the password while sign-in is
"Password" saves the connection as anonymous, and the editor says so where the user looks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from smtpgui.core.model import AuthMode
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab
from tests.support.keyrings import MemoryKeyring


def test_clearing_user_name_and_password_saves_anonymous(
    window_with_work, qtbot, keyring_backend: MemoryKeyring
) -> None:  # type: ignore[no-untyped-def]
    window = window_with_work
    open_tab(window, "auth")
    qtbot.waitUntil(lambda: window.findChild(QLabel, "passwordEditState").text() == "stored")
    note = window.findChild(QLabel, "anonymousNote")
    assert note is not None and not note.isVisible()
    username = window.findChild(QLineEdit, "usernameEdit")
    username.selectAll()
    qtbot.keyClick(username, "\b")
    # the password is still stored: still password sign-in, so nothing is said yet
    assert not note.isVisible()
    assert window.editor.current().auth_mode is AuthMode.PASSWORD
    qtbot.mouseClick(window.findChild(QPushButton, "passwordEditClear"), qtbot_left())
    assert note.isVisible()
    assert "anonymous" in note.text()
    assert window.editor.reveal_problems() == []  # not "enter the user name"
    assert window.connections.save()
    (saved,) = ConnectionStore(window.services.config_dir).load()
    assert saved.auth_mode is AuthMode.NONE and saved.username == ""
    assert ("smtpgui", f"{saved.id}:password") not in keyring_backend.entries


def test_a_user_name_alone_keeps_password_sign_in(window_with_work, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = window_with_work
    open_tab(window, "auth")
    qtbot.mouseClick(window.findChild(QPushButton, "passwordEditClear"), qtbot_left())
    assert window.editor.current().auth_mode is AuthMode.PASSWORD  # "u" is still the user name
    assert not window.findChild(QLabel, "anonymousNote").isVisible()


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_a_new_password_connection_with_nothing_typed_still_asks_for_the_user_name(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    open_tab(window, "auth")
    auth = window.findChild(object, "authCombo")
    auth.setCurrentIndex(auth.findData("password"))
    assert window.editor.current().auth_mode is AuthMode.PASSWORD
    assert "username" in {p.field for p in window.editor.reveal_problems()}
    assert not window.findChild(QLabel, "anonymousNote").isVisibleTo(window.editor)
