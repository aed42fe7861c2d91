"""Connection cards: what each card shows, its layout at any width, its ⋮ menu, its stored last result."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics

from smtpgui.core.model import Connection, Kind, Security
from smtpgui.storage.results import StoredResult
from smtpgui.storage.store import ConnectionStore
from smtpgui.transport.result import Stage, TestResult
from smtpgui.ui.delegate import (
    CARD_HEIGHT,
    CARD_MIN_WIDTH,
    CardMetrics,
    badge_text,
    card_layout,
    elide_target,
    relative_time,
    result_text,
)
from smtpgui.ui.models import ConnectionListModel, LastResultRole

LONG_HOST = "a-very-long-relay-name-that-never-fits.eu-central-internal.mail.example-corporation.com"


def seed(config_dir: Path, *connections: Connection) -> list[Connection]:
    store = ConnectionStore(config_dir)
    return [store.add(c) for c in connections]


def test_relative_time_reads_as_people_say_it() -> None:
    now = 1_800_000_000.0
    assert relative_time(now - 5, now) == "just now"
    assert relative_time(now - 5 * 60, now) == "5 min ago"
    assert relative_time(now - 2 * 3600 - 10, now) == "2 h ago"
    assert relative_time(now - 3 * 86400, now) == "3 d ago"
    assert relative_time(now - 90 * 86400, now).count("-") == 2  # a date
    assert result_text(StoredResult(True, "data", now - 7200), now) == "✔ 2 h ago"
    assert result_text(StoredResult(False, "auth", now - 60), now) == "✖ auth · 1 min ago"
    assert result_text(StoredResult(False, "auth", now - 60), now, short=True) == "✖ auth 1m"
    assert result_text(StoredResult(True, "quit", now - 3 * 3600), now, short=True) == "✔ 3h"


@pytest.mark.parametrize("width", [CARD_MIN_WIDTH, 240, 320, 480, 900, 1600])
@pytest.mark.parametrize(
    "connection",
    [
        Connection(name="N" * 80, host=LONG_HOST, port=587, security=Security.STARTTLS, is_default=True),
        Connection(name="Legacy", host=LONG_HOST, port=25, security=Security.NONE, enabled=False),
        Connection(name="Lab", host="h", port=465, security=Security.TLS, verify=False, enabled=False, is_default=True),
    ],
)
def test_the_badge_is_always_inside_the_card_and_clear_of_the_text(qapp, width: int, connection: Connection) -> None:  # type: ignore[no-untyped-def]
    metrics = CardMetrics.for_font(QFont())
    rect = QRect(0, 0, width, CARD_HEIGHT)
    layout = card_layout(rect, metrics, connection, "✖ greeting · 12 min ago", badge_text(connection))
    assert layout.card.contains(layout.badge), (width, layout)
    assert layout.card.contains(layout.more)
    assert layout.badge.width() >= metrics.fm_small.horizontalAdvance(layout.badge_text)
    assert layout.badge_text.split()[0] == badge_text(connection).split()[0]  # the mode is always named
    if width >= 320:
        assert layout.badge_text == badge_text(connection)
    for text_rect in (layout.name, layout.target, layout.result, layout.disabled, layout.star):
        assert not text_rect.intersects(layout.badge), (width, text_rect, layout.badge)
        assert not text_rect.intersects(layout.more)
    assert not layout.name.intersects(layout.disabled)
    assert not layout.target.intersects(layout.result)


def test_the_list_is_never_narrower_than_a_card(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, Connection(name="One", host="one.example.com"))
    window = make_window()
    window.splitter.setSizes([0, 2000])  # the user drags the splitter all the way
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] > 0)
    assert window.splitter.sizes()[0] >= CARD_MIN_WIDTH
    assert window.list.viewport().width() >= CARD_MIN_WIDTH


def test_a_long_host_loses_its_middle_and_keeps_the_port(qapp) -> None:  # type: ignore[no-untyped-def]
    fm = QFontMetrics(QFont())
    connection = Connection(name="x", host=LONG_HOST, port=2525)
    for width in (60, 120, 200, 300):
        text = elide_target(fm, connection, width)
        assert text.endswith(":2525"), text
        assert "…" in text and fm.horizontalAdvance(text) <= max(width, fm.horizontalAdvance(":2525"))
        if width >= 120:
            assert text.startswith("a-") and "com:2525" in text  # both ends of the host stay
    assert elide_target(fm, connection, 5000) == f"{LONG_HOST}:2525"


def test_badges_say_the_security_mode() -> None:
    assert badge_text(Connection(name="a", security=Security.NONE)) == "None"
    assert badge_text(Connection(name="a", security=Security.STARTTLS)) == "STARTTLS"
    assert badge_text(Connection(name="a", security=Security.TLS)) == "TLS"
    assert "unverified" in badge_text(Connection(name="a", security=Security.TLS, verify=False))
    assert badge_text(Connection(name="a", kind=Kind.GRAPH)) == "HTTPS"


def test_tooltips_never_read_a_name_as_markup() -> None:
    model = ConnectionListModel()
    model.set_connections([Connection(name="<img src=x>evil", host="h<b>.example.com")])
    model.set_last_result(model.connection_at(0).id, StoredResult(False, "auth", 1.0, "<a href='x'>click</a>"))
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img src=x&gt;evil" in tip
    assert "<a href" not in tip and "&lt;a href=" in tip
    assert "h&lt;b&gt;.example.com" in tip


def _more_center(window, row: int):  # type: ignore[no-untyped-def]
    index = window.filter.index(row, 0)
    rect = window.list.visualRect(index)
    layout = window.delegate.layout_for(_option(window, rect), index)
    assert layout is not None
    return layout.more.center()


def _option(window, rect: QRect):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.rect = rect
    option.font = window.list.font()
    return option


def test_the_more_button_opens_the_cards_actions(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    first, second = seed(
        config_dir,
        Connection(name="One", host="one.example.com", is_default=True),
        Connection(name="Two", host="two.example.com"),
    )
    window = make_window()
    qtbot.waitExposed(window)
    assert window.card_menu is None
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=_more_center(window, 1))
    qtbot.waitUntil(lambda: window.card_menu is not None and window.card_menu.isVisible())
    menu = window.card_menu
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Test…", "Duplicate", "Set as default", "Disable", "Copy as", "Delete"]  # Copy as: issue 21
    assert window.editor.original is not None and window.editor.original.id == second.id  # the card's own menu
    menu.close()
    # A disabled card's menu offers Enable.
    window.connections.toggle_enabled()
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=_more_center(window, 1))
    qtbot.waitUntil(lambda: window.card_menu is not None and window.card_menu.isVisible())
    assert "Enable" in [a.text().replace("&", "") for a in window.card_menu.actions()]
    window.card_menu.close()
    assert first.id != second.id


def test_clicking_the_card_body_does_not_open_the_menu(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, Connection(name="One", host="one.example.com"), Connection(name="Two", host="two.example.com"))
    window = make_window()
    qtbot.waitExposed(window)
    rect = window.list.visualRect(window.filter.index(1, 0))
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(30, 20))
    assert window.card_menu is None
    assert window.editor.original is not None and window.editor.original.name == "Two"


def test_the_last_result_is_shown_stored_and_survives_a_restart(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    (relay,) = seed(config_dir, Connection(name="Relay", host="relay.example.com"))
    window = make_window()
    failed = TestResult(ok=False, stage=Stage.AUTH, error="535 5.7.8 \x1b[31mno\u202e", explanation=None)
    window.tests.record_result(relay, failed)
    stored = window.model.last_result(relay.id)
    assert stored is not None and not stored.ok and stored.stage == "auth"
    assert "\x1b" not in stored.summary and "\u202e" not in stored.summary
    window.close()
    again = make_window()
    result = again.model.data(again.model.index(0, 0), LastResultRole)
    assert result is not None and result.stage == "auth" and not result.ok
    assert time.time() - result.at < 60
    accessible = again.model.data(again.model.index(0, 0), Qt.ItemDataRole.AccessibleTextRole)
    assert "last test failed at auth" in accessible
    again.tests.record_result(relay, TestResult(ok=True, stage=Stage.QUIT))
    assert again.model.last_result(relay.id).ok  # type: ignore[union-attr]


def test_a_cancelled_test_leaves_the_last_result_alone(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    (relay,) = seed(config_dir, Connection(name="Relay", host="relay.example.com"))
    window = make_window()
    window.tests.record_result(relay, TestResult(ok=True, stage=Stage.QUIT))
    window.tests.record_result(relay, TestResult(ok=False, stage=Stage.CONNECT, cancelled=True))
    assert window.model.last_result(relay.id).ok  # type: ignore[union-attr]


def test_deleting_a_connection_forgets_its_result(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.storage.results import ResultStore

    (relay,) = seed(config_dir, Connection(name="Relay", host="relay.example.com"))
    window = make_window()
    window.tests.record_result(relay, TestResult(ok=True, stage=Stage.QUIT))
    window.connections.delete()
    assert relay.id not in ResultStore(config_dir).load()


def test_ten_thousand_cards_paint_and_filter_quickly(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    store = ConnectionStore(config_dir)
    connections = [
        Connection(name=f"relay {i:05d}", host=f"smtp{i}.example.com", is_default=i == 0, enabled=i % 7 != 0)
        for i in range(10_000)
    ]
    store.update(lambda _current: connections)
    window = make_window()
    window.resize(1000, 700)
    qtbot.waitExposed(window)
    count = window.model.rowCount()
    for row in range(0, count, 3):
        result = StoredResult(row % 2 == 0, "auth", time.time() - row)
        window.model.set_last_result(window.model.connection_at(row).id, result)
    viewport = window.list.viewport()
    window.list.scrollTo(window.filter.index(count // 2, 0))
    started = time.perf_counter()
    for _ in range(10):
        viewport.grab()
    per_paint = (time.perf_counter() - started) / 10
    started = time.perf_counter()
    window.search.setText("relay 0")
    window.search.setText("relay 01")
    window.search.setText("")
    per_search = (time.perf_counter() - started) / 3
    # Generous bounds (a shared, loaded machine): a full viewport of cards well within a frame budget.
    assert per_paint < 0.1, per_paint
    assert per_search < 0.2, per_search


def test_a_thousand_cards_paint_after_the_first_hundred_are_laid_out_and_all_are_reachable(
    make_window, config_dir, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The view lays the cards out in batches between events: the first paint waits for the first
    batch only (Qt asks the Python model twice per card while laying out), and every card is
    laid out soon after."""
    from smtpgui.ui import models

    ConnectionStore(config_dir).update(
        lambda _c: [Connection(name=f"relay {i:04d}", host=f"smtp{i}.example.com") for i in range(1000)]
    )
    asked: list[int] = []
    real = models.ConnectionFilterModel.rowCount
    monkeypatch.setattr(models.ConnectionFilterModel, "rowCount", lambda self, *a: asked.append(1) or real(self, *a))
    window = make_window()
    painted: list[int] = []
    from smtpgui.ui.firstuse import when_painted

    when_painted(window.list.viewport(), lambda: painted.append(len(asked)))
    qtbot.waitUntil(lambda: bool(painted))
    assert painted[0] < 1000  # not every card was laid out before the cards showed
    last = window.filter.index(999, 0)
    qtbot.waitUntil(lambda: window.list.visualRect(last).isValid())  # the rest follow
    window.list.scrollTo(last)
    qtbot.waitUntil(lambda: window.list.viewport().rect().intersects(window.list.visualRect(last)))


def test_cards_are_drawn_again_only_when_what_they_show_changes(make_window, config_dir, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A repaint draws each card from its picture; a card is drawn afresh when its own result,
    selection or connection changes, or the palette does (a dark palette, say)."""
    from PySide6.QtGui import QColor, QPalette

    from smtpgui.ui.firstuse import when_painted

    seed(config_dir, *[Connection(name=f"Relay {i}", host=f"r{i}.example.com") for i in range(4)])
    window = make_window()
    qtbot.waitExposed(window)
    drawn: list[str] = []
    real = window.delegate.paint_card
    monkeypatch.setattr(
        window.delegate, "paint_card", lambda p, r, c, **kw: drawn.append(c.name) or real(p, r, c, **kw)
    )

    def repaint() -> None:
        done: list[int] = []
        when_painted(window.list.viewport(), lambda: done.append(1))
        window.list.viewport().update()
        qtbot.waitUntil(lambda: bool(done))

    repaint()
    drawn.clear()
    repaint()
    assert drawn == []  # nothing changed: every card from its picture
    relay = window.model.connection_at(2)
    window.tests.record_result(relay, TestResult(ok=True, stage=Stage.QUIT))
    repaint()
    assert drawn == ["Relay 2"]
    drawn.clear()
    palette = QPalette(window.list.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    window.list.setPalette(palette)
    repaint()
    assert sorted(drawn) == ["Relay 0", "Relay 1", "Relay 2", "Relay 3"]


def test_a_selected_card_follows_the_window_becoming_inactive(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Native styles (Windows, macOS) give an inactive window another selection colour: the
    same palette in another colour group must not draw from the other group's picture."""
    from PySide6.QtGui import QColor, QImage, QPainter, QPalette
    from PySide6.QtWidgets import QStyleOptionViewItem

    seed(config_dir, Connection(name="Relay", host="r.example.com"))
    window = make_window()
    index = window.filter.index(0, 0)
    assert window.list.selectionModel().isSelected(index)
    palette = QPalette(window.list.palette())
    active, inactive = QColor("#c00000"), QColor("#00a000")
    palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight, active)
    palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, inactive)

    def draw(group: QPalette.ColorGroup) -> QImage:
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, 320, CARD_HEIGHT)
        option.palette = QPalette(palette)
        option.palette.setCurrentColorGroup(group)
        option.font = window.list.font()
        image = QImage(320, CARD_HEIGHT, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        window.delegate.paint(painter, option, index)
        painter.end()
        return image

    def count(image: QImage, color: QColor) -> int:
        return sum(image.pixelColor(x, y) == color for x in range(0, 320, 4) for y in range(0, CARD_HEIGHT, 4))

    first = draw(QPalette.ColorGroup.Active)
    assert count(first, active) > 50
    second = draw(QPalette.ColorGroup.Inactive)
    assert count(second, inactive) > 50
    assert count(second, active) == 0


def test_card_pictures_stay_within_a_few_megabytes_however_wide_the_cards(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A list dragged to the full width of a 4K screen at scale 2: every picture kept is ~4 MB;
    the pictures kept are bounded by their bytes, not only by their number."""
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

    seed(config_dir, *[Connection(name=f"Relay {i}", host=f"r{i}.example.com") for i in range(60)])
    window = make_window()
    width = 3800
    image = QImage(width * 2, CARD_HEIGHT * 2, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(2)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for row in range(60):
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, width, CARD_HEIGHT)
        option.palette = window.list.palette()
        option.font = window.list.font()
        window.delegate.paint(painter, option, window.filter.index(row, 0))
    painter.end()
    kept = sum(p.width() * p.height() * p.depth() // 8 for p in window.delegate.pictures.pictures())
    assert kept <= 16 * 2**20, kept / 2**20
    assert window.delegate.pictures.pictures()  # still kept: the last cards drawn
