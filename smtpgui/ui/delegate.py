"""Paints a connection as a card: name, host:port, security, default star, state, last test."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from smtpgui.core.model import Connection, Security
from smtpgui.ui.models import ConnectionRole, LastResult, LastResultRole

CARD_HEIGHT = 64
CARD_MIN_WIDTH = 240
MARGIN = 8


class ConnectionCardDelegate(QStyledItemDelegate):
    """Draws on top of the style's own item background (selection, hover, focus).

    The card never touches ``QStyle`` from Python (its state flags, control elements): building
    that class's Python enums costs about 10 ms, paid at start-up before the first paint. The
    style draws the background through the base class's paint, with the item's text removed in
    ``initStyleOption``; whether the card is selected comes from the view's selection model.
    """

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.data(ConnectionRole) is not None:
            option.text = ""  # the card paints its own lines

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        # The narrowest a card may be: the list stretches every card to its own width. Asking
        # for the view's width here made cards wider than the view once its scroll bar showed
        # (a horizontal scroll bar, and the security badge cut off).
        return QSize(CARD_MIN_WIDTH, CARD_HEIGHT)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        connection: Connection | None = index.data(ConnectionRole)
        if connection is None:
            super().paint(painter, option, index)
            return
        super().paint(painter, option, index)  # the style's background, without the item's text
        selection = self.view.selectionModel()
        selected = selection is not None and selection.isSelected(index)
        opt = option
        palette: QPalette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(text_role)
        muted = QColor(text_color)
        muted.setAlpha(160)
        painter.save()
        rect = opt.rect.adjusted(MARGIN, 6, -MARGIN, -6)
        if not connection.enabled:
            painter.setOpacity(0.55)
        title = QFont(opt.font)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(text_color)
        star = "★ " if connection.is_default else ""
        top = QRect(rect.left(), rect.top(), rect.width(), rect.height() // 2)
        painter.drawText(
            top,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(star + connection.name, Qt.TextElideMode.ElideRight, rect.width() - 90),
        )
        painter.setFont(opt.font)
        badge = _badge(connection)
        painter.setPen(_badge_color(connection, muted))
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, badge)
        bottom = QRect(rect.left(), rect.top() + rect.height() // 2, rect.width(), rect.height() // 2)
        painter.setPen(muted)
        target = (
            f"{connection.host}:{connection.port}"
            if connection.kind.value == "smtp"
            else f"Graph · {connection.mailbox}"
        )
        if not connection.enabled:
            target += " · disabled"
        result: LastResult | None = index.data(LastResultRole)
        painter.drawText(
            bottom,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(target, Qt.TextElideMode.ElideRight, rect.width() - 120),
        )
        if result is not None:
            painter.setPen(QColor("#2e7d32") if result.ok else QColor("#c62828"))
            mark = ("✔ " if result.ok else "✖ ") + result.when
            painter.drawText(bottom, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, mark)
        painter.restore()


def _badge(connection: Connection) -> str:
    if connection.security is Security.NONE:
        return "plain"
    label = "STARTTLS" if connection.security is Security.STARTTLS else "SSL/TLS"
    if connection.certificate_unchecked:
        label += " ⚠ unverified"
    return label


def _badge_color(connection: Connection, muted: QColor) -> Any:
    if connection.security is Security.NONE or connection.certificate_unchecked:
        return QColor("#e65100")
    return muted
