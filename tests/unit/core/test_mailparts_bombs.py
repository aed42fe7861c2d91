"""MIME bombs against the views of a message (issue 19, attack): `smtpgui inbox show` and the window's
Text/HTML tabs parse the message with the email package, whose work grows with the number of parts
and with the square of a header's length. A message well under the sandbox's 25 MB took minutes."""

from __future__ import annotations

import time

import pytest

from smtpgui.core.mailparts import message_parts
from smtpgui.core.messagedisplay import display_parts

HEAD = b"From: ann@example.com\r\nTo: bob@example.org\r\nSubject: bomb\r\nMIME-Version: 1.0\r\n"
TEXT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe text part.\r\n"


def _many_parts(count: int) -> bytes:
    part = b"--X\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return HEAD + b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n" + TEXT + part * count + b"--X--\r\n"


def _long_parameters(count: int) -> bytes:
    return HEAD + b"Content-Type: text/plain; " + b"a=b; " * count + b"charset=utf-8\r\n\r\nThe text part.\r\n"


def _folded_part_header(count: int) -> bytes:
    folded = b"Content-Type: application/octet-stream;" + b"\r\n x=y;" * count + b"\r\n\r\nAAAA\r\n"
    return (
        HEAD + b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n" + TEXT + b"--X\r\n" + folded + b"--X--\r\n"
    )


BOMBS = {
    "100,000 parts": _many_parts(100_000),
    "100,000 parts of a boundary folded apart": _many_parts(100_000).replace(b"boundary=X", b"\r\n boundary=\r\n X"),
    "200,000 parameters": _long_parameters(200_000),
    "a part header folded 100,000 times": _folded_part_header(100_000),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
@pytest.mark.parametrize("view", [message_parts, display_parts])
def test_a_mime_bomb_is_shown_quickly(name: str, view: object) -> None:
    raw = BOMBS[name]
    started = time.perf_counter()
    shown = view(raw)  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    assert elapsed < 10.0, f"{name}: {len(raw):,} bytes shown in {elapsed:.1f} s"
    assert "The text part." in (shown.text or "")


def test_a_long_html_line_is_shown_whole() -> None:
    """Only headers and the number of parts are bounded: a body's long line (minified HTML) is not cut."""
    html = b"<p>" + b"x" * 2_000_000 + b"</p>"
    raw = HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n"
    assert message_parts(raw).html == html.decode() + "\r\n"


def test_lines_that_only_look_like_boundaries_are_kept() -> None:
    """A text of SQL comments ("-- …") has no parts: every line of it still shows."""
    body = b"".join(b"-- comment %d\r\n" % n for n in range(3_000)) + b"The end.\r\n"
    raw = HEAD + b"Content-Type: text/plain\r\n\r\n" + body
    assert message_parts(raw).text == body.decode()


def test_eight_bit_text_without_a_charset_reads_as_utf8() -> None:
    """A careless client's UTF-8 text with no charset declared showed as U+FFFD (read as ASCII)."""
    raw = HEAD + b"Content-Type: text/plain\r\n\r\nGr\xc3\xbc\xc3\x9fe \xe2\x80\x94 caf\xc3\xa9\r\n"
    assert message_parts(raw).text == "Grüße — café\r\n"
    latin = HEAD + b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nGr\xfc\xdfe\r\n"
    assert message_parts(latin).text == "Grüße\r\n"  # a declared charset still rules
    bare = b"From: a@example.com\r\nSubject: no MIME at all\r\n\r\ncaf\xc3\xa9\r\n"
    assert message_parts(bare).text == "café\r\n"
