"""Schema migrations for connections.json: one step function from version N to N+1.

Version 1 is the first format smtpgui wrote. Version 2 added OAuth2 sign-in settings
(``oauth_provider`` and friends); a version-1 program would drop them when saving, so it must
refuse a version-2 file rather than read it. Version 3 (issue 20) switches read confirmation on
and off apart from its address (``send_read_receipt``); a version-2 connection with an address
always sent one, so the step turns the switch on for it. Version 3 also gives Graph connections
a sign-in choice (``auth_mode`` ``password``: a user's password); version 2 always signed Graph
in with the app's client secret whatever ``auth_mode`` said, so the step sets it to ``none``.
Version 3 also keeps shared credentials and network connectors beside the connections
(``credentials``, ``connectors``; connections name them by ``credential_id`` / ``connector_id``):
a version-2 program would drop them, and with them every connection's sign-in.
A change of format adds ``MIGRATIONS[N] = step``
(turning an N document into an N+1 one) and a test for that step; ``migrate`` chains them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

SCHEMA_VERSION = 3

Document = dict[str, Any]
Step = Callable[[Document], Document]

_GOOGLE_HOSTS = ("smtp.gmail.com", "smtp-relay.gmail.com", "smtp.googlemail.com")
_MICROSOFT_HOSTS = ("smtp.office365.com", "smtp-mail.outlook.com", "smtp.outlook.com")


def _v1_to_v2(document: Document) -> Document:
    """Version 1 had OAuth2 without a provider: name it from the host, so Sign in knows where to go."""
    connections = document.get("connections")
    if not isinstance(connections, list):
        return document
    document["connections"] = [_name_provider(item) for item in connections]
    return document


def _name_provider(item: Any) -> Any:
    if not isinstance(item, dict) or item.get("auth_mode") != "oauth2" or "oauth_provider" in item:
        return item
    host = str(item.get("host", "")).lower().rstrip(".")
    if host in _GOOGLE_HOSTS:
        return {**item, "oauth_provider": "google"}
    if host in _MICROSOFT_HOSTS:
        return {**item, "oauth_provider": "microsoft"}
    return item


def _v2_to_v3(document: Document) -> Document:
    """Version 2 sent Disposition-Notification-To whenever an address was set: keep doing so."""
    connections = document.get("connections")
    if not isinstance(connections, list):
        return document
    document["connections"] = [_keep_graph_app_only(_keep_read_receipt(item)) for item in connections]
    # A version-2 file has no shared credentials or connectors yet (an existing list is kept).
    document.setdefault("credentials", [])
    document.setdefault("connectors", [])
    return document


def _keep_graph_app_only(item: Any) -> Any:
    # A version-2 Graph connection signed in with the client secret, whatever auth_mode held (a
    # connection switched from SMTP kept its "password"): it must not start using a user's password.
    if not isinstance(item, dict) or item.get("kind") != "graph" or item.get("auth_mode", "none") == "none":
        return item
    return {**item, "auth_mode": "none"}


def _keep_read_receipt(item: Any) -> Any:
    # Only a non-empty text address turns the switch on; anything odd is left for the reader to
    # report with the entry's number (a step never guesses).
    if not isinstance(item, dict) or "send_read_receipt" in item:
        return item
    address = item.get("read_receipt_to")
    if not isinstance(address, str) or not address.strip():
        return item
    return {**item, "send_read_receipt": True}


MIGRATIONS: dict[int, Step] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(
    document: Document,
    target: int = SCHEMA_VERSION,
    steps: Mapping[int, Step] | None = None,
) -> Document:
    """Bring a document from its ``schema_version`` up to ``target``, one step at a time."""
    table = MIGRATIONS if steps is None else steps
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("schema_version must be a whole number of 1 or more")
    while version < target:
        step = table.get(version)
        if step is None:
            raise ValueError(f"there is no migration from schema version {version}")
        document = step(dict(document))
        version += 1
        document["schema_version"] = version
    return document
