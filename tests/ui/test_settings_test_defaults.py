"""File › Settings… holds the test message's defaults, and the test dialog starts from them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.model import Connection
from smtpgui.storage.settings import SettingsStore
from smtpgui.storage.store import ConnectionStore


def test_the_settings_dialog_saves_the_test_defaults(qtbot, make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.connections.settings_dialog is not None)
    dialog = window.connections.settings_dialog
    dialog.findChild(QLineEdit, "defaultToEdit").setText("not an address")
    assert not dialog.save_button.isEnabled()
    assert dialog.errors["default_to"].isVisibleTo(dialog)
    dialog.findChild(QLineEdit, "defaultToEdit").setText("ops@example.com")
    dialog.findChild(QLineEdit, "defaultSubjectEdit").setText("Nightly check")
    dialog.findChild(QPlainTextEdit, "defaultBodyEdit").setPlainText("Hello\nfrom the relay")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    saved = SettingsStore(config_dir).load()
    assert (saved.default_to, saved.default_subject, saved.default_body) == (
        "ops@example.com", "Nightly check", "Hello\nfrom the relay",
    )  # fmt: skip


def test_the_test_dialog_starts_from_the_test_defaults(make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="relay", host="smtp.example.com", from_address="app@example.com"))
    SettingsStore(config_dir).save(AppSettings(default_to="ops@example.com", default_subject="Nightly check",
                                               default_body="Hello"))  # fmt: skip
    window = make_window()
    dialog = window.tests.open_dialog()
    assert dialog is not None
    assert dialog.findChild(QLineEdit, "toEdit").text() == "ops@example.com"
    assert dialog.findChild(QLineEdit, "subjectEdit").text() == "Nightly check"
    assert dialog.findChild(QPlainTextEdit, "bodyEdit").toPlainText() == "Hello"
    dialog.close()
