"""Inline images that decode to far more than they weigh (issue 19, attack): a 55 kB PNG of
4,000 × 4,000 pixels decodes to 64 MB. Each was allowed (under 4096 × 4096), and a message may carry
10 MB of them: 30 such images took the window to 1.9 GB and 5 s on the GUI thread; 180 would take 11 GB."""

from __future__ import annotations

import time

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from smtpgui.ui.safehtml import MAX_DOCUMENT_PIXELS, SafeHtmlView


def _png(width: int, height: int, rgb: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(rgb)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def test_the_images_of_one_message_decode_to_a_bounded_number_of_pixels(qtbot: QtBot) -> None:
    count = 8
    parts = {f"<p{i}@example.com>": _png(4000, 4000, 0xFF0000 + i) for i in range(count)}
    html = "".join(f'<img src="cid:p{i}@example.com" width="40" height="40">' for i in range(count))
    html += '<img src="cid:small@example.com">'
    parts["<small@example.com>"] = _png(10, 10, 0x00FF00)
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    started = time.perf_counter()
    view.show_html(html, parts)
    view.grab()
    elapsed = time.perf_counter() - started
    decoded = 0
    for name in [*(f"cid:p{i}@example.com" for i in range(count)), "cid:small@example.com"]:
        image = view.document().resource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
        if isinstance(image, QImage) and not image.isNull():
            decoded += image.width() * image.height()
    assert decoded <= MAX_DOCUMENT_PIXELS, f"{decoded:,} pixels decoded"
    assert elapsed < 5.0, f"{elapsed:.1f} s on the GUI thread"
