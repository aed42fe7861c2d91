"""A card's menu: from its ⋮ button or a right click, the actions for that connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QListView, QMenu, QWidget

from smtpgui.core.model import Connection, Kind
from smtpgui.ui.actions import fill_menu
from smtpgui.ui.models import ConnectionRole

if TYPE_CHECKING:
    from collections.abc import Sequence


class CardMenu(QObject):
    """Pops up the card's actions for the card it was opened on (which becomes the current one).

    ``entries`` are the actions (None: a separator); ``enable`` is the Enable/Disable action, named
    for what it will do while the menu is open.
    """

    def __init__(
        self,
        view: QListView,
        entries: Sequence[QAction | None],
        enable: QAction,
        current: Callable[[], Connection | None],
        parent: QWidget,
        *,
        copy_as: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.entries, self.enable, self.current = view, list(entries), enable, current
        self.copy_as = copy_as
        self.parent_widget = parent
        self.menu: QMenu | None = None
        view.customContextMenuRequested.connect(self.on_context_menu)

    def on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.setCurrentIndex(index)
        self.popup(self.view.viewport().mapToGlobal(pos))

    def on_menu_button(self, index: QModelIndex, anchor: QPoint) -> None:
        """The ⋮ button of a card: its menu, for that card."""
        connection: Connection | None = index.data(ConnectionRole) if index.isValid() else None
        if connection is None:
            return
        current = self.current()
        if current is None or connection.id != current.id:
            self.view.setCurrentIndex(index)
            current = self.current()
            if current is None or connection.id != current.id:
                return  # the user chose to stay on unsaved edits
        self.popup(anchor)

    def popup(self, where: QPoint) -> None:
        current = self.current()
        self.enable.setText("&Disable" if current is None or current.enabled else "&Enable")
        menu = QMenu(self.parent_widget)
        menu.setObjectName("cardMenu")
        fill_menu(menu, self.entries)
        if self.copy_as is not None:
            self._add_copy_as(menu, current)
        menu.aboutToHide.connect(lambda: self.enable.setText("&Enable/Disable"))
        self.menu = menu
        menu.popup(where)

    def _add_copy_as(self, menu: QMenu, current: Connection | None) -> None:
        """*Copy as…*: the connection as another tool's settings, put before the last group (Delete)."""
        from smtpgui.services.settingsio import OUT_LABELS

        copy_as = self.copy_as
        assert copy_as is not None
        submenu = QMenu("Copy &as", menu)
        submenu.setObjectName("copyAsMenu")
        for fmt, label in OUT_LABELS.items():
            action = submenu.addAction(label)  # tool names keep their own (lower) case
            action.setObjectName(f"copyAs{fmt.capitalize()}Action")
            action.triggered.connect(lambda _checked=False, f=fmt: copy_as(f))
        submenu.setEnabled(current is not None and current.kind is Kind.SMTP)
        separators = [a for a in menu.actions() if a.isSeparator()]
        if separators:
            menu.insertMenu(separators[-1], submenu)
        else:
            menu.addMenu(submenu)
