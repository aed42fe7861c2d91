"""The commands of the command line (CLI.md): profiles, test sends and probes. Never imports Qt.

``smtpgui.cli.main`` comes here for every command line that names a command (or asks for help);
a plain ``smtpgui`` opens the window without loading any of this.

Messages for people go to standard error, one clear sentence first; data goes to standard
output. Exit codes follow CLI.md exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from smtpgui import __version__
from smtpgui.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_STORAGE, EXIT_USAGE
from smtpgui.cli_fields import add_field_options, apply_field_options, describe_problems, read_stdin_secret
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.display import printable
from smtpgui.core.errors import SecretStoreUnavailable, SmtpguiError, StorageError, ValidationError
from smtpgui.core.model import Connection, connection_to_dict, new_id
from smtpgui.core.naming import copy_name
from smtpgui.core.presets import PRESETS
from smtpgui.core.validation import validate_name
from smtpgui.storage import exchange
from smtpgui.storage.secrets import Slot
from smtpgui.storage.services import Services, build_services
from smtpgui.storage.store import find_by_name


class UsageError(SmtpguiError):
    """A command used in a way that cannot work (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"smtpgui: {message}\n")


def say(message: str) -> None:
    """A sentence for the person at the terminal (standard error): every line prefixed, controls escaped."""
    for line in printable(message, multiline=True).split("\n"):
        print(f"smtpgui: {line}", file=sys.stderr)


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


# output ------------------------------------------------------------------------------------


def secret_flags(services: Services, connection: Connection) -> dict[str, bool]:
    flags = {
        "password_set": False,
        "proxy_password_set": False,
        "client_secret_set": False,
        "oauth_client_secret_set": False,
        "oauth_signed_in": False,
    }
    if services.secrets.is_absent():
        return flags  # with no keyring at all, nothing can be stored in one
    slots = {
        "password_set": Slot.PASSWORD,
        "proxy_password_set": Slot.PROXY_PASSWORD,
        "client_secret_set": Slot.CLIENT_SECRET,
        "oauth_client_secret_set": Slot.OAUTH_CLIENT_SECRET,
        "oauth_signed_in": Slot.OAUTH_REFRESH_TOKEN,
    }
    for key, slot in slots.items():
        flags[key] = services.secrets.has(connection.id, slot)
    return flags


def connection_json(services: Services, connection: Connection, *, with_secrets: bool = True) -> dict[str, Any]:
    data = connection_to_dict(connection)
    if with_secrets:
        data.update(secret_flags(services, connection))
    return data


def list_line(connection: Connection) -> str:
    mark = "*" if connection.is_default else " "
    target = (
        f"{connection.host}:{connection.port}" if connection.kind.value == "smtp" else f"graph:{connection.mailbox}"
    )
    state = "enabled" if connection.enabled else "disabled"
    extra = "  (certificate not verified)" if connection.certificate_unchecked else ""
    return f"{mark} {connection.name:<24} {target:<36} {connection.security.value:<9} {state}{extra}"


def show_text(connection: Connection, flags: dict[str, bool] | None) -> str:
    data = connection_to_dict(connection)
    if flags is not None:
        data.update(flags)
    width = max(len(k) for k in data)
    lines = [
        f"{k:<{width}}  {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}" for k, v in data.items()
    ]
    if connection.certificate_unchecked:
        lines.append(
            "warning: certificate verification is off: anyone on the path can read this connection's mail and password."
        )
    return "\n".join(lines)


# commands ----------------------------------------------------------------------------------


def cmd_list(services: Services, args: argparse.Namespace) -> int:
    connections = services.store.load()
    if args.json:
        emit_json([connection_json(services, c) for c in connections])
    elif not connections:
        say("no connections yet; add one with 'smtpgui add NAME --host HOST'.")
    else:
        for connection in connections:
            print(list_line(connection))
    return EXIT_OK


def cmd_show(services: Services, args: argparse.Namespace) -> int:
    connection = services.store.get(args.name)
    try:
        flags: dict[str, bool] | None = secret_flags(services, connection)
    except SecretStoreUnavailable as exc:
        if args.json:
            raise
        say(f"{exc} Whether secrets are stored cannot be shown.")
        flags = None
    if args.json:
        emit_json(connection_json(services, connection))
    else:
        print(show_text(connection, flags))
    return EXIT_OK


def _store_secrets(services: Services, connection: Connection, secrets: dict[Slot, str]) -> None:
    for slot, value in secrets.items():
        services.secrets.set(connection.id, slot, value)


def cmd_add(services: Services, args: argparse.Namespace) -> int:
    problems = validate_name(args.name)
    if problems:
        raise ValidationError(problems)
    changes = apply_field_options(Connection(name=args.name), args)
    if changes.secrets:
        services.secrets.check()  # fail before saving anything
    connection = services.store.add(changes.connection)
    try:
        _store_secrets(services, connection, changes.secrets)
    except SecretStoreUnavailable:
        services.store.delete(connection.id, new_default_id=_other_default(services, connection))
        raise
    say(f"added {connection.name!r}" + (" (the default)" if connection.is_default else "") + ".")
    if connection.auth_mode.value == "password" and Slot.PASSWORD not in changes.secrets:
        say("no password is stored yet; set one with 'smtpgui edit NAME --password-stdin'.")
    return EXIT_OK


def _other_default(services: Services, connection: Connection) -> str | None:
    """When rolling back an added default, hand the default back to another connection."""
    others = [c for c in services.store.load() if c.id != connection.id]
    if connection.is_default and others:
        return others[0].id
    return None


def cmd_edit(services: Services, args: argparse.Namespace) -> int:
    current = services.store.get(args.name)
    changes = apply_field_options(current, args)  # checks the options and reads the secrets once
    if changes.secrets:
        services.secrets.check()
    # The options are applied again to the connection as it is under the store's lock, so an edit
    # made by another process meanwhile (another field, say) is kept, not overwritten.
    updated = services.store.modify(current.id, lambda fresh: apply_field_options(fresh, args, False).connection)
    _store_secrets(services, updated, changes.secrets)
    say(f"saved {updated.name!r}.")
    return EXIT_OK


def cmd_duplicate(services: Services, args: argparse.Namespace) -> int:
    connections = services.store.load()
    source = find_by_name(connections, args.name)
    name = args.as_name if args.as_name is not None else copy_name(source.name, [c.name for c in connections])
    password = read_stdin_secret("password") if args.password_stdin else None
    if password is not None:
        services.secrets.check()
    copy = services.store.add(source.replace(id=new_id(), name=name, is_default=False))
    if password is not None:
        services.secrets.set(copy.id, Slot.PASSWORD, password)
    say(f"copied {source.name!r} to {copy.name!r} (without its secrets).")
    if password is None and copy.auth_mode.value != "none":
        say(f"the copy has no password; set one with 'smtpgui edit {copy.name!r} --password-stdin'.")
    return EXIT_OK


def cmd_delete(services: Services, args: argparse.Namespace) -> int:
    connections = services.store.load()
    victim = find_by_name(connections, args.name)
    new_default = find_by_name(connections, args.new_default).id if args.new_default else None
    if victim.is_default and len(connections) > 1 and new_default is None:
        raise UsageError(
            f"{victim.name!r} is the default connection: say which becomes the new default with --new-default OTHER."
        )
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():  # None: a windowed (frozen) executable
            raise UsageError(f"Deleting {victim.name!r} needs confirmation: add --yes.")
        answer = input(f"Delete {victim.name!r} and its stored secrets? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            say("nothing was deleted.")
            return EXIT_OK
    services.store.delete(victim.id, new_default)
    say(f"deleted {victim.name!r}.")
    if not services.secrets.is_absent():
        try:
            services.secrets.delete_all(victim.id)
        except SecretStoreUnavailable as exc:
            say(
                f"its secrets could not be removed from the keyring: {exc} Remove the entries "
                f"'{victim.id}:*' of service 'smtpgui' when the keyring works again."
            )
    return EXIT_OK


def cmd_set_default(services: Services, args: argparse.Namespace) -> int:
    connection = services.store.get(args.name)
    services.store.set_default(connection.id)
    say(f"{connection.name!r} is now the default connection.")
    return EXIT_OK


def cmd_presets(services: Services, args: argparse.Namespace) -> int:
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


def cmd_export(services: Services, args: argparse.Namespace) -> int:
    connections = services.store.load()
    if args.names:
        names = [n.strip() for n in args.names.split(",") if n.strip()]
        connections = exchange.select_by_names(connections, names)
    if args.file == "-":
        emit_json(exchange.export_document(connections))
    else:
        exchange.write_export(Path(args.file), connections)
        say(f"exported {len(connections)} connection(s) to {args.file} (no passwords or other secrets).")
    return EXIT_OK


def cmd_import(services: Services, args: argparse.Namespace) -> int:
    incoming = exchange.read_import(Path(args.file))
    imported, replaced = exchange.import_connections(services.store, incoming, replace=args.replace)
    kept_ids = {c.id for c in imported}
    for old in replaced:
        if old.id not in kept_ids:
            try:
                services.secrets.delete_all(old.id)
            except SecretStoreUnavailable as exc:
                say(f"the secrets of the replaced {old.name!r} could not be removed: {exc}")
    say(f"imported {len(imported)} connection(s)" + (f", replacing {len(replaced)}" if replaced else "") + ".")
    missing = [c.name for c in imported if c.auth_mode.value != "none" and c.id not in {o.id for o in replaced}]
    if missing:
        say("imported connections carry no passwords; set them with 'smtpgui edit NAME --password-stdin'.")
    return EXIT_OK


def cmd_settings(services: Services, args: argparse.Namespace) -> int:
    current = services.settings.load()
    changes: dict[str, str] = {}
    if args.default_from is not None:
        from smtpgui.core.addresses import split_from_field

        if args.default_from:
            try:
                name, address = split_from_field(args.default_from)
            except ValueError as exc:
                raise ValidationError(str(exc), "--default-from") from None
            changes["default_from_address"] = address
            if name and args.default_from_name is None:
                changes["default_from_name"] = name
        else:
            changes["default_from_address"] = ""
    if args.default_from_name is not None:
        changes["default_from_name"] = args.default_from_name
    if changes:
        current = AppSettings(**{**current.__dict__, **changes})
        services.settings.save(current)
        say("saved the app settings.")
    if args.json:
        emit_json(current.__dict__)
    else:
        print(f"default_from_address  {current.default_from_address}")
        print(f"default_from_name     {current.default_from_name}")
    return EXIT_OK


# parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="smtpgui", description="Manage SMTP connections and prove they work. With no command, opens the window."
    )
    parser.add_argument("--version", action="version", version=f"smtpgui {__version__}")
    parser.add_argument(
        "--config-dir", metavar="DIR", help="use DIR instead of the per-user config folder (also SMTPGUI_CONFIG_DIR)"
    )
    parser.add_argument(
        "--self-test", action="store_true", help="open the window, wait for its first paint, close, exit 0"
    )
    parser.add_argument("--report", metavar="FILE", help="with --self-test: write a JSON report to FILE")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str, handler: Callable[[Services, argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("list", cmd_list, "one line per connection: default mark, name, host:port, security, enabled")
    p.add_argument("--json", action="store_true")
    p = command("show", cmd_show, "show one connection")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p = command("add", cmd_add, "create a connection")
    p.add_argument("name", metavar="NAME")
    add_field_options(p, for_edit=False)
    p = command("edit", cmd_edit, "change fields of a connection (--name NEW renames)")
    p.add_argument("name", metavar="NAME")
    add_field_options(p, for_edit=True)
    p = command("duplicate", cmd_duplicate, "copy a connection without its secrets")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--as", dest="as_name", metavar="NEW", help="name of the copy (default NAME_copied)")
    p.add_argument("--password-stdin", action="store_true", help="set the copy's password from standard input")
    p = command("delete", cmd_delete, "delete a connection and its secrets")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--new-default", metavar="OTHER", help="the connection that becomes the default")
    p = command("set-default", cmd_set_default, "make a connection the default")
    p.add_argument("name", metavar="NAME")
    p = command("presets", cmd_presets, "list provider presets")
    p.add_argument("--json", action="store_true")
    p = command("export", cmd_export, "write connections (never secrets) as JSON; FILE '-' writes to standard output")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--names", metavar="A,B", help="only these connections")
    p = command("import", cmd_import, "read connections from an export file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--replace", action="store_true", help="overwrite connections with the same name")
    p = command("settings", cmd_settings, "show or change the app-wide sender defaults")
    p.add_argument(
        "--default-from",
        metavar="ADDR",
        help='default From address ("Name <addr>" also sets the name); empty clears it',
    )
    p.add_argument("--default-from-name", metavar="NAME", help="default From display name")
    p.add_argument("--json", action="store_true")
    from smtpgui import cli_login, cli_send

    cli_send.add_commands(command)
    cli_login.add_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_window(args)
    from smtpgui.storage.logs import log, setup_logging
    from smtpgui.storage.paths import chosen_config_dir

    setup_logging(chosen_config_dir(args.config_dir))
    target = getattr(args, "name", None) or getattr(args, "host", None) or getattr(args, "file", None)
    log.info("command %s%s", args.command, f" {target!r}" if isinstance(target, str) else "")
    try:
        services = build_services(args.config_dir)
        code = int(args.handler(services, args))
        for notice in services.store.notices:
            log.warning("%s", notice)
            say(notice)
        log.info("command %s finished: exit %d", args.command, code)
        return code
    except ValidationError as exc:
        lines = describe_problems(exc.problems)
        say(lines[0] if len(lines) == 1 else "the connection has problems:\n  " + "\n  ".join(lines))
        log.info("command %s refused (exit %d): %s", args.command, EXIT_USAGE, exc)
        return EXIT_USAGE
    except UsageError as exc:
        say(str(exc))
        log.info("command %s refused (exit %d): %s", args.command, EXIT_USAGE, exc)
        return EXIT_USAGE
    except StorageError as exc:
        say(str(exc))
        log.warning("command %s failed (exit %d): %s", args.command, EXIT_STORAGE, exc)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        say("interrupted.")
        log.info("command %s interrupted", args.command)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        say(f"unexpected internal error (a bug, please report it): {type(exc).__name__}: {exc}")
        log.exception("command %s: unexpected internal error", args.command)
        return EXIT_INTERNAL


def _run_window(args: argparse.Namespace) -> int:
    from smtpgui.cli import run_window

    return run_window(args)
