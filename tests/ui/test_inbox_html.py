"""A message's HTML is shown without running a script, fetching an address or reading a file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QImage

from smtpgui.ui.safehtml import SafeHtmlView


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = _png(QColor("red"))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def recording_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on loopback that records every request (and would answer with a red image)."""
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()
    thread.join(5)


def _png(color: QColor, size: int = 40) -> bytes:
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(color)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _has_pure(image: QImage, color: QColor) -> bool:
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            if image.pixelColor(x, y) == color:
                return True
    return False


def test_hostile_html_runs_nothing_fetches_nothing_reads_no_file(qtbot, recording_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port, seen = recording_server
    red = tmp_path / "red.png"  # a local file the HTML points at: it must not be read
    red.write_bytes(_png(QColor("red")))
    marker = tmp_path / "script-ran"
    hostile = f"""<html><head>
    <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
    <style>body {{ background-image: url(http://127.0.0.1:{port}/css-bg.png); }}
           p.x {{ background: url('file://{red}'); }}</style>
    <script>document.write('<p id=ran>SCRIPT RAN</p>'); fetch('http://127.0.0.1:{port}/script');</script>
    </head><body background="http://127.0.0.1:{port}/body-bg.png">
    <p class="x">Hello <b>there</b></p>
    <img src="http://127.0.0.1:{port}/x" width="40" height="40">
    <img src="file://{red}" width="40" height="40">
    <img src="file:///etc/passwd" width="40" height="40">
    <img src="{red.name}" width="40" height="40">
    <img src="{red}" width="40" height="40">
    <iframe src="http://127.0.0.1:{port}/frame"></iframe>
    <table background="http://127.0.0.1:{port}/table-bg.png"><tr><td>cell</td></tr></table>
    <a href="file://{marker}">a link</a>
    </body></html>"""
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(600, 800)
    view.show()
    qtbot.waitExposed(view)
    view.show_html(hostile)
    shot = view.grab().toImage()  # lays out and paints every image and background
    assert "Hello" in view.toPlainText() and "SCRIPT RAN" not in view.toPlainText()
    assert any(str(port) in request for request in view.requests)  # the document did ask...
    assert any("passwd" in request for request in view.requests)
    assert seen == []  # ...and the server heard nothing
    assert not _has_pure(shot, QColor("red"))  # the local red image was never read
    # A click on a link follows nothing: the document stays, the address is only reported.
    clicked: list[str] = []
    view.link_clicked.connect(clicked.append)
    view.anchorClicked.emit(QUrl(f"file://{marker}"))  # as a click on it would
    assert clicked and not marker.exists() and "Hello" in view.toPlainText()
    assert seen == []


def test_a_link_click_is_reported_not_followed(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)
    view.show_html('<p><a href="https://example.com/offer">click here please</a></p>')
    clicked: list[str] = []
    view.link_clicked.connect(clicked.append)
    rect = view.cursorRect(view.textCursor())  # the start of the text: inside the link
    point = QPoint(rect.x() + 20, rect.y() + rect.height() // 2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: clicked == ["https://example.com/offer"])
    assert "click here please" in view.toPlainText()  # still the message, nothing navigated
    assert view.source().isEmpty()


def test_the_message_own_inline_images_load(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    green = QColor(0, 200, 0)
    view.show_html('<img src="cid:logo@example.com" width="40" height="40">', {"<logo@example.com>": _png(green)})
    assert _has_pure(view.grab().toImage(), green)
    view.show_html('<img src="cid:other@example.com" width="40" height="40">', {"<logo@example.com>": _png(green)})
    assert not _has_pure(view.grab().toImage(), green)  # another message's part, or none: nothing


def test_html_is_shown_on_white_paper_in_a_dark_palette(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPalette

    from smtpgui.ui.colors import AA_CONTRAST, contrast_ratio
    from tests.ui.test_palette import dark_palette

    before = qapp.palette()
    qapp.setPalette(dark_palette())
    try:
        view = SafeHtmlView()
        qtbot.addWidget(view)
        palette = view.palette()
        paper = palette.color(QPalette.ColorRole.Base)
        assert paper == QColor("white") and palette.color(QPalette.ColorRole.Text) == QColor("black")
        assert contrast_ratio(palette.color(QPalette.ColorRole.Link), paper) >= AA_CONTRAST
        assert contrast_ratio(palette.color(QPalette.ColorRole.LinkVisited), paper) >= AA_CONTRAST
    finally:
        qapp.setPalette(before)


def test_an_inline_image_claiming_huge_dimensions_is_not_decoded(qtbot) -> None:  # type: ignore[no-untyped-def]
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    # A valid 5,000 × 5,000 PNG (25 million pixels, 100 MB once decoded) in about 100 KB: Qt's own
    # allocation limit would decode it; the view does not.
    side = 5000
    rows = zlib.compress((b"\x00" + b"\x00" * side * 3) * side, 9)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    bomb += chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    assert len(bomb) < 200_000 and not QImage.fromData(bomb).isNull()  # a real image to Qt
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.show_html('<img src="cid:bomb@x">', {"bomb@x": bomb})
    image = view.loadResource(2, QUrl("cid:bomb@x"))  # what the document got
    assert isinstance(image, QImage) and image.isNull()
    green = _png(QColor(0, 200, 0))
    assert not view.loadResource(
        2, QUrl("data:image/png;base64," + __import__("base64").b64encode(green).decode())
    ).isNull()
