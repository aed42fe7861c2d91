"""A message's HTML part, shown without running, fetching or reading anything.

Qt's rich text engine runs no scripts and draws no frames, but it does load resources: images
(``<img>``, ``background``), style sheets (``<link>``) and CSS ``url()`` all reach
``loadResource``. QTextBrowser's own loader reads local files (``file:``, relative paths against
the working directory), and ``QTextDocument`` falls back to reading a local file itself whenever
the loader answers *nothing* (a null value). So :class:`SafeHtmlView` answers every request:
with the message's own ``cid:`` part (an inline image the message carries), a ``data:`` image
from the message itself, or an empty answer that Qt draws as a missing image. Nothing is
fetched from the network and no file is read.

Links are shown (hovering names the address), never followed: a click emits ``link_clicked``
for the window to ask before opening anything.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

MAX_INLINE_IMAGE = 5 * 1024 * 1024  # bytes of one cid:/data: image that are decoded at most
MAX_IMAGE_PIXELS = 4096 * 4096  # an inline image claiming more is not decoded
MAX_DOCUMENT_PIXELS = 2 * MAX_IMAGE_PIXELS  # all images of one message together (4 bytes a pixel: 128 MB)
MAX_HTML_CHARS = 512_000  # larger HTML is not laid out on the GUI thread (the raw source shows it)
# Qt's table layout takes time that doubles with each level of nesting (12 levels: 30 ms, 20: 10 s,
# 60: it never ends) and grows with rows × columns (a row of 5,000 cells over 50 rows: 18 s), all
# on the GUI thread. HTML beyond these is not laid out; newsletters nest a few levels, a few columns.
MAX_TABLE_DEPTH = 12
MAX_TABLE_GRID = 10_000  # the tables' rows × their widest row's cells, added up
_TABLE_TAG = re.compile(r"<\s*(/?)\s*(table|tr|td|th)\b", re.IGNORECASE)
_IMAGE = QTextDocument.ResourceType.ImageResource.value
_UNKNOWN = QTextDocument.ResourceType.UnknownResource


def content_id_key(value: str) -> str:
    """``<part@id>`` / ``cid:part@id`` / ``part%40id`` → ``part@id`` (how references are matched)."""
    text = value.strip()
    if text.lower().startswith("cid:"):
        text = text[4:]
    text = text.strip().strip("<>").strip()
    with contextlib.suppress(ValueError):
        text = unquote_to_bytes(text).decode("utf-8", "replace")
    return text.casefold()


def layout_problem(html: str) -> str | None:
    """Why Qt would take too long to lay ``html`` out (tables nested too deep, too many cells), or None."""
    tables: list[list[int]] = []  # per open table: rows, the widest row's cells, the current row's cells
    deepest = grid = 0
    for match in _TABLE_TAG.finditer(html):
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "table":
            if not closing:
                tables.append([0, 0, 0])
                deepest = max(deepest, len(tables))
            elif tables:
                rows, widest, _cells = tables.pop()
                grid += max(rows, 1) * widest
        elif closing or not tables:
            continue
        elif tag == "tr":
            tables[-1][0] += 1
            tables[-1][2] = 0
        else:
            table = tables[-1]
            table[2] += 1
            table[1] = max(table[1], table[2])
    grid += sum(max(rows, 1) * widest for rows, widest, _cells in tables)
    if deepest > MAX_TABLE_DEPTH:
        return f"its tables are nested {deepest} deep"
    if grid > MAX_TABLE_GRID:
        return f"its tables have {grid:,} cells (rows × columns)"
    return None


def _data_url_bytes(url: str) -> bytes | None:
    """The payload of a ``data:`` address (base64 or percent-encoded), None when malformed or too big."""
    head, sep, payload = url.partition(",")
    if not sep or len(payload) > MAX_INLINE_IMAGE * 2:
        return None
    if head.lower().endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            return None
    return unquote_to_bytes(payload)


def _decoded_image(data: bytes, pixels_left: int = MAX_IMAGE_PIXELS) -> QImage | None:
    """The image in ``data``, unless it is not one or would decode to more than MAX_IMAGE_PIXELS
    (a small file can claim 5,000 × 5,000 pixels: it is not decoded on the GUI thread)."""
    from PySide6.QtCore import QBuffer
    from PySide6.QtGui import QImageReader

    payload = QByteArray(data)
    buffer = QBuffer(payload)
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    pixels = size.width() * size.height()
    if not size.isValid() or pixels > MAX_IMAGE_PIXELS or pixels > pixels_left:
        return None
    image = reader.read()
    return None if image.isNull() else image


class SafeHtmlView(QTextBrowser):
    """Read-only HTML whose only resources are the message's own inline parts.

    Signals:
        link_clicked(str): the person clicked a link (its address); nothing has been opened.
    """

    link_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self._parts: dict[str, bytes] = {}
        self._images: dict[str, QImage] = {}  # decoded for this document (Qt may ask again)
        self._pixels_left = MAX_DOCUMENT_PIXELS  # a 55 kB PNG can decode to 64 MB: a budget per message
        self.requests: list[str] = []  # every address the document asked for (what was refused too)
        self._paper()
        self.anchorClicked.connect(self._on_anchor)
        self.highlighted.connect(self._on_hover)

    def _paper(self) -> None:
        """White paper and black ink whatever the window's palette, as mail programs show HTML mail:
        a message's own colours (black text, a blue link) are chosen for white and stay readable."""
        from smtpgui.ui.colors import readable

        paper = QColor(Qt.GlobalColor.white)
        palette = self.palette()
        for role, color in (
            (QPalette.ColorRole.Base, paper),
            (QPalette.ColorRole.Text, QColor(Qt.GlobalColor.black)),
            (QPalette.ColorRole.Link, readable(217, 200, [paper])),
            (QPalette.ColorRole.LinkVisited, readable(285, 150, [paper])),
        ):
            palette.setColor(QPalette.ColorGroup.All, role, color)
        self.setPalette(palette)

    def show_html(self, html: str, parts: Mapping[str, bytes] | None = None) -> None:
        """Show ``html``; ``parts`` maps Content-IDs (any form) to the bytes of the message's inline parts."""
        self._parts = {content_id_key(k): v for k, v in (parts or {}).items()}
        self._images, self._pixels_left = {}, MAX_DOCUMENT_PIXELS
        self.requests.clear()
        self.clear()  # drops the document's cached resources with the old message
        if len(html) > MAX_HTML_CHARS:
            self.setPlainText(f"This HTML part is too large to show here ({len(html):,} characters). See Raw source.")
            return
        problem = layout_problem(html)
        if problem is not None:
            self.setPlainText(f"This HTML part is too complex to show here: {problem}. See Raw source.")
            return
        self.setHtml(html)

    def show_text(self, text: str) -> None:
        """Show a sentence (no HTML part) as plain text."""
        self._parts = {}
        self._images, self._pixels_left = {}, MAX_DOCUMENT_PIXELS
        self.clear()
        self.setPlainText(text)

    # Qt calls this for every image, style sheet and CSS url() in the document. Never return
    # None: QTextDocument then reads a local file by itself.
    def loadResource(self, kind: int, name: QUrl | str) -> object:
        name = QUrl(name)
        address = name.toString()
        self.requests.append(address)
        scheme = name.scheme().lower()
        if int(kind) == _IMAGE:
            data: bytes | None = None
            if scheme == "cid":
                data = self._parts.get(content_id_key(address))
            elif scheme == "data":
                data = _data_url_bytes(address)
            if address in self._images:
                return self._images[address]
            if data is not None and len(data) <= MAX_INLINE_IMAGE:
                image = _decoded_image(data, self._pixels_left)
                if image is not None:
                    self._pixels_left -= image.width() * image.height()
                    self._images[address] = image
                    return image
            return QImage()  # an empty image: drawn as missing, and nothing more is tried
        return QByteArray()  # style sheets and anything else: empty

    def doSetSource(self, name: QUrl | str, kind: QTextDocument.ResourceType = _UNKNOWN) -> None:
        """Never navigates (a link, a Backspace, a history move): the document stays the message."""
        return

    def _on_anchor(self, url: QUrl) -> None:
        self.link_clicked.emit(url.toString())

    def _on_hover(self, url: QUrl) -> None:
        from smtpgui.ui.plaintext import plain_tooltip

        self.setToolTip(plain_tooltip(url.toString()) if not url.isEmpty() else "")
