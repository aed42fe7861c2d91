"""The sender-domain check against a real DNS server on loopback: each SPF, DMARC and DKIM sentence."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from smtpgui.transport.dnsquery import DnsClient, DnsServerChoice
from smtpgui.transport.sendercheck import SenderReport, check_sender, walk_spf
from tests.support.dnsserver import DnsServer, dns_server

M365 = "smtp.office365.com"
DMARC_REJECT = "v=DMARC1; p=reject; rua=mailto:d@company.test"


@pytest.fixture
def dns() -> Iterator[DnsServer]:
    with dns_server() as server:
        yield server


def client(server: DnsServer, seconds: float = 5) -> DnsClient:
    return DnsClient(DnsServerChoice("127.0.0.1", server.port), time.monotonic() + seconds)


def run(server: DnsServer, host: str = M365, address: str = "alerts@company.test", kind: str = "smtp") -> SenderReport:
    return check_sender(address, host, kind, client(server))


def messages(report: SenderReport, level: str | None = None) -> list[str]:
    return [f.message for f in report.findings if level is None or f.level == level]


def test_a_domain_set_up_for_microsoft_365_is_clean(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 include:spf.protection.outlook.com -all")
    dns.add("spf.protection.outlook.com", "TXT", "v=spf1 ip4:40.92.0.0/15 -all")
    dns.add("_dmarc.company.test", "TXT", DMARC_REJECT)
    dns.add("selector1._domainkey.company.test", "CNAME", "selector1-company-test._domainkey.company.onmicrosoft.test.")
    dns.add("selector1-company-test._domainkey.company.onmicrosoft.test", "TXT", "v=DKIM1; k=rsa; p=MIIBIjANBgkq")
    report = run(dns)
    assert report.exit_code == 0, messages(report)
    assert report.provider == "Microsoft 365"
    assert report.dkim_found == ["selector1"]
    assert report.dmarc is not None and report.dmarc.policy == "reject"


def test_spf_without_the_providers_include_says_so_with_the_fix(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 mx -all")
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    report = run(dns)
    assert report.exit_code == 16
    assert (
        "SPF for company.test does not include spf.protection.outlook.com: mail sent as alerts@company.test through "
        "Microsoft 365 will fail SPF; add `include:spf.protection.outlook.com`"
    ) in messages(report, "problem")


def test_no_spf_record(dns: DnsServer) -> None:
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    report = run(dns)
    found = [f for f in report.findings if f.topic == "spf"]
    assert found[0].message.startswith("no SPF record for company.test")
    assert found[0].fix == "publish a TXT record at company.test: `v=spf1 include:spf.protection.outlook.com -all`"


def test_no_dmarc_record(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 include:spf.protection.outlook.com -all")
    dns.add("spf.protection.outlook.com", "TXT", "v=spf1 -all")
    report = run(dns)
    assert report.exit_code == 16
    assert any(m.startswith("no DMARC record for company.test") for m in messages(report, "problem"))


def test_dmarc_reject_and_no_aligned_dkim(dns: DnsServer) -> None:
    # SendGrid: SPF never aligns (its own bounce domain), so DMARC rests on DKIM, and there is none.
    dns.add("company.test", "TXT", "v=spf1 include:sendgrid.net -all")
    dns.add("sendgrid.net", "TXT", "v=spf1 ip4:167.89.0.0/17 -all")
    dns.add("_dmarc.company.test", "TXT", DMARC_REJECT)
    report = run(dns, host="smtp.sendgrid.net")
    assert report.exit_code == 16
    problem = messages(report, "problem")
    assert any(m.startswith("DMARC p=reject and no aligned DKIM: mail sent as alerts@company.test") for m in problem)
    assert dns.asked("s1._domainkey.company.test", "TXT") and dns.asked("s2._domainkey.company.test", "TXT")


def test_dmarc_of_the_organizational_domain_applies_to_a_subdomain(dns: DnsServer) -> None:
    dns.add("alerts.company.test", "TXT", "v=spf1 mx -all")  # Google is not authorised: SPF fails
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=reject; sp=quarantine")
    report = run(dns, host="smtp.gmail.com", address="ops@alerts.company.test")
    assert report.dmarc is not None and report.dmarc.published_at == "_dmarc.company.test"
    assert any("DMARC p=quarantine and no aligned DKIM" in m for m in messages(report))


def test_google_dkim_selector_is_checked(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 redirect=_spf.google.com")
    dns.add("_spf.google.com", "TXT", "v=spf1 ip4:35.190.247.0/24 ~all")
    dns.add("google._domainkey.company.test", "TXT", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC")
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=quarantine")
    report = run(dns, host="smtp.gmail.com")
    assert report.exit_code == 0, messages(report)
    assert report.dkim_found == ["google"]
    assert report.spf.reached == ["_spf.google.com"]  # reached through redirect


def test_spf_lookups_are_counted_and_more_than_ten_is_a_problem(dns: DnsServer) -> None:
    includes = " ".join(f"include:n{i}.company.test" for i in range(6))
    dns.add("company.test", "TXT", f"v=spf1 {includes} a mx include:spf.protection.outlook.com -all")
    for i in range(6):
        dns.add(f"n{i}.company.test", "TXT", "v=spf1 a:x.company.test -all" if i < 2 else "v=spf1 ip4:192.0.2.1 -all")
    dns.add("spf.protection.outlook.com", "TXT", "v=spf1 -all")
    walk = walk_spf(client(dns), "company.test", "company.test")
    # 6 includes + a + mx + 1 include + the two a: inside n0 and n1 = 11
    assert walk.lookups == 11
    assert any("more than 10 DNS lookups" in p for p in walk.problems)


def test_exactly_ten_lookups_is_fine(dns: DnsServer) -> None:
    includes = " ".join(f"include:n{i}.company.test" for i in range(9))
    dns.add("company.test", "TXT", f"v=spf1 {includes} include:spf.protection.outlook.com -all")
    for i in range(9):
        dns.add(f"n{i}.company.test", "TXT", "v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 -all")
    dns.add("spf.protection.outlook.com", "TXT", "v=spf1 -all")
    walk = walk_spf(client(dns), "company.test", "company.test")
    assert walk.lookups == 10
    assert not walk.problems


def test_an_include_loop_is_caught(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 include:a.company.test -all")
    dns.add("a.company.test", "TXT", "v=spf1 include:b.company.test -all")
    dns.add("b.company.test", "TXT", "v=spf1 include:company.test -all")
    walk = walk_spf(client(dns), "company.test", "company.test")
    assert any("loops back to company.test" in p for p in walk.problems)
    assert walk.lookups <= 10


def test_two_spf_records_is_a_problem(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 ip4:192.0.2.1 -all", "v=spf1 -all")
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    report = run(dns, host="relay.company.test")
    assert any("publishes 2 SPF records" in m for m in messages(report, "problem"))
    assert report.spf.record == "v=spf1 -all"  # the same one read every time, whatever order DNS gives


def test_plus_all_is_a_problem(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 +all")
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    report = run(dns, host="relay.company.test")
    assert any("ends in +all" in m for m in messages(report, "problem"))


def test_an_unknown_relay_is_looked_for_in_the_spf_addresses(dns: DnsServer) -> None:
    dns.add("relay.company.test", "A", "192.0.2.25")
    dns.add("company.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    assert "SPF for company.test lists the server relay.company.test" in messages(run(dns, host="relay.company.test"))
    dns.records[("company.test", "TXT")] = ["v=spf1 ip4:198.51.100.1 -all"]
    warning = messages(run(dns, host="relay.company.test"), "warning")
    assert warning and warning[0].startswith("SPF for company.test does not list relay.company.test (192.0.2.25)")


def test_a_long_spf_record_comes_over_tcp(dns: DnsServer) -> None:
    many = " ".join(f"ip6:2001:db8:aaaa:bbbb:cccc:dddd:eeee:{i:x}/128" for i in range(1, 40))
    dns.add("company.test", "TXT", f"v=spf1 {many} include:spf.protection.outlook.com -all")
    dns.add("spf.protection.outlook.com", "TXT", "v=spf1 -all")
    walk = walk_spf(client(dns), "company.test", "company.test")
    assert "spf.protection.outlook.com" in walk.reached
    assert any(q.name == "company.test" and q.transport == "tcp" for q in dns.questions)


def test_dns_that_does_not_answer_is_exit_10(dns: DnsServer) -> None:
    dns.silent.add("company.test")
    report = check_sender("alerts@company.test", M365, "smtp", client(dns, seconds=1))
    assert report.exit_code == 10
    assert report.dns_error


def test_servfail_is_exit_10(dns: DnsServer) -> None:
    dns.failing.add("company.test")
    assert run(dns).exit_code == 10


def test_a_graph_connection_is_checked_as_microsoft_365(dns: DnsServer) -> None:
    dns.add("company.test", "TXT", "v=spf1 -all")
    assert run(dns, host="", kind="graph").provider == "Microsoft 365"
