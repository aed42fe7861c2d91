"""Building the window's actions, toolbar and menus: names, shortcuts in tooltips, icons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from smtpgui.ui.icons import action_icon

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def make_action(
    owner: QWidget, text: str, slot: Callable[[], object], shortcut: Shortcut = None, *, name: str = "", icon: str = ""
) -> QAction:
    """An action of ``owner`` (its shortcut works window-wide); the tooltip names the shortcut."""
    action = QAction(text, owner)
    action.setObjectName(name or text.replace("&", "").replace("…", "").replace(" ", "") + "Action")
    plain = text.replace("&", "").rstrip("…")
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain} ({keys})" if keys else plain)
    else:
        action.setToolTip(plain)
    if icon:
        action.setIcon(action_icon(icon, owner.palette()))
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def add_toolbar(window: QMainWindow, buttons: Sequence[tuple[QAction, str]]) -> QToolBar:
    """The toolbar, each button with a stable object name and an accessible name."""
    toolbar = QToolBar("Connections")
    toolbar.setObjectName("mainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action, name in buttons:
        toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        button.setObjectName(name)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
    window.addToolBar(toolbar)
    return toolbar


def fill_menu(menu: QMenu, entries: Sequence[QAction | None]) -> QMenu:
    """Add ``entries`` to ``menu`` (None: a separator)."""
    for entry in entries:
        if entry is None:
            menu.addSeparator()
        else:
            menu.addAction(entry)
    return menu
