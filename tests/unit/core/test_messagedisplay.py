"""What the Inbox's message view is given: text, HTML, the message's inline images, the source."""

from __future__ import annotations

from email.message import EmailMessage

from smtpgui.core.messagedisplay import MAX_RAW_SHOWN, MAX_TEXT_SHOWN, display_parts


def test_text_html_inline_images_and_attachments() -> None:
    message = EmailMessage()
    message["Subject"] = "Hi"
    message.set_content("plain words")
    message.add_alternative('<p>Hi <img src="cid:logo@x"></p>', subtype="html")
    message.get_payload()[1].add_related(b"\x89PNG fake", "image", "png", cid="<logo@x>")
    message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="bill.pdf")
    parts = display_parts(message.as_bytes())
    assert parts.text.strip() == "plain words" and "cid:logo@x" in parts.html
    assert parts.inline == {"<logo@x>": b"\x89PNG fake"}
    assert parts.attachments == ("bill.pdf (application/pdf, 4 bytes)",)
    assert "Subject: Hi" in parts.raw and not parts.raw_cut


def test_a_huge_message_shows_a_cut_source_and_garbage_never_raises() -> None:
    raw = b"Subject: big\r\n\r\n" + b"x" * (MAX_RAW_SHOWN + 10)
    parts = display_parts(raw)
    assert parts.raw_cut and len(parts.raw) == MAX_RAW_SHOWN
    assert parts.text_cut and len(parts.text) == MAX_TEXT_SHOWN
    for hostile in (b"", b"\xff\xfe\x00", b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--", b"\n\n\n"):
        display_parts(hostile)
