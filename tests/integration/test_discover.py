"""Discovery against real DNS and HTTPS servers on loopback: every source, the ranking, the deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpgui.core.model import AuthMode, OAuthProvider, Security
from smtpgui.transport.discover import discover
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab
from tests.support.servers import Pki, smtp_server
from tests.support.webserver import Route


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        monkeypatch.setenv("SSL_CERT_FILE", str(lab.ca.file))
        yield lab


def sources(report) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {o.name: o for o in report.sources}


def test_autoconfig_file_of_the_domain_gives_its_smtp_server_with_the_address_filled_in(lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(username="%EMAILLOCALPART%"))
    report = discover("bob@example.test", lab.settings())
    best = report.suggestions[0]
    assert (best.host, best.port, best.security, best.auth) == (
        "smtp.example.test",
        587,
        Security.STARTTLS,
        AuthMode.PASSWORD,
    )
    assert best.username == "bob"
    assert best.source.startswith("autoconfig")
    asked = lab.web.asked("autoconfig.example.test", "/mail/config-v1.1.xml")
    assert asked and asked[0].path.endswith("?emailaddress=bob@example.test")
    assert asked[0].headers["Host"] == f"autoconfig.example.test:{lab.web.port}"


def test_well_known_autoconfig_is_read_when_the_autoconfig_host_has_none(lab: DiscoveryLab) -> None:
    lab.web.route(
        "example.test",
        "/.well-known/autoconfig/mail/config-v1.1.xml",
        autoconfig_xml(host="submit.example.test", port=465, socket_type="SSL"),
    )
    report = discover("bob@example.test", lab.settings())
    best = report.suggestions[0]
    assert (best.host, best.port, best.security, best.source) == (
        "submit.example.test",
        465,
        Security.TLS,
        "autoconfig-wellknown",
    )


def test_ispdb_entry_is_used_and_agreeing_sources_make_one_surer_suggestion(lab: DiscoveryLab) -> None:
    lab.serve_ispdb("example.test", autoconfig_xml())
    lab.serve_autoconfig("example.test", autoconfig_xml())
    report = discover("bob@example.test", lab.settings())
    assert len(report.suggestions) == 1
    only = report.suggestions[0]
    assert set(only.source.split("+")) == {"autoconfig", "ispdb"}
    assert only.confidence > 90
    assert lab.web.asked("ispdb.test", "/v1.1/example.test")


def test_oauth2_in_the_config_sets_oauth2_and_the_provider(lab: DiscoveryLab) -> None:
    xml = autoconfig_xml(host="smtp.gmail.com", auth="OAuth2").replace(
        "</emailProvider>",
        "</emailProvider><oAuth2><issuer>accounts.google.com</issuer><scope>https://mail.google.com/</scope></oAuth2>",
    )
    lab.serve_ispdb("company.test", xml)
    best = discover("bob@company.test", lab.settings()).suggestions[0]
    assert best.auth is AuthMode.OAUTH2
    assert best.oauth_provider is OAuthProvider.GOOGLE


def test_srv_records_of_rfc_6186_and_8314(lab: DiscoveryLab) -> None:
    lab.dns.add("_submissions._tcp.example.test", "SRV", "0 1 465 submit.example.test.")
    lab.dns.add("_submission._tcp.example.test", "SRV", "0 1 587 submit.example.test.")
    report = discover("bob@example.test", lab.settings())
    found = {(s.host, s.port, s.security, s.source) for s in report.suggestions}
    assert ("submit.example.test", 465, Security.TLS, "srv-submissions") in found
    assert ("submit.example.test", 587, Security.STARTTLS, "srv-submission") in found
    assert report.suggestions[0].security is Security.TLS  # RFC 8314: implicit TLS first


def test_srv_target_dot_means_no_service(lab: DiscoveryLab) -> None:
    lab.dns.add("_submissions._tcp.example.test", "SRV", "0 0 0 .")
    report = discover("bob@example.test", lab.settings())
    assert not report.suggestions


def test_mx_at_google_suggests_gmail_and_mx_at_microsoft_suggests_microsoft_365(lab: DiscoveryLab) -> None:
    lab.dns.add("example.test", "MX", "1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com.")
    lab.dns.add("company.test", "MX", "0 company-test.mail.protection.outlook.com.")
    google = discover("bob@example.test", lab.settings()).suggestions[0]
    assert (google.host, google.source, google.oauth_provider) == ("smtp.gmail.com", "mx-preset", OAuthProvider.GOOGLE)
    microsoft = discover("bob@company.test", lab.settings()).suggestions[0]
    assert (microsoft.host, microsoft.auth, microsoft.oauth_provider) == (
        "smtp.office365.com",
        AuthMode.OAUTH2,
        OAuthProvider.MICROSOFT,
    )
    assert microsoft.username == "bob@company.test"


def test_mx_of_an_unknown_provider_is_looked_up_in_the_ispdb_by_its_registered_domain(lab: DiscoveryLab) -> None:
    lab.dns.add("company.test", "MX", "10 mx1.eu.provider.test.")
    lab.serve_ispdb("provider.test", autoconfig_xml(host="smtp.provider.test", port=465, socket_type="SSL"))
    best = discover("bob@company.test", lab.settings()).suggestions[0]
    assert (best.host, best.source) == ("smtp.provider.test", "mx-ispdb")


def test_preset_by_domain_needs_no_network_answer(lab: DiscoveryLab) -> None:
    best = discover("someone@gmail.com", lab.settings(deadline_s=3)).suggestions[0]
    assert (best.host, best.port, best.source) == ("smtp.gmail.com", 587, "preset")


def test_plain_http_only_as_a_last_resort_marked_and_without_the_address(lab: DiscoveryLab) -> None:
    lab.plain.route("autoconfig.example.test", "/mail/config-v1.1.xml", autoconfig_xml())
    report = discover("bob@example.test", lab.settings())
    best = report.suggestions[0]
    assert best.source == "autoconfig-http"
    assert best.confidence < 50
    asked = lab.plain.asked("autoconfig.example.test")
    assert asked and "bob" not in asked[0].path


def test_plain_http_is_not_asked_when_https_answered(lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml())
    lab.plain.route("autoconfig.example.test", "/mail/config-v1.1.xml", autoconfig_xml(host="evil.example.test"))
    report = discover("bob@example.test", lab.settings())
    assert all(s.host != "evil.example.test" for s in report.suggestions)
    assert not lab.plain.requests


def test_a_domain_with_no_records_leads_to_the_probe(lab: DiscoveryLab, pki: Pki) -> None:
    lab.dns.add("smtp.empty.test", "A", "127.0.0.1")
    with smtp_server("tls", pki) as server:
        settings = lab.settings(probe_combinations=((server.port, Security.TLS),))
        report = discover("bob@empty.test", settings)
    assert [(s.host, s.port, s.source) for s in report.suggestions] == [("smtp.empty.test", server.port, "probe")]
    assert report.suggestions[0].confidence <= 55


def test_every_source_is_ranked_best_first(lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(host="smtp.example.test"))
    lab.dns.add("_submission._tcp.example.test", "SRV", "0 1 587 srv.example.test.")
    lab.plain.route("autoconfig.example.test", "/mail/config-v1.1.xml", autoconfig_xml(host="plain.example.test"))
    report = discover("bob@example.test", lab.settings())
    assert [s.source for s in report.suggestions] == ["autoconfig", "srv-submission"]  # no http: others answered
    confidences = [s.confidence for s in report.suggestions]
    assert confidences == sorted(confidences, reverse=True)


def test_a_silent_source_does_not_hold_the_answer_past_the_deadline(lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml())
    lab.web.route("ispdb.test", "/v1.1/example.test", Route(autoconfig_xml().encode(), delay=30))
    lab.dns.silent.add("_submissions._tcp.example.test")
    started = time.monotonic()
    report = discover("bob@example.test", lab.settings(deadline_s=1.5))
    elapsed = time.monotonic() - started
    assert elapsed <= 1.5 + 0.2
    assert report.suggestions[0].host == "smtp.example.test"
    unfinished = {o.name for o in report.sources if not o.finished}
    assert "ispdb" in unfinished


def test_a_silent_dns_server_is_reported_as_dns_failure(lab: DiscoveryLab) -> None:
    lab.dns.silent.add("test")
    report = discover("bob@example.test", lab.settings(deadline_s=1.0))
    assert not report.suggestions
    assert report.dns_failed
