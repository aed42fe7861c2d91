"""The baseline for cold start: a bare PySide6 QMainWindow showing one line of text, shown,
closed after its first paint.

Started exactly like ``smtpgui --self-test`` (a fresh interpreter, offscreen), so the ratio
measures only what smtpgui adds. A window that draws no text is not what anyone sees: the line
of text loads fonts and lays out text as every real window does (about 18 ms). With
``--report FILE`` it writes ``{"painted_at": …}`` (the wall clock once its first paint pass is
done), at the same point as ``smtpgui --self-test --report`` does.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

report = sys.argv[sys.argv.index("--report") + 1] if "--report" in sys.argv else None


def painted() -> None:
    painted_at = time.time()
    if report:
        import json

        with open(report, "w") as f:
            json.dump({"painted_at": painted_at}, f)
    app.quit()


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, painted)
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 700)
window.setCentralWidget(QLabel("Manage your outgoing-mail connections and prove they work."))
painted_filter = FirstPaint()
window.installEventFilter(painted_filter)
window.show()
sys.exit(app.exec())
