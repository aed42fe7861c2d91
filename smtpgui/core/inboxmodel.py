"""The values the sandbox inbox holds: a message's envelope, its summary, the whole stored message.

Apart from the store (:mod:`smtpgui.storage.inbox`, which re-exports them) so the server
(:mod:`smtpgui.transport.sandboxserver`) can describe a session without the storage layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from smtpgui.core.mailchecks import Check

__all__ = ["Check", "Envelope", "MessageSummary", "StoredMessage", "human_size"]


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

    def as_json(self) -> dict[str, object]:
        """The envelope as JSON keeps it (the store's column, ``inbox show --json``)."""
        return {
            "mail_from": self.mail_from,
            "rcpt_to": list(self.rcpt_to),
            "peer": self.peer,
            "ehlo_name": self.ehlo_name,
            "tls_version": self.tls_version,
            "auth_user": self.auth_user,
            "smtputf8": self.smtputf8,
            "eightbitmime": self.eightbitmime,
        }


class MessageSummary(NamedTuple):
    """One row of the inbox list (a NamedTuple: a search can return 10,000 of them, made in C)."""

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


def human_size(size: int) -> str:
    """A message's size as the inbox shows it: ``512 B``, ``1.5 KB``, ``2.0 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
