"""Discovery facing hostile servers: XML bombs, external entities, huge bodies, redirects, bad names."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpgui.core.autoconfig import UnsafeXml, outgoing_servers, parse_xml
from smtpgui.transport.discover import discover
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab
from tests.support.webserver import Route

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<clientConfig><emailProvider id="x"><outgoingServer type="smtp"><hostname>&lol9;</hostname>
</outgoingServer></emailProvider></clientConfig>"""


def external_entity(target: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE clientConfig [<!ENTITY xxe SYSTEM "file://{target}">]>
<clientConfig><emailProvider id="x"><outgoingServer type="smtp"><hostname>&xxe;</hostname><port>587</port>
<socketType>STARTTLS</socketType></outgoingServer></emailProvider></clientConfig>""".encode()


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        monkeypatch.setenv("SSL_CERT_FILE", str(lab.ca.file))
        yield lab


def errors(report) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {o.name: o.error for o in report.sources}


def test_billion_laughs_is_refused_before_any_entity_is_expanded() -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeXml, match="document type"):
        parse_xml(BILLION_LAUGHS)
    assert time.monotonic() - started < 0.5


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("smtp.leaked.example")
    with pytest.raises(UnsafeXml):
        outgoing_servers(external_entity(secret), "bob@example.test")


def test_an_undeclared_entity_and_a_parameter_entity_are_errors() -> None:
    with pytest.raises(UnsafeXml):
        parse_xml(b"<clientConfig>&unknown;</clientConfig>")
    with pytest.raises(UnsafeXml):
        parse_xml(b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><clientConfig/>')


def test_xml_bombs_served_over_https_are_refused_and_other_sources_still_answer(
    lab: DiscoveryLab, tmp_path: Path
) -> None:
    lab.serve_autoconfig("example.test", BILLION_LAUGHS.decode())
    secret = tmp_path / "secret.txt"
    secret.write_text("smtp.leaked.example")
    lab.web.route("example.test", "/.well-known/autoconfig/mail/config-v1.1.xml", external_entity(secret))
    lab.dns.add("_submission._tcp.example.test", "SRV", "0 1 587 smtp.example.test.")
    report = discover("bob@example.test", lab.settings())
    assert "document type" in (errors(report)["autoconfig"] or "")
    assert "document type" in (errors(report)["autoconfig-wellknown"] or "")
    assert [s.host for s in report.suggestions] == ["smtp.example.test"]


def test_a_50_mb_answer_is_refused_without_reading_it(lab: DiscoveryLab) -> None:
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(stream=50 * 1024 * 1024))
    started = time.monotonic()
    report = discover("bob@example.test", lab.settings(deadline_s=5))
    assert time.monotonic() - started < 3
    assert "too large" in (errors(report)["autoconfig"] or "")


def test_a_large_answer_without_a_length_is_cut_at_the_cap(lab: DiscoveryLab) -> None:
    lab.web.route(
        "autoconfig.example.test",
        "/mail/config-v1.1.xml",
        Route(stream=50 * 1024 * 1024, headers={"Content-Type": "text/xml", "Content-Length": "100"}),
    )
    # A lying Content-Length: http.client stops at the length it was told; nothing beyond is read.
    report = discover("bob@example.test", lab.settings(deadline_s=5))
    assert errors(report)["autoconfig"]


def test_redirects_are_followed_a_few_times_over_https_only(lab: DiscoveryLab) -> None:
    target = f"https://autoconfig.example.test:{lab.web.port}/final.xml"
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(status=302, headers={"Location": target}))
    lab.web.route("autoconfig.example.test", "/final.xml", autoconfig_xml(host="redirected.example.test"))
    assert discover("bob@example.test", lab.settings()).suggestions[0].host == "redirected.example.test"


def test_a_redirect_to_plain_http_is_refused(lab: DiscoveryLab) -> None:
    downgrade = f"http://autoconfig.example.test:{lab.plain.port}/mail/config-v1.1.xml"
    lab.web.route(
        "autoconfig.example.test", "/mail/config-v1.1.xml", Route(status=301, headers={"Location": downgrade})
    )
    lab.plain.route("autoconfig.example.test", "/mail/config-v1.1.xml", autoconfig_xml(host="downgraded.example.test"))
    lab.dns.add("_submission._tcp.example.test", "SRV", "0 1 587 smtp.example.test.")  # so http is not a last resort
    report = discover("bob@example.test", lab.settings())
    assert "https to plain http" in (errors(report)["autoconfig"] or "")
    assert all(s.host != "downgraded.example.test" for s in report.suggestions)


def test_endless_redirects_stop(lab: DiscoveryLab) -> None:
    loop = f"https://autoconfig.example.test:{lab.web.port}/mail/config-v1.1.xml"
    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(status=302, headers={"Location": loop}))
    report = discover("bob@example.test", lab.settings())
    assert "redirects" in (errors(report)["autoconfig"] or "")
    assert len(lab.web.asked("autoconfig.example.test")) == 4  # the first request and 3 redirects


def test_a_certificate_from_another_ca_is_not_trusted(lab: DiscoveryLab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    lab.serve_autoconfig("example.test", autoconfig_xml())
    report = discover("bob@example.test", lab.settings())
    assert "not trusted" in (errors(report)["autoconfig"] or "")
    assert not report.suggestions


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "smtp.example.test\r\nX: y", "smtp..example.test", "-smtp.example.test", "localhost", "a" * 300],
)
def test_server_supplied_host_names_are_checked(lab: DiscoveryLab, host: str) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(host=host))
    report = discover("bob@example.test", lab.settings())
    assert not report.suggestions


def test_hostile_srv_and_mx_targets_are_dropped(lab: DiscoveryLab) -> None:
    lab.dns.add("_submissions._tcp.example.test", "SRV", "0 1 465 127.0.0.1.", r"0 1 465 evil\010name.example.test.")
    lab.dns.add("example.test", "MX", r"10 a\013b.example.test.")
    report = discover("bob@example.test", lab.settings())
    assert not report.suggestions


def test_port_and_user_name_from_the_file_are_checked(lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(port=99999))
    lab.serve_ispdb("example.test", autoconfig_xml(username="bob&#10;RCPT TO:&lt;x&gt;"))
    assert not discover("bob@example.test", lab.settings()).suggestions
