"""Validation of a connection: every problem, keyed by field, with a sentence each.

The GUI shows these inline, the CLI prints them and the store refuses to save a connection
that has any. Nothing here raises for bad input; ``validate`` returns the list.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from smtpgui.core.addresses import (
    has_control_character,
    has_line_break,
    is_loopback_host,
    multiline_problem,
    normalize_address,
    normalize_display_name,
    normalize_ehlo_name,
    normalize_host,
    normalize_pin,
    parse_ip,
    single_line_problem,
)
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.core.model import (
    PASSWORD_MECHANISMS,
    TOKEN_MECHANISMS,
    AuthMode,
    Connection,
    Kind,
    Mechanism,
    OAuthProvider,
    ProxyType,
)

NAME_MAX = 50
DESCRIPTION_MAX = 1000
SIGNATURE_MAX = 250
TIMEOUT_MIN, TIMEOUT_MAX = 1, 600
# Fields that end up in a header or on an SMTP command line: a line break there is an injection.
SINGLE_LINE_FIELDS = (
    "name",
    "oauth_client_id",
    "oauth_tenant",
    "oauth_authorize_url",
    "oauth_token_url",
    "oauth_device_url",
    "oauth_scopes",
    "host",
    "ehlo_name",
    "charset",
    "source_address",
    "from_address",
    "from_name",
    "reply_to",
    "return_path",
    "read_receipt_to",
    "username",
    "domain",
    "ca_file",
    "pinned_sha256",
    "client_cert",
    "client_key",
    "proxy_host",
    "proxy_username",
    "proxy_domain",
    "tenant_id",
    "client_id",
    "mailbox",
    "authority_url",
    "graph_url",
)


def _check(problems: list[Problem], field: str, check: Callable[[str], object], value: str) -> None:
    try:
        check(value)
    except ValueError as exc:
        problems.append(Problem(field, str(exc)))


# Characters a person cannot see in a name: "\u200bCorp" and "Corp" look the same in every list.
# (The zero-width joiner and non-joiner stay allowed: emoji sequences and Persian need them.)
INVISIBLE_IN_NAME = re.compile(
    "[\u00ad\u034f\u115f\u1160\u180e\u200b\u2060-\u2064\u3164\ufeff\uffa0\U000e0000-\U000e0fff]"
)


def name_key(name: str) -> str:
    """What two names are compared by: the same letters however they are composed or cased (NFKC,
    then case folded), so 'Córp' typed on two keyboards, or a full-width 'Ｃorp', is one name."""
    import unicodedata  # with the first comparison: start-up compares no names

    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


class TakenNames:
    """The names in use, for the rule that names are unique ignoring case.

    Built once from the store's connections and asked on every edit, so checking a name costs
    the same with ten or ten thousand connections.
    """

    def __init__(self, connections: Iterable[Connection]) -> None:
        pairs = [(name_key(c.name), (c.id, c.name)) for c in connections]
        self._first = dict(pairs)
        # A store keeps names unique; the rare list that does not (an import being checked)
        # also keeps every holder of a repeated name.
        self._repeated: dict[str, list[tuple[str, str]]] = {}
        if len(self._first) < len(pairs):
            for folded, holder in pairs:
                self._repeated.setdefault(folded, []).append(holder)

    def add(self, connection: Connection) -> None:
        """Count ``connection``'s name as taken too."""
        folded, holder = name_key(connection.name), (connection.id, connection.name)
        if folded in self._first:
            self._repeated.setdefault(folded, [self._first[folded]]).append(holder)
        else:
            self._first[folded] = holder

    def clash(self, name: str, own_id: str = "") -> str | None:
        """The name of another connection called ``name`` (ignoring case and composition), if any."""
        folded = name_key(name)
        for other_id, other_name in self._repeated.get(folded) or [self._first.get(folded, (own_id, ""))]:
            if other_id != own_id:
                return other_name
        return None


def validate_name(name: str, others: Iterable[Connection] | TakenNames = (), own_id: str = "") -> list[Problem]:
    """Name rules: 1–50 characters, no control characters, unique ignoring case."""
    problems: list[Problem] = []
    stripped = name.strip()
    if not stripped:
        problems.append(Problem("name", "Give the connection a name."))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", f"A name can be at most {NAME_MAX} characters long."))
    if has_control_character(name):
        problems.append(Problem("name", single_line_problem(name, "A name") or ""))
    elif INVISIBLE_IN_NAME.search(name):
        found = INVISIBLE_IN_NAME.search(name)
        code = f"U+{ord(found.group()):04X}" if found else ""
        problems.append(
            Problem("name", f"A name cannot contain invisible characters ({code}): it would look like another.")
        )
    elif stripped != name:
        problems.append(Problem("name", "A name cannot start or end with a space."))
    taken = others if isinstance(others, TakenNames) else TakenNames(others)
    clash = taken.clash(name, own_id)
    if clash is not None:
        problems.append(Problem("name", f"Another connection is already called {clash!r}."))
    return problems


def _validate_url(problems: list[Problem], field: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return
    problems.append(Problem(field, "Use an https:// address (plain http only for a server on this computer)."))


def validate(connection: Connection, others: Iterable[Connection] | TakenNames = ()) -> list[Problem]:
    """Every problem with ``connection``; ``others`` are the store's connections (for names)."""
    c = connection
    problems = validate_name(c.name, others, c.id)
    for field in SINGLE_LINE_FIELDS:
        if field != "name" and has_line_break(getattr(c, field)):
            problems.append(Problem(field, single_line_problem(getattr(c, field), "This field") or ""))
    for field, what in (("description", "The description"), ("signature", "The signature")):
        problem = multiline_problem(getattr(c, field), what)
        if problem:
            problems.append(Problem(field, problem))
    if len(c.description) > DESCRIPTION_MAX:
        problems.append(Problem("description", f"Keep the description within {DESCRIPTION_MAX} characters."))
    if len(c.signature) > SIGNATURE_MAX:
        problems.append(Problem("signature", f"Keep the signature within {SIGNATURE_MAX} characters."))
    if not TIMEOUT_MIN <= c.timeout_s <= TIMEOUT_MAX:
        problems.append(Problem("timeout_s", f"The timeout must be {TIMEOUT_MIN} to {TIMEOUT_MAX} seconds."))
    if c.kind is Kind.SMTP:
        _validate_smtp(c, problems)
    else:
        _validate_graph(c, problems)
        if c.credential_id:
            problems.append(
                Problem("credential_id", "Shared credentials are for SMTP sign-in; Graph keeps its own sign-in.")
            )
    for field in ("from_address", "reply_to", "return_path", "read_receipt_to"):
        value = getattr(c, field)
        if value:
            _check(problems, field, normalize_address, value)
    if c.force_sender and not c.from_address:
        problems.append(Problem("force_sender", "Set a From address to force it on every message."))
    if c.from_name and not any(p.field == "from_name" for p in problems):
        _check(problems, "from_name", normalize_display_name, c.from_name)
    charset = charset_problem(c.charset)
    if charset and not any(p.field == "charset" for p in problems):
        problems.append(Problem("charset", charset))
    return problems


def _validate_smtp(c: Connection, problems: list[Problem]) -> None:
    _check(problems, "host", normalize_host, c.host)
    if not 1 <= c.port <= 65535:
        problems.append(Problem("port", "The port must be a number from 1 to 65535."))
    if c.ehlo_name:
        _check(problems, "ehlo_name", normalize_ehlo_name, c.ehlo_name)
    if c.source_address and parse_ip(c.source_address) is None:
        problems.append(
            Problem("source_address", "The source address must be an IPv4 or IPv6 address of this computer.")
        )
    # authentication
    # OAuth2 may leave it empty: signing in fills it with the account that signed in.
    # A shared credential brings its own user name and mechanism (checked where it is kept).
    if c.auth_mode is AuthMode.PASSWORD and not c.username.strip() and not c.credential_id:
        problems.append(Problem("username", "Enter the user name to sign in with."))
    if c.auth_mode is AuthMode.PASSWORD and c.mechanism in TOKEN_MECHANISMS and not c.credential_id:
        problems.append(Problem("mechanism", f"{c.mechanism.value.upper()} needs OAuth2 sign-in, not a password."))
    if c.auth_mode is AuthMode.OAUTH2 and c.mechanism in PASSWORD_MECHANISMS:
        problems.append(
            Problem(
                "mechanism",
                f"{c.mechanism.value.upper()} needs a password; with OAuth2 use XOAUTH2, OAUTHBEARER or auto.",
            )
        )
    if c.credential_id and c.auth_mode is not AuthMode.PASSWORD:
        problems.append(
            Problem("credential_id", "A shared credential signs in with a password: choose Password sign-in.")
        )
    if c.domain and has_control_character(c.domain):
        problems.append(Problem("domain", single_line_problem(c.domain, "The domain") or ""))
    if c.auth_mode is AuthMode.OAUTH2:
        _validate_oauth(c, problems)
    # encryption
    if c.tls_min.rank > c.tls_max.rank:
        problems.append(Problem("tls_max", "The highest TLS version cannot be below the lowest."))
    if c.pinned_sha256:
        _check(problems, "pinned_sha256", normalize_pin, c.pinned_sha256)
    if c.client_key and not c.client_cert:
        problems.append(Problem("client_cert", "A client key needs its client certificate."))
    # proxy
    if c.proxy_type is not ProxyType.NONE and not c.connector_id:
        _check(problems, "proxy_host", normalize_host, c.proxy_host)
        if not 1 <= c.proxy_port <= 65535:
            problems.append(Problem("proxy_port", "The proxy port must be a number from 1 to 65535."))
        target = parse_ip(c.host)
        if c.proxy_type is ProxyType.SOCKS4 and target is not None and target.version == 6:
            problems.append(Problem("proxy_type", "SOCKS4 cannot reach an IPv6 address; use SOCKS5."))


def _validate_oauth(c: Connection, problems: list[Problem]) -> None:
    """What sign-in needs is checked by ``smtpgui login``; here only what is wrong as typed."""
    if c.oauth_client_id and (
        any(ch.isspace() for ch in c.oauth_client_id) or has_control_character(c.oauth_client_id)
    ):
        problems.append(
            Problem("oauth_client_id", "A client ID has no spaces; paste it again from the app registration.")
        )
    if c.oauth_provider is OAuthProvider.MICROSOFT:
        tenant = c.oauth_tenant
        if not tenant or any(ch.isspace() or ch in "/?#" for ch in tenant) or has_control_character(tenant):
            problems.append(
                Problem("oauth_tenant", "Enter the tenant ID or domain (or common, organizations, consumers).")
            )
    if c.oauth_provider is OAuthProvider.CUSTOM:
        for field in ("oauth_authorize_url", "oauth_token_url", "oauth_device_url"):
            if getattr(c, field):
                _validate_url(problems, field, getattr(c, field))


def _validate_graph(c: Connection, problems: list[Problem]) -> None:
    if not c.tenant_id.strip():
        problems.append(Problem("tenant_id", "Enter the directory (tenant) ID of your Microsoft 365 organisation."))
    if not c.client_id.strip():
        problems.append(Problem("client_id", "Enter the application (client) ID of the app registration."))
    if c.auth_mode is AuthMode.PASSWORD:
        # A user's password (issue 20, item 9): the user's own mailbox (/me), no mailbox needed.
        if not c.username.strip():
            problems.append(Problem("username", "Enter the user name (user@yourdomain) whose password signs in."))
        else:
            _check(problems, "username", normalize_address, c.username)
    elif c.auth_mode is AuthMode.OAUTH2:
        problems.append(
            Problem("auth_mode", "A Graph connection signs in with the app's client secret or a user's password.")
        )
    if not c.mailbox.strip():
        if c.auth_mode is not AuthMode.PASSWORD:
            problems.append(Problem("mailbox", "Enter the mailbox to send as (its user principal name)."))
    else:
        _check(problems, "mailbox", normalize_address, c.mailbox)
    _validate_url(problems, "authority_url", c.authority_url)
    _validate_url(problems, "graph_url", c.graph_url)
    if c.mechanism is not Mechanism.AUTO and c.mechanism not in TOKEN_MECHANISMS:
        problems.append(Problem("mechanism", "Graph connections sign in with a token, not a password."))


def ensure_valid(connection: Connection, others: Iterable[Connection] = ()) -> None:
    """Raise ``ValidationError`` with every problem when the connection is not valid."""
    problems = validate(connection, others)
    if problems:
        raise ValidationError(problems)


def charset_problem(charset: str) -> str | None:
    """Why ``charset`` cannot be a message's character set, or None when it can.

    Only text encodings that write ASCII as ASCII are accepted: not ``rot13``, ``base64``,
    ``hex``, ``zlib`` and the other bytes-to-bytes codecs, not UTF-16/32 (whose bytes are not
    text lines) and not Python's own escapes (``unicode_escape``, ``idna``, ``punycode``).
    """
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):  # ValueError: a NUL in the name
        return f"{charset!r} is not a character set Python knows."
    sample = "Test: ASCII text\r\n"
    try:
        ascii_compatible = getattr(info, "_is_text_encoding", True) and sample.encode(charset) == sample.encode()
    except (UnicodeError, LookupError, TypeError, ValueError):
        ascii_compatible = False
    if not ascii_compatible or info.name in ("idna", "punycode", "raw-unicode-escape", "unicode-escape"):
        return f"{charset!r} is not a text character set for mail: use utf-8 (or one like iso-8859-1)."
    return None
