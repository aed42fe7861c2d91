"""Reading SPF (RFC 7208), DMARC (RFC 7489) and DKIM key (RFC 6376) records; no DNS here.

Record text comes from DNS and is hostile: every parser is total (bad input gives a sentence,
never an exception the caller did not expect), names taken from a record are checked before
anyone looks them up, and the number of terms read is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smtpgui.core.numbers import ascii_number

MAX_TERMS = 64  # a real SPF record has a handful; a hostile one is not read past this
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})  # RFC 7208 §4.6.4
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")  # underscores: _spf.google.com
# Only the spaces the RFCs name separate terms and tags (SPF: SP; DMARC: SP and HTAB). Python's
# split() and strip() also take U+2028, NEL, NBSP and more: a receiver does not, and would see one
# broken term where split() saw two good ones.
_SPF_START = re.compile(r"^v=spf1( |$)", re.IGNORECASE)
_DMARC_START = re.compile(r"^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)", re.IGNORECASE)
_WSP = " \t"


def checked_domain(text: str) -> str | None:
    """A domain from a record (``_spf.google.com``), lower case without the final dot; None when
    it is not one (no dot, a bad label, too long, an address)."""
    name = text.strip().rstrip(".").lower()
    if not name or len(name) > 253 or "." not in name:
        return None
    if not all(_DOMAIN_LABEL.match(label) for label in name.split(".")):
        return None
    if name.replace(".", "").isdigit():
        return None
    return name


def is_spf(text: str) -> bool:
    return _SPF_START.match(text.strip(" ")) is not None


def is_dmarc(text: str) -> bool:
    return _DMARC_START.match(text.strip(_WSP)) is not None


@dataclass(frozen=True)
class SpfTerm:
    """One term of an SPF record: a mechanism (``include``, ``ip4``, ``all``…) or a modifier."""

    name: str
    qualifier: str = "+"
    value: str = ""  # the domain or network after ':' or '=' (for ``a``/``mx``: the cidr dropped)
    modifier: bool = False


@dataclass
class SpfRecord:
    """A parsed SPF record; ``problems`` names what a receiver would call a permerror."""

    terms: list[SpfTerm] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def all_qualifier(self) -> str | None:
        return next((t.qualifier for t in self.terms if t.name == "all" and not t.modifier), None)

    @property
    def redirect(self) -> str | None:
        return next((t.value for t in self.terms if t.modifier and t.name == "redirect"), None)


_MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})


def parse_spf(text: str, domain: str, sender_domain: str) -> SpfRecord:
    """Parse an SPF record published at ``domain``; macros ``%{d}`` and ``%{o}`` are expanded
    (``sender_domain`` is the From domain); other macros make that term unreadable here."""
    record = SpfRecord()
    words = [word for word in text.split(" ") if word][1:]
    if len(words) > MAX_TERMS:
        record.problems.append(f"the SPF record of {domain} has {len(words)} terms; only {MAX_TERMS} were read")
        words = words[:MAX_TERMS]
    for raw in words:
        qualifier, word = "+", raw
        if word[:1] in "+-~?":
            qualifier, word = word[0], word[1:]
        name, sep, value = word.partition("=") if "=" in word.split(":", 1)[0] else word.partition(":")
        lowered = name.lower()
        modifier = sep == "="
        if modifier:
            if lowered in ("redirect", "exp"):
                value = value.replace("%{d}", domain).replace("%{o}", sender_domain)
            record.terms.append(SpfTerm(lowered, "+", value, True))
            continue
        if lowered.split("/", 1)[0] not in _MECHANISMS:
            record.problems.append(f"the SPF record of {domain} has an unknown term {word[:60]!r}")
            continue
        lowered = lowered.split("/", 1)[0]
        if lowered in ("a", "mx") and "/" in value:
            value = value.split("/", 1)[0]
        value = value.replace("%{d}", domain).replace("%{o}", sender_domain)
        record.terms.append(SpfTerm(lowered, qualifier, value))
    return record


@dataclass(frozen=True)
class DmarcPolicy:
    """A parsed DMARC record (tags as published; defaults per RFC 7489 §6.3)."""

    policy: str
    subdomain_policy: str
    adkim: str
    aspf: str
    pct: int
    published_at: str


def parse_dmarc(text: str, published_at: str) -> DmarcPolicy | str:
    """The policy, or a sentence saying why the record is not valid."""
    tags: dict[str, str] = {}
    for part in text.split(";")[:32]:
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip(_WSP).lower(), value.strip(_WSP))
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        shown = tags.get("p", "")[:20]
        return f"the DMARC record at {published_at} has no valid policy (p={shown or 'missing'})"
    subdomain = tags.get("sp", policy).lower()
    if subdomain not in ("none", "quarantine", "reject"):
        subdomain = policy
    pct = ascii_number(tags.get("pct", "100"))
    pct = pct if pct is not None and pct <= 100 else 100
    adkim = "s" if tags.get("adkim", "r").lower() == "s" else "r"
    aspf = "s" if tags.get("aspf", "r").lower() == "s" else "r"
    return DmarcPolicy(policy, subdomain, adkim, aspf, pct, published_at)


def dkim_key_state(text: str) -> str:
    """``key`` for a usable DKIM key record, ``revoked`` for an empty ``p=``, ``other`` otherwise."""
    tags = {}
    for part in text.split(";")[:32]:
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip().lower()] = "".join(value.split())
    if "p" not in tags:
        return "other"
    if tags.get("v", "DKIM1").upper() != "DKIM1":
        return "other"
    return "key" if tags["p"] else "revoked"
