"""First run and empty states: what to do instead of a disabled form; no red before the user acts."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from smtpgui.core.model import Connection
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.cardlist import NO_CONNECTIONS, NO_MATCH


def visible_errors(window) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        label.objectName()
        for label in window.findChildren(QLabel)
        if label.objectName().endswith("Error") and label.isVisible()
    ]


def test_no_connections_shows_what_to_do_not_a_disabled_form(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(window)
    panel = window.findChild(object, "emptyState")
    assert panel is not None and panel.isVisible()
    assert not window.editor.isVisible()  # no "Port: 1" in a greyed-out form
    for name in ("emptyPresetButton", "emptyBlankButton", "emptyImportButton"):
        button = window.findChild(QPushButton, name)
        assert button is not None and button.isVisible() and button.isEnabled(), name
    assert window.list.empty_text() == NO_CONNECTIONS
    assert "Welcome" in window.findChild(QLabel, "emptyStateTitle").text()


def test_the_empty_list_says_when_a_search_matches_nothing(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="Work", host="work.example.com"))
    window = make_window()
    assert window.list.empty_text() == ""
    window.search.setText("zzz-nothing")
    assert window.list.empty_text() == NO_MATCH
    assert window.editor.isVisible()  # the card being edited stays in the editor


def test_add_blank_from_the_empty_state_opens_a_clean_form(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(QPushButton, "emptyBlankButton"), Qt.MouseButton.LeftButton)
    assert window.editor.isVisible() and not window.findChild(object, "emptyState").isVisible()
    assert window.editor.original is not None and window.editor.problems()  # the host is missing...
    assert visible_errors(window) == []  # ...but nothing is red before the user has done anything
    assert window.findChild(QLabel, "problemSummary").text() == ""
    assert window.editor.tabs.tabText(0).replace("&", "") == "Main settings"


def test_problems_appear_for_a_touched_field_and_all_of_them_on_save(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    name = window.findChild(QLineEdit, "nameEdit")
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(name, Qt.Key.Key_Delete)  # emptied: the name is required
    assert visible_errors(window) == ["nameError"]
    assert "hostError" not in visible_errors(window)  # the host was not touched yet
    save = window.findChild(QPushButton, "saveButton")
    qtbot.keyClicks(name, "Alerts")
    assert visible_errors(window) == []
    assert save.isEnabled()  # pressing Save is how the user asks to see the rest
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert "hostError" in visible_errors(window)
    assert "problem" in window.findChild(QLabel, "problemSummary").text()
    assert ConnectionStore(window.services.config_dir).load() == []


def test_import_from_the_empty_state(window, prompts, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    source = ConnectionStore(tmp_path / "other")
    source.add(Connection(name="Imported", host="imp.example.com"))
    from smtpgui.storage import exchange

    export = tmp_path / "export.json"
    exchange.write_export(export, source.load())
    prompts.open_path = str(export)
    qtbot.mouseClick(window.findChild(QPushButton, "emptyImportButton"), Qt.MouseButton.LeftButton)
    assert [c.name for c in window.model.connections()] == ["Imported"]
    assert window.editor.isVisible() and not window.findChild(object, "emptyState").isVisible()
    assert json.loads(export.read_text(encoding="utf-8"))


def test_deleting_the_last_connection_returns_to_the_first_run_panel(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="Only", host="only.example.com"))
    window = make_window()
    assert window.editor.isVisible()
    window.connections.delete()
    assert not window.editor.isVisible() and window.findChild(object, "emptyState").isVisible()
