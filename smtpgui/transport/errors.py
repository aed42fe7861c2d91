"""Failures of the network and of the HTTP side (identity provider, Microsoft Graph), kept apart
from their modules.

The SMTP engine sorts these without loading ``http.client`` and the OAuth code, which only
OAuth2 and Graph sessions need; the proxy handshakes raise ``NetworkError`` without importing
the socket layer that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtpgui.transport.result import Stage


@dataclass
class NetworkError(Exception):
    """A failure to reach the server, sorted for the explanation table."""

    kind: str  # dns, refused, unreachable, timeout, proxy, proxy-auth, proxy-connect
    message: str

    def __str__(self) -> str:
        return self.message


class HttpFailure(Exception):
    """The host could not be reached or spoken to; ``stage`` and ``kind`` say where and why."""

    def __init__(self, stage: Stage, kind: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.kind = kind


class OAuthError(Exception):
    """The provider said no: its error code, its description, and the HTTP status."""

    def __init__(self, error: str, description: str = "", status: int | None = None) -> None:
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}" if description else error)


class SignInSetupError(ValueError):
    """The connection lacks what sign-in needs; ``field`` names the setting to fill in."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
