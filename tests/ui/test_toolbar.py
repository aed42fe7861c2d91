"""Toolbar and menus: every action has an icon from the project's set, and a tooltip naming its shortcut."""

from __future__ import annotations

from PySide6.QtCore import QFile
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QToolBar

from smtpgui.ui.icons import ACTION_ICONS, ACTION_SIZES, action_icon


def test_the_icon_set_is_compiled_in_for_both_palettes(qapp) -> None:  # type: ignore[no-untyped-def]
    for theme in ("light", "dark"):
        for name in ACTION_ICONS:
            for size in ACTION_SIZES:
                assert QFile.exists(f":/actions/{theme}/{name}-{size}.png"), (theme, name, size)
    icon = action_icon("save", QPalette())
    assert not icon.isNull() and icon.availableSizes()


def test_toolbar_actions_have_icons_and_tooltips_with_shortcuts(window) -> None:  # type: ignore[no-untyped-def]
    toolbar = window.findChild(QToolBar, "mainToolbar")
    actions = [a for a in toolbar.actions() if not a.isSeparator()]
    assert actions
    for action in actions:
        assert not action.icon().isNull(), action.objectName()
    assert window.save_action.toolTip() == "Save (Ctrl+S)"
    assert window.new_action.toolTip() == "New (Ctrl+N)"
    assert window.test_action.toolTip() == "Test (Ctrl+T)"
    assert window.default_action.toolTip() == "Set as default"
    for action in (window.import_action, window.export_action, window.settings_action):
        assert not action.icon().isNull()
    for name in ("newButton", "duplicateButton", "deleteButton"):
        assert window.findChild(object, name) is not None
