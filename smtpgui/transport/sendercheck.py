"""The sender-domain check: will mail sent as the From address through this connection pass
SPF, DKIM and DMARC at the receiver?

For the From domain: the SPF record, followed through ``include`` and ``redirect`` within RFC
7208's limit of 10 DNS lookups (counted per §4.6.4, loops caught); the DMARC record (the
organizational domain's when the domain has none); and, when the connection's provider is known
(a preset), whether its SPF include is there and its DKIM selectors publish a key. Each finding is
a sentence with the fix. Record text is DNS's, so it is only ever shown through ``printable``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from smtpgui.core.addresses import parse_ip
from smtpgui.core.discovery import address_domain, registered_domain
from smtpgui.core.mailauth import (
    LOOKUP_MECHANISMS,
    DmarcPolicy,
    checked_domain,
    dkim_key_state,
    is_dmarc,
    is_spf,
    parse_dmarc,
    parse_spf,
)
from smtpgui.core.presets import PRESETS_BY_ID, Preset, preset_for_host
from smtpgui.transport.dnsquery import DnsClient, DnsFailure

LOOKUP_LIMIT = 10  # RFC 7208 §4.6.4
VOID_LIMIT = 2
MAX_DOMAINS = 40  # include/redirect targets read at most (a hostile tree ends here)
EXIT_CLEAN, EXIT_PROBLEM, EXIT_DNS = 0, 16, 10


@dataclass(frozen=True)
class Finding:
    """One thing the check found: ``problem`` (exit 16), ``warning``, ``ok`` or ``note``."""

    level: str
    topic: str  # spf, dmarc, dkim
    message: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "topic": self.topic, "message": self.message, "fix": self.fix}


@dataclass
class SpfWalk:
    """What following one SPF record found."""

    record: str | None = None
    lookups: int = 0
    void_lookups: int = 0
    reached: list[str] = field(default_factory=list)  # every domain reached by include/redirect
    passing: list[str] = field(default_factory=list)  # those whose match is a pass (``+`` all the way)
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    host_mechanisms: list[tuple[str, str]] = field(default_factory=list)  # (a|mx, domain)
    problems: list[str] = field(default_factory=list)
    all_qualifier: str | None = None


@dataclass
class SenderReport:
    """The whole check for one connection's From domain."""

    address: str
    domain: str
    provider: str | None
    findings: list[Finding] = field(default_factory=list)
    spf: SpfWalk = field(default_factory=SpfWalk)
    dmarc: DmarcPolicy | None = None
    dmarc_record: str | None = None
    dkim_checked: list[str] = field(default_factory=list)
    dkim_found: list[str] = field(default_factory=list)
    dns_error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.dns_error:
            return EXIT_DNS
        return EXIT_PROBLEM if any(f.level == "problem" for f in self.findings) else EXIT_CLEAN

    def to_json(self) -> dict[str, Any]:
        d = self.dmarc
        return {
            "address": self.address,
            "domain": self.domain,
            "provider": self.provider,
            "ok": self.exit_code == EXIT_CLEAN,
            "dns_error": self.dns_error,
            "spf": {
                "record": self.spf.record,
                "lookups": self.spf.lookups,
                "includes": self.spf.reached,
            },
            "dmarc": None
            if d is None
            else {
                "record": self.dmarc_record,
                "published_at": d.published_at,
                "policy": d.policy,
                "subdomain_policy": d.subdomain_policy,
                "adkim": d.adkim,
                "aspf": d.aspf,
                "pct": d.pct,
            },
            "dkim": {"selectors_checked": self.dkim_checked, "selectors_found": self.dkim_found},
            "findings": [f.to_json() for f in self.findings],
        }


def _spf_records(dns: DnsClient, domain: str) -> list[str]:
    """The SPF records at ``domain``, sorted: DNS gives a record set in any order, and a domain
    publishing two (itself a problem) must be read the same way every time."""
    return sorted(t for t in dns.txt(domain) if is_spf(t))


def walk_spf(dns: DnsClient, domain: str, sender_domain: str) -> SpfWalk:
    """Follow ``domain``'s SPF record through include and redirect, counting DNS lookups."""
    walk = SpfWalk()
    records = _spf_records(dns, domain)
    if not records:
        return walk
    if len(records) > 1:
        walk.problems.append(f"{domain} publishes {len(records)} SPF records; receivers then answer permerror")
    walk.record = records[0]
    _SpfWalker(dns, sender_domain, walk).follow(domain, records[0], (domain,))
    return walk


class _SpfWalker:
    """Follows one SPF tree for one sender domain into one :class:`SpfWalk`."""

    def __init__(self, dns: DnsClient, sender: str, walk: SpfWalk) -> None:
        self.dns, self.sender, self.walk = dns, sender, walk

    def count(self, domain: str) -> bool:
        """Count one lookup; False (and the problem noted once) when the limit is passed."""
        walk = self.walk
        if walk.lookups > LOOKUP_LIMIT:
            return False  # receivers stopped at the lookup that passed the limit, and so does the count
        walk.lookups += 1
        if walk.lookups == LOOKUP_LIMIT + 1:
            walk.problems.append(
                f"the SPF record of {domain} needs more than {LOOKUP_LIMIT} DNS lookups (RFC 7208 limit); "
                "receivers answer permerror, which DMARC counts as a failure"
            )
        return walk.lookups <= LOOKUP_LIMIT

    def follow(self, domain: str, text: str, path: tuple[str, ...], passing: bool = True) -> None:
        """Read ``domain``'s record as a receiver does, left to right; ``passing``: a match here
        is a pass (every include on the way had the ``+`` qualifier)."""
        walk = self.walk
        record = parse_spf(text, domain, self.sender)
        walk.problems.extend(record.problems)
        if len(path) == 1:
            walk.all_qualifier = record.all_qualifier
        for term in record.terms:
            if term.modifier:
                continue
            if term.name == "all":
                break  # RFC 7208 5.1: mechanisms after "all" are never tested (nor their lookups)
            if term.name in ("ip4", "ip6"):
                try:
                    walk.networks.append(ipaddress.ip_network(term.value, strict=False))
                except ValueError:
                    walk.problems.append(f"the SPF record of {domain} has a bad network {term.value[:60]!r}")
                continue
            if term.name not in LOOKUP_MECHANISMS:
                continue
            if not self.count(domain):
                return
            target = checked_domain(term.value) if term.value else domain
            if term.name in ("a", "mx"):
                if target:
                    walk.host_mechanisms.append((term.name, target))
                continue
            if term.name == "include":
                self.descend(domain, term.value, target, path, "include", passing=passing and term.qualifier == "+")
        redirect = record.redirect
        if redirect is not None and record.all_qualifier is None and self.count(domain):
            self.descend(domain, redirect, checked_domain(redirect), path, "redirect", passing=passing)

    def descend(
        self, domain: str, raw: str, target: str | None, path: tuple[str, ...], how: str, *, passing: bool
    ) -> None:
        walk = self.walk
        if target is None:
            if "%" not in raw:
                walk.problems.append(f"the SPF record of {domain} has {how} of something that is not a domain")
            return
        walk.reached.append(target)
        if passing:
            walk.passing.append(target)
        if target in path:
            walk.problems.append(f"the SPF record of {domain} loops back to {target} through {how}")
            return
        if len(walk.reached) > MAX_DOMAINS:
            return
        records = _spf_records(self.dns, target)
        if not records:
            walk.void_lookups += 1
            walk.problems.append(
                f"the SPF record of {domain} has {how}:{target}, which publishes no SPF record (permerror)"
            )
            return
        self.follow(target, records[0], (*path, target), passing)


def _allows_host(dns: DnsClient, walk: SpfWalk, addresses: list[str]) -> bool:
    """Whether any address of the relay is covered by ip4/ip6, or an ``a``/``mx`` mechanism."""
    ips = []
    for a in addresses:
        try:
            ips.append(ipaddress.ip_address(a))
        except ValueError:
            continue
    if any(ip in net for ip in ips for net in walk.networks if ip.version == net.version):
        return True
    for kind, name in walk.host_mechanisms[:10]:
        hosts = dns.mx(name)[:10] if kind == "mx" else [name]
        for host in hosts:
            if set(dns.addresses(host)) & set(addresses):
                return True
    return False


def _relay_addresses(dns: DnsClient, host: str) -> list[str]:
    """The relay's addresses to look for in SPF: an address given as the host itself, a domain's
    from DNS; none for a name that is neither (``localhost``, a single label: nothing to compare)."""
    literal = parse_ip(host)
    if literal is not None:
        return [str(literal)]
    return dns.addresses(host) if checked_domain(host) else []


def _spf_term(address: str) -> str:
    return f"ip6:{address}" if ":" in address else f"ip4:{address}"


def provider_of(host: str, kind: str) -> Preset | None:
    """The preset whose server the connection uses (a Graph connection is Microsoft 365)."""
    if kind == "graph":
        return PRESETS_BY_ID["office365"]
    return preset_for_host(host)


def check_sender(address: str, host: str, kind: str, dns: DnsClient) -> SenderReport:
    """Check SPF, DMARC and DKIM for mail sent as ``address`` through ``host`` (``ValueError``
    with a sentence when ``address`` is not one whose domain can be looked up)."""
    domain = address_domain(address)[1]
    preset = provider_of(host, kind)
    name = preset.provider_name if preset else None
    report = SenderReport(address, domain, name)
    try:
        _check(report, preset, host, dns)
    except DnsFailure as exc:
        report.dns_error = str(exc)
    return report


def _check(report: SenderReport, preset: Preset | None, host: str, dns: DnsClient) -> None:
    domain, address = report.domain, report.address
    through = f" through {preset.provider_name}" if preset else f" through {host}"
    add = report.findings.append
    # SPF ---------------------------------------------------------------------------------
    walk = walk_spf(dns, domain, domain)
    report.spf = walk
    spf_ok = False
    if walk.record is None:
        suggestion = f"v=spf1 include:{preset.spf_include} -all" if preset and preset.spf_include else "v=spf1 mx -all"
        add(
            Finding(
                "problem",
                "spf",
                f"no SPF record for {domain}: receivers cannot tell which servers may send as {address}",
                f"publish a TXT record at {domain}: `{suggestion}`",
            )
        )
    else:
        for problem in walk.problems:
            add(Finding("problem", "spf", problem, "simplify the SPF record (fewer includes, ip4:/ip6: ranges)"))
        if walk.all_qualifier == "+":
            add(
                Finding(
                    "problem",
                    "spf",
                    f"the SPF record of {domain} ends in +all: it allows every server in the world to send as {domain}",
                    "end it with -all or ~all",
                )
            )
        if preset and preset.spf_include:
            if preset.spf_include in walk.passing:
                spf_ok = not walk.problems
                add(Finding("ok", "spf", f"SPF for {domain} includes {preset.spf_include}"))
            else:
                add(
                    Finding(
                        "problem",
                        "spf",
                        f"SPF for {domain} does not include {preset.spf_include}: mail sent as {address}{through} "
                        f"will fail SPF; add `include:{preset.spf_include}`",
                        f"add `include:{preset.spf_include}` to the SPF record of {domain}",
                    )
                )
        elif preset is None and host:
            addresses = _relay_addresses(dns, host)
            if addresses and _allows_host(dns, walk, addresses):
                spf_ok = not walk.problems
                add(Finding("ok", "spf", f"SPF for {domain} lists the server {host}"))
            elif addresses:
                shown = "" if addresses == [host] else f" ({', '.join(addresses[:2])})"
                add(
                    Finding(
                        "warning",
                        "spf",
                        f"SPF for {domain} does not list {host}{shown}: if that server sends the mail out "
                        "itself, receivers will see an SPF failure",
                        f"add `{_spf_term(addresses[0])}` (or the relay's own include) to the SPF record of {domain}",
                    )
                )
    # DKIM --------------------------------------------------------------------------------
    if preset and preset.dkim_selectors:
        report.dkim_checked = list(preset.dkim_selectors)
        for selector in preset.dkim_selectors:
            if any(dkim_key_state(t) == "key" for t in dns.txt(f"{selector}._domainkey.{domain}")):
                report.dkim_found.append(selector)
        if report.dkim_found:
            add(Finding("ok", "dkim", f"DKIM key published for selector {', '.join(report.dkim_found)} at {domain}"))
    # DMARC -------------------------------------------------------------------------------
    aligned = (spf_ok and (preset is None or preset.envelope_aligned)) or bool(report.dkim_found)
    _check_dmarc(report, preset, dns, aligned)


def _check_dmarc(report: SenderReport, preset: Preset | None, dns: DnsClient, aligned: bool) -> None:
    domain, address = report.domain, report.address
    through = f" through {preset.provider_name}" if preset else ""
    add = report.findings.append
    published = domain
    records = [t for t in dns.txt(f"_dmarc.{domain}") if is_dmarc(t)]
    organizational = registered_domain(domain)
    if not records and organizational != domain:
        published = organizational
        records = [t for t in dns.txt(f"_dmarc.{organizational}") if is_dmarc(t)]
    if not records:
        add(
            Finding(
                "problem",
                "dmarc",
                f"no DMARC record for {domain}: many receivers (Gmail, Yahoo, Microsoft) now expect one from "
                "senders, and nobody is told when mail sent as your domain fails",
                f"publish a TXT record at _dmarc.{domain}: `v=DMARC1; p=none; rua=mailto:dmarc@{domain}`",
            )
        )
        return
    if len(records) > 1:
        many = f"_dmarc.{published} has {len(records)} DMARC records; receivers ignore them all"
        add(Finding("problem", "dmarc", many, "keep exactly one"))
        return
    report.dmarc_record = records[0]
    parsed = parse_dmarc(records[0], f"_dmarc.{published}")
    if isinstance(parsed, str):
        add(Finding("problem", "dmarc", parsed, "set p=none, p=quarantine or p=reject"))
        return
    report.dmarc = parsed
    policy = parsed.subdomain_policy if published != domain else parsed.policy
    if aligned:
        add(Finding("ok", "dmarc", f"DMARC p={policy} for {domain}, and mail{through} can pass it"))
        return
    if preset is None:
        unknown = "whether the server signs with an aligned DKIM key cannot be told (its selectors are not known)"
        add(Finding("note", "dmarc", f"DMARC p={policy} for {domain}; {unknown}"))
        return
    selectors = "/".join(preset.dkim_selectors) or "its"
    fix = f"turn on DKIM signing for {domain} at {preset.provider_name} and publish its {selectors} DKIM records"
    if policy in ("quarantine", "reject"):
        add(
            Finding(
                "problem",
                "dmarc",
                f"DMARC p={policy} and no aligned DKIM: mail sent as {address}{through} will be "
                f"{'rejected' if policy == 'reject' else 'put in spam'} by receivers that honour DMARC",
                fix,
            )
        )
    else:
        today = "it passes today only because the policy asks for nothing"
        add(
            Finding(
                "warning",
                "dmarc",
                f"DMARC p=none and no aligned DKIM for mail sent as {address}{through}: {today}",
                fix,
            )
        )
