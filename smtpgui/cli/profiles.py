"""The profile commands (CLI.md): list, show, add, edit, duplicate, delete, set-default,
presets, export and import. Never imports Qt.

Messages for people go to standard error, one clear sentence first; data goes to standard
output. Exit codes follow CLI.md exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK, UsageError
from smtpgui.cli.fields import add_field_options, apply_field_options
from smtpgui.cli.importreport import missing_passwords_hint, report_import
from smtpgui.cli.output import emit_json, say
from smtpgui.cli.sandbox import sandbox_base
from smtpgui.cli.secretinput import PASSWORD_OPTIONS, given_password, terminal_answer
from smtpgui.core.display import printable
from smtpgui.core.errors import SecretStoreUnavailable, ValidationError
from smtpgui.core.model import Connection, connection_to_dict
from smtpgui.core.presets import PRESETS
from smtpgui.core.validation import validate_name
from smtpgui.services import AppServices
from smtpgui.services.connections import duplicate_needs_password, sign_in_warning
from smtpgui.storage.secrets import Slot

if TYPE_CHECKING:
    from smtpgui.core.shared import SharedSettings

# output ------------------------------------------------------------------------------------


def connection_json(
    app: AppServices, connection: Connection, *, with_secrets: bool = True, shared: SharedSettings | None = None
) -> dict[str, Any]:
    """``show --json``'s object: the model's fields, the names of its shared credential and
    connector (``credential``, ``connector``; null for its own), and which secrets are stored (CLI.md)."""
    data = connection_to_dict(connection)
    data.update(shared_names(connection, shared if shared is not None else app.shared.settings()))
    if with_secrets:
        data.update(app.secrets.flags(connection))
    return data


def shared_names(connection: Connection, shared: SharedSettings) -> dict[str, str | None]:
    credential = shared.credential(connection.credential_id) if connection.credential_id else None
    connector = shared.connector(connection.connector_id) if connection.connector_id else None
    return {"credential": credential.name if credential else None, "connector": connector.name if connector else None}


def list_line(connection: Connection) -> str:
    mark = "*" if connection.is_default else " "
    target = (
        f"{connection.host}:{connection.port}" if connection.kind.value == "smtp" else f"graph:{connection.mailbox}"
    )
    state = "enabled" if connection.enabled else "disabled"
    extra = "  (certificate not verified)" if connection.certificate_unchecked else ""
    name, where = printable(connection.name), printable(target)
    return f"{mark} {name:<24} {where:<36} {connection.security.value:<9} {state}{extra}"


def show_text(connection: Connection, flags: dict[str, bool] | None, names: dict[str, str | None] | None = None) -> str:
    data: dict[str, Any] = connection_to_dict(connection)
    for key, value in (names or {}).items():
        data[key] = value if value is not None else "(its own)"
    if flags is not None:
        data.update(flags)
    width = max(len(k) for k in data)
    lines = [
        f"{k:<{width}}  {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else printable(v)}"
        for k, v in data.items()
    ]
    if connection.certificate_unchecked:
        lines.append(
            "warning: certificate verification is off: anyone on the path can read this connection's mail and password."
        )
    return "\n".join(lines)


# commands ----------------------------------------------------------------------------------


def cmd_list(app: AppServices, args: argparse.Namespace) -> int:
    connections = app.connections.list_all()
    if args.json:
        shared = app.shared.settings()
        emit_json([connection_json(app, c, shared=shared) for c in connections])
    elif not connections:
        say("no connections yet; add one with 'smtpgui add NAME --host HOST'.")
    else:
        for connection in connections:
            print(list_line(connection))
    return EXIT_OK


def cmd_show(app: AppServices, args: argparse.Namespace) -> int:
    connection = app.connections.get(args.name)
    try:
        flags: dict[str, bool] | None = app.secrets.flags(connection)
    except SecretStoreUnavailable as exc:
        if args.json:
            raise
        say(f"{exc} Whether secrets are stored cannot be shown.")
        flags = None
    if args.json:
        emit_json(connection_json(app, connection))
    else:
        print(show_text(connection, flags, shared_names(connection, app.shared.settings())))
    return EXIT_OK


def cmd_add(app: AppServices, args: argparse.Namespace) -> int:
    problems = validate_name(args.name)
    if problems:
        raise ValidationError(problems)
    if "discover" in vars(args) and getattr(args, "sandbox", False):
        raise UsageError("choose one of --discover and --sandbox: both say where the connection goes.")
    base = sandbox_base(args) if getattr(args, "sandbox", False) else Connection(name=args.name)
    if "discover" in vars(args):
        from smtpgui.cli.discover import discovered_base

        base = discovered_base(app, args)
    changes = apply_field_options(base, args, shared=app.shared.settings())
    try:
        connection = app.connections.create(changes.connection, changes.secrets)
    except SecretStoreUnavailable as exc:
        raise SecretStoreUnavailable(f"{exc} Nothing was added.") from exc
    say(f"added {connection.name!r}" + (" (the default)" if connection.is_default else "") + ".")
    warning = sign_in_warning(connection)
    if warning:
        say(f"warning: {warning}")
    if (
        connection.auth_mode.value == "password"
        and Slot.PASSWORD not in changes.secrets
        and not connection.credential_id
    ):
        say("no password is stored yet; set one with 'smtpgui edit NAME --password-stdin'.")
    return EXIT_OK


def cmd_edit(app: AppServices, args: argparse.Namespace) -> int:
    current = app.connections.get(args.name)
    shared = app.shared.settings()
    changes = apply_field_options(current, args, shared=shared)  # checks the options and reads the secrets once
    # The options are applied again to the connection as it is under the store's lock, so an edit
    # made by another process meanwhile (another field, say) is kept, not overwritten.
    try:
        updated = app.connections.edit(
            current.id, lambda fresh: apply_field_options(fresh, args, False, shared).connection, changes.secrets
        )
    except SecretStoreUnavailable as exc:
        raise SecretStoreUnavailable(f"{exc} Nothing was changed.") from exc
    if updated.port != current.port and updated.security != current.security and "port" not in vars(args):
        say(f"saved {updated.name!r}; the port is now {updated.port}, the usual one for {updated.security.value}.")
    else:
        say(f"saved {updated.name!r}.")
    warning = sign_in_warning(updated)
    if warning and warning != sign_in_warning(current):
        say(f"warning: {warning}")
    return EXIT_OK


def cmd_duplicate(app: AppServices, args: argparse.Namespace) -> int:
    source = app.connections.get(args.name)
    needed = duplicate_needs_password(source)
    password = given_password(args, f"Password for the copy of {source.name!r}: ", ask_on_terminal=needed)
    if needed and password is None:
        # Issue 20, item 3: a copy that could not sign in is not made.
        raise UsageError(f"Duplicating {source.name!r} needs its password: give it with {PASSWORD_OPTIONS}.")
    copy = app.connections.duplicate(source, args.as_name, password)
    kept = " with the password given (no other secret)." if password else " (without its secrets)."
    say(f"copied {source.name!r} to {copy.name!r}{kept}")
    return EXIT_OK


def cmd_delete(app: AppServices, args: argparse.Namespace) -> int:
    victim = app.connections.get(args.name)
    new_default = app.connections.get(args.new_default).id if args.new_default else None
    if new_default is None and app.connections.needs_new_default(victim):
        raise UsageError(
            f"{victim.name!r} is the default connection: say which becomes the new default with --new-default OTHER."
        )
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():  # None: a windowed (frozen) executable
            raise UsageError(f"Deleting {victim.name!r} needs confirmation: add --yes.")
        answer = terminal_answer(f"Delete {victim.name!r} and its stored secrets? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            say("nothing was deleted.")
            return EXIT_OK
    outcome = app.connections.delete(victim, new_default)
    say(f"deleted {victim.name!r}.")
    if outcome.new_default is not None:
        say(f"{outcome.new_default.name!r} is now the default connection.")
    if outcome.secrets_warning:
        say(f"its secrets could not be removed from the keyring: {outcome.secrets_warning}")
    return EXIT_OK


def cmd_set_default(app: AppServices, args: argparse.Namespace) -> int:
    connection = app.connections.get(args.name)
    app.connections.set_default(connection.id)
    say(f"{connection.name!r} is now the default connection.")
    return EXIT_OK


def cmd_presets(app: AppServices, args: argparse.Namespace) -> int:
    if args.json:
        emit_json(
            [
                {
                    "id": p.id,
                    "label": p.label,
                    "host": p.host,
                    "port": p.port,
                    "security": p.security.value,
                    "auth_mode": p.auth_mode.value,
                    "mechanism": p.mechanism.value,
                    "advice": p.advice,
                }
                for p in PRESETS
            ]
        )
        return EXIT_OK
    for p in PRESETS:
        print(f"{p.id:<22} {p.label:<38} {p.host}:{p.port} {p.security.value} ({p.auth_mode.value})")
        print(f"{'':<22} {p.advice}")
    return EXIT_OK


def _export_names(app: AppServices, value: str) -> list[str]:
    """``--names A,B``; a name that holds a comma itself ("Acme, Inc") is taken whole."""
    whole = value.strip()
    if "," in whole and any(c.name.casefold() == whole.casefold() for c in app.connections.list_all()):
        return [whole]
    return [n.strip() for n in value.split(",") if n.strip()]


def _file_argument(value: str) -> Path:
    """A file named on the command line; a name no file can have is a usage error (exit 2)."""
    if "\x00" in value:
        raise UsageError("A file name cannot contain a NUL character.")
    return Path(value)


def cmd_export(app: AppServices, args: argparse.Namespace) -> int:
    if args.format is not None:  # export [NAME] --format F: another tool's settings
        from smtpgui.cli.toolsettings import cmd_export_format

        return cmd_export_format(app, args)
    if args.file is None:
        raise UsageError(
            "Say where to export: export FILE (JSON; '-' for standard output) or export [NAME] --format F."
        )
    if args.output is not None:
        raise UsageError("--output goes with --format; the JSON export writes to its FILE (export FILE).")
    names = _export_names(app, args.names) if args.names else None
    if args.file == "-":
        document, _count = app.connections.export(None, names)
        emit_json(document)
        return EXIT_OK
    folder = _file_argument(args.file).parent
    if not folder.is_dir():
        # A typo must not create folders (at the filesystem root, say): issue 17, item 18.
        raise UsageError(f"the folder {str(folder)!r} does not exist; create it first or choose another file.")
    _document, count = app.connections.export(Path(args.file), names)
    say(f"exported {count} connection(s) to {args.file} (no passwords or other secrets).")
    return EXIT_OK


def cmd_import(app: AppServices, args: argparse.Namespace) -> int:
    if args.from_format != "smtpgui" or args.file == "-":  # auto (the default), another tool's, or stdin
        from smtpgui.cli.toolsettings import cmd_import_settings

        return cmd_import_settings(app, args)
    if args.store_passwords:
        raise UsageError("--store-passwords is for another tool's settings: an smtpgui export holds no passwords.")
    outcome = app.connections.import_file(_file_argument(args.file), replace=args.replace)
    report_import(outcome)
    missing_passwords_hint(outcome, set())
    return EXIT_OK


def add_commands(command: Command) -> None:
    """Register the profile commands (list, show, add, edit, duplicate, delete, set-default,
    presets, export, import)."""
    p = command("list", cmd_list, "one line per connection: default mark, name, host:port, security, enabled")
    p.add_argument("--json", action="store_true")
    p = command("show", cmd_show, "show one connection")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p = command("add", cmd_add, "create a connection")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--discover",
        metavar="ADDRESS",
        default=argparse.SUPPRESS,
        help="start from the settings found for ADDRESS",
    )
    p.add_argument(
        "--sandbox", action="store_true", help="a connection to the local sandbox (the running one, else port 1025)"
    )
    add_field_options(p, for_edit=False)
    p = command("edit", cmd_edit, "change fields of a connection (--name NEW renames)")
    p.add_argument("name", metavar="NAME")
    add_field_options(p, for_edit=True)
    p = command("duplicate", cmd_duplicate, "copy a connection without its secrets")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--as", dest="as_name", metavar="NEW", help="name of the copy (default NAME_copied)")
    p.add_argument("--password-stdin", action="store_true", help="the copy's password: first line of standard input")
    p.add_argument("--password-env", metavar="VAR", help="the copy's password from environment variable VAR")
    p.add_argument("--password-prompt", action="store_true", help="ask for the copy's password (hidden; a terminal)")
    p = command("delete", cmd_delete, "delete a connection and its secrets")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--new-default", metavar="OTHER", help="the connection that becomes the default")
    p = command("set-default", cmd_set_default, "make a connection the default")
    p.add_argument("name", metavar="NAME")
    p = command("presets", cmd_presets, "list provider presets")
    p.add_argument("--json", action="store_true")
    p = command(
        "export",
        cmd_export,
        "write connections (never secrets) as JSON to FILE ('-': standard output); with --format, one connection "
        "(NAME, else the default) as another tool's settings",
    )
    p.usage = "smtpgui export FILE [--names A,B] | smtpgui export [NAME] --format FORMAT [--output FILE]"
    p.add_argument("file", metavar="FILE|NAME", nargs="?", help="the JSON file; with --format, the connection")
    p.add_argument("--names", metavar="A,B", help="JSON: only these connections")
    p.add_argument(
        "--format",
        choices=("swaks", "msmtprc", "curl", "env"),
        help="a swaks command, an msmtprc account, a curl command or SMTP_* variables; never a password",
    )
    p.add_argument("--output", metavar="FILE", help="with --format: write to FILE (0600) instead of standard output")
    p = command(
        "import",
        cmd_import,
        "read connections from an smtpgui export, Thunderbird's prefs.js, an msmtprc or a swaks command "
        "('-': standard input)",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--replace", action="store_true", help="overwrite connections with the same name")
    p.add_argument(
        "--from",
        dest="from_format",
        choices=("auto", "smtpgui", "thunderbird", "msmtprc", "swaks"),
        default="auto",
        help="the file's format (default auto: recognised by its content)",
    )
    p.add_argument(
        "--store-passwords",
        action="store_true",
        help="store the passwords the file holds (msmtp's password, swaks's --auth-password) in the keyring",
    )
