"""Ctrl-C during start-up: exit 130 with one sentence, never a traceback.

Until a command is under way (and can cancel cleanly, CLI.md: 130), an interrupt ends the
process at once: nothing has been written yet, and the window saves every change atomically as
it is made. :class:`cancellable` marks the stretch where the interrupt is raised as
``KeyboardInterrupt`` instead, for the command to catch. This module is the first code the
program runs, so it imports only what the interpreter has loaded already (``_signal``, not the
``signal`` module and its enums: an interrupt there would still be a traceback).
"""

from __future__ import annotations

import _signal
import os

TYPE_CHECKING = False  # typing itself imports re: too late to import here
if TYPE_CHECKING:
    from types import FrameType, TracebackType

EXIT_INTERRUPTED = 130
_MESSAGE = b"smtpgui: interrupted.\n"


class _State:
    raise_interrupt = False  # inside cancellable(): raise KeyboardInterrupt for the code to catch
    interrupted = False  # a SIGINT arrived (whatever the code it interrupted made of it)


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    _State.interrupted = True
    if _State.raise_interrupt:
        raise KeyboardInterrupt
    try:
        os.write(2, _MESSAGE)
    finally:  # with no standard error to tell, the exit code still says it
        os._exit(EXIT_INTERRUPTED)


def exit_on_ctrl_c(force: bool = False) -> None:
    """Answer SIGINT with exit 130 from now on (unless it is ignored, as for background jobs:
    then it stays ignored); ``force`` also ends a :class:`cancellable` stretch that an
    interrupt cut short."""
    if force:
        _State.raise_interrupt = False
    if _signal.getsignal(_signal.SIGINT) not in (_signal.SIG_IGN, _on_interrupt):
        _signal.signal(_signal.SIGINT, _on_interrupt)


class cancellable:  # noqa: N801 (used as a context manager, like contextlib's)
    """Within the block, Ctrl-C raises KeyboardInterrupt (the code cancels cleanly and exits 130)."""

    def __enter__(self) -> None:
        _State.raise_interrupt = True

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        _State.raise_interrupt = False


def was_interrupted() -> bool:
    """True once a SIGINT arrived. An interrupt inside an import of a C extension can surface as
    another exception (``ImportError: PyCapsule_Import could not import module "_socket"``):
    whatever stopped the program then, it was the interrupt."""
    return _State.interrupted
