"""``smtpgui settings``: the app-wide defaults (the default sender)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK
from smtpgui.cli.output import emit_json, say
from smtpgui.core.display import printable
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.services import AppServices

_OPTION_FOR_SETTING = {"default_from_address": "--default-from", "default_from_name": "--default-from-name"}


def cmd_settings(app: AppServices, args: argparse.Namespace) -> int:
    changes: dict[str, str] = {}
    if args.default_from is not None:
        changes["default_from"] = args.default_from
    if args.default_from_name is not None:
        changes["default_from_name"] = args.default_from_name
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
        print(f"default_from_address  {printable(current.default_from_address)}")
        print(f"default_from_name     {printable(current.default_from_name)}")
    return EXIT_OK


def add_commands(command: Command) -> None:
    """Register ``settings``."""
    p = command("settings", cmd_settings, "show or change the app-wide sender defaults")
    p.add_argument(
        "--default-from",
        metavar="ADDR",
        help='default From address ("Name <addr>" also sets the name); empty clears it',
    )
    p.add_argument("--default-from-name", metavar="NAME", help="default From display name")
    p.add_argument("--json", action="store_true")
