"""The Inbox view: the sandbox's state and its Start/Stop button, the received messages with a
search, and the selected message.

Widgets only: what the buttons do (on workers: the sandbox and its store never run on the GUI
thread) is the inbox flow's (:mod:`smtpgui.ui.inboxflow`); this view says so through signals.
Only the rows on screen are painted (a table over :class:`InboxModel`, fixed row heights).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from smtpgui.ui.colors import set_status_color
from smtpgui.ui.inboxmodel import CHECKS, FROM, RECEIVED, SIZE, SUBJECT, TO, ChecksDelegate, InboxModel, MessageRole
from smtpgui.ui.messageview import MessageView
from smtpgui.ui.plaintext import PlainLabel, set_plain

if TYPE_CHECKING:
    from smtpgui.storage.inbox import MessageSummary


class InboxView(QWidget):
    """The sandbox's inbox.

    Signals:
        start_stop_requested(): the Start/Stop button was pressed.
        autostart_changed(bool): "Start the sandbox with the window" was switched.
        message_selected(int): the person selected the message with this id (-1: none).
        search_changed(str): the search text changed (the model is filtered already).
        delete_requested(int): Delete was pressed for the message with this id.
        clear_requested(): "Delete all" was pressed.
    """

    start_stop_requested = Signal()
    autostart_changed = Signal(bool)
    message_selected = Signal(int)
    search_changed = Signal(str)
    delete_requested = Signal(int)
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self.state_label = PlainLabel("Sandbox: checking…")
        self.state_label.setObjectName("sandboxState")
        self.state_label.setWordWrap(True)
        self.start_button = QPushButton("&Start the sandbox")
        self.start_button.setObjectName("sandboxStartButton")
        self.start_button.clicked.connect(self.start_stop_requested)
        self.autostart_box = QCheckBox("Start with the &window")
        self.autostart_box.setObjectName("sandboxAutostartBox")
        self.autostart_box.setToolTip("Start the local sandbox whenever smtpgui's window opens")
        self.autostart_box.toggled.connect(self.autostart_changed)
        self.search = QLineEdit()
        self.search.setObjectName("inboxSearchField")
        self.search.setAccessibleName("Search messages")
        self.search.setPlaceholderText("Search From, To and Subject")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.count_label = PlainLabel()
        self.count_label.setObjectName("inboxCount")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName("inboxDeleteButton")
        self.delete_button.setToolTip("Delete the selected message from the inbox (Del)")
        self.delete_button.clicked.connect(self._on_delete)
        self.clear_button = QPushButton("Delete &all…")
        self.clear_button.setObjectName("inboxClearButton")
        self.clear_button.setToolTip("Delete every message in the inbox")
        self.clear_button.clicked.connect(self.clear_requested)
        self.model = InboxModel(self)
        self.list = self._make_list()
        self.message_view = MessageView()
        top = QHBoxLayout()
        top.addWidget(self.state_label, 1)
        top.addWidget(self.autostart_box)
        top.addWidget(self.start_button)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        search_row.addWidget(self.delete_button)
        search_row.addWidget(self.clear_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("inboxSplitter")
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.message_view)
        self.splitter.setCollapsible(0, False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addWidget(self.splitter, 1)
        self._selected = -1
        self._show_count()

    def _make_list(self) -> QTableView:
        view = QTableView()
        view.setObjectName("inboxList")
        view.setAccessibleName("Messages")
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no row is measured: only visible ones paint
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
        columns = view.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setSectionResizeMode(SUBJECT, QHeaderView.ResizeMode.Stretch)
        em = view.fontMetrics().horizontalAdvance("M")
        for column, width in ((RECEIVED, 9), (FROM, 14), (TO, 12), (SIZE, 5)):
            columns.resizeSection(column, width * em)
        # The header's own word, with room for the sort/padding margins of any style.
        columns.resizeSection(CHECKS, max(4 * em, columns.fontMetrics().horizontalAdvance("Checks") + 2 * em))
        view.setItemDelegateForColumn(CHECKS, ChecksDelegate(view))
        view.selectionModel().currentRowChanged.connect(self._on_current)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._on_delete)
        return view

    # --- what the flow shows -----------------------------------------------------------------

    def show_state(self, sentence: str, button: str, button_enabled: bool, status: str = "") -> None:
        """The sandbox's state in a sentence, and what the button does now."""
        set_plain(self.state_label, sentence)
        set_status_color(self.state_label, status)
        self.start_button.setText(button)
        self.start_button.setEnabled(button_enabled)

    def set_autostart(self, on: bool) -> None:
        """Show the saved setting (without reporting it back as a change)."""
        self.autostart_box.blockSignals(True)
        self.autostart_box.setChecked(on)
        self.autostart_box.blockSignals(False)

    def set_messages(self, summaries: list[MessageSummary], hay: list[str] | None = None) -> None:
        """The messages (newest first); the selected one stays selected while it is there."""
        self.model.set_messages(summaries, hay)
        self._reselect()
        self._show_count()

    def add_newest(self, summaries: list[MessageSummary]) -> None:
        """Messages newer than every one shown, inserted at the top (the selection stays)."""
        self.model.add_newest(summaries)
        self._reselect()
        self._show_count()

    def select_message(self, message_id: int) -> bool:
        row = self.model.row_of(message_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.list.scrollTo(index)
        return True

    def selected_id(self) -> int:
        return self._selected

    # --- the person ----------------------------------------------------------------------------

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.model.set_search(text)
        self._reselect()
        self._show_count()
        self.search_changed.emit(text)

    def _reselect(self) -> None:
        if self._selected >= 0 and not self.select_message(self._selected):
            self.list.selectionModel().clearSelection()

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = current.data(MessageRole) if current.isValid() else None
        ident = summary.id if summary is not None else -1
        if ident != self._selected and (ident >= 0 or self.model.row_of(self._selected) < 0):
            self._selected = ident
            self.message_selected.emit(ident)
        self._show_count()

    @Slot()
    def _on_delete(self) -> None:
        if self._selected >= 0:
            self.delete_requested.emit(self._selected)

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        text = f"{total:,} message(s)" if shown == total else f"{shown:,} of {total:,}"
        set_plain(self.count_label, text)
        self.delete_button.setEnabled(self._selected >= 0 and self.model.row_of(self._selected) >= 0)
        self.clear_button.setEnabled(total > 0)
