"""What the inbox's message view shows of a received message: its text, its HTML, its inline parts.

Pure (no I/O, no Qt): the raw bytes are parsed with the standard ``email`` package in its
tolerant mode (a malformed message still shows what can be read). Sizes are capped so that a
25 MB message never becomes 25 MB of widget text on the GUI thread: the raw source shown is cut
at :data:`MAX_RAW_SHOWN` bytes (and says so), and only inline parts with a Content-ID are kept
for the HTML view (up to :data:`MAX_INLINE_TOTAL` bytes together).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_RAW_SHOWN = 2 * 1024 * 1024
MAX_INLINE_TOTAL = 10 * 1024 * 1024
MAX_PARTS = 500  # parts walked at most (a message of a million empty parts stops here)


@dataclass(frozen=True)
class MessageParts:
    """The views of one message: ``text`` and ``html`` are "" when it has no such part."""

    text: str = ""
    html: str = ""
    inline: dict[str, bytes] = field(default_factory=dict)  # Content-ID (as written) -> bytes
    attachments: tuple[str, ...] = ()  # "name (type, size)" of each other part
    raw: str = ""  # the source as text (undecodable bytes replaced), cut at MAX_RAW_SHOWN
    raw_cut: bool = False


def _decoded(part: object) -> str:
    from email.message import Message

    assert isinstance(part, Message)
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", "replace")


def split_message(raw: bytes) -> MessageParts:
    """The first text/plain and text/html parts, the inline parts with a Content-ID, and the source."""
    import email
    import email.policy

    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    text, html = "", ""
    inline: dict[str, bytes] = {}
    inline_total = 0
    attachments: list[str] = []
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        content_id = str(part.get("Content-ID") or "").strip()
        if kind == "text/plain" and not text and disposition != "attachment":
            text = _decoded(part)
        elif kind == "text/html" and not html and disposition != "attachment":
            html = _decoded(part)
        elif content_id and kind.startswith("image/"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and inline_total + len(payload) <= MAX_INLINE_TOTAL:
                inline[content_id] = payload
                inline_total += len(payload)
        else:
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            name = part.get_filename() or "(no name)"
            attachments.append(f"{name} ({kind}, {size:,} bytes)")
    shown = raw[:MAX_RAW_SHOWN]
    return MessageParts(
        text=text,
        html=html,
        inline=inline,
        attachments=tuple(attachments),
        raw=shown.decode("utf-8", "replace"),
        raw_cut=len(raw) > MAX_RAW_SHOWN,
    )
