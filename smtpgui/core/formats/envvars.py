"""``SMTP_*`` environment variables: one connection as the variables common frameworks read (out).

Written as ``NAME=value`` lines, values quoted for a POSIX shell (``set -a; . ./smtp.env; set +a``)
and for dotenv files (python-dotenv, Node's dotenv, Docker Compose's ``env_file`` read single
quotes the same way). Which variables, and what they mean:

- ``SMTP_HOST``, ``SMTP_PORT``: the server.
- ``SMTP_SECURITY``: ``none``, ``starttls`` or ``tls`` (smtpgui's own words, the exact mode).
- ``SMTP_SECURE``: ``true`` only for TLS from the first byte (port 465): Nodemailer's ``secure``.
- ``SMTP_STARTTLS``: ``true`` only for STARTTLS: Django's ``EMAIL_USE_TLS``, Laravel's ``tls``.
- ``SMTP_TLS``: ``true`` when the link is encrypted either way.
- ``SMTP_USER`` and ``SMTP_USERNAME`` (the same value; frameworks read one or the other), only
  with a password sign-in.
- ``SMTP_FROM``: the From address, when the connection has one.
- ``SMTP_PASSWORD`` is never written: a comment says how to set it from the keyring.
"""

from __future__ import annotations

import shlex

from smtpgui.core.formats.common import check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.passwordread import PasswordRead
from smtpgui.core.model import Connection, Security


def variables(connection: Connection) -> dict[str, str]:
    """The variables and their values (unquoted)."""
    c = connection
    out = {
        "SMTP_HOST": c.host,
        "SMTP_PORT": str(c.port),
        "SMTP_SECURITY": c.security.value,
        "SMTP_SECURE": "true" if c.security is Security.TLS else "false",
        "SMTP_STARTTLS": "true" if c.security is Security.STARTTLS else "false",
        "SMTP_TLS": "false" if c.security is Security.NONE else "true",
    }
    if uses_password(c):
        out["SMTP_USER"] = out["SMTP_USERNAME"] = c.login_name
    if c.from_address:
        out["SMTP_FROM"] = c.from_address
    return out


def to_env(connection: Connection, password: PasswordRead) -> str:
    """``SMTP_*=value`` lines with comments; never the password."""
    check_exportable(connection, "environment variables")
    values = variables(connection)
    lines = [
        comment(f"smtpgui connection {connection.name!r} as SMTP_* variables (shell: set -a; . ./FILE; set +a)."),
        comment("SMTP_SECURE=true: TLS from the start (port 465); SMTP_STARTTLS=true: STARTTLS; SMTP_TLS: either."),
    ]
    lines += [f"{name}={shlex.quote(value)}" for name, value in values.items()]
    if uses_password(connection):
        command = password.command()
        if command is not None:
            lines.append(comment(f'SMTP_PASSWORD is not written here; in a shell: export SMTP_PASSWORD="$({command})"'))
        else:
            lines.append(comment(f"SMTP_PASSWORD is not written here: set it yourself ({password.where()})"))
    note = oauth_note(connection, "an application reading these")
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"
