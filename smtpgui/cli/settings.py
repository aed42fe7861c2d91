"""``smtpgui settings``: the app-wide defaults (the default sender)."""

from __future__ import annotations

import argparse

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK
from smtpgui.cli.output import emit_json, say
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.display import printable
from smtpgui.core.errors import ValidationError
from smtpgui.storage.services import Services


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
