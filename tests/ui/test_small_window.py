"""At 800×560 every field of every tab can be reached: each tab scrolls, nothing is clipped away."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QScrollArea, QWidget

from smtpgui.core.model import AuthMode, Connection, ProxyType, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.editor import open_tab


def scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def test_every_field_is_reachable_at_800_by_560(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(
        Connection(
            name="Everything",
            host="smtp.example.com",
            security=Security.STARTTLS,
            auth_mode=AuthMode.PASSWORD,
            username="u",
            proxy_type=ProxyType.SOCKS5,
            proxy_host="proxy.example.com",
            proxy_port=1080,
            verify=False,
        )
    )
    window = make_window()
    window.resize(800, 560)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 560)
    assert window.minimumSizeHint().width() <= 800 and window.minimumSizeHint().height() <= 560
    editor = window.editor
    for name in ("main", "auth", "encryption", "proxy"):
        open_tab(window, name)
        tab = getattr(editor, f"{name}_tab")
        first = next(iter(tab.widgets.values()))
        qtbot.waitUntil(first.isVisible)  # Qt shows a freshly built tab's rows on the next event loop turn
        checked = 0
        for field, widget in tab.widgets.items():
            if not widget.isVisibleTo(tab):
                continue  # a row that does not apply to this connection
            area = scroll_area_of(widget)
            assert area is not None, (name, field)
            area.ensureWidgetVisible(widget)
            # ensureWidgetVisible keeps a line edit's text cursor in view, not always its last pixel
            # row; scroll the whole field in, as a person scrolling down would.
            centre = widget.mapTo(area.widget(), widget.rect().center())
            area.ensureVisible(centre.x(), centre.y(), 0, widget.height() // 2 + 2)
            qtbot.waitUntil(lambda w=widget, a=area: _inside(w, a))
            # Nothing clipped at the side: the form fits the width (fields go under their labels).
            qtbot.waitUntil(lambda a=area: a.widget().width() <= a.viewport().width(), timeout=2000)
            assert not area.horizontalScrollBar().isVisible(), (name, field)
            checked += 1
        assert checked >= 4, name
    # The buttons under the tabs stay on screen.
    for button in (editor.save_button, editor.test_button):
        top_left = button.mapTo(window, button.rect().topLeft())
        assert QRect(top_left, button.size()).intersected(window.rect()) == QRect(top_left, button.size())


def _inside(widget: QWidget, area: QScrollArea) -> bool:
    viewport = area.viewport()
    top_left = widget.mapTo(viewport, widget.rect().topLeft())
    rect = QRect(top_left, widget.size())
    return viewport.rect().contains(rect) and widget.isVisible()


def test_every_toolbar_button_is_visible_at_800_by_560(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    """A narrow window shows the toolbar as icons (named in tooltips), never behind an overflow arrow."""
    from PySide6.QtWidgets import QToolBar

    window = make_window()
    window.resize(800, 560)
    qtbot.waitUntil(lambda: window.width() == 800)
    toolbar = window.findChild(QToolBar, "mainToolbar")
    buttons = [toolbar.widgetForAction(action) for action in toolbar.actions()]
    qtbot.waitUntil(lambda: all(button.isVisible() for button in buttons), timeout=3000)
    assert toolbar.toolButtonStyle().name == "ToolButtonIconOnly"
    for button in buttons:
        assert toolbar.rect().contains(button.geometry()), button.objectName()
    window.resize(1200, 700)
    qtbot.waitUntil(lambda: window.width() == 1200)
    assert toolbar.toolButtonStyle().name == "ToolButtonTextBesideIcon"
