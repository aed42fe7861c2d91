"""Run a command on a real pseudo-terminal (its controlling terminal), answer its prompts, and
keep everything the terminal showed: what a person at a terminal would see, echo included."""

from __future__ import annotations

import os
import pty
import select
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class TerminalRun:
    returncode: int
    screen: str  # every byte the terminal showed (the program's output and any echo)


def run_on_terminal(
    command: Sequence[str],
    env: dict[str, str],
    answers: Sequence[tuple[str, str]] = (),
    cwd: str | None = None,
    timeout: float = 60,
) -> TerminalRun:
    """Start ``command`` on a new pseudo-terminal; for each ``(wait_for, send)``, wait until the
    screen shows ``wait_for`` (after the previous answer) and type ``send``. Then read to the end."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the pty is its stdin, stdout, stderr and controlling terminal
        try:
            if cwd:
                os.chdir(cwd)
            os.execvpe(command[0], list(command), env)
        finally:
            os._exit(127)
    deadline = time.monotonic() + timeout
    screen = b""
    pending = list(answers)
    seen_up_to = 0
    try:
        while True:
            if pending and pending[0][0].encode() in screen[seen_up_to:]:
                wait_for, send = pending.pop(0)
                seen_up_to = screen.index(wait_for.encode(), seen_up_to) + len(wait_for)
                os.write(master, send.encode())
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the terminal showed no {pending[0][0]!r}: {screen!r}" if pending else "no end")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(master)
        _, status = os.waitpid(pid, 0)
    return TerminalRun(os.waitstatus_to_exitcode(status), screen.decode(errors="replace"))
