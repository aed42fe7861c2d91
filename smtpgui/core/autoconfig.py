"""Read a Thunderbird autoconfig file (config-v1.1.xml, also the ISPDB's format) safely.

The file comes from a web server, so it is hostile until read: it is parsed with expat directly,
and any document type declaration is refused outright. With no DTD there can be no entity
declarations, so no "billion laughs", no external entities and nothing fetched from anywhere;
a reference to an undeclared entity is an error in expat already. (defusedxml would do the same
job with one more dependency to bundle; refusing every DOCTYPE is stricter and a few lines.)
Documents over :data:`MAX_BYTES` are refused before parsing.

Only ``outgoingServer`` entries of type ``smtp`` are read; host names are checked, ``%…%``
placeholders in the user name are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smtpgui.core.addresses import check_single_line, normalize_host, parse_ip
from smtpgui.core.model import AuthMode, Mechanism, OAuthProvider, Security
from smtpgui.core.numbers import ascii_port

MAX_BYTES = 1024 * 1024
MAX_ELEMENTS = 10_000
MAX_DEPTH = 32


class UnsafeXml(ValueError):
    """The document is refused (a DTD, too large, too deep, not well-formed)."""


@dataclass(frozen=True)
class ServerEntry:
    """One outgoingServer entry, checked and with the user name filled in."""

    host: str
    port: int
    security: Security
    auth_mode: AuthMode
    username: str
    mechanism: Mechanism = Mechanism.AUTO
    oauth_provider: OAuthProvider | None = None


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element]
    text: str = ""

    def find_all(self, tag: str) -> list[_Element]:
        return [child for child in self.children if child.tag == tag]

    def first_text(self, tag: str) -> str:
        found = self.find_all(tag)
        return found[0].text.strip() if found else ""


def parse_xml(data: bytes) -> _Element:
    """The document's root element; ``UnsafeXml`` for anything refused."""
    from xml.parsers import expat

    if len(data) > MAX_BYTES:
        raise UnsafeXml(f"the file is too large ({len(data)} bytes; at most {MAX_BYTES})")
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Element] = []
    root: list[_Element] = []
    count = 0

    def refuse(*_args: Any) -> None:
        raise UnsafeXml("the file declares a document type (DTD), which is refused")

    def external(*_args: Any) -> int:
        raise UnsafeXml("the file refers to an external entity, which is refused")

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS or len(stack) >= MAX_DEPTH:
            raise UnsafeXml("the file has too many elements or is nested too deeply")
        element = _Element(tag, dict(attrs), [])
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack and len(stack[-1].text) < 4096:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise UnsafeXml(f"the file is not well-formed XML ({expat.errors.messages.get(exc.code, exc)})") from exc
    if not root:
        raise UnsafeXml("the file is empty")
    return root[0]


_SOCKET_TYPES = {"ssl": Security.TLS, "tls": Security.TLS, "starttls": Security.STARTTLS, "plain": Security.NONE}


def fill_placeholders(template: str, address: str) -> str:
    """``%EMAILADDRESS%``, ``%EMAILLOCALPART%`` and ``%EMAILDOMAIN%`` replaced from ``address``."""
    local, _, domain = address.rpartition("@")
    return (
        template.replace("%EMAILADDRESS%", address).replace("%EMAILLOCALPART%", local).replace("%EMAILDOMAIN%", domain)
    )


def _oauth_provider(host: str) -> OAuthProvider:
    """Google's or Microsoft's sign-in only for their own server (the preset's host): a token from
    it goes to the server named here, so a file (or anyone on the path of the plain-http last
    resort) naming ``smtp.gmail.com.evil.example`` or any host with Google's issuer must not get
    one. Every other server is a custom provider, whose endpoints the person enters."""
    from smtpgui.core.presets import preset_for_host

    preset = preset_for_host(host)
    if preset is not None and preset.oauth_provider is not None:
        return preset.oauth_provider
    return OAuthProvider.CUSTOM


def _entry(server: _Element, address: str) -> ServerEntry | None:
    if server.attrs.get("type", "smtp").lower() != "smtp":
        return None
    host_text = fill_placeholders(server.first_text("hostname"), address).strip().rstrip(".").lower()
    try:
        host = normalize_host(host_text)
    except ValueError:
        return None
    if parse_ip(host) is not None or "." not in host:
        return None  # a server-supplied address or single label is never suggested
    port = ascii_port(server.first_text("port"))
    if port is None:
        return None
    security = _SOCKET_TYPES.get(server.first_text("socketType").lower())
    if security is None:
        return None
    methods = [a.text.strip().lower() for a in server.find_all("authentication")]
    mechanism, provider = Mechanism.AUTO, None
    if not methods or methods[0] in ("none", "client-ip-address"):
        auth = AuthMode.NONE
    elif methods[0] == "oauth2":
        auth, mechanism, provider = AuthMode.OAUTH2, Mechanism.XOAUTH2, _oauth_provider(host)
    else:
        auth = AuthMode.PASSWORD
        if methods[0] == "password-encrypted":
            mechanism = Mechanism.CRAM_MD5
    username = fill_placeholders(server.first_text("username"), address).strip() if auth is not AuthMode.NONE else ""
    try:
        check_single_line(username, "A user name")
    except ValueError:
        return None
    return ServerEntry(host, port, security, auth, username[:256], mechanism, provider)


def outgoing_servers(data: bytes, address: str) -> list[ServerEntry]:
    """The SMTP servers an autoconfig document offers, in its order (``UnsafeXml`` if refused)."""
    root = parse_xml(data)
    if root.tag != "clientConfig":
        raise UnsafeXml("the file is not an autoconfig file (no clientConfig)")
    entries: list[ServerEntry] = []
    for provider in root.find_all("emailProvider"):
        for server in provider.find_all("outgoingServer"):
            entry = _entry(server, address)
            if entry is not None and entry not in entries:
                entries.append(entry)
    return entries[:10]
