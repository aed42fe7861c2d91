"""The inbox list: one row per received message, filtered in memory, and the delegate of its checks column.

The summaries are loaded once (off the GUI thread, by the inbox flow) and kept here; a search
filters them in memory against a lowercased text made once per message, so a keystroke costs a
scan of short strings and one model reset. New messages arriving at the top are inserted as rows,
so the selection and the scroll position stay where the person left them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from smtpgui.core.display import printable
from smtpgui.core.inboxmodel import human_size
from smtpgui.ui.colors import status_colors

if TYPE_CHECKING:
    from smtpgui.storage.inbox import MessageSummary

MessageRole = Qt.ItemDataRole.UserRole + 1  # the row's MessageSummary
COLUMNS = ("Received", "From", "To", "Subject", "Size", "Checks")
RECEIVED, FROM, TO, SUBJECT, SIZE, CHECKS = range(6)
AnyIndex = QModelIndex | QPersistentModelIndex


def search_text(summary: MessageSummary) -> str:
    """What a search looks in: the From, To and Subject as shown, lowercased."""
    return "\n".join((summary.sender, *summary.recipients, summary.subject)).lower()


def when(received: float, now: float | None = None) -> str:
    """The time of day for today's messages, else the date and time (local time)."""
    local = time.localtime(received)
    today = time.localtime(now if now is not None else time.time())
    if local[:3] == today[:3]:
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%Y-%m-%d %H:%M", local)


def problems_text(problems: int) -> str:
    return "✓" if problems == 0 else f"⚠ {problems}"


class InboxModel(QAbstractTableModel):
    """The summaries, newest first, as the search leaves them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[MessageSummary] = []
        self._hay: list[str] = []
        self._rows: list[MessageSummary] = []
        self._kept: list[int] = []  # the index in _all of each row shown
        self._search = ""
        self._now = time.time()

    # --- what is shown ---------------------------------------------------------------------

    def set_messages(self, summaries: list[MessageSummary], hay: list[str] | None = None) -> None:
        """Show ``summaries`` (newest first); new ones at the top are inserted, anything else resets.

        ``hay`` is :func:`search_text` of each summary when the caller made it already (on a worker).
        """
        old_ids = [s.id for s in self._all]
        new_ids = [s.id for s in summaries]
        added = len(new_ids) - len(old_ids)
        hay = [search_text(s) for s in summaries[:added]] if added > 0 else []
        self._now = time.time()
        if added > 0 and old_ids and new_ids[added:] == old_ids:
            fresh = [i for i, h in enumerate(hay) if self._matches(h)]
            self._all = summaries
            self._hay = hay + self._hay
            self._kept = [i + added for i in self._kept]
            if fresh:
                self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
                self._kept = fresh + self._kept
                self._rows = [summaries[i] for i in fresh] + self._rows
                self.endInsertRows()
            return
        self.beginResetModel()
        self._all = summaries
        self._hay = hay if hay is not None and len(hay) == len(summaries) else [search_text(s) for s in summaries]
        needle = self._search
        self._kept = [i for i, h in enumerate(self._hay) if needle in h] if needle else list(range(len(summaries)))
        self._rows = [summaries[i] for i in self._kept]
        self.endResetModel()

    def set_search(self, text: str) -> None:
        """Keep only the messages whose From, To or Subject contain ``text`` (any case)."""
        needle = text.strip().lower()
        if needle == self._search:
            return
        narrower = bool(self._search) and needle.startswith(self._search)
        self._search = needle
        self.beginResetModel()
        if narrower:  # each keystroke that adds a letter scans only what the last one kept
            kept = [i for i in self._kept if needle in self._hay[i]]
        else:
            kept = [i for i, h in enumerate(self._hay) if needle in h] if needle else list(range(len(self._all)))
        self._kept = kept
        self._rows = [self._all[i] for i in kept]
        self.endResetModel()

    def _matches(self, hay: str) -> bool:
        return not self._search or self._search in hay

    def add_newest(self, summaries: list[MessageSummary]) -> None:
        """Messages that arrived after every one shown (newest first): inserted at the top."""
        if summaries:
            self.set_messages(summaries + self._all)

    def top_ids(self, count: int) -> tuple[int, ...]:
        """The ids of the ``count`` newest messages (whatever the search)."""
        return tuple(s.id for s in self._all[:count])

    def total(self) -> int:
        """How many messages there are, whatever the search."""
        return len(self._all)

    def summary_at(self, row: int) -> MessageSummary:
        return self._rows[row]

    def row_of(self, message_id: int) -> int:
        return next((row for row, s in enumerate(self._rows) if s.id == message_id), -1)

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (FROM, TO, SUBJECT):
            from smtpgui.ui.plaintext import plain_tooltip

            return plain_tooltip(self._display(summary, column))
        if role == Qt.ItemDataRole.ToolTipRole and column == CHECKS:
            return "Every check passed" if not summary.problems else f"{summary.problems} problem(s): see Checks"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (SIZE, CHECKS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == MessageRole:
            return summary
        return None

    def _display(self, summary: MessageSummary, column: int) -> str:
        if column == RECEIVED:
            return when(summary.received, self._now)
        if column == FROM:
            return printable(summary.sender)
        if column == TO:
            return printable(", ".join(summary.recipients))
        if column == SUBJECT:
            return printable(summary.subject) or "(no subject)"
        if column == SIZE:
            return human_size(summary.size)
        return problems_text(summary.problems)


class ChecksDelegate(QStyledItemDelegate):
    """Draws the checks column: a green check mark, or the number of problems in the warning colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        summary = index.data(MessageRole)
        if summary is None:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colors = status_colors(palette)
        if selected:
            color = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            color = colors.success if summary.problems == 0 else colors.warning
        painter.save()
        painter.setPen(color)
        rect: QRect = option.rect.adjusted(4, 0, -6, 0)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()
