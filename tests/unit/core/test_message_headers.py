"""The test message as a mail program reads it back: address headers, body encoding, charsets.

Issue 17, items 4 (From spoofing through display names), 5 (8-bit bodies without 8BITMIME),
11 (charsets that are not text encodings) and 19 (odd addresses).
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser

import pytest

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import ValidationError
from smtpgui.core.message import READ_POLICY, TestRequest, build_test_message
from smtpgui.core.model import Connection
from smtpgui.core.validation import validate

SENDER = "a@example.test"

HOSTILE_NAMES = [
    "Support – Acme <ceo@bank.example>",
    "Ünï, ceo@bank.example",
    "ceo@bank.example",
    "<ceo@bank.example>",
    "a, b <ceo@bank.example>",
    'Quote " here <ceo@bank.example>',
    'Üx "q" <ceo@bank.example>',
    "back\\slash <ceo@bank.example>",
    'Ü\\"<ceo@bank.example>',
    "semi; colon: group: ceo@bank.example;",
    "Ü; g: ceo@bank.example;",
    "(comment <ceo@bank.example>)",
    "at@sign",
    "Ünïcödé ñame",
    "plain name",
    '"already quoted" <ceo@bank.example>',
    "trailing backslash \\",
    "x" * 70 + " <ceo@bank.example>",
    "long words " * 8 + 'a"b\\c <ceo@bank.example>',
    "Ü" * 30 + " Support – Acme <ceo@bank.example>",
    "Support – Acme <ceo@bank.example> " + "x" * 80,
    "日本語の名前, ceo@bank.example",
]


def _build(**fields: object) -> bytes:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, **fields)  # type: ignore[arg-type]
    return build_test_message(connection, TestRequest(to=("r@example.test",))).as_bytes()


def _read_back(raw: bytes) -> EmailMessage:
    """What a mail program reads: UTF-8 headers decoded as UTF-8 (RFC 6532), else bytes as sent."""
    try:
        return Parser(policy=READ_POLICY).parsestr(raw.decode("utf-8"))  # type: ignore[return-value]
    except UnicodeDecodeError:
        return BytesParser(policy=READ_POLICY).parsebytes(raw)  # type: ignore[return-value]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_display_name_gives_exactly_one_from_address(name: str) -> None:
    message = _read_back(_build(from_name=name))
    froms = message.get_all("From")
    assert froms is not None and len(froms) == 1
    addresses = froms[0].addresses
    assert [(a.display_name, a.addr_spec) for a in addresses] == [(name, SENDER)]


@pytest.mark.parametrize("name", HOSTILE_NAMES[:8])
def test_a_hostile_display_name_is_safe_with_an_smtputf8_sender_too(name: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address="jörg@example.test", from_name=name)
    message = build_test_message(connection, TestRequest(to=("r@example.test",)))
    assert message.smtputf8
    froms = _read_back(message.as_bytes()).get_all("From") or []
    assert [(a.display_name, a.addr_spec) for a in froms[0].addresses] == [(name, "jörg@example.test")]


@pytest.mark.parametrize("name", HOSTILE_NAMES[:6])
def test_the_default_display_name_from_the_settings_is_built_the_same_way(name: str) -> None:
    connection = Connection(name="c", host="smtp.example.com")
    settings = AppSettings(default_from_address=SENDER, default_from_name=name)
    raw = build_test_message(connection, TestRequest(to=("r@example.test",)), settings).as_bytes()
    froms = _read_back(raw).get_all("From") or []
    assert [(a.display_name, a.addr_spec) for a in froms[0].addresses] == [(name, SENDER)]


def test_reply_to_read_receipt_and_recipients_are_each_one_address() -> None:
    connection = Connection(
        name="c",
        host="smtp.example.com",
        from_address=SENDER,
        reply_to='"reply,to"@example.test',
        read_receipt_to='"receipt, x@evil.example"@example.test',
        send_read_receipt=True,
    )
    to = ('"smith,john"@example.test', "b@example.test")
    message = _read_back(build_test_message(connection, TestRequest(to=to)).as_bytes())
    assert [a.addr_spec for a in message["To"].addresses] == list(to)
    assert [a.addr_spec for a in message["Reply-To"].addresses] == ['"reply,to"@example.test']
    receipt = message["Disposition-Notification-To"].addresses
    assert [a.addr_spec for a in receipt] == ['"receipt, x@evil.example"@example.test']


def test_the_envelope_carries_only_the_addr_spec() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, from_name="Name <x@evil.example>")
    message = build_test_message(connection, TestRequest(to=('"smith,john"@example.test',)))
    assert message.envelope_from == SENDER
    assert message.recipients == ('"smith,john"@example.test',)


@pytest.mark.parametrize("name", ["=?utf-8?q?ceo=40bank.example?=", "x =?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?= y"])
def test_an_encoded_word_lookalike_display_name_is_refused(name: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, from_name=name)
    assert any(p.field == "from_name" for p in validate(connection))
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("r@example.test",)))
    assert caught.value.problems[0].field == "from_name"


# --- item 5: 8-bit bodies --------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1"])
def test_a_non_ascii_body_can_be_rendered_seven_bit_clean(charset: str) -> None:
    body = "Grüße, naïve café"
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, charset=charset)
    message = build_test_message(connection, TestRequest(to=("r@example.test",), body=body))
    assert message.needs_8bit
    seven = message.as_bytes(eight_bit=False)
    assert seven.isascii()
    assert max(len(line) for line in seven.split(b"\r\n")) <= 998
    parsed = BytesParser(policy=email.policy.default).parsebytes(seven)
    assert parsed["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert body in parsed.get_content()  # type: ignore[attr-defined]


def test_an_idn_host_body_is_seven_bit_clean_when_asked() -> None:
    connection = Connection(name="c", host="smtp.bücher.example", from_address=SENDER)
    message = build_test_message(connection, TestRequest(to=("r@example.test",)))
    assert message.needs_8bit
    assert message.as_bytes(eight_bit=False).isascii()
    assert "bücher" in BytesParser(policy=email.policy.default).parsebytes(message.as_bytes(False)).get_content()  # type: ignore[attr-defined]


def test_an_ascii_body_does_not_need_8bit() -> None:
    message = build_test_message(
        Connection(name="c", host="smtp.example.com", from_address=SENDER), TestRequest(to=("r@example.test",))
    )
    assert not message.needs_8bit
    assert message.as_bytes(eight_bit=False).split(b"\r\n\r\n", 1)[1] == message.as_bytes().split(b"\r\n\r\n", 1)[1]


# --- item 11: charsets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "charset", ["rot13", "base64", "hex", "zlib", "uu", "bz2", "quopri", "utf-16", "unicode_escape", "idna"]
)
def test_a_charset_that_is_not_a_text_encoding_is_refused(charset: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, charset=charset)
    assert [p.field for p in validate(connection)] == ["charset"]
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("r@example.test",)))
    assert caught.value.problems[0].field == "charset"


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "ascii", "windows-1252", "us-ascii", "utf-7"])
def test_text_charsets_are_accepted(charset: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, charset=charset)
    assert validate(connection) == []
    build_test_message(connection, TestRequest(to=("r@example.test",)))


def test_a_body_the_charset_cannot_encode_is_a_problem_on_the_body() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, charset="ascii")
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("r@example.test",), body="Grüße"))
    assert [p.field for p in caught.value.problems] == ["body"]
    assert "'ü'" in caught.value.problems[0].message


def test_a_signature_the_charset_cannot_encode_is_a_problem_too() -> None:
    connection = Connection(
        name="c",
        host="smtp.example.com",
        from_address=SENDER,
        charset="iso-8859-1",
        signature="— ✓",
        append_signature=True,
    )
    with pytest.raises(ValidationError):
        build_test_message(connection, TestRequest(to=("r@example.test",)))


# --- item 19: odd addresses ------------------------------------------------------------------


@pytest.mark.parametrize("address", ["a@example.com.", "a@example.com..", "a@bücher.example."])
def test_a_trailing_dot_domain_is_refused(address: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=address)
    assert any(p.field == "from_address" for p in validate(connection))
    with pytest.raises(ValidationError):
        build_test_message(
            Connection(name="c", host="smtp.example.com", from_address=SENDER), TestRequest(to=(address,))
        )


@pytest.mark.parametrize(
    ("sender", "right"), [("a@[IPv6:::1]", "[IPv6:::1]"), ("a@[192.0.2.1]", "[192.0.2.1]"), (SENDER, "example.test")]
)
def test_the_message_id_of_an_address_literal_sender_is_a_valid_msg_id(sender: str, right: str) -> None:
    message = build_test_message(
        Connection(name="c", host="smtp.example.com", from_address=sender), TestRequest(to=("r@example.test",))
    )
    assert message.message_id.endswith(f"@{right}>")
    parsed = _read_back(message.as_bytes())
    assert parsed["Message-ID"] == message.message_id
    assert [a.addr_spec for a in parsed["From"].addresses] == [sender]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_graph_request_carries_the_display_name_and_address_apart(name: str) -> None:
    from smtpgui.transport.graph import graph_payload

    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, from_name=name)
    message = build_test_message(connection, TestRequest(to=('"smith,john"@example.test',)))
    payload = graph_payload(message, "mailbox@example.test", "", False)["message"]
    assert payload["from"] == {"emailAddress": {"address": SENDER, "name": name}}
    assert payload["toRecipients"] == [{"emailAddress": {"address": '"smith,john"@example.test'}}]


@pytest.mark.parametrize("ch", ["\x00", "\x1b", "\x7f", "\x85", "\x0b", "\ud800"])
def test_a_body_description_or_signature_with_a_control_character_is_refused(ch: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build_test_message(
            Connection(name="c", host="smtp.example.com", from_address=SENDER),
            TestRequest(to=("r@example.test",), body=f"a{ch}b"),
        )
    assert [p.field for p in caught.value.problems] == ["body"]
    for field in ("description", "signature"):
        connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, **{field: f"x{ch}y"})
        assert [p.field for p in validate(connection)] == [field]


def test_line_breaks_and_tabs_stay_allowed_in_multi_line_text() -> None:
    connection = Connection(
        name="c", host="smtp.example.com", from_address=SENDER, description="a\nb\tc", signature="s\r\nt"
    )
    assert validate(connection) == []
    build_test_message(connection, TestRequest(to=("r@example.test",), body="line 1\nline 2\r\n\tindented"))


LONG_SENDER = "l" * 60 + "@" + "d" * 50 + ".example"


@pytest.mark.parametrize("name", ["–?[    \\?\\@Support 日[", *HOSTILE_NAMES])
def test_a_name_python_cannot_write_safely_is_refused_never_sent_wrong(name: str) -> None:
    # Found by a random search: with a long sender Python's folder wrote a From header its own
    # parser could not read back (AttributeError inside the header parser).
    connection = Connection(name="c", host="smtp.example.com", from_address=LONG_SENDER, from_name=name)
    try:
        message = build_test_message(connection, TestRequest(to=("r@example.test",)))
    except ValidationError as exc:
        assert [p.field for p in exc.problems] == ["from_name"]
        return
    froms = _read_back(message.as_bytes()).get_all("From") or []
    assert [(a.display_name, a.addr_spec) for a in froms[0].addresses] == [(name, LONG_SENDER)]


@pytest.mark.parametrize("sender", ['""@example.test', '""@[127.0.0.1]'])
@pytest.mark.parametrize("name", ["", "Bob"])
def test_an_address_python_writes_without_its_quotes_is_refused_never_sent_wrong(sender: str, name: str) -> None:
    # An empty quoted local part is written as "Bob <@example.test>" (the quotes dropped), which
    # reads back as another address. A plain display name must not skip the read-back for it.
    connection = Connection(name="c", host="smtp.example.com", from_address=sender, from_name=name)
    try:
        message = build_test_message(connection, TestRequest(to=("r@example.test",)))
    except ValidationError:
        return
    froms = _read_back(message.as_bytes()).get_all("From") or []
    assert len(froms) == 1
    assert [(a.display_name, a.addr_spec) for a in froms[0].addresses] == [(name, sender)]


def test_a_recipient_python_writes_without_its_quotes_is_never_sent_wrong() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER)
    try:
        message = build_test_message(connection, TestRequest(to=('""@example.test', "r@example.test")))
    except ValidationError:
        return
    tos = _read_back(message.as_bytes()).get_all("To") or []
    assert [a.addr_spec for a in tos[0].addresses] == ['""@example.test', "r@example.test"]


# Issue 20, item 6: read confirmation is on or off apart from its address.


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"send_read_receipt": True, "read_receipt_to": "dnt@example.test"}, ["dnt@example.test"]),
        ({"send_read_receipt": True}, [SENDER]),  # no address: the From
        ({"send_read_receipt": False, "read_receipt_to": "dnt@example.test"}, None),
        ({}, None),
    ],
)
def test_disposition_notification_to_only_when_read_confirmation_is_on(
    changes: dict[str, object], expected: list[str] | None
) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER).replace(**changes)
    message = _read_back(build_test_message(connection, TestRequest(to=("b@example.test",))).as_bytes())
    headers = message.get_all("Disposition-Notification-To")
    if expected is None:
        assert headers is None
    else:
        assert [a.addr_spec for a in headers[0].addresses] == expected


def test_a_bad_confirmation_address_is_reported_even_while_off() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, read_receipt_to="not an address")
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("b@example.test",)))
    assert [p.field for p in caught.value.problems] == ["read_receipt_to"]


# Issue 20, item 5: Force sender decides whether a test may send as another From.


def test_another_from_is_used_when_the_sender_is_not_forced() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, from_name="Own")
    request = TestRequest(to=("b@example.test",), from_override='"Other, Name" <other@example.test>')
    built = build_test_message(connection, request)
    message = _read_back(built.as_bytes())
    (address,) = message["From"].addresses
    assert (address.display_name, address.addr_spec) == ("Other, Name", "other@example.test")
    assert built.envelope_from == "other@example.test"


def test_another_from_is_refused_when_the_sender_is_forced() -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER, force_sender=True)
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("b@example.test",), from_override="other@example.test"))
    (problem,) = caught.value.problems
    assert problem.field == "from_override"
    assert "forces" in problem.message and SENDER in problem.message


@pytest.mark.parametrize(
    "hostile",
    [
        "not an address",
        "a@example.test, b@example.test",
        "x <a@example.test>\r\nBcc: c@evil.example",
        "<>",
        "<a@example.test> <b@example.test>",  # two addresses: the first would become the shown name
        "x <a@example.test> <b@example.test>",
        "a@example.test\u2028<b@example.test>",
    ],
)
def test_another_from_must_be_one_address(hostile: str) -> None:
    connection = Connection(name="c", host="smtp.example.com", from_address=SENDER)
    with pytest.raises(ValidationError) as caught:
        build_test_message(connection, TestRequest(to=("b@example.test",), from_override=hostile))
    assert {p.field for p in caught.value.problems} == {"from_override"}
