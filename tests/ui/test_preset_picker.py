"""The preset picker: grouped, searchable, SES as one entry with a region; the new connection is named and focused."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from smtpgui.core.model import Connection
from smtpgui.core.presets import PRESETS
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.presetpicker import PresetPicker, entries


def test_every_preset_is_reachable_and_ses_is_one_entry(qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = PresetPicker()
    qtbot.addWidget(picker)
    keys = [entry.key for entry in picker.visible_entries()]
    assert keys.count("ses") == 1 and not any(key.startswith("ses-") for key in keys)
    groups = {entry.group for entry in entries()}
    assert {"Personal mail", "Sending services"} <= groups and "Other" not in groups
    reachable = {key for key in keys if key != "ses"} | {
        f"ses-{picker.region.itemData(i)}" for i in range(picker.region.count())
    }
    assert reachable == {preset.id for preset in PRESETS}
    assert len(keys) < 20  # not a 45-line flat list


def test_search_narrows_and_ses_asks_for_the_region(qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = PresetPicker()
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.findChild(QLineEdit, "presetSearch"), "amazon")
    assert [entry.key for entry in picker.visible_entries()] == ["ses"]
    region = picker.findChild(QComboBox, "sesRegionCombo")
    assert region.isVisible()
    region.setCurrentIndex(region.findData("eu-west-1"))
    assert picker.selected() is not None and picker.selected().id == "ses-eu-west-1"
    assert "SES" in picker.advice.text()
    picker.search.setText("nothing-like-this")
    assert picker.visible_entries() == [] and picker.selected() is None
    picker.search.setText("gmail")
    assert picker.selected() is not None and picker.selected().id == "gmail" and not region.isVisible()


def test_a_new_connection_is_named_after_the_provider_and_the_user_name_is_focused(window, prompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(window)
    prompts.preset = "ses-eu-west-1"
    window.connections.new_from_preset()
    current = window.editor.current()
    assert current.name == "Amazon SES eu-west-1"
    assert current.host == "email-smtp.eu-west-1.amazonaws.com"
    assert window.editor.tabs.currentWidget() is window.editor.auth_tab
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.findChild(QLineEdit, "usernameEdit"))


def test_the_provider_name_is_made_unique(make_window, config_dir, prompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="Gmail", host="smtp.gmail.com"))
    window = make_window()
    prompts.preset = "gmail"
    window.connections.new_from_preset()
    assert window.editor.current().name == "Gmail 2"


def test_a_placeholder_host_is_the_field_to_fill_first(window, prompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(window)
    prompts.preset = "exchange"
    window.connections.new_from_preset()
    assert window.editor.tabs.currentWidget() is window.editor.main_tab
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.findChild(QLineEdit, "hostEdit"))
