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
    connection = named_or_default(app, args.file)
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
