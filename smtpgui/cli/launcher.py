"""The one way the command line opens the window: Qt is imported only here, and only when called."""

from __future__ import annotations

import argparse
import sys

from smtpgui.cli.exitcodes import EXIT_INTERNAL, EXIT_STORAGE


def run_window(args: argparse.Namespace) -> int:
    """Open the desktop window with the window's options (``--config-dir``, ``--self-test``, ``--report``)."""
    try:
        from smtpgui import app
    except ImportError as exc:
        print(
            f"smtpgui: the desktop window cannot start: {exc}. The commands still work ('smtpgui --help').",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    from smtpgui.core.errors import SmtpguiError

    try:
        return int(app.run(args))
    except SmtpguiError as exc:
        print(f"smtpgui: {exc}", file=sys.stderr)
        return EXIT_STORAGE
