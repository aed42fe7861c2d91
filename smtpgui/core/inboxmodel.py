"""The values the sandbox inbox holds: a message's envelope, its summary, the whole stored message.

Apart from the store (:mod:`smtpgui.storage.inbox`, which re-exports them) so the server
(:mod:`smtpgui.transport.sandboxserver`) can describe a session without the storage layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtpgui.core.mailchecks import Check

__all__ = ["Check", "Envelope", "MessageSummary", "StoredMessage"]


@dataclass(frozen=True)
class Envelope:
    """What the SMTP session said about a message; never a password."""

    mail_from: str
    rcpt_to: tuple[str, ...]
    peer: str = ""
    ehlo_name: str = ""
    tls_version: str | None = None
    auth_user: str | None = None
    smtputf8: bool = False
    eightbitmime: bool = False


@dataclass(frozen=True)
class MessageSummary:
    """One row of the inbox list."""

    id: int
    received: float
    sender: str
    recipients: tuple[str, ...]
    subject: str
    size: int
    problems: int


@dataclass(frozen=True)
class StoredMessage:
    """One whole message: its summary, the exact bytes, the envelope, headers and checks."""

    summary: MessageSummary
    raw: bytes
    envelope: Envelope
    headers: tuple[tuple[str, str], ...]
    checks: tuple[Check, ...]
