"""Each check on a received message: one message that trips it and one that passes (issue 19)."""

from __future__ import annotations

import pytest

from smtpgui.core.mailchecks import check_message, parse_headers

GOOD = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\n"
    b"From: Ann <ann@example.com>\r\n"
    b"To: bob@example.org, Carl <carl@example.net>\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
    b"\r\n"
    b"Hello.\r\n"
)


def _by_code(raw: bytes, **kwargs: object) -> dict[str, tuple[bool, str]]:
    return {c.code: (c.ok, c.sentence) for c in check_message(raw, **kwargs)}  # type: ignore[arg-type]


def _swap(old: bytes, new: bytes) -> bytes:
    assert old in GOOD
    return GOOD.replace(old, new)


def test_a_good_message_passes_every_check() -> None:
    checks = check_message(GOOD)
    assert [c.code for c in checks if not c.ok] == []
    assert len({c.code for c in checks}) == len(checks) == 13


TRIPS = [
    ("date-missing", _swap(b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\n", b""), {}),
    ("date-duplicate", b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n" + GOOD, {}),
    ("from-missing", _swap(b"From: Ann <ann@example.com>\r\n", b""), {}),
    ("from-duplicate", b"From: eve@example.com\r\n" + GOOD, {}),
    ("message-id-missing", _swap(b"Message-ID: <1@example.com>\r\n", b""), {}),
    ("message-id-duplicate", b"Message-Id: <2@example.com>\r\n" + GOOD, {}),
    ("line-too-long", GOOD + b"x" * 999 + b"\r\n", {}),
    ("bare-cr", GOOD + b"one\rtwo\r\n", {}),
    ("bare-lf", GOOD + b"one\ntwo\r\n", {}),
    ("8bit-undeclared", GOOD + "Grüße\r\n".encode(), {}),
    ("header-non-ascii", _swap(b"=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Grüße".encode()), {"eightbitmime": True}),
    ("address-malformed", _swap(b"To: bob@example.org", b"To: bob@"), {}),
    ("size-large", GOOD + b"x" * 998 + b"\r\n", {"large": 1000}),
]


@pytest.mark.parametrize(("code", "raw", "options"), TRIPS, ids=[t[0] for t in TRIPS])
def test_each_check_trips_on_its_problem_and_only_there(code: str, raw: bytes, options: dict[str, object]) -> None:
    checks = _by_code(raw, **options)
    failed = sorted(c for c, (ok, _s) in checks.items() if not ok)
    assert failed == [code]
    sentence = checks[code][1]
    assert sentence.endswith(".") and len(sentence) > 40
    assert _by_code(GOOD, **options)[code][0] is True


def test_declared_eight_bit_and_smtputf8_pass() -> None:
    body = GOOD + "Grüße\r\n".encode()
    assert _by_code(body, eightbitmime=True)["8bit-undeclared"][0] is True
    header = _swap(b"=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Grüße".encode())
    assert _by_code(header, smtputf8=True)["header-non-ascii"][0] is True
    assert _by_code(header, smtputf8=True)["8bit-undeclared"][0] is True


@pytest.mark.parametrize(
    "value",
    [
        b"bob@",
        b"not an address",
        b"<bob@example.org",
        b"bob@example.org>",
        b"a@b@c",
        b"Joe Bloggs bob@example.org",
        b"",
    ],
)
def test_the_address_parse_is_strict(value: bytes) -> None:
    raw = _swap(b"To: bob@example.org, Carl <carl@example.net>", b"To: " + value)
    ok, sentence = _by_code(raw)["address-malformed"]
    assert not ok
    assert "To (" in sentence


@pytest.mark.parametrize("header", [b"From", b"Reply-To", b"Sender", b"Cc"])
def test_every_address_header_is_parsed(header: bytes) -> None:
    raw = GOOD.replace(b"\r\n\r\n", b"\r\n" + header + b": x@\r\n\r\n", 1)
    assert _by_code(raw)["address-malformed"][0] is False


def test_an_undisclosed_recipients_group_is_a_valid_to() -> None:
    raw = _swap(b"To: bob@example.org, Carl <carl@example.net>", b"To: undisclosed-recipients:;")
    assert _by_code(raw)["address-malformed"][0] is True


def test_headers_are_unfolded_and_decoded() -> None:
    raw = GOOD.replace(b"To: bob@example.org,", b"To: bob@example.org,\r\n\t")
    headers = dict(parse_headers(raw))
    assert headers["Subject"] == "Grüße"
    assert headers["To"] == "bob@example.org, Carl <carl@example.net>"


def test_a_message_without_a_body_and_a_body_without_headers() -> None:
    assert parse_headers(b"Subject: hi\r\n") == (("Subject", "hi"),)
    assert parse_headers(b"\r\nSubject: not a header\r\n") == ()
    assert not {c.code: c.ok for c in check_message(b"")}["date-missing"]


def test_hostile_headers_never_raise() -> None:
    for raw in [
        b"Subject: =?utf-8?q?=ZZ?=\r\n",
        b"Subject: =?x-nope?b?////?=\r\n",
        b"To: " + b"<" * 5000 + b"\r\n",
        b"\xff\xfe: x\r\n",
    ]:
        check_message(raw)
        parse_headers(raw)


CORPUS = [
    "a@b.example", "Ann <ann@example.com>", "<ann@example.com>", '"Doe, John" <j@example.com>', "a@b, c@d.example",
    "Ann Lee <a@b.example>, <c@d.example>, e@f", "o'brien@example.ie", "a+tag@example.com", "x@[1.2.3.4]",
    "a..b@c", ".a@b", "a.@b", "a@b.", "a@.b", "a@", "@b", "a b@c", "Ann<a@b>", "Ann  <a@b>", "a@b,", ", a@b",
    "a@b,,c@d", '"" <a@b>', '"x\\"y" <a@b>', "=?utf-8?q?J=C3=B6?= <a@b.example>", "=?utf-8?q?bad=ZZ?= <a@b>",
    "J. Smith <j@example.com>", "<a@b", "a@b>", "Ann <a@b> trailing", "(comment) a@b", "a@b (comment)",
    "a@-b-.example", "Ann\t<a@b>", " a@b ", "a@b@c", "ann@exämple.com", "Änn <a@b.example>",
]  # fmt: skip


@pytest.mark.parametrize("name", ["From", "To", "Sender"])
def test_the_fast_path_agrees_with_the_strict_parser(name: str) -> None:
    from smtpgui.core import mailchecks

    matched = 0
    for value in CORPUS:
        fast = (mailchecks._PLAIN_MAILBOX if name == "Sender" else mailchecks._PLAIN_LIST).fullmatch(value)
        if fast:
            matched += 1
            assert mailchecks._strict_address_problem(name, value) is None, (name, value)
    assert matched >= 8  # the fast path does take the common forms


def test_an_encoded_comma_in_a_display_name_is_one_address() -> None:
    raw = _swap(b"From: Ann <ann@example.com>", b"From: =?utf-8?q?Doe=2C_John?= <j@example.com>")
    assert _by_code(raw)["address-malformed"][0] is True


@pytest.mark.parametrize(("code", "raw", "options"), TRIPS, ids=[t[0] for t in TRIPS])
def test_restored_checks_equal_the_checks(code: str, raw: bytes, options: dict[str, object]) -> None:
    from smtpgui.core.mailchecks import CODES, restore_checks

    checks = check_message(raw, **options)  # type: ignore[arg-type]
    failed = [(c.code, c.sentence) for c in checks if not c.ok]
    assert restore_checks(failed, len(raw), **({"large": options["large"]} if "large" in options else {})) == checks
    assert tuple(c.code for c in checks) == CODES
