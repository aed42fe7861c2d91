"""App-wide settings: the default sender used by every connection that leaves its own empty, and
the defaults of a test message (recipient, subject, body) for the test dialog and ``smtpgui test``."""

from __future__ import annotations

from dataclasses import dataclass

from smtpgui.core.addresses import (
    multiline_problem,
    normalize_address,
    normalize_display_name,
    single_line_problem,
    split_address_list,
)
from smtpgui.core.errors import Problem
from smtpgui.core.model import Connection


@dataclass(frozen=True)
class AppSettings:
    """Defaults that apply to every connection that leaves its own value empty."""

    default_from_address: str = ""
    default_from_name: str = ""
    default_to: str = ""  # recipients of a test message, comma-separated ("" : none)
    default_subject: str = ""  # "" : the built-in "TEST MESSAGE!"
    default_body: str = ""  # "" : the built-in body
    sandbox_autostart: bool = False  # the window starts the local sandbox when it opens

    def test_recipients(self) -> tuple[str, ...]:
        """The default recipients of a test message, as separate addresses."""
        return tuple(split_address_list(self.default_to)) if self.default_to else ()

    def validate(self) -> list[Problem]:
        problems = []
        if self.default_from_address:
            try:
                normalize_address(self.default_from_address)
            except ValueError as exc:
                problems.append(Problem("default_from_address", str(exc)))
        if self.default_from_name:
            try:
                normalize_display_name(self.default_from_name)
            except ValueError as exc:
                problems.append(Problem("default_from_name", str(exc)))
        if self.default_to:
            try:
                for address in self.test_recipients():
                    normalize_address(address)
            except ValueError as exc:
                problems.append(Problem("default_to", str(exc)))
        subject = single_line_problem(self.default_subject, "The subject")
        if subject:
            problems.append(Problem("default_subject", subject))
        body = multiline_problem(self.default_body, "The message")
        if body:
            problems.append(Problem("default_body", body))
        return problems

    def sender_for(self, connection: Connection) -> tuple[str, str]:
        """(display name, address) for a connection: its own values win over these defaults."""
        if connection.from_address:
            return connection.from_name, connection.from_address
        return connection.from_name or self.default_from_name, self.default_from_address

    def sender_address_for(self, connection: Connection) -> tuple[str, str]:
        """(address, the field it comes from) that mail through ``connection`` carries as From, as
        the test message is built: its From, else the default sender, else (Graph) its mailbox, else
        its user name when it signs in with an address; ("", "") when there is none."""
        _name, sender = self.sender_for(connection)
        field = "from_address" if connection.from_address else "default_from_address"
        return sender_fallback(connection, sender, field)


def sender_fallback(connection: Connection, sender: str, field: str) -> tuple[str, str]:
    """``sender`` (from ``field``), else the Graph mailbox, else the sign-in user name when it is an
    address: the one rule for the From address both the message and the sender-domain check use."""
    if not sender and connection.kind.value == "graph" and connection.mailbox:
        return connection.mailbox, "mailbox"
    if not sender and connection.auth_mode.value != "none" and "@" in connection.username:
        return connection.username, "username"
    return sender, field
