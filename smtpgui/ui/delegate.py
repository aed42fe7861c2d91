"""Paints a connection as a card: name, host:port, security badge, default star, state, last test, ⋮.

As napari's layer delegate does, the card is painted, not built from widgets: 10,000 cards cost
nothing until they are on screen, and each paint computes what it shows from the model's roles.
The delegate handles its own click region (the ⋮ button, which asks for the card's menu) and
hover (through an event filter on the view's viewport, so no ``QStyle`` state flags are read:
building those Python enums costs ~10 ms of start-up). Text is only ever drawn with
``drawText``, so a connection's name or a server's reply is never read as markup.

Signals:
    menu_requested(QModelIndex, QPoint): the ⋮ button of a card was clicked (global position
        under the button).
"""

from __future__ import annotations

import time
from typing import NamedTuple

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from smtpgui.core.model import Connection, Kind, Security
from smtpgui.storage.results import StoredResult
from smtpgui.ui.colors import StatusColors, muted, status_colors
from smtpgui.ui.models import SECURITY_BADGES, ConnectionRole, LastResultRole, target_text

Index = QModelIndex | QPersistentModelIndex

CARD_HEIGHT = 66
CARD_MIN_WIDTH = 200
MARGIN = 6  # between cards and the view's edge
PADDING = 10  # inside a card
MORE_WIDTH = 22
GAP = 8
PICTURES_KEPT = 48  # card pictures kept: the cards on screen in their states
PICTURE_BYTES = 16 * 2**20  # and their bytes at most: a card across a 4K screen at scale 2 is ~4 MB


def relative_time(at: float, now: float | None = None, short: bool = False) -> str:
    """When, as people say it: "just now", "5 min ago", "2 h ago", "3 d ago", or the date.

    ``short`` for a narrow card: "now", "5m", "2h", "3d".
    """
    seconds = (time.time() if now is None else now) - at
    if seconds < 60:
        return "now" if short else "just now"
    for limit, size, unit in ((3600, 60, "min"), (86400, 3600, "h"), (30 * 86400, 86400, "d")):
        if seconds < limit:
            count = int(seconds // size)
            return f"{count}{unit[0]}" if short else f"{count} {unit} ago"
    return time.strftime("%Y-%m-%d", time.localtime(at))


def result_text(result: StoredResult | None, now: float | None = None, short: bool = False) -> str:
    """The card's last-test line: "✔ 2 h ago", or "✖ auth · 5 min ago" (the stage that failed);
    ``short``: "✔ 2h", "✖ auth 5m"."""
    if result is None:
        return ""
    when = relative_time(result.at, now, short)
    if result.ok:
        return f"✔ {when}"
    return f"✖ {result.stage} {when}" if short else f"✖ {result.stage} · {when}"


def elide_target(metrics: QFontMetrics, connection: Connection, width: int) -> str:
    """host:port in ``width`` pixels: a long host loses its middle, the port is always kept."""
    text = target_text(connection)
    if metrics.horizontalAdvance(text) <= width:
        return text
    if connection.kind is Kind.GRAPH:
        return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, max(width, 0))
    suffix = f":{connection.port}"
    room = width - metrics.horizontalAdvance(suffix)
    host = metrics.elidedText(connection.host, Qt.TextElideMode.ElideMiddle, max(room, 0))
    return host + suffix if host else suffix


class CardMetrics(NamedTuple):
    """The fonts of one base font, and their metrics (made once per font, not per paint)."""

    font: QFont
    bold: QFont
    small: QFont
    fm: QFontMetrics
    fm_bold: QFontMetrics
    italic: QFont  # the bold name of a disabled card
    fm_italic: QFontMetrics
    fm_small: QFontMetrics

    @classmethod
    def for_font(cls, font: QFont) -> CardMetrics:
        font = QFont(font)  # a copy: the option's font dies with the option after the paint
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(small.pointSizeF() * 0.85, 6.0))
        else:
            small.setPixelSize(max(int(small.pixelSize() * 0.85), 8))
        italic = QFont(bold)
        italic.setItalic(True)
        return cls(
            font=font,
            bold=bold,
            small=small,
            fm=QFontMetrics(font),
            fm_bold=QFontMetrics(bold),
            italic=italic,
            fm_italic=QFontMetrics(italic),
            fm_small=QFontMetrics(small),
        )


class CardColors(NamedTuple):
    """The colours of a card in one palette and state."""

    text: QColor
    fill: QColor
    secondary: QColor
    border: QColor
    more_fill: QColor  # behind the ⋮ under the mouse


class CardLayout(NamedTuple):
    """Where each part of a card goes, for one card rect."""

    card: QRect
    star: QRect
    name: QRect
    disabled: QRect
    badge: QRect
    more: QRect
    target: QRect
    result: QRect
    badge_text: str
    result_text: str = ""


def card_layout(
    rect: QRect, metrics: CardMetrics, connection: Connection, last: str, badge: str, *, last_short: str = ""
) -> CardLayout:
    """The card's regions inside ``rect`` (the item's rect). The badge and ⋮ are placed first,
    from the right, so no width ever squeezes them out; the texts get what is left."""
    card = rect.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
    inner = card.adjusted(PADDING, 6, -6, -6)
    line_h = inner.height() // 2
    top = QRect(inner.left(), inner.top(), inner.width(), line_h)
    bottom = QRect(inner.left(), inner.top() + line_h, inner.width(), inner.height() - line_h)
    more = QRect(inner.right() - MORE_WIDTH + 1, inner.top(), MORE_WIDTH, inner.height())
    if metrics.fm_small.horizontalAdvance(badge) + 12 > (more.left() - inner.left()) // 2:
        badge = badge.split(" ", 1)[0] + (" ⚠" if "⚠" in badge else "")  # narrow: "TLS ⚠"
    badge_w = metrics.fm_small.horizontalAdvance(badge) + 12
    badge_h = metrics.fm_small.height() + 4
    badge_rect = QRect(more.left() - 4 - badge_w, top.center().y() - badge_h // 2 + 1, badge_w, badge_h)
    left = inner.left()
    star = QRect(left, top.top(), 0, top.height())
    if connection.is_default:
        star.setWidth(metrics.fm_bold.horizontalAdvance("★") + 4)
        left = star.right() + 1
    disabled = QRect(badge_rect.left(), badge_rect.top(), 0, badge_h)
    if not connection.enabled:
        disabled_w = metrics.fm_small.horizontalAdvance("Disabled") + 12
        # Shown when the name keeps at least 60 px; the italic name and muted line say it otherwise.
        if badge_rect.left() - GAP - disabled_w - left >= 60:
            disabled = QRect(badge_rect.left() - 4 - disabled_w, badge_rect.top(), disabled_w, badge_h)
    name_right = (disabled.left() if disabled.width() else badge_rect.left()) - GAP
    name = QRect(left, top.top(), max(name_right - left, 0), top.height())
    room = more.left() - 4 - inner.left()
    target_w = metrics.fm.horizontalAdvance(target_text(connection))
    full_w = metrics.fm.horizontalAdvance(last) + 3
    if last and last_short and (target_w + GAP + full_w > room or full_w > room // 2):
        last = last_short  # the host keeps more of its name; the result keeps its meaning
    # +3: elidedText wants a little more than the advance (bearings, fallback glyphs such as ✔).
    result_w = min(metrics.fm.horizontalAdvance(last) + 3, max(room // 2, 0)) if last else 0
    result = QRect(more.left() - 4 - result_w, bottom.top(), result_w, bottom.height())
    target_right = (result.left() - GAP) if result_w else (more.left() - 4)
    target = QRect(inner.left(), bottom.top(), max(target_right - inner.left(), 0), bottom.height())
    return CardLayout(card, star, name, disabled, badge_rect, more, target, result, badge, last)


class ConnectionCardDelegate(QStyledItemDelegate):
    """Paints each connection as a card and opens its menu from the ⋮ button."""

    menu_requested = Signal(object, object)  # QModelIndex, QPoint (global)

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._metrics: dict[str, CardMetrics] = {}
        self._colors: tuple[int, StatusColors] | None = None
        self._hover_row = -1
        self._hover_more = False
        self.pictures = CardPictures()  # each card's picture by what it shows (see paint)
        self._card_colors_made: dict[tuple[object, ...], CardColors] = {}
        self._filtering = False
        # Hover: the view reports the card under the mouse; the viewport's own events (which
        # part of the card, leaving the list) are watched from the first hover on. Asking for
        # the viewport at start-up would build QAbstractScrollArea's Python enums (~10 ms).
        view.setMouseTracking(True)
        view.entered.connect(self._on_entered)

    # ------------------------------------------------------------------ caches

    def metrics(self, font: QFont) -> CardMetrics:
        key = font.key()
        cached = self._metrics.get(key)
        if cached is None:
            cached = self._metrics[key] = CardMetrics.for_font(font)
        return cached

    def _card_colors(self, palette: QPalette, selected: bool, hovered: bool) -> CardColors:
        """A card's colours in ``palette`` for its state, worked out once per palette: each Qt
        call gives up Python's lock, and a card's picture is made while workers may hold it."""
        key = (palette.cacheKey(), palette.currentColorGroup(), selected, hovered)
        found = self._card_colors_made.get(key)
        if found is None:
            if len(self._card_colors_made) >= 16:  # palettes come and go (dark mode, focus)
                self._card_colors_made.clear()
            base = palette.color(QPalette.ColorRole.Base)
            highlight = palette.color(QPalette.ColorRole.Highlight)
            text = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
            fill = highlight if selected else (muted(base, highlight, 0.10) if hovered else base)
            border = highlight if selected else muted(palette.color(QPalette.ColorRole.Text), base, 0.78)
            found = CardColors(text, fill, muted(text, fill, 0.28), border, muted(fill, text, 0.15))
            self._card_colors_made[key] = found
        return found

    def _status(self, palette: QPalette) -> StatusColors:
        key = palette.cacheKey()
        if self._colors is None or self._colors[0] != key:
            self._colors = (key, status_colors(palette))
        return self._colors[1]

    def layout_for(self, option: QStyleOptionViewItem, index: Index) -> CardLayout | None:
        """The regions of the card at ``index`` as painted with ``option`` (None: not a card)."""
        connection: Connection | None = index.data(ConnectionRole)
        if connection is None:
            return None
        result = index.data(LastResultRole)
        return card_layout(
            option.rect,
            self.metrics(option.font),
            connection,
            result_text(result),
            badge_text(connection),
            last_short=result_text(result, short=True),
        )

    # ------------------------------------------------------------------ Qt overrides

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        if index.data(ConnectionRole) is not None:
            option.text = ""  # the card paints its own lines

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        # The narrowest a card may be: the list stretches every card to its own width. Asking
        # for the view's width here made cards wider than the view once its scroll bar showed.
        return QSize(CARD_MIN_WIDTH, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """Draw the card from its picture, made when what it shows changes.

        Nearly every Qt call releases Python's lock (the GIL); while sends run on workers, each
        call may wait for it. A card drawn afresh makes ~40 such calls, a card from its picture
        a handful: the list repaints promptly while Test all keeps the workers busy.
        """
        connection: Connection | None = index.data(ConnectionRole)
        if connection is None:
            super().paint(painter, option, index)
            return
        result: StoredResult | None = index.data(LastResultRole)
        rect: QRect = option.rect
        palette: QPalette = option.palette
        font: QFont = option.font
        selection = self.view.selectionModel()
        selected = selection is not None and selection.isSelected(index)
        hovered = index.row() == self._hover_row
        now = time.time()
        shown = (result_text(result, now), result_text(result, now, short=True))
        key = (id(connection), shown, selected, hovered, hovered and self._hover_more, rect.width(), rect.height())
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        # The palette's key ignores its colour group: an inactive or disabled window draws with
        # another group's colours (another selection colour in native styles).
        self.pictures.use_style((palette.cacheKey(), palette.currentColorGroup(), font.key(), ratio))
        picture = self.pictures.get(key, connection)
        if picture is None:
            picture = QPixmap(max(int(rect.width() * ratio), 1), max(int(rect.height() * ratio), 1))
            picture.setDevicePixelRatio(ratio)
            picture.fill(Qt.GlobalColor.transparent)
            picture_painter = QPainter(picture)
            try:
                self.paint_card(
                    picture_painter, QRect(0, 0, rect.width(), rect.height()), connection, palette=palette,
                    font=font, result=result, shown=shown, selected=selected, hovered=hovered,
                )  # fmt: skip
            finally:
                picture_painter.end()
        self.pictures.put(key, connection, picture)
        painter.drawPixmap(rect.topLeft(), picture)

    def paint_card(
        self,
        painter: QPainter,
        rect: QRect,
        connection: Connection,
        *,
        palette: QPalette,
        font: QFont,
        result: StoredResult | None,
        shown: tuple[str, str],
        selected: bool,
        hovered: bool,
    ) -> None:
        """Draw one card into ``rect`` (its picture)."""
        metrics = self.metrics(font)
        badge = badge_text(connection)
        layout = card_layout(rect, metrics, connection, shown[0], badge, last_short=shown[1])
        last = layout.result_text
        text, fill, secondary, border, more_fill = self._card_colors(palette, selected, hovered)
        colors = self._status(palette)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(layout.card.adjusted(0, 0, -1, -1), 6, 6)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        left_v = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if connection.is_default:
            painter.setFont(metrics.bold)
            painter.setPen(text if selected else colors.warning)
            painter.drawText(layout.star, left_v, "★")
        painter.setFont(metrics.bold if connection.enabled else metrics.italic)
        painter.setPen(text)
        name_metrics = metrics.fm_bold if connection.enabled else metrics.fm_italic
        painter.drawText(
            layout.name,
            left_v,
            name_metrics.elidedText(connection.name, Qt.TextElideMode.ElideRight, layout.name.width()),
        )
        painter.setFont(metrics.small)
        if layout.disabled.width():
            self._pill(painter, layout.disabled, "Disabled", secondary)
        badge_color = text if selected else (colors.warning if _weak(connection) else colors.success)
        self._pill(painter, layout.badge, layout.badge_text, badge_color)
        painter.setFont(metrics.font)
        painter.setPen(secondary)
        painter.drawText(layout.target, left_v, elide_target(metrics.fm, connection, layout.target.width()))
        if result is not None and layout.result.width():
            painter.setPen(text if selected else (colors.success if result.ok else colors.error))
            painter.drawText(
                layout.result,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.fm.elidedText(last, Qt.TextElideMode.ElideRight, layout.result.width()),
            )
        if hovered and self._hover_more:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(more_fill)
            painter.drawRoundedRect(layout.more, 4, 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setFont(metrics.bold)
        painter.setPen(text if (hovered or selected) else secondary)
        painter.drawText(layout.more, Qt.AlignmentFlag.AlignCenter, "⋮")
        painter.restore()

    @staticmethod
    def _pill(painter: QPainter, rect: QRect, label: str, color: QColor) -> None:
        painter.setPen(color)
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), rect.height() / 2, rect.height() / 2)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index: Index) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            layout = self.layout_for(option, index)
            if (
                layout is not None
                and event.button() == Qt.MouseButton.LeftButton
                and layout.more.contains(event.position().toPoint())
            ):
                anchor = self.view.viewport().mapToGlobal(QPoint(layout.more.left(), layout.more.bottom()))
                self.menu_requested.emit(index, anchor)
                return True
        return super().editorEvent(event, model, option, index)

    def _on_entered(self, index: QModelIndex) -> None:
        if not self._filtering:
            self._filtering = True
            self.view.viewport().installEventFilter(self)
        self._set_hover(index.row(), False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            pos = event.position().toPoint()
            index = self.view.indexAt(pos)
            row = index.row() if index.isValid() else -1
            over_more = False
            if row >= 0:
                rect = self.view.visualRect(index)
                layout = card_layout(
                    rect, self.metrics(self.view.font()), index.data(ConnectionRole) or Connection(name="?"), "", "TLS"
                )
                over_more = layout.more.contains(pos)
            self._set_hover(row, over_more)
        elif kind == QEvent.Type.Leave:
            self._set_hover(-1, False)
        return False

    def _set_hover(self, row: int, over_more: bool) -> None:
        if row == self._hover_row and over_more == self._hover_more:
            return
        model = self.view.model()
        for old_or_new in {self._hover_row, row}:
            if old_or_new >= 0 and model is not None and old_or_new < model.rowCount():
                self.view.viewport().update(self.view.visualRect(model.index(old_or_new, 0)))
        self._hover_row, self._hover_more = row, over_more


class CardPictures:
    """Card pictures by what they show, within a count and a size: the least recently drawn go
    first. All are dropped when the style they were drawn in (palette, font, scale) changes. Each
    keeps its connection beside it: an object's id is only unique while the object lives."""

    def __init__(self, count: int = PICTURES_KEPT, size: int = PICTURE_BYTES) -> None:
        self.count, self.size = count, size
        self._kept: dict[tuple[object, ...], tuple[Connection, QPixmap]] = {}
        self._style: tuple[object, ...] | None = None
        self._bytes = 0

    def use_style(self, style: tuple[object, ...]) -> None:
        if style != self._style:
            self._kept.clear()
            self._style, self._bytes = style, 0

    def get(self, key: tuple[object, ...], connection: Connection) -> QPixmap | None:
        """The picture for ``key`` drawn from this very ``connection`` (taken out until ``put``)."""
        kept = self._kept.pop(key, None)
        if kept is None:
            return None
        self._bytes -= _bytes(kept[1])
        return kept[1] if kept[0] is connection else None

    def put(self, key: tuple[object, ...], connection: Connection, picture: QPixmap) -> None:
        size = _bytes(picture)
        while self._kept and (len(self._kept) >= self.count or self._bytes + size > self.size):
            self._bytes -= _bytes(self._kept.pop(next(iter(self._kept)))[1])
        self._kept[key] = (connection, picture)
        self._bytes += size

    def pictures(self) -> list[QPixmap]:
        return [picture for _connection, picture in self._kept.values()]


def _bytes(picture: QPixmap) -> int:
    """What a card's picture holds in memory (32 bits a pixel)."""
    return picture.width() * picture.height() * 4


def badge_text(connection: Connection) -> str:
    """The security badge: None, STARTTLS or TLS (Graph: HTTPS); "⚠ unverified" when the certificate is not checked."""
    if connection.kind is Kind.GRAPH:
        return "HTTPS"
    label = SECURITY_BADGES.get(connection.security, connection.security.value)
    return label + " ⚠ unverified" if connection.certificate_unchecked else label


_badge = badge_text  # the name the window-reliability tests know it by


def _weak(connection: Connection) -> bool:
    return connection.kind is not Kind.GRAPH and (
        connection.security is Security.NONE or connection.certificate_unchecked
    )
