"""A discovery lab on loopback: a DNS server, an HTTPS server with a test CA, a plain HTTP server.

The DNS server answers A records for the web hosts with 127.0.0.1; the HTTPS server plays every
``autoconfig.DOMAIN``, ``DOMAIN`` and the ISPDB (``ispdb.test``) on one free port. Tests point
smtpgui at it the way a user would: ``--dns-server``/``SMTPGUI_DNS_SERVER``,
``--ispdb-url``/``SMTPGUI_ISPDB_URL``, ``SSL_CERT_FILE`` for the test CA, and
``SMTPGUI_AUTOCONFIG_PORT``/``SMTPGUI_AUTOCONFIG_HTTP_PORT`` for the web servers' ports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from smtpgui.transport.discover import DiscoverySettings
from smtpgui.transport.dnsquery import DnsServerChoice
from tests.support.dnsserver import DnsServer, dns_server
from tests.support.webserver import TestCa, WebServer, make_test_ca, web_server

DOMAINS = ("example.test", "company.test", "provider.test", "hostile.test", "empty.test", "ispdb.test")
CERT_NAMES = tuple(n for d in DOMAINS for n in (d, f"*.{d}"))
ISPDB_HOST = "ispdb.test"


def autoconfig_xml(
    host: str = "smtp.example.test",
    port: int = 587,
    socket_type: str = "STARTTLS",
    auth: str = "password-cleartext",
    username: str = "%EMAILADDRESS%",
    more: str = "",
) -> str:
    """A config-v1.1.xml as providers publish it (Thunderbird's documented format)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>{host}</hostname>
      <port>{port}</port>
      <socketType>{socket_type}</socketType>
      <authentication>{auth}</authentication>
      <username>{username}</username>
    </outgoingServer>{more}
  </emailProvider>
</clientConfig>
"""


@dataclass
class DiscoveryLab:
    dns: DnsServer
    web: WebServer
    plain: WebServer
    ca: TestCa

    @property
    def ispdb_url(self) -> str:
        return f"https://{ISPDB_HOST}:{self.web.port}/v1.1"

    def settings(self, deadline_s: float = 10.0, **changes: object) -> DiscoverySettings:
        values: dict[str, object] = {
            "dns_server": DnsServerChoice("127.0.0.1", self.dns.port),
            "ispdb_url": self.ispdb_url,
            "deadline_s": deadline_s,
            "autoconfig_port": self.web.port,
            "autoconfig_http_port": self.plain.port,
        }
        values.update(changes)
        return DiscoverySettings(**values)  # type: ignore[arg-type]

    def env(self) -> dict[str, str]:
        """The environment for the ``smtpgui`` command (and the window) to use this lab."""
        return {
            "SMTPGUI_DNS_SERVER": self.dns.address,
            "SMTPGUI_ISPDB_URL": self.ispdb_url,
            "SMTPGUI_AUTOCONFIG_PORT": str(self.web.port),
            "SMTPGUI_AUTOCONFIG_HTTP_PORT": str(self.plain.port),
            "SSL_CERT_FILE": str(self.ca.file),
        }

    def serve_autoconfig(self, domain: str, xml: str) -> None:
        self.web.route(f"autoconfig.{domain}", "/mail/config-v1.1.xml", xml)

    def serve_ispdb(self, domain: str, xml: str) -> None:
        self.web.route(ISPDB_HOST, f"/v1.1/{domain}", xml)


@contextlib.contextmanager
def discovery_lab(folder: Path) -> Iterator[DiscoveryLab]:
    ca = make_test_ca(folder)
    with dns_server() as dns, web_server(ca.ca, CERT_NAMES) as web, web_server() as plain:
        for domain in DOMAINS:
            for name in (domain, f"autoconfig.{domain}"):
                dns.add(name, "A", "127.0.0.1")
        yield DiscoveryLab(dns, web, plain, ca)
