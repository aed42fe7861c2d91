"""What an import did, told on standard error: shared by the JSON import and other tools' settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smtpgui.cli.output import say
from smtpgui.core.display import printable

if TYPE_CHECKING:
    from smtpgui.storage.exchange import ImportOutcome


def report_import(outcome: ImportOutcome) -> None:
    """What an import did, in sentences on standard error."""
    for warning in outcome.warnings:
        say(warning)
    for connection, fields in outcome.secrets_dropped:
        say(
            f"the stored secrets of {connection.name!r} were removed: the import changed where they would "
            f"be sent ({', '.join(fields)}). Set them again with 'smtpgui edit NAME --password-stdin'."
        )
    for noun, name, fields in outcome.shared.dropped:
        say(
            f"the stored password of the {noun} {name!r} was removed: the import changed where it would be "
            f"sent ({', '.join(fields)}). Set it again with 'smtpgui {noun} edit {name!r} --password-stdin'."
        )
    for noun, name in outcome.shared.added:
        option = "--password-stdin" if noun == "credential" else "--proxy-password-env VAR"
        say(f"the {noun} {name!r} was added with no password (exports carry none); set it with "
            f"'smtpgui {noun} edit {name!r} {option}'.")  # fmt: skip
    imported, replaced = outcome.imported, outcome.replaced
    say(f"imported {len(imported)} connection(s)" + (f", replacing {len(replaced)}" if replaced else "") + ".")


def missing_passwords_hint(outcome: ImportOutcome, has_password: set[str]) -> None:
    """Say how to set the passwords an import could not bring (``has_password``: ids that have one)."""
    replaced_ids = {o.id for o in outcome.replaced}
    missing = [
        c.name
        for c in outcome.imported
        if c.auth_mode.value != "none"
        and c.id not in replaced_ids
        and c.id not in has_password
        and not c.credential_id  # a shared credential's password is its own business
    ]
    if missing:
        shown = ", ".join(repr(printable(name)) for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        say(f"no password came with {shown}{more}; set one with 'smtpgui edit NAME --password-stdin'.")
