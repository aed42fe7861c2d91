"""What every writer shares: which connections can be written, and comment lines that stay comments."""

from __future__ import annotations

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


def refuse_line_breaks(tool: str, values: dict[str, str]) -> None:
    """``CannotExport`` when a value holds a line break or NUL: a one-line setting cannot carry it."""
    for label, value in values.items():
        if any(ch in value for ch in "\r\n\x00"):
            raise CannotExport(f"The {label} holds a line break or NUL character, which {tool} cannot hold.")
