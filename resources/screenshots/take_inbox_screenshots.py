"""Screenshots of the Inbox view: a few messages (one with problems, one in HTML), its HTML and
Checks tabs, at 1100×700 and 800×560, on a light and on a dark palette; and the first run's
empty state with its *Try it with the local sandbox* button.

    python resources/screenshots/take_inbox_screenshots.py OUT_DIR

Runs offscreen (``widget.grab()``): the real window over a temporary config folder, the real
sandbox on a free loopback port, messages delivered to it with smtplib.
"""

from __future__ import annotations

import os
import smtplib
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

DARK = {
    QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed", QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#2a2b2e", QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2e31",
    QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#3d6fb4",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.ToolTipBase: "#2d2e31", QPalette.ColorRole.ToolTipText: "#e8eaed",
}  # fmt: skip


def _png(color: str) -> bytes:
    image = QImage(48, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def deliver(port: int) -> None:
    plain = EmailMessage()
    plain["From"], plain["To"], plain["Subject"] = "Billing <billing@shop.example>", "ana@example.org", "Your receipt"
    plain["Date"], plain["Message-ID"] = "Fri, 27 Nov 2026 09:12:00 +0000", "<r1@shop.example>"
    plain.set_content("Thank you for your order.\n\nTotal: 42.00 EUR\n")
    html = EmailMessage()
    html["From"], html["To"] = "Newsletter <news@tools.example>", "team@example.org, ops@example.org"
    html["Subject"], html["Date"], html["Message-ID"] = (
        "November release notes",
        "Fri, 27 Nov 2026 10:00:00 +0000",
        "<n@t>",
    )
    html.set_content("November release notes (text part).\n")
    html.add_alternative(
        "<h2>November release</h2><p>What is new this month:</p><ul><li><b>Faster</b> sync</li>"
        '<li>A new <a href="https://tools.example/notes">changelog page</a></li></ul>'
        '<p><img src="cid:logo@tools.example" width="48" height="48"> our logo (inline, from the message)</p>'
        '<p><img src="http://tracker.example/pixel.gif" width="1" height="1">A tracking pixel: not fetched.</p>'
        "<script>alert('never runs')</script>",
        subtype="html",
    )
    html.get_payload()[1].add_related(_png("#2e7d32"), "image", "png", cid="<logo@tools.example>")
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.send_message(plain)
        client.send_message(html)
        # A message with problems: no Date, no Message-ID, a line over 998 octets, a bare LF.
        broken = (
            b"From: cron@build-7\r\nTo: dev@example.org\r\nSubject: Nightly build FAILED\r\n\r\n"
            + b"log: "
            + b"x" * 1100
            + b"\r\nbare line feed\nend\r\n"
        )
        client.sendmail("cron@build-7.example", ["dev@example.org"], broken)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(out: Path, theme: str) -> None:
    from smtpgui.app import application, build_main_window
    from tests.support.keyrings import MemoryKeyring
    from tests.support.prompts import ScriptedPrompts

    app = application()
    palette = app.style().standardPalette()
    if theme == "dark":
        for role, color in DARK.items():
            palette.setColor(role, QColor(color))
    app.setPalette(palette)
    with tempfile.TemporaryDirectory() as tmp:
        window = build_main_window(Path(tmp) / "config", ScriptedPrompts(), MemoryKeyring())
        window.show()
        window.finish_startup()
        window.resize(1100, 700)
        settle(app, 0.4)
        first_run = out / f"first-run-1100x700-{theme}.png"  # the empty state's sandbox button
        window.grab().save(str(first_run))
        print(first_run)
        flow = window.inbox
        status = flow.access.start(0)
        deliver(int(status.port or 0))
        window.inbox_action.trigger()
        view = flow.view
        deadline = time.monotonic() + 15
        while view.model.rowCount() < 3 and time.monotonic() < deadline:
            settle(app, 0.1)
        for width, height in ((1100, 700), (800, 560)):
            window.resize(width, height)
            for subject, tab, name in (("November release notes", 2, "html"), ("Nightly build FAILED", 4, "checks")):
                row = next(r for r in range(view.model.rowCount()) if view.model.summary_at(r).subject == subject)
                view.select_message(view.model.summary_at(row).id)
                settle(app, 0.6)
                view.message_view.tabs.setCurrentIndex(tab)
                settle(app, 0.3)
                path = out / f"inbox-{name}-{width}x{height}-{theme}.png"
                window.grab().save(str(path))
                print(path)
        flow.access.close()
        window.close()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    shoot(out, sys.argv[2] if len(sys.argv) > 2 else "light")
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
