"""What the inbox's message view shows of a received message: its text, its HTML, its inline parts.

Pure (no I/O, no Qt). Which part is the text and which the HTML is decided once, by
:func:`smtpgui.core.mailparts.message_parts` (``smtpgui inbox show`` picks the same ones); this
adds what only the window needs: the inline images the HTML may refer to (``cid:``), the names of
the other parts, and the source. Sizes are capped so that a 25 MB message never becomes 25 MB of
widget text on the GUI thread: the source and the text shown are cut at :data:`MAX_RAW_SHOWN`
bytes and :data:`MAX_TEXT_SHOWN` characters (and say so), and the inline images kept for the HTML
view are at most :data:`MAX_INLINE_TOTAL` bytes together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

MAX_RAW_SHOWN = 512 * 1024  # a widget takes ~35 ms to lay out this much text on the GUI thread
MAX_TEXT_SHOWN = 512 * 1024  # characters of the text part shown (the rest: smtpgui inbox show ID)
MAX_INLINE_TOTAL = 10 * 1024 * 1024
MAX_PARTS = 500  # parts walked at most (a message of a million empty parts stops here)


@dataclass(frozen=True)
class DisplayParts:
    """The views of one message: ``text`` and ``html`` are "" when it has no such part."""

    text: str = ""
    html: str = ""
    inline: dict[str, bytes] = field(default_factory=dict)  # Content-ID (as written) -> bytes
    attachments: tuple[str, ...] = ()  # "name (type, size)" of each other part
    raw: str = ""  # the source as text (undecodable bytes replaced), cut at MAX_RAW_SHOWN
    raw_cut: bool = False
    text_cut: bool = False


def display_parts(raw: bytes) -> DisplayParts:
    """The text and HTML parts, the inline images with a Content-ID, the other parts, and the source."""
    import email
    import email.policy

    from smtpgui.core.mailparts import message_parts, parseable

    chosen = message_parts(raw)
    inline: dict[str, bytes] = {}
    attachments: list[str] = []
    try:
        _walk(email.message_from_bytes(parseable(raw), policy=email.policy.compat32), inline, attachments)
    except Exception:  # the email package raises many kinds on hostile input: the text and source still show
        attachments.append("(the message's other parts could not be read)")
    shown = raw[:MAX_RAW_SHOWN]
    return DisplayParts(
        text=(chosen.text or "")[:MAX_TEXT_SHOWN],
        text_cut=len(chosen.text or "") > MAX_TEXT_SHOWN,
        html=chosen.html or "",
        inline=inline,
        attachments=tuple(attachments),
        raw=shown.decode("utf-8", "replace"),
        raw_cut=len(raw) > MAX_RAW_SHOWN,
    )


def _walk(message: Message, inline: dict[str, bytes], attachments: list[str]) -> None:
    inline_total = 0
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            break
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        content_id = str(part.get("Content-ID") or "").strip()
        if kind in ("text/plain", "text/html") and disposition != "attachment":
            continue  # the text and the HTML: message_parts picked them
        if content_id and kind.startswith("image/"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and inline_total + len(payload) <= MAX_INLINE_TOTAL:
                inline[content_id] = payload
                inline_total += len(payload)
        else:
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            name = part.get_filename() or "(no name)"
            attachments.append(f"{name} ({kind}, {size:,} bytes)")
