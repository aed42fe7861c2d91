"""What every writer shares: which connections can be written, and comment lines that stay comments."""

from __future__ import annotations

import re

from smtpgui.core.display import printable
from smtpgui.core.model import AuthMode, Connection, Kind

RECIPIENT_VARIABLE = "SMTP_TO"
# A shell word for the recipient: the command stops with this sentence when SMTP_TO is unset.
RECIPIENT_WORD = '"${SMTP_TO:?set SMTP_TO to the recipient address}"'


class CannotExport(ValueError):
    """The connection cannot be written in that tool's settings (a sentence says why)."""


def check_exportable(connection: Connection, tool: str) -> None:
    """``CannotExport`` for a connection no SMTP tool can use (a Microsoft Graph one)."""
    if connection.kind is Kind.GRAPH:
        raise CannotExport(
            f"{printable(connection.name)!r} sends through Microsoft Graph, not SMTP: {tool} cannot use it."
        )
    refuse_unsafe(tool, written_values(connection))


def comment(text: str, leader: str = "#") -> str:
    """One comment line: every line break, control and bidi character in ``text`` shown escaped,
    so a hostile name or user cannot end the comment and start a command."""
    return f"{leader} {printable(text)}"


def uses_password(connection: Connection) -> bool:
    return connection.auth_mode is AuthMode.PASSWORD


def oauth_note(connection: Connection, tool: str) -> str | None:
    """A comment for an OAuth2 connection: the token is smtpgui's, not the tool's."""
    if connection.auth_mode is AuthMode.OAUTH2:
        return comment(
            f"this connection signs in with OAuth2 in smtpgui; {tool} needs an access token of its own "
            "(smtpgui never writes its tokens out), so no sign-in is written here"
        )
    return None


# A value written into a command line or a settings file: C0 (line breaks included), DEL, C1 and
# the bidi controls are refused, never written: a terminal would act on them, a one-line setting
# cannot hold a line break, and a bidi override makes a command read differently from what it runs.
_UNSAFE_IN_VALUE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def refuse_unsafe(tool: str, values: dict[str, str]) -> None:
    """``CannotExport`` when a value holds a line break or another control character."""
    for label, value in values.items():
        if _UNSAFE_IN_VALUE.search(value):
            raise CannotExport(
                f"The {label} holds a line break or another control character, which cannot be written "
                f"safely into {tool}'s settings."
            )


def written_values(connection: Connection) -> dict[str, str]:
    """The connection's values a writer may put into its output, by what a sentence calls them."""
    c = connection
    return {
        "connection id": c.id,  # it names the keyring entry the output reads
        # ...and so do these when a shared credential or connector is used (services.secrets.secret_owners)
        "shared credential's id": c.credential_id,
        "network connector's id": c.connector_id,
        "host": c.host,
        "user name": c.login_name,
        "From address": c.from_address,
        "return path": c.return_path,
        "CA file": c.ca_file,
        "client certificate": c.client_cert,
        "client key": c.client_key,
        "EHLO name": c.ehlo_name,
        "source address": c.source_address,
        "proxy host": c.proxy_host,
        "proxy user name": c.proxy_login_name,
    }
