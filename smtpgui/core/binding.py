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


def changed_binding(old: Connection, new: Connection) -> list[str]:
    """The binding fields whose values differ (host names compared ignoring case)."""
    changed = []
    for name in BINDING_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if isinstance(before, str) and isinstance(after, str) and name.endswith("host"):
            before, after = before.casefold().rstrip("."), after.casefold().rstrip(".")
        if before != after:
            changed.append(name)
    return changed


def secrets_must_drop(old: Connection, new: Connection) -> bool:
    """True when ``new`` sends secrets somewhere (or some way) ``old``'s were not given for.

    Applies to every change the user did not make to this connection in its editor or with
    ``edit``: those are the user saying where the secret goes.
    """
    return bool(changed_binding(old, new))
