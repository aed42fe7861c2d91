"""The ``smtpgui`` program: with a command, the command line (CLI.md); without one, the window.

Opening the window is the common case, so it is decided here, before anything else loads: a
command line that only holds the window's options (``--config-dir``, ``--self-test``,
``--report``) goes straight to the window, without the commands' parser and modules (about
50 ms of start-up). Everything else, including ``--help``, ``--version`` and any mistake, goes
to the full parser in :mod:`smtpgui.cli.parser`, which answers exactly as before.

The package has one module per command group (``profiles``, ``settings``, ``send``, ``login``),
the options that set a connection's fields (``fields``), the exit codes (``exitcodes``), and the
one function that opens the window (``launcher``). It never imports Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from smtpgui import startup
from smtpgui.cli.exitcodes import EXIT_INTERRUPTED

_WINDOW_FLAGS = {"--self-test"}
_WINDOW_VALUES = {"--config-dir", "--report"}


def window_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """The window's options when ``argv`` holds nothing else, else None (the full parser decides)."""
    options = argparse.Namespace(command=None, config_dir=None, self_test=False, report=None)
    items = list(argv)
    while items:
        item = items.pop(0)
        name, has_value, value = item.partition("=")
        if name in _WINDOW_FLAGS and not has_value:
            setattr(options, name[2:].replace("-", "_"), True)
        elif name in _WINDOW_VALUES:
            if not has_value:
                if not items or items[0].startswith("-"):
                    return None  # a missing value: let the full parser say so
                value = items.pop(0)
            setattr(options, name[2:].replace("-", "_"), value)
        else:
            return None
    return options


def main(argv: Sequence[str] | None = None, *, ending: bool = False) -> int:
    """Run the window or a command with Python's cycle collector paused (:mod:`smtpgui.startup`).

    The collector is put back as it was on return, unless the process is ``ending`` right after
    (:func:`run`): switching it on then only lets a full collection walk everything the command
    made while the process exits (measured: 11–28 ms of ``smtpgui test``).
    """
    startup.pause_collector()
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        options = window_options(arguments)
        if options is not None:
            from smtpgui.cli.launcher import run_window

            return run_window(options)
        from smtpgui.cli.parser import main as run_command
        from smtpgui.interrupt import cancellable

        with cancellable():  # a command cancels cleanly on Ctrl-C (and says so, exit 130)
            return run_command(arguments)
    finally:
        if not ending:
            startup.restore_collector()


def run() -> NoReturn:
    """The program's entry point (``smtpgui.__main__``: the ``smtpgui`` script, ``python -m
    smtpgui``, the bundle): :func:`main`, then the process ends at once (:func:`end_process`).
    Ctrl-C is answered with exit 130 and no traceback throughout (:mod:`smtpgui.interrupt`)."""
    from smtpgui import interrupt

    interrupt.exit_on_ctrl_c()  # already done by smtpgui.__main__; here for callers of run() itself
    try:
        code = main(ending=True)
    except BaseException as exc:  # between a command's own handling and the end of main()
        if not isinstance(exc, KeyboardInterrupt) and not interrupt.was_interrupted():
            raise
        # An interrupt, or what an interrupt inside an import became (an ImportError, say).
        interrupt.exit_on_ctrl_c(force=True)
        print("smtpgui: interrupted.", file=sys.stderr)
        code = EXIT_INTERRUPTED
    end_process(code)


def end_process(code: int) -> NoReturn:
    """End the process without taking the interpreter apart first.

    By the time a command or the window returns, everything it writes is written: the store
    saves each change atomically as it is made, the window syncs its settings and waits for its
    workers when it closes. Here the ``atexit`` handlers run (logging flushes and closes its
    files there) and standard output and error are flushed. What Python would do next, freeing
    every module, class and object one at a time, is work no one waits for in a process that is
    ending (measured: ~20 ms of a ~180 ms ``smtpgui test``). Threads still running then are
    daemons (deadline watchdogs, a browser being opened) that ending would stop anyway.
    """
    import atexit

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None:
        run_exit_handlers()
    else:  # pragma: no cover - every CPython has it; elsewhere at least close the logs
        import logging

        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # a reader that went away (a closed pipe): there is no one left to tell
    os._exit(code)
