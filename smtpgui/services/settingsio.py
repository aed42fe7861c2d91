"""Settings in and out of other tools (issue 21): the one place both front ends call.

Out: one connection as a swaks command, an msmtprc account, a curl command or ``SMTP_*``
variables. The password is never written: the output reads it when it runs, with the command
that reads this keyring (``secret-tool`` for a Secret Service, ``security`` on macOS) or, for a
keyring no command reads, from ``SMTP_PASSWORD``. In: see :mod:`smtpgui.services.foreignimport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smtpgui.core.errors import ValidationError

if TYPE_CHECKING:
    from smtpgui.core.formats.passwordread import Reader
    from smtpgui.core.model import Connection
    from smtpgui.services.secrets import SecretService

OUT_FORMATS = ("swaks", "msmtprc", "curl", "env")
# Copy as… in the window: the format and its label.
OUT_LABELS = {
    "swaks": "swaks command",
    "msmtprc": "msmtprc account",
    "curl": "curl command",
    "env": "SMTP_* variables",
}
# keyring backends (module.Class) whose entries a command reads, by that command.
_READERS = {
    "keyring.backends.SecretService.Keyring": "secret-tool",
    "keyring.backends.libsecret.Keyring": "secret-tool",
    "keyring.backends.macOS.Keyring": "security",
}


def password_reader(secrets: SecretService, *, wait: bool = True) -> Reader:
    """How an output reads this keyring's secrets: its command, else a variable. Waits at most
    the keyring deadline (a keyring that does not answer means the variable); with ``wait``
    False (the window's GUI thread) never: a backend not found yet means the variable too."""
    from smtpgui.core.formats.passwordread import Reader

    if secrets.session_only:
        return Reader.VARIABLE
    path = secrets.backend_path() if wait else secrets.store.known_backend_path()
    return Reader(_READERS.get(path or "", Reader.VARIABLE.value))


def settings_text(connection: Connection, fmt: str, reader: Reader) -> str:
    """``connection`` in the tool's settings (``fmt``: one of :data:`OUT_FORMATS`).

    ``connection`` as a session uses it (``AppServices.resolve``: a shared credential's user name,
    a connector's route); the password is read from the keyring entry the session would read.

    ``ValidationError`` (a sentence) when it cannot be written: a Microsoft Graph connection, a
    value with a line break or control character, an unknown format.
    """
    from smtpgui.core.formats.common import CannotExport
    from smtpgui.core.formats.passwordread import PasswordRead
    from smtpgui.services.secrets import secret_owners
    from smtpgui.storage.secrets import Slot

    # A shared credential's (or connector's) own keyring entry, when the connection uses one.
    owners = secret_owners(connection)
    password = PasswordRead(reader, owners.get(Slot.PASSWORD, connection.id))
    try:
        if fmt == "swaks":
            from smtpgui.core.formats.swaks import to_swaks

            return to_swaks(connection, password)
        if fmt == "msmtprc":
            from smtpgui.core.formats.msmtprc import to_msmtprc

            return to_msmtprc(connection, password)
        if fmt == "curl":
            from smtpgui.core.formats.curl import to_curl

            proxy = PasswordRead(
                reader, owners.get(Slot.PROXY_PASSWORD, connection.id), "proxy-password", "SMTP_PROXY_PASSWORD"
            )
            return to_curl(connection, password, proxy)
        if fmt == "env":
            from smtpgui.core.formats.envvars import to_env

            return to_env(connection, password)
    except CannotExport as exc:
        raise ValidationError(str(exc)) from None
    raise ValidationError(f"There is no settings format called {fmt!r}; use one of {', '.join(OUT_FORMATS)}.")


def export_settings(secrets: SecretService, connection: Connection, fmt: str, *, wait: bool = True) -> str:
    """:func:`settings_text` with the reader this keyring needs (:func:`password_reader`)."""
    return settings_text(connection, fmt, password_reader(secrets, wait=wait))


__all__ = ["OUT_FORMATS", "OUT_LABELS", "export_settings", "password_reader", "settings_text"]
