"""``smtpgui settings``: the app-wide defaults (the default sender, the test message's recipient,
subject and body)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK
from smtpgui.cli.output import emit_json, say
from smtpgui.core.display import printable
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.services import AppServices

_OPTION_FOR_SETTING = {
    "default_from_address": "--default-from",
    "default_from_name": "--default-from-name",
    "default_to": "--default-to",
    "default_subject": "--default-subject",
    "default_body": "--default-body",
}


def cmd_settings(app: AppServices, args: argparse.Namespace) -> int:
    changes: dict[str, str] = {}
    if args.default_from is not None:
        changes["default_from"] = args.default_from
    for key in ("default_from_name", "default_to", "default_subject", "default_body"):
        value = getattr(args, key)
        if value is not None:
            changes[key] = value
    if changes:
        try:
            current = app.settings.update(**changes)
        except ValidationError as exc:
            raise ValidationError(
                [Problem(_OPTION_FOR_SETTING.get(p.field, p.field), p.message) for p in exc.problems]
            ) from None
        say("saved the app settings.")
    else:
        current = app.settings.load()
    if args.json:
        emit_json(asdict(current))
    else:
        for key, value in asdict(current).items():
            shown = value if isinstance(value, str) else ("true" if value else "false")
            print(f"{key:<21} {printable(shown)}")
    return EXIT_OK


def add_commands(command: Command) -> None:
    """Register ``settings``."""
    p = command("settings", cmd_settings, "show or change the app-wide defaults (sender, test message)")
    p.add_argument(
        "--default-from",
        metavar="ADDR",
        help='default From address ("Name <addr>" also sets the name); empty clears it',
    )
    p.add_argument("--default-from-name", metavar="NAME", help="default From display name")
    p.add_argument("--default-to", metavar="ADDR", help="who receives a test when --to is not given (commas: several)")
    p.add_argument("--default-subject", metavar="S", help="the test message's subject (empty: TEST MESSAGE!)")
    p.add_argument("--default-body", metavar="B", help="the test message's text (empty: the built-in one)")
    p.add_argument("--json", action="store_true")
