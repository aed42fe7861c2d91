"""The command line's parser and dispatch: every command, its options, and exit codes for errors.

Each command group registers its commands through :data:`Command` (``profiles``, ``settings``,
``send``, ``login``); :func:`main` parses, sets up the log, runs the handler and turns each
kind of expected failure into its exit code (CLI.md) and one sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from smtpgui import __version__
from smtpgui.cli.command import Handler
from smtpgui.cli.exitcodes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_STORAGE, EXIT_USAGE, UsageError
from smtpgui.cli.output import say
from smtpgui.core.display import printable
from smtpgui.core.errors import StorageError, ValidationError
from smtpgui.services import build_app_services


class _Parser(argparse.ArgumentParser):
    """argparse with our way of saying a usage mistake: one sentence on standard error, starting
    ``smtpgui: `` like every other, and where to read more (not a screenful of usage first)."""

    commands: tuple[str, ...] = ()  # the top level's command names, to point at the right --help
    typed: Sequence[str] = ()  # what was parsed (the top level's)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        if self.commands:
            self.typed = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        # argparse quotes what was typed (an unknown option, a bad value): shown escaped.
        self.exit(EXIT_USAGE, f"smtpgui: {printable(message)} (see '{self._help_for()} --help').\n")

    def _help_for(self) -> str:
        """``smtpgui add`` for a mistake in an add command, even one the top level reports (an
        unknown option is found after the command's own parser is done)."""
        if self.prog != "smtpgui" or not self.commands:
            return self.prog
        typed = next((word for word in self.typed if word in self.commands), None)
        return f"smtpgui {typed}" if typed else "smtpgui"


# Which module registers which commands. Every command builds a parser, and building all of them
# (about 200 options) and importing their modules is a measurable part of a short command such as
# `smtpgui test`, and of the window's start: only the group of the command given is built (all of
# them for help or a name that is no command; none for the window). A test checks this table
# against what each module registers.
GROUPS: dict[str, tuple[str, ...]] = {
    "profiles": ("list", "show", "add", "edit", "duplicate", "delete", "set-default", "presets", "export", "import"),
    "shared": ("credential", "connector"),
    "discover": ("discover", "check-sender"),
    "settings": ("settings",),
    "send": ("test", "probe"),
    "login": ("login", "logout"),
    "sandbox": ("sandbox", "inbox"),
}
_GLOBAL_WITH_VALUE = ("--config-dir", "--report")


def groups_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The command groups a parser for ``argv`` needs (see :data:`GROUPS`)."""
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif word in ("-h", "--help"):
            return tuple(GROUPS)  # the top level's help lists every command
        elif word == "--" or not word.startswith("-"):
            name = next(words, None) if word == "--" else word
            found = next((group for group, names in GROUPS.items() if name in names), None)
            return (found,) if found is not None else tuple(GROUPS)  # argparse names the choices
    return ()  # no command: the window (or --version)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``argv``, only the command groups it needs."""
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

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    import importlib

    for group in groups_for(argv) if argv is not None else tuple(GROUPS):
        importlib.import_module(f"smtpgui.cli.{group}").add_commands(command)
    parser.commands = tuple(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(given)
    args = parser.parse_args(given)
    if args.command is None:
        from smtpgui.cli.launcher import run_window

        return run_window(args)
    from smtpgui.storage.logs import log, setup_logging
    from smtpgui.storage.paths import chosen_config_dir

    setup_logging(chosen_config_dir(args.config_dir))
    target = getattr(args, "name", None) or getattr(args, "host", None) or getattr(args, "file", None)
    log.info("command %s%s", args.command, f" {target!r}" if isinstance(target, str) else "")
    try:
        app = build_app_services(args.config_dir)
        code = int(args.handler(app, args))
        for notice in app.notices:
            say(notice)
        log.info("command %s finished: exit %d", args.command, code)
        return code
    except ValidationError as exc:
        from smtpgui.cli.fields import describe_problems

        lines = describe_problems(exc.problems)
        say(lines[0] if len(lines) == 1 else "the connection has problems:\n  " + "\n  ".join(lines))
        log.info("command %s refused (exit %d): %s", args.command, EXIT_USAGE, exc)
        return EXIT_USAGE
    except UsageError as exc:
        say(str(exc))
        log.info("command %s refused (exit %d): %s", args.command, exc.exit_code, exc)
        return exc.exit_code
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
        from smtpgui import interrupt

        if interrupt.was_interrupted():  # what an interrupt inside an import became
            say("interrupted.")
            return EXIT_INTERRUPTED
        say(f"unexpected internal error (a bug, please report it): {type(exc).__name__}: {exc}")
        log.exception("command %s: unexpected internal error", args.command)
        return EXIT_INTERNAL
