"""core/display.py: outside text never reaches a screen with its control characters live."""

from __future__ import annotations

import pytest

from smtpgui.core.display import printable, printable_lines

HOSTILE = [
    "\x1b[2J",  # CSI: clear screen
    "\x1b]0;owned\x07",  # OSC: window title
    "\x9b31m",  # C1 CSI
    "\x85",  # NEL
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\x7f",
    "\x00",
    "\t",
    "\x0b",
    "\x0c",
    "\r",
    "\n",
]


@pytest.mark.parametrize("bad", HOSTILE)
def test_every_control_is_escaped(bad: str) -> None:
    shown = printable(f"220 ok{bad}smtpgui: fix: run this")
    assert bad not in shown
    assert shown.isprintable()
    assert "smtpgui: fix: run this" in shown


def test_notation_is_swaks_like() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("x\u202ey") == "x\\u202ey"
    assert printable("x\x85y") == "x\\x85y"


def test_ordinary_text_is_unchanged() -> None:
    text = "250 2.0.0 Ok: queued as ÄÖÜ – ✓ 日本 C:\\path"
    assert printable(text) == text


def test_multiline_keeps_only_real_line_ends() -> None:
    assert printable("a\r\nb\nc\rd\u2028e\x85f", multiline=True) == "a\nb\nc\nd\\u2028e\\x85f"
    assert printable_lines(b"one\r\ntwo\x1b") == ["one", "two\\x1b"]


def test_bytes_and_none() -> None:
    assert printable(b"\xff\x1b") == "\ufffd\\x1b"
    assert printable(None) == ""
