"""File › Settings…: the app-wide defaults the CLI has, validated as the CLI validates them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from smtpgui.storage.settings import SettingsStore


def open_dialog(window, qtbot):  # type: ignore[no-untyped-def]
    window.settings_action.trigger()
    qtbot.waitUntil(
        lambda: window.connections.settings_dialog is not None and window.connections.settings_dialog.isVisible()
    )
    return window.connections.settings_dialog


def test_settings_is_in_the_file_menu_and_saves_the_default_sender(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    file_menu = window.menuBar().actions()[0].menu()
    assert window.settings_action in file_menu.actions()
    dialog = open_dialog(window, qtbot)
    qtbot.keyClicks(dialog.findChild(QLineEdit, "defaultFromEdit"), '"Ops Robot" <ops@example.com>')
    save = dialog.findChild(QPushButton, "settingsSaveButton")
    assert save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = SettingsStore(window.services.config_dir).load()
    assert (saved.default_from_address, saved.default_from_name) == ("ops@example.com", "Ops Robot")
    again = open_dialog(window, qtbot)
    assert again.findChild(QLineEdit, "defaultFromEdit").text() == "ops@example.com"
    assert again.findChild(QLineEdit, "defaultFromNameEdit").text() == "Ops Robot"


def test_a_bad_address_is_refused_inline_like_the_cli_does(window, qtbot, make_cli) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(window, qtbot)
    edit = dialog.findChild(QLineEdit, "defaultFromEdit")
    qtbot.keyClicks(edit, "not an address")
    error = dialog.findChild(QLabel, "default_from_addressError")
    assert error.isVisible() and error.text()
    assert not dialog.findChild(QPushButton, "settingsSaveButton").isEnabled()
    refused = make_cli("cli")("settings", "--default-from", "not an address")
    assert refused.returncode != 0 and "smtpgui: " in refused.stderr  # the command refuses the same text
    name = dialog.findChild(QLineEdit, "defaultFromNameEdit")
    edit.clear()
    name.setText("Two\nlines")
    assert dialog.findChild(QLabel, "default_from_nameError").isVisible()
    assert SettingsStore(window.services.config_dir).load().default_from_address == ""


def test_the_sandbox_autostart_setting_is_kept_and_survives_other_edits(window, qtbot, make_cli) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QCheckBox

    dialog = open_dialog(window, qtbot)
    box = dialog.findChild(QCheckBox, "sandboxAutostartSetting")
    assert box is not None and not box.isChecked()
    box.setChecked(True)
    qtbot.mouseClick(dialog.findChild(QPushButton, "settingsSaveButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert SettingsStore(window.services.config_dir).load().sandbox_autostart is True
    cli = make_cli("cli")
    cli.config_dir = window.services.config_dir
    changed = cli("settings", "--default-subject", "Hello", "--json")  # the CLI keeps what it does not change
    assert changed.returncode == 0, changed.stderr
    import json

    assert json.loads(changed.stdout)["sandbox_autostart"] is True
    assert "sandbox_autostart     true" in cli("settings").stdout
    again = open_dialog(window, qtbot)
    assert again.findChild(QCheckBox, "sandboxAutostartSetting").isChecked()
