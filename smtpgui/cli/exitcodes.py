"""The command line's exit codes (CLI.md), and the error that means "used wrongly" (exit 2).

A test's or probe's outcome (10–15) is decided by the engine's result
(``smtpgui.transport.result``); these are the codes for everything else.
"""

from __future__ import annotations

from smtpgui.core.errors import SmtpguiError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_STORAGE = 3
EXIT_DNS = 10  # discover/check-sender: DNS could not answer (as test/probe's "resolve" stage)
EXIT_SENDER_PROBLEM = 16  # check-sender ran and found a problem
EXIT_INTERRUPTED = 130


class UsageError(SmtpguiError):
    """A command used in a way that cannot work (exit 2, or a subclass's ``exit_code``)."""

    exit_code = EXIT_USAGE
