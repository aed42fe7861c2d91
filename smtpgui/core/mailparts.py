"""The readable parts of a received message: its text and its HTML, for showing it.

Pure and forgiving: a message the ``email`` package cannot make sense of gives what it can (the
body after the headers, decoded as UTF-8 with replacements), never an exception.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["MAX_FIELD", "MAX_PARTS", "MessageParts", "message_parts", "parseable"]

MAX_PARTS = 1_000  # boundary lines given to the email package (its work grows with the parts)
MAX_FIELD = 16 * 1024  # bytes of one header field (its header parsers take time that grows with the square)


class MessageParts(NamedTuple):
    """The message's text part and HTML part (None when it has none)."""

    text: str | None
    html: str | None


def _content(part: object) -> str | None:
    if part.get_param("charset") is None and part.get_content_maintype() == "text":  # type: ignore[attr-defined]
        # No charset declared: RFC 2045 says US-ASCII, which turns every 8-bit byte into U+FFFD; the
        # 8-bit text careless clients send is UTF-8 nearly always (the checks report the missing declaration).
        try:
            payload = part.get_payload(decode=True)  # type: ignore[attr-defined]
        except (ValueError, TypeError, AssertionError):
            payload = None
        if isinstance(payload, bytes):
            return payload.decode("utf-8", "replace")
    try:
        value = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, UnicodeError, AttributeError, TypeError, AssertionError):
        try:
            payload = part.get_payload(decode=True)  # type: ignore[attr-defined]
        except (ValueError, TypeError, AssertionError):
            return None
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return value if isinstance(value, str) else None


def parseable(raw: bytes) -> bytes:
    """``raw`` bounded for the email package, which views parse: cut after :data:`MAX_PARTS`
    boundary lines (a 4 MB message of 100,000 parts took 20 s), and each header field, of the message
    or of a part, cut at :data:`MAX_FIELD` bytes (a 1 MB Content-Type took minutes). Bodies are kept
    whole. One linear pass; a message within the bounds comes back as it is."""
    if raw.count(b"\n--") < MAX_PARTS and len(raw) < MAX_FIELD:
        return raw
    import re

    declared = re.compile(rb'boundary\s*=\s*"?([^";\r\n]+)', re.IGNORECASE)
    boundaries: set[bytes] = set()
    kept: list[bytes] = []
    in_header, field, parts, dashes, changed = True, 0, 0, 0, False
    for whole in raw.splitlines(keepends=True):
        line = whole
        dashes += line.startswith(b"--")
        if dashes > 5 * MAX_PARTS:  # boundaries declared in a way not recognised here: cut all the same
            changed = True
            break
        if line.startswith(b"--") and boundaries and line[2:].rstrip().removesuffix(b"--") in boundaries:
            parts += 1
            if parts > MAX_PARTS:
                changed = True
                break
            in_header, field = True, 0  # a part's header section follows
        elif in_header:
            if not line.strip():
                in_header = False
            elif line[:1] in (b" ", b"\t") or b":" in line:
                field = field + len(line) if line[:1] in (b" ", b"\t") else len(line)
                if field > MAX_FIELD:  # the rest of a field this long is not given to the parser
                    changed = True
                    if field - len(line) >= MAX_FIELD:
                        continue
                    line = line[: MAX_FIELD - (field - len(line))].rstrip(b"\r\n") + b"\r\n"
                found = declared.search(line)
                if found:
                    boundaries.add(found.group(1).strip())
            else:
                in_header = False
        kept.append(line)
    return b"".join(kept) if changed else raw


def message_parts(raw: bytes) -> MessageParts:
    """The preferred text/plain and text/html parts of ``raw`` (as a mail program picks them)."""
    from email import message_from_bytes, policy

    try:
        message = message_from_bytes(parseable(raw), policy=policy.default)
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception:  # the email package raises many kinds on hostile input
        head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        return MessageParts(body.decode("utf-8", "replace") if body or head else None, None)
    text = _content(text_part) if text_part is not None else None
    html = _content(html_part) if html_part is not None else None
    return MessageParts(text, html)
