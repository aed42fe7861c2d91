"""Issue 20 in the test dialog, against the real aiosmtpd server with AUTH:
item 5 (Force sender fixes the From; otherwise another From may be typed) and item 10 (each
stage's milliseconds in the result, readable in a dark palette and at 800×560)."""

from __future__ import annotations

import os
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import PASSWORD, USER, smtp_server

pytestmark = pytest.mark.integration

SHOTS = Path(os.environ.get("SMTPGUI_SHOTS", "/work/notes/shots-D"))


def add(config_dir: Path, keyring: MemoryKeyring, port: int, **changes: object) -> Connection:
    connection = Connection(
        name="Loopback", host="127.0.0.1", port=port, security=Security.NONE, auth_mode=AuthMode.PASSWORD,
        username=USER, allow_insecure_auth=True, from_address="own@example.com", from_name="Own Name", timeout_s=10,
    ).replace(**changes)  # fmt: skip
    saved = ConnectionStore(config_dir).add(connection)
    keyring.set_password("smtpgui", f"{saved.id}:password", PASSWORD)
    return saved


def send(qtbot, dialog):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_forced_sender_is_shown_and_cannot_be_edited(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("plain", auth_require_tls=False) as server:
        add(config_dir, keyring_backend, server.port, force_sender=True)
        window = make_window()
        dialog = window.tests.open_dialog()
        from_edit = dialog.findChild(QLineEdit, "fromEdit")
        assert from_edit.text() == "Own Name <own@example.com>"
        assert from_edit.isReadOnly()
        assert "forces" in from_edit.toolTip()
        assert dialog.findChild(QLabel, "fromFixedNote").isVisibleTo(dialog)
        SHOTS.mkdir(parents=True, exist_ok=True)
        dialog.resize(800, 560)
        qtbot.waitExposed(dialog)
        assert dialog.grab().save(str(SHOTS / "test-dialog-forced-from-800x560.png"))
        qtbot.keyClicks(from_edit, "x")  # typing does nothing
        assert from_edit.text() == "Own Name <own@example.com>"
        dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
        assert send(qtbot, dialog).ok
        message = message_from_bytes(server.handler.messages[-1].content, policy=default_policy)
        assert message["From"].addresses[0].addr_spec == "own@example.com"


def test_another_from_is_sent_when_not_forced(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("plain", auth_require_tls=False) as server:
        add(config_dir, keyring_backend, server.port)
        window = make_window()
        dialog = window.tests.open_dialog()
        from_edit = dialog.findChild(QLineEdit, "fromEdit")
        assert not from_edit.isReadOnly() and from_edit.text() == "Own Name <own@example.com>"
        assert not dialog.findChild(QLabel, "fromFixedNote").isVisibleTo(dialog)
        dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
        from_edit.setText("not an address")
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
        problem = dialog.findChild(QLabel, "fromProblem")
        assert problem.isVisibleTo(dialog) and problem.text()
        assert dialog.job is None and server.handler.messages == []
        from_edit.setText('"Other, Name" <other@example.com>')
        assert send(qtbot, dialog).ok
        assert not problem.isVisibleTo(dialog)
        received = server.handler.messages[-1]
        (sender,) = message_from_bytes(received.content, policy=default_policy)["From"].addresses
        assert (sender.display_name, sender.addr_spec) == ("Other, Name", "other@example.com")
        assert received.mail_from == "other@example.com"
        assert received.login == USER


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#171717"), (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#303134"), (QPalette.ColorRole.ButtonText, "#e8eaed"),
    ):  # fmt: skip
        palette.setColor(role, QColor(colour))
    return palette


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_each_stage_shows_its_milliseconds(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    old_palette = app.palette()
    app.setPalette(_dark_palette())
    try:
        with smtp_server("plain", auth_require_tls=False) as server:
            add(config_dir, keyring_backend, server.port)
            window = make_window()
            dialog = window.tests.open_dialog()
            dialog.resize(800, 560)
            dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
            timings = dialog.findChild(QWidget, "stageTimings")
            assert timings is not None and not timings.isVisibleTo(dialog)
            result = send(qtbot, dialog)
            assert result.ok
            assert timings.isVisibleTo(dialog)
            shown = {label.objectName(): label.text() for label in timings.findChildren(QLabel)}
            stages = [s for s in result.timings_ms if s != "total"]
            assert {"connect", "greeting", "ehlo", "auth", "mail", "rcpt", "data"} <= set(stages)
            for stage in [*stages, "total"]:
                assert shown[f"stageName_{stage}"] == stage
                assert shown[f"stageMs_{stage}"] == f"{result.timings_ms[stage]:.0f} ms"
            # readable: every label inside the dialog at 800×560, with text that stands out
            qtbot.waitExposed(dialog)
            for label in timings.findChildren(QLabel):
                top_left = label.mapTo(dialog, label.rect().topLeft())
                bottom_right = label.mapTo(dialog, label.rect().bottomRight())
                assert dialog.rect().contains(top_left) and dialog.rect().contains(bottom_right), label.objectName()
                assert label.width() >= label.sizeHint().width(), label.objectName()  # not cut off
                fg = label.palette().color(label.foregroundRole())
                bg = label.palette().color(QPalette.ColorRole.Window)
                assert _contrast(fg, bg) >= 4.5, label.objectName()
            SHOTS.mkdir(parents=True, exist_ok=True)
            assert dialog.grab().save(str(SHOTS / "test-dialog-timings-dark-800x560.png"))
    finally:
        app.setPalette(old_palette)
