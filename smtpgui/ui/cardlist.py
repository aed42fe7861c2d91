"""The list of connection cards: a QListView that says what to do when it shows no card."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QListView, QWidget

from smtpgui.ui.colors import muted

NO_CONNECTIONS = "No connections yet.\n\nAdd one from a preset, add a blank one, or import a file (File menu)."
NO_MATCH = "No connection matches the search."


class ConnectionListView(QListView):
    """Cards, or (with none to show) a plain-text hint painted in the empty viewport."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.searching = False  # set by the window: an empty result then means "no match"

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
