"""Where a stored secret may go: the rule that drops secrets when a connection moves.

A password (or proxy password, client secret, refresh token) was given for one server, reached
one way. When a connection's endpoint changes by any path other than the user editing that
connection (an import, a file merged in, a conflict resolved in favour of another program's
version), the stored secrets no longer belong to it: sending them on would hand the password
to whoever wrote the file. :func:`secrets_must_drop` is the one rule every such path asks.
"""

from __future__ import annotations

from smtpgui.core.model import OAUTH_FIELDS, Connection

# Everything that decides where a secret is sent, as whom, and how well it is protected on the
# way: the server, the proxy, the identity provider, and the checks on the link.
BINDING_FIELDS: tuple[str, ...] = (
    "kind",
    "host",
    "port",
    "security",
    "verify",
    "ca_file",
    "pinned_sha256",
    "tls_min",
    "client_cert",
    "client_key",
    "auth_mode",
    "username",
    "domain",
    "mechanism",
    "allow_insecure_auth",
    "credential_id",
    *OAUTH_FIELDS,
    "proxy_type",
    "proxy_host",
    "proxy_port",
    "proxy_username",
    "proxy_domain",
    "connector_id",
    "tenant_id",
    "client_id",
    "mailbox",
    "authority_url",
    "graph_url",
)


def _value(connection: Connection, name: str) -> object:
    value = getattr(connection, name)
    if isinstance(value, str) and name.endswith("host"):
        return value.casefold().rstrip(".")
    return value


def changed_binding(old: Connection, new: Connection) -> list[str]:
    """The binding fields whose values differ (host names compared ignoring case)."""
    return [name for name in BINDING_FIELDS if _value(old, name) != _value(new, name)]


def binding_key(connection: Connection) -> tuple[object, ...]:
    """Where and how ``connection`` sends its secrets, as a value: two connections have the same
    key exactly when :func:`changed_binding` finds nothing between them (a set of keys answers
    "does any of these send it there already?" in one look, for 10,000 connections too)."""
    return tuple(_value(connection, name) for name in BINDING_FIELDS)


def secrets_must_drop(old: Connection, new: Connection) -> bool:
    """True when ``new`` sends secrets somewhere (or some way) ``old``'s were not given for.

    Applies to every change the user did not make to this connection in its editor or with
    ``edit``: those are the user saying where the secret goes.
    """
    return bool(changed_binding(old, new))
