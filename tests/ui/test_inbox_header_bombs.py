"""A message of headers (issue 19, attack): the Headers tab is filled on the GUI thread, and the
message keeps its headers whole. 300,000 header fields and a 2 MB Subject (7 MB of headers, within
the sandbox's 25 MB) became one 7 MB text, escaped and laid out on the GUI thread."""

from __future__ import annotations

import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from smtpgui.core.messagedisplay import MAX_RAW_SHOWN, display_parts
from smtpgui.storage.inbox import Envelope, InboxStore
from smtpgui.ui.messageview import MessageView


def test_the_headers_tab_shows_a_bounded_start_of_a_huge_header_section(qtbot: QtBot, tmp_path: Path) -> None:
    raw = (
        b"From: ann@example.com\r\nSubject: "
        + b"s" * 2_000_000
        + b"\r\n"
        + b"X-Filler: \x1b[31m value\r\n" * 300_000
        + b"\r\nHello.\r\n"
    )
    store = InboxStore(tmp_path / "inbox.sqlite3")
    message = store.message(store.add(raw, Envelope("ann@example.com", ("bob@example.org",), "127.0.0.1:1", "c")))
    store.close()
    assert message is not None
    parts = display_parts(raw)
    view = MessageView()
    qtbot.addWidget(view)
    started = time.perf_counter()
    view.show_message(message, parts)
    elapsed = time.perf_counter() - started
    shown = view.headers_view.toPlainText()
    assert len(shown) < MAX_RAW_SHOWN + 10_000, f"{len(shown):,} characters of headers"
    assert "\x1b" not in shown and "smtpgui inbox show" in shown and "SMTP envelope" in shown
    assert elapsed < 5.0, f"{elapsed:.1f} s on the GUI thread"
