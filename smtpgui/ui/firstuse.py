"""What the window makes or does later than its start: after the first paint, or on first use."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    """Calls back once the widget's first paint pass is done, then stops watching: no Python
    call per event for the rest of the session."""

    def __init__(self, widget: QWidget, on_paint: Callable[[], object]) -> None:
        # The widget's own paint event comes first in the pass that paints it and its children;
        # the callback runs once that whole pass is done.
        super().__init__(widget)  # lives as long as the widget
        self.on_paint, self.widget, self.done = on_paint, widget, False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            self.widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self.on_paint)  # dropped if the widget is gone by then
        return False


def later(target: Callable[[], Callable[[], object]]) -> Callable[[], object]:
    """A slot that looks up its target (a method of a flow made on first use) when it fires."""

    def slot() -> object:
        return target()()

    return slot


def when_painted(widget: QWidget, on_paint: Callable[[], object]) -> None:
    """Call ``on_paint`` once ``widget`` has painted for the first time (start-up ends there)."""
    _FirstPaint(widget, on_paint)
