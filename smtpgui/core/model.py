"""The connection model: one immutable dataclass with every field of DESIGN.md §2.

Conversion to and from plain JSON-able dictionaries lives here too, so the store, the
export file and ``show --json`` all speak the same keys.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class Kind(str, enum.Enum):
    """What carries the mail: an SMTP server or Microsoft Graph."""

    SMTP = "smtp"
    GRAPH = "graph"


class Security(str, enum.Enum):
    """How the link is encrypted: not at all, STARTTLS (required), or implicit TLS."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class AuthMode(str, enum.Enum):
    """How we prove who we are to the server."""

    NONE = "none"
    PASSWORD = "password"
    OAUTH2 = "oauth2"


class Mechanism(str, enum.Enum):
    """SASL mechanism; ``auto`` picks the strongest the server offers."""

    AUTO = "auto"
    PLAIN = "plain"
    LOGIN = "login"
    CRAM_MD5 = "cram-md5"
    XOAUTH2 = "xoauth2"
    OAUTHBEARER = "oauthbearer"


class TlsVersion(str, enum.Enum):
    """TLS protocol versions a connection may allow."""

    V1_0 = "1.0"
    V1_1 = "1.1"
    V1_2 = "1.2"
    V1_3 = "1.3"

    @property
    def rank(self) -> int:
        return list(TlsVersion).index(self)


class ProxyType(str, enum.Enum):
    """The proxy the connection goes through, if any."""

    NONE = "none"
    SOCKS4 = "socks4"
    SOCKS5 = "socks5"
    HTTP = "http"


class OAuthProvider(str, enum.Enum):
    """Who issues the OAuth2 tokens for SMTP sign-in: a built-in provider, or custom URLs."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    CUSTOM = "custom"


class IpFamily(str, enum.Enum):
    """Which address family to try first when the host has both."""

    AUTO = "auto"
    IPV4 = "ipv4"
    IPV6 = "ipv6"


PASSWORD_MECHANISMS = (Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5)
TOKEN_MECHANISMS = (Mechanism.XOAUTH2, Mechanism.OAUTHBEARER)
DEFAULT_PORTS = {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}
PUBLIC_AUTHORITY_URL = "https://login.microsoftonline.com"
PUBLIC_GRAPH_URL = "https://graph.microsoft.com"
# The fields of an OAuth2 sign-in (provider, app, tenant, endpoints, scopes).
OAUTH_FIELDS: tuple[str, ...] = (
    "oauth_provider",
    "oauth_client_id",
    "oauth_tenant",
    "oauth_authorize_url",
    "oauth_token_url",
    "oauth_device_url",
    "oauth_scopes",
)


def new_id() -> str:
    """A fresh, stable connection id."""
    import uuid  # here, not at the top: uuid brings `platform` along, and start-up never needs it

    return str(uuid.uuid4())


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id read from a file (None: it can).

    An id names keyring entries (``<id>:password``; a shared credential's are
    ``credential:<id>:password``) and is written into exported settings (msmtp's ``passwordeval``
    line): one with a ':' could name another's entry, and one with a line break, space or other
    control character could add lines to an export. smtpgui makes UUIDs, which have none of them.
    """
    if not value.isprintable() or " " in value or ":" in value:
        return f"its id {value[:60]!r} is not one smtpgui makes (no ':', spaces or control characters)"
    return None


@dataclass(frozen=True)
class Connection:
    """One named SMTP (or Graph) connection. Secrets are never part of it."""

    # identity
    name: str
    id: str = field(default_factory=new_id)
    kind: Kind = Kind.SMTP
    enabled: bool = True
    is_default: bool = False
    description: str = ""
    signature: str = ""
    append_signature: bool = False
    # main
    host: str = ""
    port: int = 587
    timeout_s: int = 30
    ehlo_name: str = ""
    charset: str = "utf-8"
    source_address: str = ""
    ip_family: IpFamily = IpFamily.AUTO
    # sender
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    return_path: str = ""
    read_receipt_to: str = ""
    send_read_receipt: bool = False  # schema 3: Disposition-Notification-To only when on
    force_sender: bool = False
    # authentication
    auth_mode: AuthMode = AuthMode.NONE
    username: str = ""
    domain: str = ""
    mechanism: Mechanism = Mechanism.AUTO
    allow_insecure_auth: bool = False
    # a shared credential (core.shared) by id: its user, domain, mechanism and password replace
    # the fields above at send time; "" means this connection's own
    credential_id: str = ""
    # OAuth2 sign-in for SMTP (auth_mode=oauth2); the refresh token and an optional client
    # secret live in the keyring
    oauth_provider: OAuthProvider = OAuthProvider.CUSTOM
    oauth_client_id: str = ""
    oauth_tenant: str = "common"
    oauth_authorize_url: str = ""
    oauth_token_url: str = ""
    oauth_device_url: str = ""
    oauth_scopes: str = ""
    # encryption
    security: Security = Security.STARTTLS
    tls_min: TlsVersion = TlsVersion.V1_2
    tls_max: TlsVersion = TlsVersion.V1_3
    verify: bool = True
    ca_file: str = ""
    pinned_sha256: str = ""
    client_cert: str = ""
    client_key: str = ""
    # proxy
    proxy_type: ProxyType = ProxyType.NONE
    proxy_host: str = ""
    proxy_port: int = 1080
    proxy_username: str = ""
    proxy_domain: str = ""
    proxy_remote_dns: bool = True
    # a network connector (core.shared) by id: its route replaces the proxy fields above at
    # send time; "" means this connection's own proxy
    connector_id: str = ""
    # graph
    tenant_id: str = ""
    client_id: str = ""
    mailbox: str = ""
    authority_url: str = PUBLIC_AUTHORITY_URL
    graph_url: str = PUBLIC_GRAPH_URL

    def replace(self, **changes: Any) -> Connection:
        """A copy with some fields changed (the model is immutable)."""
        return dataclasses.replace(self, **changes)

    @property
    def login_name(self) -> str:
        """The user name as sent to the server: ``DOMAIN\\user`` when a domain is set."""
        if self.domain and self.username:
            return f"{self.domain}\\{self.username}"
        return self.username

    @property
    def certificate_unchecked(self) -> bool:
        """TLS whose server certificate nobody checks (verify off and no pin): worth a warning."""
        return (
            self.kind is Kind.SMTP and self.security is not Security.NONE and not self.verify and not self.pinned_sha256
        )

    @property
    def proxy_login_name(self) -> str:
        """The proxy user name as sent: ``DOMAIN\\user`` when a proxy domain is set."""
        if self.proxy_domain and self.proxy_username:
            return f"{self.proxy_domain}\\{self.proxy_username}"
        return self.proxy_username


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Connection))
_FIELDS = {f.name: f for f in dataclasses.fields(Connection)}
_ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "kind": Kind,
    "ip_family": IpFamily,
    "auth_mode": AuthMode,
    "mechanism": Mechanism,
    "security": Security,
    "tls_min": TlsVersion,
    "tls_max": TlsVersion,
    "proxy_type": ProxyType,
    "oauth_provider": OAuthProvider,
}
_BOOL_FIELDS = {n for n, f in _FIELDS.items() if f.type in ("bool", bool)}
_INT_FIELDS = {n for n, f in _FIELDS.items() if f.type in ("int", int)}
_TEXT_FIELDS = {n for n in _FIELDS if n not in _ENUM_FIELDS and n not in _BOOL_FIELDS and n not in _INT_FIELDS}


_ENUM_BY_VALUE: dict[str, dict[str, enum.Enum]] = {
    name: {str(member.value): member for member in enum_type} for name, enum_type in _ENUM_FIELDS.items()
}
# Every default except the id (a fresh one per connection), as stored in a file.
_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(Connection) if f.default is not dataclasses.MISSING
}
_STORED_DEFAULTS = {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in _DEFAULTS.items()}


def connection_to_dict(connection: Connection, *, omit_defaults: bool = False) -> dict[str, Any]:
    """Plain JSON-able dictionary with the model's field names as keys.

    With ``omit_defaults``, fields equal to the schema's default are left out (the connections
    file does this: ten thousand connections read in a tenth of the time). ``id`` and ``name``
    are always written.
    """
    out: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = getattr(connection, name)
        stored = value.value if isinstance(value, enum.Enum) else value
        if omit_defaults and name in _STORED_DEFAULTS and _STORED_DEFAULTS[name] == stored:
            continue
        out[name] = stored
    return out


def _shown(value: Any) -> str:
    """A file's wrong value as an error message shows it: never long, never a deep repr."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_error(name: str, value: Any) -> ValueError:
    if name in _ENUM_FIELDS:
        allowed = ", ".join(str(m.value) for m in _ENUM_FIELDS[name])
        return ValueError(f"{name} must be one of {allowed}, not {_shown(value)}")
    if name in _BOOL_FIELDS:
        return ValueError(f"{name} must be true or false, not {_shown(value)}")
    if name in _INT_FIELDS:
        return ValueError(f"{name} must be a whole number, not {_shown(value)}")
    return ValueError(f"{name} must be text, not {_shown(value)}")


def _convert(name: str, value: Any) -> Any:
    """The field's value from its JSON form, or ValueError naming the field."""
    if name in _ENUM_BY_VALUE:
        if not isinstance(value, (str, int, float)):
            raise _field_error(name, value)
        member = _ENUM_BY_VALUE[name].get(value if isinstance(value, str) else str(value))
        if member is None:
            member = _ENUM_BY_VALUE[name].get(str(value).lower())
        if member is None:
            raise _field_error(name, value)
        return member
    if name in _BOOL_FIELDS:
        if not isinstance(value, bool):
            raise _field_error(name, value)
    elif name in _INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _field_error(name, value)
    elif not isinstance(value, str):
        raise _field_error(name, value)
    return value


def connection_from_dict(data: Any) -> Connection:
    """Build a connection from a dictionary; missing keys take their defaults.

    Unknown keys are ignored (files written by tools that add keys still load). Values of the
    wrong type raise ``ValueError`` with a sentence naming the field.
    """
    if not isinstance(data, dict):
        raise ValueError("a connection must be a JSON object")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if value is None or name not in _FIELDS:
            continue
        # Text is most of what a file holds: take it without the general conversion.
        values[name] = value if value.__class__ is str and name in _TEXT_FIELDS else _convert(name, value)
    if "name" not in values:
        raise ValueError("a connection needs a name")
    if not values.get("id"):
        values["id"] = new_id()
    # Every value is converted and type-checked above, so the object is filled directly: the
    # __init__ a frozen dataclass generates sets 60 fields through object.__setattr__, which
    # made loading 10,000 connections take a third of a second. Only the values the file holds
    # go into the instance; every other field reads the class's default (dataclasses keep each
    # plain default as a class attribute), so equality, replace() and asdict() see all fields.
    connection = object.__new__(Connection)
    connection.__dict__.update(values)
    return connection
