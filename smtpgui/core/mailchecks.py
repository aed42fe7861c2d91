"""Checks on a message the sandbox received: what a real receiving server would complain about.

Pure functions on the raw bytes and two facts of the SMTP envelope (whether the client declared
``BODY=8BITMIME`` and ``SMTPUTF8``); no I/O. Every check is always reported, passed or not, with
a stable ``code`` that names the problem it looks for ("date-missing", "bare-lf"): ``ok`` is True
when the message does not have that problem. None of them blocks delivery; the sentences say what
a receiving server would do with such a message.

The header section is read here too (:func:`parse_headers`): unfolded, RFC 2047 encoded words
decoded, undecodable bytes replaced, so the inbox can show and search them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ADDRESS_HEADERS",
    "CODES",
    "LARGE_MESSAGE",
    "Check",
    "check_message",
    "header_section",
    "inspect_message",
    "parse_headers",
    "restore_checks",
]

MAX_LINE_OCTETS = 998  # RFC 5322 §2.1.1, not counting the CRLF
LARGE_MESSAGE = 10 * 1024 * 1024  # many receivers (and most mailbox providers' attachment rules) stop near here
ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To", "Sender")
_ONCE_HEADERS = (("Date", "date"), ("From", "from"), ("Message-ID", "message-id"))
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BARE_CR = re.compile(rb"\r(?!\n)")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_EIGHT_BIT = re.compile(rb"[\x80-\xff]")
_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$", re.DOTALL)
# The email package's header parsers take time that grows with the square of a header's length
# (a 300 kB To header: 40 s; the sandbox reads each message before its 250). Longer values are not
# given to them: encoded words are decoded in the first MAX_DECODED characters (the rest is shown
# as it came), and an address header longer than MAX_STRICT that is not a plain list fails its
# check as too long to check (real servers cut headers near 100 kB: Postfix's header_size_limit).
MAX_DECODED = 16 * 1024
MAX_STRICT = 16 * 1024


# What each check says when the message passes it (the codes in their fixed order).
_PASSED = {
    "date-missing": "The message has a Date header.",
    "date-duplicate": "The message has at most one Date header.",
    "from-missing": "The message has a From header.",
    "from-duplicate": "The message has at most one From header.",
    "message-id-missing": "The message has a Message-ID header.",
    "message-id-duplicate": "The message has at most one Message-ID header.",
    "line-too-long": f"Every line is at most {MAX_LINE_OCTETS} octets.",
    "bare-cr": "Every CR is followed by LF.",
    "bare-lf": "Every line ends with CRLF.",
    "8bit-undeclared": "The message is 7-bit, or its 8-bit data was declared with BODY=8BITMIME.",
    "header-non-ascii": "The headers are ASCII (non-ASCII text in encoded words), or SMTPUTF8 was declared.",
    "address-malformed": "Every address header (" + ", ".join(ADDRESS_HEADERS) + ") parses strictly.",
    "size-large": "The message is {size:,} bytes, under {megabytes:g} MB.",
}
CODES = tuple(_PASSED)


@dataclass(frozen=True)
class Check:
    """One check on a message: ``code`` names the problem looked for; ``ok`` True means it is absent."""

    code: str
    ok: bool
    sentence: str


def restore_checks(failed: list[tuple[str, str]], size: int, large: int = LARGE_MESSAGE) -> tuple[Check, ...]:
    """Every check again from the failed ones (code, sentence) kept of a message of ``size`` bytes,
    without reading the message: what passed says the same for every message."""
    sentences = dict(failed)
    return tuple(
        Check(code, False, sentences[code])
        if code in sentences
        else Check(code, True, _PASSED[code].format(size=size, megabytes=large / (1024 * 1024)))
        for code in CODES
    )


def header_section(raw: bytes) -> bytes:
    """The bytes before the first empty line (the whole message when there is none)."""
    found = _HEADER_END.search(raw)
    if raw.startswith((b"\r\n", b"\n")):
        return b""
    return raw[: found.start()] if found else raw


def _raw_fields(raw: bytes) -> list[tuple[str, bytes]]:
    """(name, raw value) per header field, continuation lines joined; lines that are not fields skipped."""
    fields: list[tuple[str, list[bytes]]] = []  # the pieces are joined once: a fold per line stays linear
    for line in re.split(rb"\r\n|\r|\n", header_section(raw)):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1].append(line.strip())
            continue
        match = _FIELD.match(line)
        if match:
            fields.append((match.group(1).decode("ascii"), [match.group(2).strip()]))
    return [(name, b" ".join(pieces)) for name, pieces in fields]


def _decode(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    if "=?" not in text:
        return text
    from email.header import decode_header, make_header

    rest = ""
    if len(text) > MAX_DECODED:  # cut at a space, so that no encoded word is cut in two
        cut = text.rfind(" ", 0, MAX_DECODED)
        cut = cut if cut > 0 else MAX_DECODED
        text, rest = text[:cut], text[cut:]
    try:
        return str(make_header(decode_header(text))) + rest
    except Exception:  # HeaderParseError, binascii.Error, LookupError, ...: the email package raises many kinds
        return text + rest  # a malformed encoded word: shown as it came


def parse_headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    """The message's header fields in order, unfolded and decoded for display and search."""
    return tuple((name, _decode(value)) for name, value in _raw_fields(raw))


def _once(fields: list[tuple[str, bytes]]) -> list[Check]:
    checks = []
    for name, code in _ONCE_HEADERS:
        count = sum(1 for field, _ in fields if field.lower() == name.lower())
        checks.append(
            Check(
                f"{code}-missing",
                count > 0,
                _PASSED[f"{code}-missing"]
                if count
                else f"The message has no {name} header: RFC 5322 requires one, and a receiving server "
                f"may reject the message, add its own, or count it towards spam.",
            )
        )
        checks.append(
            Check(
                f"{code}-duplicate",
                count <= 1,
                _PASSED[f"{code}-duplicate"]
                if count <= 1
                else f"The message has {count} {name} headers: RFC 5322 allows one, and strict receiving "
                f"servers (Gmail among them) reject such a message as not RFC 5322 compliant.",
            )
        )
    return checks


def _lines(raw: bytes) -> list[Check]:
    # bytes.splitlines splits at CRLF, CR and LF (only those, for bytes); map and len run in C.
    longest = max(map(len, raw.splitlines()), default=0)
    # Searched first: a message without the problem (nearly all) is not scanned a second time.
    bare_cr = len(_BARE_CR.findall(raw)) if _BARE_CR.search(raw) else 0
    bare_lf = len(_BARE_LF.findall(raw)) if _BARE_LF.search(raw) else 0
    return [
        Check(
            "line-too-long",
            longest <= MAX_LINE_OCTETS,
            _PASSED["line-too-long"]
            if longest <= MAX_LINE_OCTETS
            else f"A line is {longest} octets long, over the {MAX_LINE_OCTETS} that SMTP allows: a receiving "
            f"server may reject the message or break the line, which corrupts its content.",
        ),
        Check(
            "bare-cr",
            not bare_cr,
            _PASSED["bare-cr"]
            if not bare_cr
            else f"The message has {bare_cr} bare CR (a carriage return without a line feed): receiving "
            f'servers reject it ("bare CR") or change it, since it can smuggle a second message.',
        ),
        Check(
            "bare-lf",
            not bare_lf,
            _PASSED["bare-lf"]
            if not bare_lf
            else f"The message has {bare_lf} bare LF (a line end without CR): many receiving servers "
            f'(Postfix, Exchange, Gmail) reject it as "bare LF" since the SMTP smuggling fixes of 2024.',
        ),
    ]


def _eight_bit(raw: bytes, *, eightbitmime: bool, smtputf8: bool) -> list[Check]:
    has_eight_bit = bool(_EIGHT_BIT.search(raw))
    declared = eightbitmime or smtputf8
    header_eight_bit = bool(_EIGHT_BIT.search(header_section(raw)))
    return [
        Check(
            "8bit-undeclared",
            declared or not has_eight_bit,
            _PASSED["8bit-undeclared"]
            if declared or not has_eight_bit
            else "The message holds 8-bit bytes but the client did not declare BODY=8BITMIME: a receiving "
            "server may reject it, strip the 8th bit, or pass it on garbled.",
        ),
        Check(
            "header-non-ascii",
            smtputf8 or not header_eight_bit,
            _PASSED["header-non-ascii"]
            if smtputf8 or not header_eight_bit
            else "A header holds raw non-ASCII bytes without SMTPUTF8 declared: a receiving server may "
            "reject the message or show the text garbled; use RFC 2047 encoded words, or SMTPUTF8.",
        ),
    ]


# The plain forms nearly every message uses ("a@b.example", "Name <a@b.example>", '"Q" <a@b>'),
# recognised without the email package's parser (a tenth of the time: the sandbox checks every
# message before its 250). Only forms the strict parser accepts without a defect match (a test
# holds the two to each other); anything else goes to the strict parse.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]"  # RFC 5322 atext without "=" and "?" (encoded words)
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_ADDR_SPEC = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_PHRASE = rf"(?:{_ATEXT}+(?: {_ATEXT}+)*|\"[^\"\\\r\n=?]+\")"
_MAILBOX = rf"(?:{_ADDR_SPEC}|(?:{_PHRASE} ?)?<{_ADDR_SPEC}>)"
_PLAIN_MAILBOX = re.compile(rf"[ \t]*{_MAILBOX}[ \t]*")
_PLAIN_LIST = re.compile(rf"[ \t]*{_MAILBOX}(?:[ \t]*,[ \t]*{_MAILBOX})*[ \t]*")


def _address_problem(name: str, value: str) -> str | None:
    """Why the address header ``value`` fails a strict parse, or None when it parses cleanly."""
    if (_PLAIN_MAILBOX if name.lower() == "sender" else _PLAIN_LIST).fullmatch(value):
        return None
    return _strict_address_problem(name, value)


def _strict_address_problem(name: str, value: str) -> str | None:
    from email.policy import default

    if len(value) > MAX_STRICT:
        return f"it is too long to check ({len(value):,} characters)"

    try:
        header = default.header_factory(name, value)
    except Exception:  # the stdlib parser raises IndexError and others on some inputs
        return "it cannot be parsed"
    defects = list(getattr(header, "defects", ()))
    if defects:
        return str(defects[0])
    addresses = getattr(header, "addresses", ())
    groups = getattr(header, "groups", ())
    if not addresses and (name.lower() not in ("to", "cc") or not groups):  # "undisclosed-recipients:;"
        return "it holds no address"
    for address in addresses:
        if not address.username or not address.domain:
            return f"{address.addr_spec or 'an address'} is not a complete address"
    return None


def _addresses(fields: list[tuple[str, bytes]]) -> list[Check]:
    wanted = {name.lower(): name for name in ADDRESS_HEADERS}
    problems = []
    for field, value in fields:
        if field.lower() in wanted:
            # Not decoded first: an encoded word may hide a comma; the parser decodes them itself.
            reason = _address_problem(wanted[field.lower()], value.decode("utf-8", "replace"))
            if reason:
                problems.append(f"{wanted[field.lower()]} ({reason})")
    return [
        Check(
            "address-malformed",
            not problems,
            _PASSED["address-malformed"]
            if not problems
            else "An address header is malformed: " + "; ".join(problems) + ". A receiving server may reject "
            "the message, and replies may go nowhere.",
        )
    ]


def _size(raw: bytes, limit: int) -> list[Check]:
    size = len(raw)
    megabytes = limit / (1024 * 1024)
    return [
        Check(
            "size-large",
            size <= limit,
            _PASSED["size-large"].format(size=size, megabytes=megabytes)
            if size <= limit
            else f"The message is {size:,} bytes, over {megabytes:g} MB: many receiving servers refuse it "
            f"(552, message too large), and base64 attachments grow it by a third on the way.",
        )
    ]


def check_message(
    raw: bytes, *, eightbitmime: bool = False, smtputf8: bool = False, large: int = LARGE_MESSAGE
) -> tuple[Check, ...]:
    """Every check on ``raw`` (the message as received, after the SMTP dot-unstuffing), in a fixed order."""
    return _checks(raw, _raw_fields(raw), eightbitmime=eightbitmime, smtputf8=smtputf8, large=large)


def inspect_message(
    raw: bytes, *, eightbitmime: bool = False, smtputf8: bool = False
) -> tuple[tuple[tuple[str, str], ...], tuple[Check, ...]]:
    """:func:`parse_headers` and :func:`check_message` together, reading the header section once."""
    fields = _raw_fields(raw)
    headers = tuple((name, _decode(value)) for name, value in fields)
    return headers, _checks(raw, fields, eightbitmime=eightbitmime, smtputf8=smtputf8, large=LARGE_MESSAGE)


def _checks(
    raw: bytes, fields: list[tuple[str, bytes]], *, eightbitmime: bool, smtputf8: bool, large: int
) -> tuple[Check, ...]:
    return (
        *_once(fields),
        *_lines(raw),
        *_eight_bit(raw, eightbitmime=eightbitmime, smtputf8=smtputf8),
        *_addresses(fields),
        *_size(raw, large),
    )
