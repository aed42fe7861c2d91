"""Parsers for hosts, addresses, From fields, pins and proxy URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpgui.core.addresses import (
    normalize_address,
    normalize_ehlo_name,
    normalize_host,
    normalize_pin,
    parse_proxy_url,
    split_from_field,
)
from smtpgui.core.model import ProxyType

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
hostnames = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(label, min_size=1, max_size=4),
    st.from_regex(r"[a-z]{2,10}", fullmatch=True),
)
local_parts = st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9_-]{1,10}){0,2}", fullmatch=True)


@given(hostnames)
def test_any_dns_name_is_a_host(host: str) -> None:
    assert normalize_host(host) == host


@given(st.ip_addresses())
def test_ip_literals_are_hosts(address) -> None:  # type: ignore[no-untyped-def]
    assert normalize_host(str(address)) == str(address)


def test_ipv6_in_brackets_is_stored_without_them() -> None:
    assert normalize_host("[2001:db8::1]") == "2001:db8::1"


def test_idn_hosts_are_accepted() -> None:
    assert normalize_host("bücher.example") == "bücher.example"
    assert normalize_host("почта.рф") == "почта.рф"


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("", "Enter the server"),
        ("smtp.example.com:587", "port field"),
        ("smtp example.com", "spaces"),
        ("-bad.example", "letters, digits"),
        ("user@example.com", "only the server's name"),
        ("a" * 64 + ".example", "letters, digits"),
        ("999.1.1.1", "neither a valid IPv4"),
    ],
)
def test_bad_hosts_are_explained(host: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        normalize_host(host)


@given(st.text(max_size=40))
def test_host_parser_never_crashes(text: str) -> None:
    try:
        normalize_host(text)
    except ValueError as exc:
        assert str(exc)


@given(local_parts, hostnames)
def test_valid_addresses_round_trip(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    assert normalize_address(address) == address


@given(st.text(max_size=60))
def test_address_parser_never_crashes(text: str) -> None:
    try:
        normalize_address(text)
    except ValueError as exc:
        assert str(exc)


@pytest.mark.parametrize(
    "bad",
    [
        "plain",
        "a@",
        "@b.example",
        "a b@c.example",
        "a@b.example\r\nBcc: x@y.z",
        "<a@b.example>",
        "a@1.2.3.4",
        "a..b@c.example",
    ],
)
def test_invalid_addresses(bad: str) -> None:
    with pytest.raises(ValueError, match="."):
        normalize_address(bad)


def test_unicode_and_literal_addresses() -> None:
    assert normalize_address("用户@例子.广告") == "用户@例子.广告"
    assert normalize_address("postmaster@[192.0.2.1]") == "postmaster@[192.0.2.1]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Sender Name" <addr@example.com>', ("Sender Name", "addr@example.com")),
        ("Sender Name <addr@example.com>", ("Sender Name", "addr@example.com")),
        ('"Doe, \\"JD\\" John" <jd@example.com>', ('Doe, "JD" John', "jd@example.com")),
        ("<addr@example.com>", ("", "addr@example.com")),
        ("  addr@example.com ", ("", "addr@example.com")),
    ],
)
def test_from_field_is_split(text: str, expected: tuple[str, str]) -> None:
    assert split_from_field(text) == expected


@given(
    st.text(alphabet=st.characters(blacklist_characters='"<>\\\r\n', blacklist_categories=("Cs", "Cc")), max_size=30),
    local_parts,
    hostnames,
)
def test_from_field_split_round_trip(name: str, local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    assert split_from_field(f'"{name}" <{address}>') == (name.strip(), address)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail.example.com", "mail.example.com"),
        ("[192.0.2.1]", "[192.0.2.1]"),
        ("[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]"),
    ],
)
def test_ehlo_names(text: str, expected: str) -> None:
    assert normalize_ehlo_name(text) == expected


@pytest.mark.parametrize("bad", ["localhost", "192.0.2.1", "[999.0.0.1]", "[IPv6:zz]", "bad name.example"])
def test_bad_ehlo_names(bad: str) -> None:
    with pytest.raises(ValueError, match="."):
        normalize_ehlo_name(bad)


def test_pins_accept_colons_and_case() -> None:
    hexes = "AB" * 32
    assert normalize_pin(":".join(hexes[i : i + 2] for i in range(0, 64, 2))) == "ab" * 32
    with pytest.raises(ValueError, match="64 hexadecimal"):
        normalize_pin("ab" * 31)
    with pytest.raises(ValueError, match="64 hexadecimal"):
        normalize_pin("zz" * 32)


@pytest.mark.parametrize(
    ("url", "kind", "host", "port", "user"),
    [
        ("socks5://127.0.0.1:1080", ProxyType.SOCKS5, "127.0.0.1", 1080, ""),
        ("socks5://bob@proxy.example:9050", ProxyType.SOCKS5, "proxy.example", 9050, "bob"),
        ("socks4://proxy.example", ProxyType.SOCKS4, "proxy.example", 1080, ""),
        ("http://[::1]:3128", ProxyType.HTTP, "::1", 3128, ""),
        ("none", ProxyType.NONE, "", 0, ""),
    ],
)
def test_proxy_urls(url: str, kind: ProxyType, host: str, port: int, user: str) -> None:
    spec = parse_proxy_url(url)
    assert (spec.proxy_type, spec.host, spec.port, spec.username) == (kind, host, port, user)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://x.example:21", "Unknown proxy type"),
        ("socks5://bob:secret@x.example:1080", "password"),
        ("proxy.example:1080", "as a URL"),
        ("socks5://x.example:99999", "port"),
        ("http://x.example:3128/path", "only a user"),
    ],
)
def test_bad_proxy_urls(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_proxy_url(url)


def test_the_single_line_rule_is_its_categories_for_every_code_point() -> None:
    """The rule is searched as one character class; it must be exactly the documented one:
    Unicode Cc, Cs, Zl and Zp, and the bidi controls, for every code point there is."""
    import sys
    import unicodedata

    from smtpgui.core import addresses

    breaking = {"Cc", "Cs", "Zl", "Zp"}
    bidi = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for point in range(sys.maxunicode + 1):
        ch = chr(point)
        category = unicodedata.category(ch)
        assert addresses.has_line_break(f"a{ch}b") is (category in breaking or ch in bidi), hex(point)
        in_text = category in ("Cc", "Cs") and ch not in "\t\n\r"
        assert (addresses.multiline_problem(f"a{ch}b", "A body") is not None) is in_text, hex(point)
