"""``smtpgui credential …`` and ``smtpgui connector …`` (CLI.md): shared credentials and network
connectors, the group of settings many connections use. Never imports Qt.

Each command has the actions add, edit, list, show, delete and rename. Deleting one that
connections use is refused with exit 2, naming them; a rename keeps every connection using it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK, UsageError
from smtpgui.cli.output import emit_json, say
from smtpgui.cli.secretinput import given_password, read_env_secret
from smtpgui.core.addresses import parse_proxy_url
from smtpgui.core.display import printable
from smtpgui.core.errors import Problem, SecretStoreUnavailable, ValidationError
from smtpgui.core.model import PASSWORD_MECHANISMS, Mechanism, ProxyType
from smtpgui.services import AppServices

if TYPE_CHECKING:
    from smtpgui.core.shared import Connector, Credential

# core.shared's CREDENTIAL_MECHANISMS, without loading the module on every command's start (a
# parser with every command group is built for each command: `smtpgui test` pays for it).
_MECHANISM_CHOICES = [m.value for m in (Mechanism.AUTO, *PASSWORD_MECHANISMS)]

S = argparse.SUPPRESS


# passwords ---------------------------------------------------------------------------------


def read_password(args: argparse.Namespace, what: str, *, ask: bool = False) -> str | None:
    """The password from --password-stdin, --password-env VAR or --password-prompt (connectors:
    --proxy-password-env VAR), never from the command line itself; None when none was given."""
    if vars(args).get("proxy_password_env"):
        return read_env_secret(args.proxy_password_env, "--proxy-password-env")
    return given_password(args, f"Password for {what}: ", ask_on_terminal=ask)


def _password_state(app: AppServices, item: Credential | Connector) -> bool | None:
    """Whether its password is stored; None when the keyring cannot say."""
    try:
        return app.shared.has_password(item)
    except SecretStoreUnavailable:
        return None


def _problems_as_options(exc: ValidationError, options: dict[str, str]) -> ValidationError:
    """The same problems, named by the options the user typed."""
    return ValidationError([Problem(options.get(p.field, p.field), p.message) for p in exc.problems])


_CREDENTIAL_OPTIONS = {"name": "NAME", "username": "--username", "domain": "--domain", "mechanism": "--mechanism"}
_CONNECTOR_OPTIONS = {
    "name": "NAME",
    "host": "--proxy",
    "port": "--proxy",
    "proxy_type": "--proxy",
    "username": "--proxy",
    "domain": "--proxy-domain",
}


# output ------------------------------------------------------------------------------------


def item_json(app: AppServices, item: Credential | Connector, users: list[str]) -> dict[str, Any]:
    """``credential show --json`` / ``connector show --json``: its fields, whether its password is
    stored, and the connections that use it (by name)."""
    from smtpgui.core.shared import Credential, connector_to_dict, credential_to_dict

    if isinstance(item, Credential):
        data = credential_to_dict(item)
        data["password_set"] = bool(app.shared.has_password(item))
    else:
        data = connector_to_dict(item)
        data["url"] = item.url
        data["proxy_password_set"] = bool(app.shared.has_password(item))
    data["used_by"] = users
    return data


def _line(app: AppServices, item: Credential | Connector, users: list[str]) -> str:
    from smtpgui.core.shared import Credential

    state = _password_state(app, item)
    password = {True: "password stored", False: "NO PASSWORD", None: "password unknown"}[state]
    if isinstance(item, Credential):
        who = f"{item.domain}\\{item.username}" if item.domain else item.username
        what = f"{printable(who):<28} {item.mechanism.value:<9}"
    else:
        what = f"{printable(item.url):<38}"
    used = f"used by {len(users)}" if users else "unused"
    return f"{printable(item.name):<24} {what} {password:<17} {used}"


def _show_text(app: AppServices, item: Credential | Connector, users: list[str]) -> str:
    from smtpgui.core.shared import Credential, connector_to_dict, credential_to_dict

    data = credential_to_dict(item) if isinstance(item, Credential) else connector_to_dict(item)
    state = _password_state(app, item)
    data["password"] = {True: "stored", False: "not stored", None: "unknown (the keyring cannot be read)"}[state]
    data["used_by"] = ", ".join(users) if users else "no connection"
    width = max(len(k) for k in data)
    return "\n".join(f"{k:<{width}}  {printable(str(v))}" for k, v in data.items())


# commands ----------------------------------------------------------------------------------


def _is_credential(args: argparse.Namespace) -> bool:
    """A ``credential`` command (else a ``connector`` one)."""
    return bool(args.command == "credential")


def _get(app: AppServices, args: argparse.Namespace, name: str) -> Credential | Connector:
    return app.shared.credential(name) if _is_credential(args) else app.shared.connector(name)


def _users_of(app: AppServices, args: argparse.Namespace) -> dict[str, list[str]]:
    by_credential, by_connector = app.shared.users()
    return by_credential if _is_credential(args) else by_connector


def cmd_shared(app: AppServices, args: argparse.Namespace) -> int:
    """Dispatch ``credential ACTION`` / ``connector ACTION``."""
    action = {
        "add": _add,
        "edit": _edit,
        "list": _list,
        "show": _show,
        "delete": _delete,
        "rename": _rename,
    }[args.action]
    return action(app, args)


def _list(app: AppServices, args: argparse.Namespace) -> int:
    items = app.shared.credentials() if _is_credential(args) else app.shared.connectors()
    users = _users_of(app, args)
    if args.json:
        emit_json([item_json(app, i, users.get(i.id, [])) for i in items])
    elif not items:
        say(f"no {args.command}s yet; add one with 'smtpgui {args.command} add NAME …'.")
    else:
        for item in items:
            print(_line(app, item, users.get(item.id, [])))
    return EXIT_OK


def _show(app: AppServices, args: argparse.Namespace) -> int:
    item = _get(app, args, args.name)
    users = _users_of(app, args).get(item.id, [])
    if args.json:
        emit_json(item_json(app, item, users))
    else:
        print(_show_text(app, item, users))
    return EXIT_OK


def _credential_changes(args: argparse.Namespace) -> dict[str, Any]:
    given = vars(args)
    changes: dict[str, Any] = {}
    for key in ("username", "domain", "description"):
        if key in given:
            changes[key] = given[key].strip() if key != "description" else given[key]
    if "mechanism" in given:
        changes["mechanism"] = Mechanism(given["mechanism"])
    return changes


def _connector_changes(args: argparse.Namespace) -> dict[str, Any]:
    given = vars(args)
    changes: dict[str, Any] = {}
    if "proxy" in given:
        try:
            spec = parse_proxy_url(given["proxy"])
        except ValueError as exc:
            raise ValidationError(str(exc), "--proxy") from None
        if spec.proxy_type is ProxyType.NONE:
            raise ValidationError("A connector is a proxy route: give socks5://, socks4:// or http://…", "--proxy")
        changes.update(proxy_type=spec.proxy_type, host=spec.host, port=spec.port or 1080, username=spec.username)
    if "proxy_domain" in given:
        changes["domain"] = given["proxy_domain"].strip()
    if "proxy_remote_dns" in given:
        changes["remote_dns"] = given["proxy_remote_dns"]
    if "description" in given:
        changes["description"] = given["description"]
    return changes


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    return _credential_changes(args) if _is_credential(args) else _connector_changes(args)


def _options(args: argparse.Namespace) -> dict[str, str]:
    return _CREDENTIAL_OPTIONS if _is_credential(args) else _CONNECTOR_OPTIONS


def _add(app: AppServices, args: argparse.Namespace) -> int:
    from smtpgui.core.shared import Connector, Credential

    credential = _is_credential(args)
    required = "--username" if credential else "--proxy"
    if required.lstrip("-") not in vars(args):
        raise UsageError(f"'{args.command} add' needs {required}.")
    item = (Credential if credential else Connector)(name=args.name, **_changes(args))
    # A person at a terminal who gave no password option is asked (as 'add' does for a connection).
    password = read_password(args, f"{args.command} {args.name!r}", ask=credential)
    if credential and password is None:
        raise UsageError(
            "Give the credential's password with --password-stdin, --password-env VAR or --password-prompt."
        )
    try:
        added = app.shared.add(item, password)
    except ValidationError as exc:
        raise _problems_as_options(exc, _options(args)) from None
    except SecretStoreUnavailable as exc:
        raise SecretStoreUnavailable(f"{exc} Nothing was added.") from exc
    say(f"added {args.command} {added.name!r}" + ("" if password else " (no proxy password)") + ".")
    return EXIT_OK


def _edit(app: AppServices, args: argparse.Namespace) -> int:
    current = _get(app, args, args.name)
    changes = _changes(args)
    if "new_name" in vars(args):
        changes["name"] = args.new_name
    password = read_password(args, f"{args.command} {current.name!r}")
    try:
        saved = app.shared.save(current.replace(**changes), password)
    except ValidationError as exc:
        raise _problems_as_options(exc, _options(args)) from None
    except SecretStoreUnavailable as exc:
        raise SecretStoreUnavailable(f"{exc} Nothing was changed.") from exc
    users = _users_of(app, args).get(saved.id, [])
    whom = f"; {len(users)} connection(s) use it" if users else ""
    say(f"saved {args.command} {saved.name!r}{whom}.")
    return EXIT_OK


def _rename(app: AppServices, args: argparse.Namespace) -> int:
    current = _get(app, args, args.name)
    try:
        renamed = app.shared.rename(current, args.new)
    except ValidationError as exc:
        raise _problems_as_options(exc, {"name": "NEW"}) from None
    say(f"renamed {args.command} {current.name!r} to {renamed.name!r}; the connections using it still do.")
    return EXIT_OK


def _delete(app: AppServices, args: argparse.Namespace) -> int:
    item = _get(app, args, args.name)
    warning = app.shared.delete(item)  # InUseError (exit 2) names the connections using it
    say(f"deleted {args.command} {item.name!r}.")
    if warning:
        say(f"its password could not be removed from the keyring: {warning}")
    return EXIT_OK


# parser ------------------------------------------------------------------------------------


def _password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--password-stdin",
        action="store_true",
        default=S,
        help="read the password from the first line of standard input",
    )
    group.add_argument(
        "--password-env", default=S, metavar="VAR", help="read the password from environment variable VAR"
    )
    group.add_argument(
        "--password-prompt", action="store_true", default=S, help="ask for the password on the terminal (not echoed)"
    )


def _credential_options(parser: argparse.ArgumentParser, for_edit: bool) -> None:
    parser.add_argument("name", metavar="NAME")
    if for_edit:
        parser.add_argument("--name", dest="new_name", default=S, metavar="NEW", help="rename it")
    parser.add_argument("--username", default=S, metavar="U")
    parser.add_argument("--domain", default=S, metavar="D", help="sent as DOMAIN\\user")
    parser.add_argument("--mechanism", default=S, choices=_MECHANISM_CHOICES)
    parser.add_argument("--description", default=S)
    _password_options(parser)


def _connector_options(parser: argparse.ArgumentParser, for_edit: bool) -> None:
    parser.add_argument("name", metavar="NAME")
    if for_edit:
        parser.add_argument("--name", dest="new_name", default=S, metavar="NEW", help="rename it")
    parser.add_argument("--proxy", default=S, metavar="URL", help="socks5://[user@]host:port, socks4://…, http://…")
    parser.add_argument("--proxy-password-env", default=S, metavar="VAR")
    parser.add_argument("--proxy-domain", default=S, metavar="D")
    parser.add_argument("--proxy-remote-dns", action=argparse.BooleanOptionalAction, default=S)
    parser.add_argument("--description", default=S)


def _group(command: Command, name: str, help_text: str, noun: str, fields: Any) -> None:
    parser = command(name, cmd_shared, help_text)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser), required=True)
    fields(actions.add_parser("add", help=f"add a {noun}"), False)
    fields(actions.add_parser("edit", help=f"change a {noun} (--name NEW renames)"), True)
    for action, text in (("list", f"every {noun}"), ("show", f"one {noun}")):
        p = actions.add_parser(action, help=text)
        if action == "show":
            p.add_argument("name", metavar="NAME")
        p.add_argument("--json", action="store_true")
    p = actions.add_parser("delete", help=f"delete a {noun} no connection uses (and its password)")
    p.add_argument("name", metavar="NAME")
    p = actions.add_parser("rename", help=f"rename a {noun}; the connections using it keep it")
    p.add_argument("name", metavar="OLD")
    p.add_argument("new", metavar="NEW")


def add_commands(command: Command) -> None:
    """Register ``credential`` and ``connector``."""
    _group(
        command,
        "credential",
        "shared credentials: a user name and password many connections use",
        "credential",
        _credential_options,
    )
    _group(
        command, "connector", "network connectors: a proxy route many connections use", "connector", _connector_options
    )
