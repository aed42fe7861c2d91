"""The one way the command line opens the window: Qt is imported only here, and only when called."""

from __future__ import annotations

import argparse

from smtpgui.cli.exitcodes import EXIT_INTERNAL, EXIT_STORAGE, EXIT_USAGE


def say(message: str) -> None:
    """The command line's way of telling (loaded only when there is something to tell)."""
    from smtpgui.cli.output import say as tell

    tell(message)


def run_window(args: argparse.Namespace) -> int:
    """Open the desktop window with the window's options (``--config-dir``, ``--self-test``, ``--report``).

    A ``--report`` path where something other than a regular file stands is refused (exit 2).
    Only where a window can open (:mod:`smtpgui.display`): else exit 2 with the reason and what
    to do instead, never Qt's abort.
    """
    if args.report:
        from smtpgui.storage.private import RefusedFile, refuse_unless_replaceable

        try:
            refuse_unless_replaceable(args.report)  # a link, a named pipe, a device: not written through
        except RefusedFile as exc:
            say(f"cannot write the report to {args.report}: {exc.reason}; choose another file.")
            return EXIT_USAGE
    from smtpgui import display

    problem = display.display_problem()
    if problem is not None:
        say(problem)
        return EXIT_USAGE
    try:
        from smtpgui.ui import pysidehook

        pysidehook.install()  # before the window's modules: each one is then cheaper to import
        from smtpgui import app
    except ImportError as exc:
        soname = display.missing_library(str(exc))
        if soname is not None:  # a system library Qt needs (libEGL.so.1, libfontconfig.so.1, …)
            say(display.missing_library_sentence(soname, "Qt"))
            return EXIT_USAGE
        say(f"the desktop window cannot start: {exc}. The commands still work ('smtpgui --help').")
        return EXIT_INTERNAL
    from smtpgui.core.errors import SmtpguiError

    try:
        return int(app.run(args))
    except SmtpguiError as exc:
        say(str(exc))
        return EXIT_STORAGE
