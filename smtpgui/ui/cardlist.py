"""The list of connection cards: a QListView that says what to do when it shows no card."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QListView, QWidget

from smtpgui.ui.colors import muted
from smtpgui.ui.delegate import CARD_MIN_WIDTH, ConnectionCardDelegate

NO_CONNECTIONS = (
    "No connections yet.\n\nSet one up from your e-mail address, try the local sandbox, add one from a preset "
    "or a blank one, or import a file (File menu)."
)
NO_MATCH = "No connection matches the search."
LAYOUT_BATCH = 100  # cards laid out before the view paints (see for_cards)


class ConnectionListView(QListView):
    """Cards, or (with none to show) a plain-text hint painted in the empty viewport."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.searching = False  # set by the window: an empty result then means "no match"
        self.card_delegate: ConnectionCardDelegate | None = None

    @classmethod
    def for_cards(cls, model: QAbstractItemModel) -> ConnectionListView:
        """The window's card list over ``model``, painted by the card delegate (``card_delegate``)."""
        view = cls()
        view.setObjectName("connectionList")
        view.setAccessibleName("Connections")
        view.setModel(model)
        view.card_delegate = ConnectionCardDelegate(view)
        view.setItemDelegate(view.card_delegate)
        view.setMinimumWidth(CARD_MIN_WIDTH + 24)  # a card and a scroll bar: the badge always fits
        view.setUniformItemSizes(True)
        # Lay the cards out a hundred at a time, between events: the window paints as soon as
        # the first hundred are placed (more than any screen shows), and 10,000 connections
        # never hold the GUI thread for the whole list. Qt asks the model (Python) twice per row
        # while laying out: a batch of 1,000 cost the first paint ~9 ms.
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(LAYOUT_BATCH)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        return view

    def empty_text(self) -> str:
        model = self.model()
        if model is not None and model.rowCount() > 0:
            return ""
        return NO_MATCH if self.searching else NO_CONNECTIONS

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        text = self.empty_text()
        if not text:
            return
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.setPen(muted(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.25))
        area = QRect(self.viewport().rect()).adjusted(16, 24, -16, -16)
        painter.drawText(
            area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, text
        )
        painter.end()
