"""``export [NAME] --format swaks|msmtprc|curl|env`` and ``import FILE --from …``: settings in and
out of other tools (CLI.md). Loaded only when one of those forms is used."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smtpgui.cli.exitcodes import EXIT_OK, UsageError
from smtpgui.cli.output import say
from smtpgui.services import AppServices


def cmd_export_format(app: AppServices, args: argparse.Namespace) -> int:
    """One connection (NAME, or the default) in another tool's settings, to stdout or ``--output``."""
    from smtpgui.cli.send import named_or_default
    from smtpgui.services.settingsio import export_settings

    if args.names:
        raise UsageError(
            "--names belongs to the JSON export (export FILE --names A,B); --format writes one connection."
        )
    connection = app.resolve(named_or_default(app, args.file))
    text = export_settings(app.secrets, connection, args.format)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    _write_output(Path(args.output), text)
    say(f"wrote {connection.name!r} as {args.format} settings to {args.output} (no password: it is read when used).")
    return EXIT_OK


def _write_output(path: Path, text: str) -> None:
    """The settings as a private (0600) file; a link, a pipe or a device there is refused."""
    from smtpgui.core.errors import StorageError
    from smtpgui.storage.private import RefusedFile, describe_os_error, write_private_file

    if "\x00" in str(path):
        raise UsageError("A file name cannot contain a NUL character.")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"the folder {str(folder)!r} does not exist; create it first or choose another file.")
    try:
        write_private_file(path, text.encode("utf-8"))
    except RefusedFile as exc:
        raise UsageError(f"Cannot write to {path}: {exc.reason}; choose another file.") from None
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path, "write")) from exc


MAX_NOTES = 50


def cmd_import_settings(app: AppServices, args: argparse.Namespace) -> int:
    """``import FILE [--from FORMAT]``: FILE ('-': standard input) as the format given or recognised."""
    from smtpgui.cli.importreport import missing_passwords_hint, report_import
    from smtpgui.core.display import printable
    from smtpgui.services.settingsin import import_settings, read_settings, read_settings_file

    if args.file == "-":
        from smtpgui.storage.private import MAX_DATA_BYTES

        data = sys.stdin.buffer.read(MAX_DATA_BYTES + 1) if sys.stdin is not None else b""
        if len(data) > MAX_DATA_BYTES:
            raise UsageError("standard input is too large to be settings.")
        source = "standard input"
        read = read_settings(data, source, args.from_format)
    else:
        if "\x00" in args.file:
            raise UsageError("A file name cannot contain a NUL character.")
        source = args.file
        read = read_settings_file(Path(args.file), args.from_format)
    if not read.connections:
        raise UsageError(f"{printable(source)} holds no connection smtpgui can import.")
    for note in read.notes[:MAX_NOTES]:
        say(note)
    if len(read.notes) > MAX_NOTES:
        say(f"... and {len(read.notes) - MAX_NOTES} more notes like these.")
    done = import_settings(app, read, replace=args.replace, store_passwords=args.store_passwords, source=source)
    report_import(done.outcome)
    for warning in done.warnings:
        say(warning)
    if done.stored:
        say(f"stored the password the file held for {_names(done.stored)} in the keyring (and nowhere else).")
    if done.not_stored:
        say(
            f"the file holds a password for {_names(done.not_stored)}; it was not stored: import again with "
            "--replace --store-passwords to put it in the keyring, or set it with 'smtpgui edit NAME --password-stdin'."
        )
    has_password = {c.id for c in done.outcome.imported if c.name in set(done.stored) | set(done.not_stored)}
    missing_passwords_hint(done.outcome, has_password)
    return EXIT_OK


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
