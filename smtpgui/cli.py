"""The ``smtpgui`` program: with a command, the command line (CLI.md); without one, the window.

Opening the window is the common case, so it is decided here, before anything else loads: a
command line that only holds the window's options (``--config-dir``, ``--self-test``,
``--report``) goes straight to the window, without the commands' parser and modules (about
50 ms of start-up). Everything else, including ``--help``, ``--version`` and any mistake, goes
to the full parser in :mod:`smtpgui.commands`, which answers exactly as before.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

# CLI.md's exit codes for everything but a test's outcome (10–15, smtpgui.transport.result).
EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_STORAGE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

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


def run_window(args: argparse.Namespace) -> int:
    """Open the desktop window; Qt is imported only here, and only where a window can open
    (:mod:`smtpgui.display`: else exit 2 with the reason and what to do instead)."""
    from smtpgui import display

    problem = display.display_problem()
    if problem is not None:
        print(f"smtpgui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from smtpgui import app
    except ImportError as exc:
        soname = display.missing_library(str(exc))
        if soname is not None:  # a system library Qt needs (libEGL.so.1, libfontconfig.so.1, …)
            print(f"smtpgui: {display.missing_library_sentence(soname, 'Qt')}", file=sys.stderr)
            return EXIT_USAGE
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


class _Startup:
    collector_paused = False  # main() paused the collector and start-up has not ended yet


def end_startup() -> None:
    """Start-up is over (the window has painted): collect cycles again, and leave everything
    start-up built (modules, classes, Qt wrappers, the connections) out of later collections."""
    if _Startup.collector_paused:
        _Startup.collector_paused = False
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window or a command with Python's cycle collector paused.

    Start-up creates tens of thousands of objects that live as long as the process (imported
    modules, PySide's types and enums, 10,000 connections' dictionaries), and the collector
    keeps walking all of them while they are made (measured: ~8 % of the window's start-up
    with 10,000 connections, ~6 % of ``smtpgui test``). Nothing start-up makes is cyclic garbage, and reference counting
    still frees everything else at once. The window resumes collection after its first paint
    (:func:`end_startup`); a command resumes it when it ends (a command is a short process,
    and the few cycles a long one makes, such as a sign-in waiting for the browser, are freed
    then). The collector's previous state is restored on return, for callers in-process.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    _Startup.collector_paused = was_enabled
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        options = window_options(arguments)
        if options is not None:
            return run_window(options)
        from smtpgui.commands import main as run_command
        from smtpgui.interrupt import cancellable

        with cancellable():  # a command cancels cleanly on Ctrl-C (and says so, exit 130)
            return run_command(arguments)
    finally:
        _Startup.collector_paused = False
        if was_enabled:
            gc.enable()


def run() -> NoReturn:
    """The program's entry point (``smtpgui.__main__``: the ``smtpgui`` script, ``python -m
    smtpgui``, the bundle): :func:`main`, then the process ends at once (:func:`end_process`).
    Ctrl-C is answered with exit 130 and no traceback throughout (:mod:`smtpgui.interrupt`)."""
    from smtpgui import interrupt

    interrupt.exit_on_ctrl_c()  # already done by smtpgui.__main__; here for callers of run() itself
    try:
        code = main()
    except KeyboardInterrupt:  # between a command's own handling and the end of main()
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
