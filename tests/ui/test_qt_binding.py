"""The Qt binding itself: a release that miscounts references would abort the app after a while.

PySide6 6.12.0 drops one reference to None on every call of a Qt function that returns nothing
(setText, QTimer.start, processEvents…). On Python 3.11, where None is an ordinary object, the
interpreter aborts with "Fatal Python error: none_dealloc" once a few thousand such calls have
been made: a window left open for a while would die. pyproject.toml excludes that release; this
test fails on any binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar

CALLS = 500


def test_calls_that_return_nothing_keep_none_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    label, progress, timer = QLabel(), QProgressBar(), QTimer()
    calls = (
        lambda: label.setText("x"),
        lambda: progress.setValue(1),
        lambda: timer.start(60_000),
        timer.stop,
        QCoreApplication.processEvents,
    )
    for call in calls:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            call()
        # Other threads may hold or drop a few references meanwhile; a leak is one per call.
        assert sys.getrefcount(None) - before > -CALLS // 2, f"{call} drops references to None"
