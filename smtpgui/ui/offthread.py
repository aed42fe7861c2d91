"""Calls on a worker: :class:`Call` answers through signals (the GUI thread goes on), and
:func:`call_off_gui_thread` waits for the answer while the window keeps painting.

The waiting kind is for a save or a keyring write: the caller waits for the answer as before,
but the GUI thread is not the one doing the work: a local event loop runs meanwhile, handling
paints, timers and worker signals, while the person's input waits until the call is done (so
nothing can start a second save meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:
    from smtpgui.transport.network import CancelToken

T = TypeVar("T")


class CallSignals(QObject):
    """finished(object): the call's result; failed(str): a sentence (the call raised)."""

    finished = Signal(object)
    failed = Signal(str)


class Call(QRunnable):
    """Runs ``call()`` on a worker; its result or its error (as a sentence) comes back through
    ``signals``, queued to the thread that made the job.

    ``cancellable``: ``call`` takes a :class:`~smtpgui.transport.network.CancelToken` that
    :meth:`cancel` (the dialog closed, the window closing) trips, so network work stops at once.
    Without it each call ends by itself (a query, a bind).
    """

    def __init__(self, call: Callable[..., object], *, cancellable: bool = False) -> None:
        super().__init__()
        self.call = call
        self.token: CancelToken | None = None
        if cancellable:
            from smtpgui.transport.network import CancelToken

            self.token = CancelToken()
        self.signals = CallSignals()

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()

    def run(self) -> None:
        try:
            result = self.call() if self.token is None else self.call(self.token)
        except Exception as exc:  # said in the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(result)


class _Done(QObject):
    finished = Signal()


class _Call(QRunnable):
    def __init__(self, call: Callable[[], object], done: _Done) -> None:
        super().__init__()
        self.call, self.done = call, done
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:  # handed to the waiting GUI thread, raised there
            self.error = exc
        self.done.finished.emit()


def call_off_gui_thread(pool: QThreadPool, call: Callable[[], T]) -> T:
    """``call()`` on a thread of ``pool``; returns its result or raises its exception here."""
    done = _Done()
    job = _Call(call, done)
    job.setAutoDelete(False)
    loop = QEventLoop()
    done.finished.connect(loop.quit)
    pool.start(job)
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]
