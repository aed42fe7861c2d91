"""How an exported setting reads the password when it runs, never holding it.

smtpgui keeps a connection's password in the keyring as service ``smtpgui``, user
``<connection-id>:password`` (storage/secrets.py). keyring's Secret Service backend stores that
as the item attributes ``service`` and ``username`` (its ``default`` scheme), so
``secret-tool lookup service smtpgui username <id>:password`` prints it; the macOS backend
stores a generic password with service ``-s`` and account ``-a``, so ``security
find-generic-password -s smtpgui -a <id>:password -w`` does. Other keyrings have no command
that reads them: the output then reads an environment variable the user sets.
"""

from __future__ import annotations

import enum
import shlex
from dataclasses import dataclass

SERVICE = "smtpgui"
PASSWORD_VARIABLE = "SMTP_PASSWORD"


class Reader(str, enum.Enum):
    """Where the password comes from when the exported command runs."""

    SECRET_TOOL = "secret-tool"  # a Secret Service (GNOME Keyring, KeePassXC...), libsecret's tool
    MACOS = "security"  # the macOS keychain's own command
    VARIABLE = "variable"  # an environment variable the user sets


@dataclass(frozen=True)
class PasswordRead:
    """The password of one connection's keyring entry, as a command or a variable."""

    reader: Reader
    connection_id: str
    slot: str = "password"
    variable: str = PASSWORD_VARIABLE

    @property
    def entry(self) -> str:
        """The keyring entry's user name (``<connection-id>:<slot>``)."""
        return f"{self.connection_id}:{self.slot}"

    def argv(self) -> list[str] | None:
        """The command that prints the password, or None when there is none."""
        if self.reader is Reader.SECRET_TOOL:
            return ["secret-tool", "lookup", "service", SERVICE, "username", self.entry]
        if self.reader is Reader.MACOS:
            return ["security", "find-generic-password", "-s", SERVICE, "-a", self.entry, "-w"]
        return None

    def command(self) -> str | None:
        """:meth:`argv` as one shell command line, every word quoted."""
        argv = self.argv()
        return None if argv is None else shlex.join(argv)

    def shell_word(self) -> str:
        """A double-quoted shell word that expands to the password when the line runs."""
        command = self.command()
        return f'"$({command})"' if command is not None else f'"${self.variable}"'

    def explanation(self) -> str:
        """One sentence (for a comment) on where the password comes from."""
        command = self.command()
        if command is not None:
            return f"the password is read from the keyring when this runs ({command})"
        return f"the password is read from the variable {self.variable}: set it first ({self.where()})"

    def where(self) -> str:
        """Where smtpgui keeps the password (for a person to look it up)."""
        return f"smtpgui keeps it in its keyring as service {SERVICE!r}, entry {self.entry!r}"
