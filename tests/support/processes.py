"""Starting the program as a terminal would, for tests that interrupt it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path


def smtpgui_command() -> list[str]:
    """The installed ``smtpgui`` script beside this interpreter, else ``python -m smtpgui``."""
    executable = Path(sys.executable).with_name("smtpgui")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "smtpgui"]


def start_with_default_sigint(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the child with SIGINT at its default, as a program started from a terminal has it.

    A suite run in the background (as CI may run it) has SIGINT ignored, and an ignored signal
    stays ignored across exec (smtpgui keeps it so, as programs should). A handler does not: it is
    reset to the default in the child, so the parent installs one for the moment of the start.
    """
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
