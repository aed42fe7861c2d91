"""The readable parts of a received message: its text and its HTML, for showing it.

Pure and forgiving: a message the ``email`` package cannot make sense of gives what it can (the
body after the headers, decoded as UTF-8 with replacements), never an exception.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MessageParts", "message_parts"]


class MessageParts(NamedTuple):
    """The message's text part and HTML part (None when it has none)."""

    text: str | None
    html: str | None


def _content(part: object) -> str | None:
    try:
        value = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, UnicodeError, AttributeError, TypeError, AssertionError):
        try:
            payload = part.get_payload(decode=True)  # type: ignore[attr-defined]
        except (ValueError, TypeError, AssertionError):
            return None
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return value if isinstance(value, str) else None


def message_parts(raw: bytes) -> MessageParts:
    """The preferred text/plain and text/html parts of ``raw`` (as a mail program picks them)."""
    from email import message_from_bytes, policy

    try:
        message = message_from_bytes(raw, policy=policy.default)
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception:  # the email package raises many kinds on hostile input
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        return MessageParts(body.decode("utf-8", "replace") if body or head else None, None)
    text = _content(text_part) if text_part is not None else None
    html = _content(html_part) if html_part is not None else None
    return MessageParts(text, html)
