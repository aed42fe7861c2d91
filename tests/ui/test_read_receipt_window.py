"""Issue 20, item 6 in the window: "Send read confirmation" and "Confirmation address" on the
Main settings tab; the real aiosmtpd server gets Disposition-Notification-To only when it is on."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab
from tests.support.servers import smtp_server

pytestmark = pytest.mark.integration


def _send(qtbot, window) -> str | None:  # type: ignore[no-untyped-def]
    dialog = window.tests.open_dialog()
    dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
    with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    assert blocker.args[0].ok, blocker.args[0].error
    dialog.close()
    return None


def test_read_confirmation_checkbox_and_address(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("plain", auth=False) as server:
        saved = ConnectionStore(config_dir).add(
            Connection(name="Loopback", host="127.0.0.1", port=server.port, security=Security.NONE,
                       auth_mode=AuthMode.NONE, from_address="sender@example.com", timeout_s=10)
        )  # fmt: skip
        window = make_window()
        window.select_connection(saved.id)
        open_tab(window, "main")
        check = window.findChild(QCheckBox, "readReceiptCheck")
        address = window.findChild(QLineEdit, "readReceiptEdit")
        assert window.editor.main_tab.rows["send_read_receipt"].text() == "Send read confirmation"
        assert check.accessibleName() == "Send read confirmation" and not check.isChecked()
        caption = window.editor.main_tab.rows["read_receipt_to"]
        assert isinstance(caption, QLabel) and caption.text().startswith("Confirmation address")
        assert "From" in address.placeholderText()

        def received() -> str | None:
            message = message_from_bytes(server.handler.messages[-1].content, policy=default_policy)
            value = message["Disposition-Notification-To"]
            return None if value is None else str(value)

        _send(qtbot, window)
        assert received() is None
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
        assert window.connections.save()
        assert ConnectionStore(config_dir).load()[0].send_read_receipt is True
        _send(qtbot, window)
        assert received() == "sender@example.com"  # empty address: the From
        qtbot.keyClicks(address, "dnt@example.com")
        assert window.connections.save()
        _send(qtbot, window)
        assert received() == "dnt@example.com"
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
        assert window.connections.save()
        _send(qtbot, window)
        assert received() is None
        assert ConnectionStore(config_dir).load()[0].read_receipt_to == "dnt@example.com"
