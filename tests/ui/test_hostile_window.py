"""The window after sessions with hostile servers: no echoed secret and no raw control character in any widget.

A 535 that quotes the AUTH payload (PLAIN, LOGIN, CRAM-MD5) and a greeting full of escape
sequences go through the real test dialog; then every label, text field, title, tooltip and the
status bar of the window and the dialog are read, along with the copied transcript.
"""

from __future__ import annotations

import base64
import hmac
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTextEdit, QWidget

from smtpgui.core.model import AuthMode, Connection, Mechanism, Security
from smtpgui.core.redact import secret_variants
from smtpgui.storage.store import ConnectionStore
from tests.support.hostile import ANSI_GREETING, Script, hostile_smtp
from tests.support.keyrings import MemoryKeyring

pytestmark = pytest.mark.integration

USER, PASSWORD = "alice@example.com", "Echo-Pa55word-Walrus-88"
RAW = ("\x1b", "\x07", "\x9b", "\x85", "\u202e", "\u2028")


def _add(config_dir: Path, keyring: MemoryKeyring, port: int, **changes: object) -> Connection:
    connection = Connection(
        name="Hostile",
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        auth_mode=AuthMode.PASSWORD,
        username=USER,
        allow_insecure_auth=True,
        from_address="sender@example.com",
        timeout_s=5,
    ).replace(**changes)
    saved = ConnectionStore(config_dir).add(connection)
    keyring.set_password("smtpgui", f"{saved.id}:password", PASSWORD)
    return saved


def _texts(*roots: QWidget) -> list[str]:
    """Every text a person can see (or copy) in these widgets and their children."""
    found: list[str] = []
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            found += [widget.windowTitle(), widget.toolTip(), widget.statusTip(), widget.accessibleName()]
            if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
                found.append(widget.text())
            elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
                found.append(widget.toPlainText())
    return [t for t in found if t]


def _needles() -> list[str]:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    digest = hmac.new(PASSWORD.encode(), b"<12345.67890@hostile.test>", "md5").hexdigest()
    return [*secret_variants(PASSWORD), b64(f"\0{USER}\0{PASSWORD}"), digest, b64(f"{USER} {digest}")]


def _send(qtbot, dialog):  # type: ignore[no-untyped-def]
    dialog.verify_only.setChecked(True)
    with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_echoed_secrets_and_escapes_reach_no_widget(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    with hostile_smtp(Script(echo_auth=True)) as echo:
        saved = _add(config_dir, keyring_backend, echo.port)
        window = make_window()
        for mechanism in (Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5):
            window.services.connections.modify(saved.id, lambda c, m=mechanism: c.replace(mechanism=m))  # type: ignore[misc]
            window.reload(select_id=saved.id)
            dialog = window.tests.open_dialog()
            result = _send(qtbot, dialog)
            assert not result.ok and result.reply_code == 535
            dialog.copy_transcript()
            seen += [*_texts(window, dialog), QGuiApplication.clipboard().text()]
            assert any("you sent" in t for t in _texts(dialog)), "the server's words are shown (hidden parts only)"
            dialog.close()
    with hostile_smtp(Script(replies={"greeting": ANSI_GREETING.replace("220", "554", 1)})) as ansi:
        window.services.connections.modify(saved.id, lambda c: c.replace(port=ansi.port))
        window.reload(select_id=saved.id)
        dialog = window.tests.open_dialog()
        assert _send(qtbot, dialog).reply_code == 554
        dialog.copy_transcript()
        seen += [*_texts(window, dialog), QGuiApplication.clipboard().text()]
        dialog.close()
    window.close()
    leaks = [n for n in _needles() for text in seen if n in text]
    assert leaks == []
    raw = sorted({repr(c) for text in seen for c in RAW if c in text})
    assert raw == []
    log = (config_dir / "logs" / "smtpgui.log").read_text()
    assert not [n for n in _needles() if n in log]


@pytest.mark.parametrize("echo_as", ["hex", "url", "b64wrap", "split"])
def test_a_password_echoed_encoded_or_split_reaches_no_widget(  # type: ignore[no-untyped-def]
    make_window, config_dir, keyring_backend, qtbot, echo_as: str
) -> None:
    from urllib.parse import quote

    seen: list[str] = []
    with hostile_smtp(Script(echo_auth=True, echo_as=echo_as)) as echo:
        saved = _add(config_dir, keyring_backend, echo.port, mechanism=Mechanism.PLAIN)
        window = make_window()
        window.reload(select_id=saved.id)
        dialog = window.tests.open_dialog()
        result = _send(qtbot, dialog)
        assert not result.ok and result.reply_code == 535
        dialog.copy_transcript()
        seen += [*_texts(window, dialog), QGuiApplication.clipboard().text()]
        dialog.close()
    window.close()
    plain = f"\0{USER}\0{PASSWORD}"
    wrapped = base64.b64encode(plain.encode()).decode()
    needles = [*_needles(), plain.encode().hex(), PASSWORD.encode().hex(), quote(plain, safe=""), "Walrus"]
    leaks = [n for n in needles for text in seen if n in text]
    joined = "".join(t.replace("535-", "").replace(" / ", "").replace("\n", "") for t in seen)
    leaks += [n for n in (wrapped[8:24], PASSWORD) if n in joined]
    assert leaks == []
    assert any("[hidden]" in t for t in seen)
