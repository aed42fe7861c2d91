"""App-wide settings: the default sender used by every connection that leaves its own empty."""

from __future__ import annotations

from dataclasses import dataclass

from smtpgui.core.addresses import normalize_address, normalize_display_name
from smtpgui.core.errors import Problem
from smtpgui.core.model import Connection


@dataclass(frozen=True)
class AppSettings:
    """Defaults that apply to every connection that leaves its own value empty."""

    default_from_address: str = ""
    default_from_name: str = ""

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
        return problems

    def sender_for(self, connection: Connection) -> tuple[str, str]:
        """(display name, address) for a connection: its own values win over these defaults."""
        if connection.from_address:
            return connection.from_name, connection.from_address
        return connection.from_name or self.default_from_name, self.default_from_address
