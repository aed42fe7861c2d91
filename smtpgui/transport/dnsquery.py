"""DNS questions for discovery and the sender-domain check, through dnspython (never by hand).

The resolver is the system's (``/etc/resolv.conf``, the registry on Windows) unless the user
chose one (``--dns-server HOST[:PORT]``, ``SMTPGUI_DNS_SERVER``). Every question honours one
overall deadline. "No such name" and "no such record" are empty answers; a resolver that does
not answer, or answers SERVFAIL, raises :class:`DnsFailure`. What DNS returns is outside text:
names are checked as host names before anyone uses them, record text is capped in length.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smtpgui.core.addresses import is_server_address, normalize_host, parse_ip
from smtpgui.core.numbers import ascii_port

if TYPE_CHECKING:
    from smtpgui.transport.network import CancelToken

DNS_SERVER_VARIABLE = "SMTPGUI_DNS_SERVER"
QUESTION_TIMEOUT_S = 5.0  # one question's longest wait when the deadline is further away
DEADLINE_MARGIN_S = 0.25  # dnspython may overrun a lifetime by ~0.1 s
MAX_TXT_CHARS = 4096  # one TXT record's text; a longer one is cut (SPF and DMARC are far shorter)


class DnsFailure(Exception):
    """DNS could not answer (no resolver, a timeout, SERVFAIL)."""


@dataclass(frozen=True)
class DnsServerChoice:
    """The resolver the user chose: an IP address and a port."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_dns_server(text: str) -> DnsServerChoice:
    """``HOST[:PORT]`` (``[v6]:PORT`` for IPv6) as typed; ``ValueError`` with a sentence otherwise."""
    value = text.strip()
    host, port_text = value, ""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{text!r} is not a DNS server: write HOST, HOST:PORT or [IPv6]:PORT.")
        port_text = rest[1:]
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    address = parse_ip(host)
    if address is None:
        raise ValueError(f"{text!r} is not a DNS server: give its IP address (for example 127.0.0.1:5353).")
    port = ascii_port(port_text) if port_text else 53
    if port is None:
        raise ValueError(f"{text!r} is not a DNS server: the port must be a number from 1 to 65535.")
    return DnsServerChoice(str(address), port)


def dns_server_from_environment() -> DnsServerChoice | None:
    """``SMTPGUI_DNS_SERVER`` when set (``ValueError`` when it is not a server)."""
    value = os.environ.get(DNS_SERVER_VARIABLE, "").strip()
    return parse_dns_server(value) if value else None


def checked_name(text: str) -> str | None:
    """A host name from DNS (an MX, an SRV target, a CNAME) when it is one, lower case without the
    final dot; None for anything else (the root ``.``, an address, junk)."""
    name = text.rstrip(".").lower()
    if not name or parse_ip(name) is not None:
        return None
    try:
        normalize_host(name)
    except ValueError:
        return None
    return name if "." in name else None


class DnsClient:
    """Asks one resolver, each question within what is left of ``deadline`` (``time.monotonic``)."""

    def __init__(
        self, server: DnsServerChoice | None = None, deadline: float | None = None, token: CancelToken | None = None
    ) -> None:
        import dns.resolver

        self.server = server
        self.deadline = deadline
        self.token = token  # once cancelled, no further question is asked (``Cancelled``)
        try:
            resolver = dns.resolver.Resolver(configure=server is None)
        except dns.resolver.NoResolverConfiguration as exc:
            raise DnsFailure("this computer has no DNS resolver configured; choose one with --dns-server") from exc
        if server is not None:
            resolver.nameservers = [server.host]
            resolver.port = server.port
        resolver.cache = None
        self._resolver = resolver
        self.lookups = 0  # questions asked (for tests and the check's report)

    def _remaining(self) -> float:
        if self.deadline is None:
            return QUESTION_TIMEOUT_S
        # A little before the deadline, so a resolver that never answers is reported as such.
        left = self.deadline - time.monotonic() - DEADLINE_MARGIN_S
        if left <= 0:
            raise DnsFailure("the DNS answers did not come in time")
        return min(left, QUESTION_TIMEOUT_S)

    def query(self, name: str, rdtype: str) -> list[Any]:
        """The records of ``rdtype`` at ``name``; [] when there are none."""
        import dns.exception
        import dns.name
        import dns.resolver

        if self.token is not None:
            self.token.check()
        self.lookups += 1
        lifetime = self._remaining()
        try:
            answer = self._resolver.resolve(name, rdtype, lifetime=lifetime, raise_on_no_answer=False, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.YXDOMAIN):
            return []
        except dns.name.NameTooLong:
            # _dmarc.DOMAIN, SELECTOR._domainkey.DOMAIN or _submissions._tcp.DOMAIN of a long (valid)
            # domain: no record can exist there, which is "none", not "DNS did not answer".
            return []
        except (dns.name.EmptyLabel, dns.name.LabelTooLong, dns.name.BadEscape) as exc:
            raise DnsFailure(f"{name} is not a name DNS can look up") from exc
        except dns.resolver.LifetimeTimeout as exc:
            where = f" ({self.server})" if self.server else ""
            raise DnsFailure(f"the DNS server{where} did not answer about {name} in time") from exc
        except dns.resolver.NoNameservers as exc:
            where = f" ({self.server})" if self.server else ""
            raise DnsFailure(f"the DNS server{where} could not answer about {name} (SERVFAIL or refused)") from exc
        except dns.exception.DNSException as exc:
            raise DnsFailure(f"DNS failed for {name}: {exc}") from exc
        return list(answer.rrset) if answer.rrset is not None else []

    def txt(self, name: str) -> list[str]:
        """The TXT records at ``name``, each one's strings joined (RFC 7208 §3.3), length-capped."""
        texts = []
        for record in self.query(name, "TXT"):
            text = b"".join(record.strings).decode("utf-8", "replace")
            texts.append(text[:MAX_TXT_CHARS])
        return texts

    def mx(self, name: str) -> list[str]:
        """The MX hosts of ``name``, best preference first (names that are not host names dropped)."""
        # Ties broken by name: DNS gives a record set in any order, and the answer must not vary.
        records = sorted(self.query(name, "MX"), key=lambda r: (r.preference, r.exchange.to_text().lower()))
        hosts = [checked_name(r.exchange.to_text()) for r in records]
        return [h for h in hosts if h]

    def srv(self, name: str) -> list[tuple[int, int, int, str | None]]:
        """(priority, weight, port, target) of each SRV record; target None for ``.`` or junk."""
        records = sorted(
            self.query(name, "SRV"), key=lambda r: (r.priority, -r.weight, r.target.to_text().lower(), r.port)
        )
        return [(r.priority, r.weight, r.port, checked_name(r.target.to_text())) for r in records]

    def addresses(self, name: str) -> list[str]:
        """The IPv4 then IPv6 addresses of ``name`` where a server can be (``is_server_address``:
        a hostile answer of 0.0.0.0, ::, multicast or link-local is dropped, never connected to)."""
        found = sorted(r.address for r in self.query(name, "A"))
        found += sorted(r.address for r in self.query(name, "AAAA"))
        return [a for a in found if (ip := parse_ip(a)) is not None and is_server_address(ip)]
