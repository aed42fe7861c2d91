"""Discovery's pure rules: the address, the ranking, registered domains, autoconfig entries, presets."""

from __future__ import annotations

import pytest

from smtpgui.core.autoconfig import fill_placeholders, outgoing_servers
from smtpgui.core.discovery import Suggestion, address_domain, rank, registered_domain
from smtpgui.core.mailauth import checked_domain, dkim_key_state, parse_dmarc, parse_spf
from smtpgui.core.model import AuthMode, Mechanism, Security
from smtpgui.core.presets import PRESETS, presets_for_domain, presets_for_mx
from smtpgui.transport.dnsquery import DnsServerChoice, parse_dns_server


def s(host: str, source: str, confidence: int, security: Security = Security.STARTTLS, port: int = 587) -> Suggestion:
    return Suggestion(host, port, security, AuthMode.PASSWORD, "u", source, confidence)


def test_rank_merges_agreeing_sources_and_puts_plain_text_last() -> None:
    ranked = rank(
        [
            s("smtp.a.test", "ispdb", 85),
            s("plain.a.test", "preset", 95, Security.NONE, 25),
            s("smtp.a.test", "autoconfig", 90),
            s("srv.a.test", "srv-submission", 75),
        ]
    )
    assert [(r.host, r.source, r.confidence) for r in ranked] == [
        ("smtp.a.test", "autoconfig+ispdb", 94),
        ("srv.a.test", "srv-submission", 75),
        ("plain.a.test", "preset", 65),
    ]


def test_rank_of_nothing_is_nothing() -> None:
    assert rank([]) == []


@pytest.mark.parametrize(
    ("host", "registered"),
    [("mx1.eu.provider.test", "provider.test"), ("mx.provider.co.uk", "provider.co.uk"), ("a.b", "a.b")],
)
def test_registered_domain(host: str, registered: str) -> None:
    assert registered_domain(host) == registered


def test_address_domain_gives_ascii_for_international_domains() -> None:
    assert address_domain("bob@bücher.example") == ("bob@bücher.example", "xn--bcher-kva.example")
    with pytest.raises(ValueError, match="single line"):
        address_domain("bob@example.test\n")
    with pytest.raises(ValueError, match="full domain"):
        address_domain("bob@localhost")


def test_placeholders_are_filled() -> None:
    assert (
        fill_placeholders("%EMAILLOCALPART%+x@%EMAILDOMAIN% %EMAILADDRESS%", "a.b@c.test") == "a.b+x@c.test a.b@c.test"
    )


def test_only_outgoing_smtp_servers_are_read_with_their_auth() -> None:
    xml = b"""<clientConfig><emailProvider id="x">
      <incomingServer type="imap"><hostname>imap.x.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.x.test</hostname><port>465</port><socketType>SSL</socketType>
        <authentication>password-encrypted</authentication><username>%EMAILLOCALPART%</username></outgoingServer>
      <outgoingServer type="smtp"><hostname>relay.x.test</hostname><port>25</port><socketType>plain</socketType>
        <authentication>client-IP-address</authentication></outgoingServer>
      <outgoingServer type="exchange"><hostname>ews.x.test</hostname></outgoingServer>
    </emailProvider></clientConfig>"""
    entries = outgoing_servers(xml, "bob@x.test")
    assert [(e.host, e.port, e.security, e.auth_mode, e.mechanism, e.username) for e in entries] == [
        ("smtp.x.test", 465, Security.TLS, AuthMode.PASSWORD, Mechanism.CRAM_MD5, "bob"),
        ("relay.x.test", 25, Security.NONE, AuthMode.NONE, Mechanism.AUTO, ""),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:5353", DnsServerChoice("127.0.0.1", 5353)), ("9.9.9.9", DnsServerChoice("9.9.9.9", 53)),
     ("[::1]:53", DnsServerChoice("::1", 53)), ("::1", DnsServerChoice("::1", 53))],
)  # fmt: skip
def test_dns_server_choice(text: str, expected: DnsServerChoice) -> None:
    assert parse_dns_server(text) == expected


@pytest.mark.parametrize("text", ["dns.example", "1.2.3.4:0", "1.2.3.4:x", "[::1]x", ""])
def test_bad_dns_server_choice(text: str) -> None:
    with pytest.raises(ValueError, match="DNS server"):
        parse_dns_server(text)


def test_spf_terms_are_parsed() -> None:
    record = parse_spf(
        "v=spf1 -ip4:192.0.2.0/24 a/24 mx:m.test include:%{d}.x.test ~all redirect=r.test", "d.test", "d.test"
    )
    assert [(t.name, t.qualifier, t.value) for t in record.terms] == [
        ("ip4", "-", "192.0.2.0/24"),
        ("a", "+", ""),
        ("mx", "+", "m.test"),
        ("include", "+", "d.test.x.test"),
        ("all", "~", ""),
        ("redirect", "+", "r.test"),
    ]
    assert record.all_qualifier == "~" and record.redirect == "r.test"


def test_dmarc_and_dkim_records() -> None:
    policy = parse_dmarc("v=DMARC1; p=Reject; adkim=s; pct=50", "_dmarc.d.test")
    assert not isinstance(policy, str)
    assert (policy.policy, policy.subdomain_policy, policy.adkim, policy.aspf, policy.pct) == (
        "reject",
        "reject",
        "s",
        "r",
        50,
    )
    assert isinstance(parse_dmarc("v=DMARC1; p=everything", "_dmarc.d.test"), str)
    assert dkim_key_state("v=DKIM1; k=rsa; p=MIGf MA0") == "key"
    assert dkim_key_state("v=DKIM1; p=") == "revoked"
    assert dkim_key_state("hello") == "other"


@pytest.mark.parametrize("name", ["_spf.google.com", "spf.protection.outlook.com"])
def test_checked_domain_allows_underscores(name: str) -> None:
    assert checked_domain(name + ".") == name


@pytest.mark.parametrize("name", ["a", "bad..name", "-x.test", "1.2.3.4", "x" * 64 + ".test", "a b.test"])
def test_checked_domain_refuses_junk(name: str) -> None:
    assert checked_domain(name) is None


def test_presets_carry_what_the_checks_need() -> None:
    assert presets_for_domain("GMAIL.com")[0].id == "gmail"
    assert presets_for_mx("alt2.aspmx.l.google.com")[0].id == "gmail"
    assert presets_for_mx("company-com.mail.protection.outlook.com")[0].id == "office365"
    assert presets_for_mx("mx.unknown.test") == []
    by_id = {p.id: p for p in PRESETS}
    assert by_id["office365"].dkim_selectors == ("selector1", "selector2")
    assert by_id["office365"].spf_include == "spf.protection.outlook.com"
    assert by_id["sendgrid"].dkim_selectors == ("s1", "s2")
    assert by_id["ses-eu-west-1"].spf_include == "amazonses.com"
    assert not by_id["sendgrid"].envelope_aligned
