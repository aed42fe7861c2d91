"""Discovery and the sender-domain check under attack (engineer G): a web server that answers one
byte at a time, DNS with thousands of records or addresses that are not servers, redirects to
addresses, digits that are not ASCII, and what each of them must not do."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpgui.core.discovery import MAX_SUGGESTIONS
from smtpgui.core.model import Connection, OAuthProvider, Security
from smtpgui.transport.discover import discover
from smtpgui.transport.dnsquery import DnsClient, DnsServerChoice
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.sendercheck import check_sender
from smtpgui.transport.webfetch import FetchFailure, fetch
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab
from tests.support.hostile import Script, hostile_smtp
from tests.support.hostile_dns import hostile_dns
from tests.support.servers import ScriptedServer
from tests.support.webserver import Route

pytestmark = pytest.mark.integration

GOOD_SERVER = """
    <outgoingServer type="smtp">
      <hostname>good.company.test</hostname><port>465</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </outgoingServer>"""


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        monkeypatch.setenv("SSL_CERT_FILE", str(lab.ca.file))
        yield lab


def dns_client(lab: DiscoveryLab, deadline: float) -> DnsClient:
    return DnsClient(DnsServerChoice("127.0.0.1", lab.dns.port), deadline)


def discovery_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.name.startswith("smtpgui-discover")]


# a slowloris web server ---------------------------------------------------------------------


def test_a_server_answering_one_byte_at_a_time_is_left_at_the_deadline(lab: DiscoveryLab) -> None:
    # Every byte comes well within any per-read timeout, so only an overall deadline stops it.
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(autoconfig_xml().encode(), drip=0.2))
    started = time.monotonic()
    deadline = started + 1.5
    with pytest.raises(FetchFailure, match="in time"):
        fetch(
            f"https://autoconfig.example.test:{lab.web.port}/mail/config-v1.1.xml", dns_client(lab, deadline), deadline
        )
    assert time.monotonic() - started < 1.5 + 0.5


def test_a_slowloris_source_does_not_outlive_the_deadline(lab: DiscoveryLab) -> None:
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(autoconfig_xml().encode(), drip=0.2))
    lab.web.route("ispdb.test", "/v1.1/example.test", Route(autoconfig_xml().encode(), drip=0.2))
    before = set(threading.enumerate())
    report = discover("bob@example.test", lab.settings(deadline_s=1.5))
    assert not report.suggestions
    for thread in discovery_threads(before):
        thread.join(1.0)  # a source stops at the deadline: at most a moment after it
    assert not [t.name for t in discovery_threads(before) if t.is_alive()]


# too much from DNS ----------------------------------------------------------------------------


def test_thousands_of_srv_records_give_a_short_list(lab: DiscoveryLab) -> None:
    lab.dns.add("_submissions._tcp.example.test", "SRV", *[f"0 1 {2000 + i} s{i}.example.test." for i in range(1500)])
    report = discover("bob@example.test", lab.settings(deadline_s=5))
    assert 0 < len(report.suggestions) <= MAX_SUGGESTIONS
    assert report.suggestions[0].host == "s0.example.test"  # the best of them still first


# addresses that are not servers ---------------------------------------------------------------


@pytest.mark.parametrize("address", ["0.0.0.0", "::"])
def test_an_unspecified_address_from_dns_is_never_connected_to(lab: DiscoveryLab, address: str) -> None:
    # 0.0.0.0 and :: reach this computer's own services: a hostile DNS answer must not point us there.
    rdtype = "AAAA" if ":" in address else "A"
    lab.dns.records.pop(("autoconfig.example.test", "A"))
    lab.dns.add("autoconfig.example.test", rdtype, address)
    lab.serve_autoconfig("example.test", autoconfig_xml())
    report = discover("bob@example.test", lab.settings(deadline_s=3))
    assert not lab.web.asked("autoconfig.example.test")
    assert not report.suggestions


def test_the_probe_never_connects_to_an_unspecified_address(lab: DiscoveryLab) -> None:
    lab.dns.add("smtp.empty.test", "A", "0.0.0.0")
    lab.dns.add("mail.empty.test", "AAAA", "::")

    def greet(conn: socket.socket) -> None:
        conn.sendall(b"220 here ESMTP\r\n")
        server.wait_closed(conn)

    with ScriptedServer(greet) as server:
        combinations = ((server.port, Security.NONE),)
        report = discover("bob@empty.test", lab.settings(deadline_s=3, probe_combinations=combinations))
        assert not server.connections
    assert not report.suggestions


@pytest.mark.parametrize("target", ["https://127.0.0.1:{port}/x.xml", "https://localhost:{port}/x.xml"])
def test_a_redirect_to_an_address_or_a_single_label_is_not_followed(lab: DiscoveryLab, target: str) -> None:
    location = target.format(port=lab.web.port)
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(status=302, headers={"Location": location}))
    lab.web.route("127.0.0.1", "/x.xml", autoconfig_xml(host="redirected.example.test"))
    lab.web.route("localhost", "/x.xml", autoconfig_xml(host="redirected.example.test"))
    report = discover("bob@example.test", lab.settings(deadline_s=3))
    assert not lab.web.asked("127.0.0.1") and not lab.web.asked("localhost")
    assert not report.suggestions
    error = next(o.error for o in report.sources if o.name == "autoconfig")
    assert error and "redirect" in error


def test_a_redirect_with_a_port_that_is_not_a_number_is_a_sentence(lab: DiscoveryLab) -> None:
    location = "https://autoconfig.example.test:abc/x.xml"
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(status=302, headers={"Location": location}))
    report = discover("bob@example.test", lab.settings(deadline_s=3))
    error = next(o.error for o in report.sources if o.name == "autoconfig") or ""
    assert "redirect" in error and "int()" not in error


# digits that are not ASCII ---------------------------------------------------------------------


@pytest.mark.parametrize("port", ["²", "٥٨٧", "５８７"])
def test_a_port_in_other_digits_drops_that_entry_only(lab: DiscoveryLab, port: str) -> None:
    xml = autoconfig_xml(host="smtp.company.test", more=GOOD_SERVER).replace("<port>587</port>", f"<port>{port}</port>")
    lab.serve_autoconfig("company.test", xml)
    report = discover("bob@company.test", lab.settings(deadline_s=3))
    assert [(s.host, s.port) for s in report.suggestions] == [("good.company.test", 465)]


def test_a_content_length_in_other_digits_is_refused_with_a_sentence(lab: DiscoveryLab) -> None:
    headers = {"Content-Type": "text/xml", "Content-Length": "²"}
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(autoconfig_xml().encode(), headers=headers))
    report = discover("bob@example.test", lab.settings(deadline_s=3))
    error = next(o.error for o in report.sources if o.name == "autoconfig") or ""
    assert "int()" not in error


def test_a_dmarc_pct_in_other_digits_is_read_as_the_default(lab: DiscoveryLab) -> None:
    lab.dns.add("company.test", "TXT", "v=spf1 -all")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=reject; pct=²")
    report = check_sender("a@company.test", "smtp.elsewhere.test", "smtp", dns_client(lab, time.monotonic() + 5))
    assert report.dns_error is None
    assert report.dmarc is not None and report.dmarc.pct == 100


def test_a_size_in_other_digits_in_the_ehlo_answer_does_not_fail_the_session() -> None:
    # smtplib reads replies as Latin-1, so the byte 0xB2 arrives as "²"; the probe of smtp.DOMAIN
    # (and every test) meets such a server.
    script = Script(replies={"ehlo": "250-hostile.test\r\n250-SIZE ²\r\n250 8BITMIME"}, encoding="latin-1")
    with hostile_smtp(script) as server:
        connection = Connection(name="h", host="127.0.0.1", port=server.port, security=Security.NONE, timeout_s=5)
        result = SessionEngine().run(connection, SessionSecrets(), None)
    assert result.ok, result.error
    assert result.size_limit is None


# SPF and DMARC records that say something else than they seem to ----------------------------

M365 = "smtp.office365.com"
M365_INCLUDE = "spf.protection.outlook.com"


def sender_report(lab: DiscoveryLab, spf: str, dmarc: str = "v=DMARC1; p=none"):  # type: ignore[no-untyped-def]
    lab.dns.add("company.test", "TXT", spf)
    lab.dns.add(M365_INCLUDE, "TXT", "v=spf1 ip4:40.92.0.0/15 -all")
    lab.dns.add("_dmarc.company.test", "TXT", dmarc)
    return check_sender("alerts@company.test", M365, "smtp", dns_client(lab, time.monotonic() + 5))


def spf_findings(report, level: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for f in report.findings if f.topic == "spf" and f.level == level]


@pytest.mark.parametrize("qualifier", ["-", "~", "?"])
def test_an_include_that_does_not_pass_is_not_the_providers_include(lab: DiscoveryLab, qualifier: str) -> None:
    # -include: mail from the provider FAILS (a match with "-" is a fail); ~ and ? are no pass either.
    report = sender_report(lab, f"v=spf1 {qualifier}include:{M365_INCLUDE} -all")
    assert not spf_findings(report, "ok")
    assert any(f"does not include {M365_INCLUDE}" in m for m in spf_findings(report, "problem"))


def test_an_include_after_all_is_never_reached(lab: DiscoveryLab) -> None:
    # RFC 7208 5.1: mechanisms after "all" are never tested; receivers stop at -all.
    report = sender_report(lab, f"v=spf1 -all include:{M365_INCLUDE}")
    assert not spf_findings(report, "ok")
    assert any(f"does not include {M365_INCLUDE}" in m for m in spf_findings(report, "problem"))
    assert report.spf.lookups == 0


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u00a0", "\u3000", "\x1c"])
def test_terms_are_separated_by_spaces_only(lab: DiscoveryLab, separator: str) -> None:
    # Python's split() splits at these; a receiver does not, and sees one broken term.
    report = sender_report(lab, f"v=spf1 ip4:192.0.2.1{separator}include:{M365_INCLUDE} -all")
    assert not spf_findings(report, "ok")
    assert M365_INCLUDE not in report.spf.reached


def test_a_dmarc_policy_with_a_unicode_space_is_not_a_policy(lab: DiscoveryLab) -> None:
    report = sender_report(lab, f"v=spf1 include:{M365_INCLUDE} -all", dmarc="v=DMARC1; p=reject\u2028")
    assert report.dmarc is None
    assert any("no valid policy" in f.message for f in report.findings if f.topic == "dmarc")


def test_lookups_beyond_the_limit_are_not_counted_on(lab: DiscoveryLab) -> None:
    # Nine includes of nine includes: receivers stop at the 11th lookup, and so does the count.
    lab.dns.add("company.test", "TXT", "v=spf1 " + " ".join(f"include:d{i}.test" for i in range(9)) + " -all")
    for i in range(9):
        lab.dns.add(f"d{i}.test", "TXT", "v=spf1 " + " ".join(f"include:e{j}.test" for j in range(9)) + " -all")
    for j in range(9):
        lab.dns.add(f"e{j}.test", "TXT", "v=spf1 a mx -all")
    report = check_sender("alerts@company.test", M365, "smtp", dns_client(lab, time.monotonic() + 5))
    assert report.spf.lookups == 11


# a hostile DNS server (these held; kept so they keep holding) -----------------------------------


@pytest.mark.parametrize("mode", ["wrong-id", "drip", "garbage"])
def test_a_hostile_dns_server_is_a_dns_failure_within_the_deadline(mode: str) -> None:
    with hostile_dns(mode) as server:
        started = time.monotonic()
        client = DnsClient(DnsServerChoice("127.0.0.1", server.port), started + 1.5)
        report = check_sender("alerts@company.test", M365, "smtp", client)
        assert time.monotonic() - started < 1.5 + 0.3
        assert server.questions
    assert report.dns_error and report.exit_code == 10


def test_truncated_answers_over_udp_and_tcp_are_no_record_not_a_hang() -> None:
    with hostile_dns("truncated") as server:
        started = time.monotonic()
        client = DnsClient(DnsServerChoice("127.0.0.1", server.port), started + 3)
        assert client.txt("company.test") == []
        assert time.monotonic() - started < 1


def test_discovery_against_a_dripping_dns_server_ends_at_the_deadline(lab: DiscoveryLab) -> None:
    with hostile_dns("drip") as server:
        settings = lab.settings(deadline_s=1.5, dns_server=DnsServerChoice("127.0.0.1", server.port))
        before = set(threading.enumerate())
        started = time.monotonic()
        report = discover("bob@example.test", settings)
        assert time.monotonic() - started < 1.5 + 0.3
        for thread in discovery_threads(before):
            thread.join(1.0)
        assert not [t.name for t in discovery_threads(before) if t.is_alive()]
    assert not report.suggestions and report.dns_failed


def test_a_probe_of_a_trickling_smtp_server_ends_at_the_deadline(lab: DiscoveryLab) -> None:
    lab.dns.add("smtp.empty.test", "A", "127.0.0.1")

    def trickle(conn: socket.socket) -> None:
        for byte in b"220 slow.empty.test ESMTP":
            if server_stop.wait(0.2):
                return
            conn.sendall(bytes([byte]))
        server.wait_closed(conn)

    server_stop = threading.Event()
    with ScriptedServer(trickle) as server:
        before = set(threading.enumerate())
        started = time.monotonic()
        combinations = ((server.port, Security.NONE),)
        report = discover("bob@empty.test", lab.settings(deadline_s=1.5, probe_combinations=combinations))
        assert time.monotonic() - started < 1.5 + 0.3
        for thread in discovery_threads(before):
            thread.join(1.0)
        assert not [t.name for t in discovery_threads(before) if t.is_alive()]
        server_stop.set()
    assert not report.suggestions


def test_a_gzip_bomb_is_not_inflated(lab: DiscoveryLab) -> None:
    bomb = gzip.compress(b"<" * (200 * 1024 * 1024))  # 200 MB in about 200 kB
    headers = {"Content-Type": "text/xml", "Content-Encoding": "gzip"}
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(bomb, headers=headers))
    report = discover("bob@example.test", lab.settings(deadline_s=5))
    assert not report.suggestions
    assert "not well-formed" in (next(o.error for o in report.sources if o.name == "autoconfig") or "")
    assert lab.web.asked("autoconfig.example.test")[0].headers.get("Accept-Encoding") == "identity"


@pytest.mark.parametrize(
    "doctype",
    [
        "<!DOCTYPE clientConfig>",
        '<!DOCTYPE clientConfig SYSTEM "https://evil.test/x.dtd">',
        '<!DOCTYPE clientConfig PUBLIC "-//X//Y" "file:///etc/passwd">',
    ],
)
def test_every_doctype_is_refused_even_without_entities(lab: DiscoveryLab, doctype: str) -> None:
    xml = autoconfig_xml().replace("<clientConfig", f"{doctype}\n<clientConfig", 1)
    lab.serve_autoconfig("example.test", xml)
    report = discover("bob@example.test", lab.settings(deadline_s=3))
    assert not report.suggestions


@pytest.mark.parametrize("host", ["smtp example.test", "smtp.example.test\nX-Evil: 1", "smtp.ex\u202eample.test", ""])
def test_host_names_with_spaces_newlines_or_bidi_are_dropped(lab: DiscoveryLab, host: str) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(host=host))
    assert not discover("bob@example.test", lab.settings(deadline_s=3)).suggestions


def test_a_name_with_many_addresses_is_tried_at_a_few_of_them_only(lab: DiscoveryLab) -> None:
    # A hostile name resolving to many (internal) addresses must not make us knock on each of them.
    def answer(conn: socket.socket) -> None:
        server.wait_closed(conn)

    with ScriptedServer(answer, host="127.0.9.9") as server:
        lab.dns.records.pop(("autoconfig.example.test", "A"))
        lab.dns.add("autoconfig.example.test", "A", *[f"127.0.0.{i}" for i in range(2, 10)], "127.0.9.9")
        discover("bob@example.test", lab.settings(deadline_s=3, autoconfig_port=server.port))
        assert not server.connections


def relay_report(lab: DiscoveryLab, host: str):  # type: ignore[no-untyped-def]
    lab.dns.add("company.test", "TXT", "v=spf1 ip4:198.51.100.1 -all")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    return check_sender("alerts@company.test", host, "smtp", dns_client(lab, time.monotonic() + 5))


@pytest.mark.parametrize("host", ["relay6.company.test", "2001:db8::25"])
def test_the_fix_for_an_ipv6_relay_is_an_ip6_term(lab: DiscoveryLab, host: str) -> None:
    lab.dns.add("relay6.company.test", "AAAA", "2001:db8::25")
    fixes = [f.fix or "" for f in relay_report(lab, host).findings if f.topic == "spf" and f.level == "warning"]
    assert fixes and "ip6:2001:db8::25" in fixes[0] and "ip4:" not in fixes[0]


@pytest.mark.parametrize("host", ["localhost", "mailrelay"])
def test_a_relay_with_no_address_to_compare_gets_no_made_up_fix(lab: DiscoveryLab, host: str) -> None:
    report = relay_report(lab, host)
    assert not any(f"ip4:{host}" in (f.fix or "") for f in report.findings)


LONG_DOMAIN = ".".join(["a" * 60] * 4) + ".test"  # 249 characters: a valid domain, but _dmarc.… is too long


def test_a_long_valid_domain_is_not_a_dns_failure(lab: DiscoveryLab) -> None:
    # _dmarc.DOMAIN, SELECTOR._domainkey.DOMAIN and _submissions._tcp.DOMAIN pass the 253-character
    # limit: nobody can publish a record there, which is "no record", not "DNS did not answer".
    lab.dns.add(LONG_DOMAIN, "TXT", "v=spf1 include:spf.protection.outlook.com -all")
    lab.dns.add(M365_INCLUDE, "TXT", "v=spf1 -all")
    report = check_sender(f"a@{LONG_DOMAIN}", M365, "smtp", dns_client(lab, time.monotonic() + 5))
    assert report.dns_error is None
    assert any(f.message.startswith("no DMARC record") for f in report.findings)
    found = discover(f"a@{LONG_DOMAIN}", lab.settings(deadline_s=3))
    assert not found.dns_failed
    assert not any(o.dns_failed for o in found.sources)


# a Google or Microsoft token for a server that is not theirs ---------------------------------------

GOOGLE_OAUTH = "<oAuth2><issuer>accounts.google.com</issuer><scope>https://mail.google.com/</scope></oAuth2>"


@pytest.mark.parametrize("host", ["smtp.gmail.com.hostile.test", "smtp.hostile.test", "outlook.hostile.test"])
def test_a_file_cannot_send_a_google_or_microsoft_token_to_its_own_server(lab: DiscoveryLab, host: str) -> None:
    # Over plain http (the last resort, anyone on the path can write it) or from any site: OAuth2
    # with Google's or Microsoft's sign-in would hand their access token to this host.
    xml = autoconfig_xml(host=host, auth="OAuth2").replace("</emailProvider>", f"{GOOGLE_OAUTH}</emailProvider>")
    lab.plain.route("autoconfig.hostile.test", "/mail/config-v1.1.xml", xml)
    suggestions = discover("bob@hostile.test", lab.settings(deadline_s=3)).suggestions
    assert [s.host for s in suggestions] == [host]
    assert suggestions[0].oauth_provider not in (OAuthProvider.GOOGLE, OAuthProvider.MICROSOFT)


def test_the_providers_own_server_keeps_its_sign_in(lab: DiscoveryLab) -> None:
    xml = autoconfig_xml(host="smtp.office365.com", auth="OAuth2")
    lab.serve_autoconfig("company.test", xml)
    best = discover("bob@company.test", lab.settings(deadline_s=3)).suggestions[0]
    assert (best.host, best.oauth_provider) == ("smtp.office365.com", OAuthProvider.MICROSOFT)
