"""OAuth2 sign-in on the Authentication tab, and Graph tests from the test dialog, with real widgets."""

from __future__ import annotations

import subprocess
import sys
import webbrowser
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from smtpgui.core.model import Connection
from smtpgui.storage.store import ConnectionStore
from tests.support import identity
from tests.support.identity import (
    CLIENT_SECRET,
    MAILBOX,
    FakeIdentity,
)
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import USER, Pki, free_port, make_pki, smtp_server
from tests.ui.test_test_dialog import send_and_wait

BROWSER = """\
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=20).read()
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def scripted_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The browser step: a separate process that loads the sign-in page and follows the redirect."""
    script = tmp_path / "browser.py"
    script.write_text(BROWSER)
    opened: list[str] = []

    def open_browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        subprocess.Popen([sys.executable, str(script), url])
        return True

    monkeypatch.setattr(webbrowser, "open", open_browser)
    return opened


def oauth_connection(config_dir: Path, idp: FakeIdentity, port: int, pki: Pki) -> Connection:
    return ConnectionStore(config_dir).add(identity.oauth_connection(idp, port, str(pki.ca_file), name="Microsoft 365"))


def test_sign_in_fills_the_account_and_a_test_send_uses_the_token(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, pki: Pki, scripted_browser, qtbot
) -> None:
    with smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        saved = oauth_connection(config_dir, idp, server.port, pki)
        window = make_window()
        window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
        state = window.findChild(QLabel, "signInState")
        qtbot.waitUntil(lambda: state.text().startswith("Not signed in"), timeout=5000)
        assert window.findChild(QLineEdit, "oauthClientIdEdit").isVisible()
        assert not window.findChild(QLineEdit, "passwordEdit").isEnabled()
        qtbot.mouseClick(window.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: state.text().startswith("Signed in as"), timeout=20000)
        assert USER in state.text() and len(scripted_browser) == 1
        assert window.findChild(QLineEdit, "usernameEdit").text() == USER  # filled in; saved below
        stored = keyring_backend.get_password("smtpgui", f"{saved.id}:oauth-refresh-token")
        assert stored in idp.refresh_tokens
        assert window.connections.save()
        assert ConnectionStore(config_dir).get("Microsoft 365").username == USER
        window.editor.tabs.setCurrentWidget(window.editor.main_tab)
        window.grab().save(str(config_dir.parent / "signed-in.png"))
        dialog = window.tests.open_dialog()
        dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
        result = send_and_wait(qtbot, dialog)
        assert result.ok, result.error
        assert result.auth_mechanism in ("XOAUTH2", "OAUTHBEARER") and len(server.handler.messages) == 1
        transcript = "\n".join(result.transcript)
        assert stored not in transcript and not any(t in transcript for t in idp.access_tokens)
        dialog.close()
        window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
        qtbot.mouseClick(window.findChild(QPushButton, "signOutButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: state.text().startswith("Not signed in"), timeout=5000)
        assert keyring_backend.get_password("smtpgui", f"{saved.id}:oauth-refresh-token") is None


def test_device_code_sign_in_shows_the_code(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, pki: Pki, qtbot
) -> None:
    saved = oauth_connection(config_dir, idp, free_port(), pki)
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    state = window.findChild(QLabel, "signInState")
    qtbot.mouseClick(window.findChild(QPushButton, "deviceSignInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "enter the code" in state.text(), timeout=10000)
    [device] = idp.devices.values()
    assert device["user_code"] in state.text()
    window.grab().save(str(config_dir.parent / "device-code.png"))
    idp.approve_device(device["user_code"])
    qtbot.waitUntil(lambda: state.text().startswith("Signed in as"), timeout=20000)
    assert keyring_backend.get_password("smtpgui", f"{saved.id}:oauth-refresh-token")


def test_a_failed_sign_in_is_explained(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, pki: Pki, scripted_browser, qtbot
) -> None:
    oauth_connection(config_dir, idp, free_port(), pki)
    idp.deny_sign_in = True
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    state = window.findChild(QLabel, "signInState")
    qtbot.mouseClick(window.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state.text().startswith("Sign-in failed"), timeout=20000)
    assert "access_denied" in state.text() and "declined" in state.text()
    assert window.findChild(QPushButton, "signInButton").isEnabled()


def test_cancelling_a_sign_in_stops_the_listener(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, pki: Pki, monkeypatch, qtbot
) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: True)  # a browser nobody uses
    oauth_connection(config_dir, idp, free_port(), pki)
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    state = window.findChild(QLabel, "signInState")
    button = window.findChild(QPushButton, "signInButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Waiting for you" in state.text(), timeout=10000)
    assert button.text() == "Cancel sign-in"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in state.text(), timeout=10000)
    assert window.sign_ins.job is None


def test_cancel_stops_a_sign_in_that_an_idle_client_holds(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, pki: Pki, monkeypatch, qtbot
) -> None:
    """Issue 17 item 25: a local process connected to the redirect listener, sending nothing."""
    import socket
    from urllib.parse import parse_qs, urlsplit

    idle: list[socket.socket] = []

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        client = socket.create_connection(("127.0.0.1", int(urlsplit(redirect).port or 0)), timeout=5)
        client.sendall(b"GET /?code=")  # and nothing more
        idle.append(client)
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    oauth_connection(config_dir, idp, free_port(), pki)
    window = make_window()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    state = window.findChild(QLabel, "signInState")
    button = window.findChild(QPushButton, "signInButton")
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(idle) and "Waiting for you" in state.text(), timeout=10000)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "cancelled" in state.text(), timeout=3000)
        assert window.sign_ins.job is None
    finally:
        for client in idle:
            client.close()


def test_graph_connection_sends_from_the_test_dialog(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, idp: FakeIdentity, qtbot
) -> None:
    saved = ConnectionStore(config_dir).add(identity.graph_connection(idp, name="Graph"))
    keyring_backend.set_password("smtpgui", f"{saved.id}:client-secret", CLIENT_SECRET)
    window = make_window()
    dialog = window.tests.open_dialog()
    dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
    result = send_and_wait(qtbot, dialog)
    assert result.ok, result.error
    assert dialog.findChild(QLabel, "resultLabel").text().startswith("✔")
    assert len(idp.sent) == 1 and idp.sent[0]["mailbox"] == MAILBOX
    idp.mailboxes.clear()
    result = send_and_wait(qtbot, dialog)
    assert not result.ok and result.stage.value == "mail"
    assert "licensed mailbox" in dialog.findChild(QLabel, "resultLabel").text() + (result.fix or "")
    QApplication.processEvents()
    dialog.grab().save(str(config_dir.parent / "graph-dialog.png"))
