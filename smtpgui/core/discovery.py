"""Suggested submission settings for an e-mail address: what one is, how they are ranked.

Each source (a preset, the domain's autoconfig file, the ISPDB, SRV records, the MX host's
provider, a probe) gives :class:`Suggestion` values with a confidence (0-100). The same
server, port and security from several sources is one suggestion that names them all and is a
little surer; the list is best first. No network here (``smtpgui.transport.discover`` asks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from smtpgui.core.addresses import idna_host, normalize_address
from smtpgui.core.model import AuthMode, Connection, Mechanism, OAuthProvider, Security

# How sure each source is, before the ranking's small adjustments.
CONFIDENCE = {
    "preset": 95,
    "autoconfig": 90,
    "autoconfig-wellknown": 90,
    "ispdb": 85,
    "srv-submissions": 80,
    "mx-preset": 80,
    "srv-submission": 75,
    "mx-ispdb": 70,
    "probe": 55,
    "autoconfig-http": 45,
}
AGREEMENT_BONUS = 4  # per other source that says the same
MAX_SUGGESTIONS = 20  # the best of them: a list a person reads (a hostile DNS zone may hold thousands)
PLAIN_TEXT_PENALTY = 30  # a server without encryption is never a first choice when others exist

# Second-level labels under which registrations happen (a short list, not the public suffix
# list): mx1.provider.co.uk belongs to provider.co.uk, not co.uk.
_SHARED_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gv", "ltd", "plc"})


@dataclass(frozen=True)
class Suggestion:
    """One way to submit mail for the address, where it came from and how sure we are."""

    host: str
    port: int
    security: Security
    auth: AuthMode
    username: str
    source: str
    confidence: int
    mechanism: Mechanism = Mechanism.AUTO
    oauth_provider: OAuthProvider | None = None
    label: str = ""  # the provider's name when a preset or config names it

    @property
    def key(self) -> tuple[str, int, Security]:
        return (self.host, self.port, self.security)

    def to_json(self) -> dict[str, Any]:
        """The object ``discover --json`` prints (CLI.md)."""
        return {
            "host": self.host,
            "port": self.port,
            "security": self.security.value,
            "auth": self.auth.value,
            "username": self.username,
            "source": self.source,
            "confidence": self.confidence,
        }

    def apply(self, connection: Connection) -> Connection:
        """``connection`` with this suggestion's server, security and sign-in."""
        changes: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "auth_mode": self.auth,
            "username": self.username,
            "mechanism": self.mechanism,
        }
        if self.oauth_provider is not None:
            changes["oauth_provider"] = self.oauth_provider
        return connection.replace(**changes)


def address_domain(text: str) -> tuple[str, str]:
    """The address as typed (checked) and its domain in ASCII; ``ValueError`` with a sentence when
    it is not an address discovery can look up (a line break, an address literal, a bad domain)."""
    address = normalize_address(text)
    domain = address.rpartition("@")[2]
    if domain.startswith("["):
        raise ValueError(f"{address!r} has an address literal after @: discovery needs a domain name.")
    ascii_domain = idna_host(domain).lower().rstrip(".")
    if "." not in ascii_domain:
        raise ValueError(f"{address!r}: the domain {domain!r} is not a full domain name (like example.com).")
    return address, ascii_domain


def registered_domain(host: str) -> str:
    """The domain a host name was registered under, by a short rule: the last two labels, or the
    last three under a shared second level (``mx1.provider.co.uk`` → ``provider.co.uk``)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SHARED_SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def rank(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One suggestion per (host, port, security), sources joined with ``+`` and a bonus for each
    that agrees; plain text below every encrypted choice; best first (ties: the source order); at
    most :data:`MAX_SUGGESTIONS`."""
    merged: dict[tuple[str, int, Security], Suggestion] = {}
    order: list[tuple[str, int, Security]] = []
    for s in sorted(suggestions, key=lambda s: -s.confidence):
        known = merged.get(s.key)
        if known is None:
            merged[s.key] = s
            order.append(s.key)
            continue
        sources = known.source.split("+")
        if s.source not in sources:
            merged[s.key] = replace(
                known,
                source="+".join([*sources, s.source]),
                confidence=min(99, known.confidence + AGREEMENT_BONUS),
                username=known.username or s.username,
                oauth_provider=known.oauth_provider or s.oauth_provider,
                label=known.label or s.label,
            )
    ranked = [merged[key] for key in order]
    if any(s.security is not Security.NONE for s in ranked):
        ranked = [
            replace(s, confidence=max(1, s.confidence - PLAIN_TEXT_PENALTY)) if s.security is Security.NONE else s
            for s in ranked
        ]
    position = {key: i for i, key in enumerate(order)}
    return sorted(ranked, key=lambda s: (-s.confidence, position[s.key]))[:MAX_SUGGESTIONS]


def confidence_words(confidence: int) -> str:
    """How sure, in a word for people: very likely, likely, possible, a guess."""
    if confidence >= 85:
        return "very likely"
    if confidence >= 70:
        return "likely"
    if confidence >= 50:
        return "possible"
    return "a guess"


SOURCE_WORDS = {
    "preset": "built-in settings for this provider",
    "autoconfig": "the domain's autoconfig file",
    "autoconfig-wellknown": "the domain's autoconfig file (.well-known)",
    "autoconfig-http": "the domain's autoconfig file over plain http (not authenticated)",
    "ispdb": "Thunderbird's ISP database",
    "srv-submissions": "DNS SRV record _submissions._tcp",
    "srv-submission": "DNS SRV record _submission._tcp",
    "mx-preset": "the domain's mail servers (MX) belong to this provider",
    "mx-ispdb": "Thunderbird's ISP database entry for the domain's mail host (MX)",
    "probe": "a server that answered on this port",
}


def source_words(source: str) -> str:
    """Where a suggestion came from, for people (sources joined with ``+``: each named)."""
    return "; ".join(SOURCE_WORDS.get(part, part) for part in source.split("+"))
