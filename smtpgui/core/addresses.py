"""Parsers for the things users type: host names, e-mail addresses, From fields, pins, proxy URLs.

Each parser either returns a normalised value or raises ``ValueError`` with a sentence that
says what is wrong, so the GUI, the CLI and the store can all show the same words.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from smtpgui.core.model import ProxyType

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# RFC 5322 atext, plus any non-ASCII character (RFC 6531, SMTPUTF8). Written as "not ASCII"
# rather than the range U+0080–U+10FFFF: the same set, but compiled in 0.2 ms instead of 7.
_ATEXT = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]|[^\x00-\x7f])"
_DOT_ATOM = re.compile(rf"^{_ATEXT}+(\.{_ATEXT}+)*$")
_QUOTED = re.compile(r'^"([^"\\\r\n]|\\[^\r\n])*"$')
_PIN = re.compile(r"^[0-9a-f]{64}$")


# The one rule for "a single line of text" (issue 17, item 8). A character breaks it when it is
# a control character (Unicode Cc: C0 including TAB and NUL, DEL, C1 including NEL U+0085), a
# line or paragraph separator (Zl U+2028, Zp U+2029) or a lone surrogate (Cs, which no file or
# wire encoding can hold). That is a superset of every break str.splitlines() knows (CR, LF,
# VT, FF, FS, GS, RS, NEL, U+2028, U+2029), so no value that passes can become a header line of
# its own, end a C string or change what a terminal shows.
# Bidi embeddings, overrides, isolates and marks are refused too: in a name, a display name or a
# host they reorder what a person reads (a "Trojan source" sender or connection name).
_BREAKING_CATEGORIES = frozenset(("Cc", "Cs", "Zl", "Zp"))
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# The same rule as one character class, searched in C (a check per field of every imported
# entry): Cc is U+0000-001F and U+007F-009F, Cs U+D800-DFFF, Zl only U+2028, Zp only U+2029.
# tests/unit/core/test_addresses.py holds it to the categories for every code point.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(_BIDI_CONTROLS)) + "]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # Cc, Cs but tab, LF, CR


def has_line_break(text: str) -> bool:
    """True when ``text`` is not a single line: it holds a line break, a control character or a
    bidi control."""
    return _BREAKING.search(text) is not None


# Kept for its callers: both names mean the same single rule.
has_control_character = has_line_break


def single_line_problem(text: str, what: str) -> str | None:
    """The sentence for ``what`` (e.g. "A name") when ``text`` breaks the single-line rule."""
    if has_line_break(text):
        return f"{what} must be a single line: it cannot contain line breaks or control characters."
    return None


def multiline_problem(text: str, what: str) -> str | None:
    """The sentence for multi-line text (a body, a description, a signature) that holds control
    characters other than tab and line ends (NUL, ESC, …) or lone surrogates; None when it is fine."""
    if _CONTROL_IN_TEXT.search(text):
        return f"{what} cannot contain control characters (only tabs and line breaks)."
    return None


def check_single_line(text: str, what: str) -> str:
    """``text`` unchanged, or ``ValueError`` with the single-line sentence for ``what``."""
    problem = single_line_problem(text, what)
    if problem:
        raise ValueError(problem)
    return text


def idna_host(host: str) -> str:
    """The ASCII (punycode) form of a DNS name; raises ``ValueError`` if it cannot be one."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{host!r} is not a valid internationalised domain name") from None


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from text (IPv6 may be in brackets), or None when it is not one."""
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def is_server_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a server can be at ``address``: not 0.0.0.0 or :: (which reach this computer's own
    services), multicast, broadcast, reserved or link-local (169.254.x.x: cloud metadata services)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_unspecified or address.is_multicast or address.is_link_local:
        return False
    # IPv4's reserved block 240/4 holds the broadcast address; IPv6's "reserved" ranges hold ::1
    # and NAT64's 64:ff9b::/96 (every IPv4 server seen from an IPv6-only network), so not for IPv6.
    return not (address.version == 4 and address.is_reserved)


def normalize_host(text: str) -> str:
    """Check a server name: a DNS name (IDN allowed), an IPv4 or an IPv6 literal.

    Returns the host as the user should see it stored (IPv6 without brackets).
    """
    host = text.strip()
    if not host:
        raise ValueError("Enter the server's name or address, for example smtp.example.com.")
    if has_control_character(host) or " " in host:
        raise ValueError(single_line_problem(host, "A host name") or "A host name cannot contain spaces.")
    address = parse_ip(host)
    if address is not None:
        return str(address)
    if ":" in host:
        raise ValueError(f"{host!r} is not a valid host: put the port in the port field, not after a colon.")
    if "@" in host or "/" in host:
        raise ValueError(f"{host!r} is not a host name: enter only the server's name.")
    ascii_host = idna_host(host.rstrip("."))
    if len(ascii_host) > 253:
        raise ValueError("A host name can be at most 253 characters long.")
    labels = ascii_host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is not a valid host name: use letters, digits, hyphens and dots.")
    if labels[-1].isdigit():
        raise ValueError(f"{host!r} is neither a valid IPv4 address nor a host name.")
    return host


def is_loopback_host(host: str) -> bool:
    address = parse_ip(host)
    if address is not None:
        return address.is_loopback
    return host.lower().rstrip(".") in ("localhost", "localhost.localdomain")


def normalize_ehlo_name(text: str) -> str:
    """Check an EHLO name: a fully-qualified domain name or an address literal."""
    name = text.strip()
    if name.startswith("[") and name.endswith("]"):
        inner = name[1:-1]
        if inner.lower().startswith("ipv6:"):
            inner = inner[5:]
            literal = parse_ip(inner)
            if literal is None or literal.version != 6:
                raise ValueError(f"{name!r} is not a valid IPv6 address literal.")
            return f"[IPv6:{literal}]"
        literal = parse_ip(inner)
        if literal is None or literal.version != 4:
            raise ValueError(f"{name!r} is not a valid address literal: use [192.0.2.1] or [IPv6:2001:db8::1].")
        return f"[{literal}]"
    if parse_ip(name) is not None:
        raise ValueError(f"An address in EHLO must be written as a literal in brackets, like [{name}].")
    host = normalize_host(name)
    if "." not in host.strip("."):
        raise ValueError(f"{name!r} is not fully qualified: use a full name such as mail.example.com.")
    return host


def normalize_address(text: str) -> str:
    """Check a bare e-mail address (``local@domain``); non-ASCII parts are allowed."""
    address = check_single_line(text, "An e-mail address").strip()
    if not address:
        raise ValueError("Enter an e-mail address.")
    if "<" in address or ">" in address:
        raise ValueError(f"{address!r} has angle brackets: enter only the address itself.")
    local, sep, domain = address.rpartition("@")
    if not sep or not local or not domain:
        raise ValueError(f"{address!r} is not an e-mail address: it needs a name, @ and a domain.")
    if not _QUOTED.match(local) and any(ch.isspace() for ch in address):
        raise ValueError(f"{address!r} is not a valid e-mail address: it cannot contain spaces.")
    if domain.endswith("."):
        raise ValueError(f"{address!r} is not a valid e-mail address: remove the dot at the end of the domain.")
    if len(local.encode("utf-8")) > 64:
        raise ValueError("The part before @ can be at most 64 bytes long.")
    if not (_DOT_ATOM.match(local) or _QUOTED.match(local)):
        raise ValueError(f"{address!r} is not a valid e-mail address (check the part before @).")
    if domain.startswith("[") and domain.endswith("]"):
        try:
            normalize_ehlo_name(domain)
        except ValueError:
            raise ValueError(f"{address!r} has an invalid address literal after @.") from None
    else:
        try:
            normalize_host(domain)
        except ValueError:
            raise ValueError(f"{address!r} is not a valid e-mail address (check the domain).") from None
        if parse_ip(domain) is not None:
            raise ValueError(f"{address!r}: an address after @ must be in brackets, like user@[{domain}].")
    return address


def split_address_list(text: str) -> list[str]:
    """The addresses in a comma-separated list, splitting only at commas outside double quotes.

    ``"smith,john"@example.test, b@example.test`` is two addresses, not three. Each item is
    stripped; empty items are dropped. The items are not validated here (``normalize_address``).
    """
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


DISPLAY_NAME_MAX = 128


def normalize_display_name(text: str) -> str:
    """Check a display name (the "Name" of ``Name <addr>``); returns it stripped.

    Any character is allowed except line breaks and control characters; the message builder
    quotes or encodes the rest. Text that looks like an RFC 2047 encoded word (``=?…?=``) is
    refused: mail programs would decode it into something other than what was typed.
    """
    name = check_single_line(text, "A display name").strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(f"A display name can be at most {DISPLAY_NAME_MAX} characters long.")
    if "=?" in name and "?=" in name:
        raise ValueError("A display name cannot contain =?…?= (mail programs would decode it as encoded text).")
    return name


def needs_smtputf8(address: str) -> bool:
    """True when the address's local part is not ASCII (a non-ASCII domain can use punycode)."""
    local = address.rpartition("@")[0]
    return not local.isascii()


def split_from_field(text: str) -> tuple[str, str]:
    """Split a pasted From field into (display name, address).

    Accepts ``"Sender Name" <addr@example.com>``, ``Sender Name <addr@example.com>``,
    ``<addr@example.com>`` and a bare address. The address is validated.
    """
    # The whole field first: str.strip() and \s would otherwise eat a U+2028 or NEL between parts.
    value = check_single_line(text, "The From field").strip()
    match = re.fullmatch(r"(.*?)\s*<([^<>]*)>", value)
    if not match:
        return "", normalize_address(value)
    name = match.group(1).strip()
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1]).strip()
    elif "<" in name or ">" in name:
        raise ValueError(f"{value!r} holds more than one address: give one (a name may go before it).")
    return normalize_display_name(name), normalize_address(match.group(2))


def normalize_pin(text: str) -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits (colons and spaces are dropped)."""
    pin = re.sub(r"[\s:]", "", text).lower()
    if pin.startswith("sha256/") or pin.startswith("sha256="):
        pin = pin[7:]
    if not _PIN.match(pin):
        raise ValueError("A certificate pin is a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed.")
    return pin


def format_fingerprint(pin: str) -> str:
    """``AB:CD:…`` form of a 64-digit fingerprint, the way certificate viewers show it."""
    return ":".join(pin[i : i + 2] for i in range(0, len(pin), 2)).upper()


class ProxySpec(NamedTuple):
    """A proxy as a URL describes it (no password: that lives in the keyring)."""

    proxy_type: ProxyType
    host: str = ""
    port: int = 0
    username: str = ""


_PROXY_DEFAULT_PORTS = {ProxyType.SOCKS4: 1080, ProxyType.SOCKS5: 1080, ProxyType.HTTP: 8080}


def parse_proxy_url(text: str) -> ProxySpec:
    """Parse ``socks5://[user@]host:port``, ``socks4://…``, ``http://…`` or ``none``."""
    value = text.strip()
    if value.lower() in ("", "none"):
        return ProxySpec(ProxyType.NONE)
    if "://" not in value:
        raise ValueError("Write the proxy as a URL: socks5://[user@]host:port, socks4://…, http://… or none.")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme in ("socks5h", "socks5"):
        proxy_type = ProxyType.SOCKS5
    elif scheme in ("socks4", "socks4a"):
        proxy_type = ProxyType.SOCKS4
    elif scheme == "http":
        proxy_type = ProxyType.HTTP
    else:
        raise ValueError(f"Unknown proxy type {parts.scheme!r}: use socks5, socks4 or http.")
    if parts.password:
        raise ValueError("Do not put the proxy password in the URL; pass it with --proxy-password-env.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("A proxy URL has only a user, a host and a port.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("The proxy port must be a number from 1 to 65535.") from None
    host = normalize_host(parts.hostname or "")
    if port is None:
        port = _PROXY_DEFAULT_PORTS[proxy_type]
    if not 1 <= port <= 65535:
        raise ValueError("The proxy port must be a number from 1 to 65535.")
    return ProxySpec(proxy_type, host, port, unquote(parts.username or ""))
