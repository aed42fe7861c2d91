"""Test all: every enabled connection verified (or sent to) off the GUI thread, cancellable.

The run uses the one engine through :class:`smtpgui.services.testall.TestAllRun` (8 sessions at
a time by default) on a thread of the window's pool; each outcome reaches the GUI thread as a
queued signal, so the cards show results as they come in and the window never waits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from smtpgui.core.model import Connection

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.services.testall import TestAllItem, TestAllRun
    from smtpgui.transport.engine import SessionEngine, SessionSecrets


class TestAllSignals(QObject):
    """Signals of a test-all run.

    Signals:
        item_finished(object): a ``TestAllItem``, as soon as that connection's session ended.
        finished(object): the list of ``TestAllItem`` in the connections' order.
        failed(str): the run could not go on; a sentence.
    """

    item_finished = Signal(object)
    finished = Signal(object)
    failed = Signal(str)


class TestAllJob(QRunnable):
    """Runs a ``TestAllRun`` on a pool thread; its sessions run on threads of their own."""

    __test__ = False

    def __init__(self, run: TestAllRun) -> None:
        super().__init__()
        self.run_ = run
        self.signals = TestAllSignals()

    def cancel(self) -> None:
        self.run_.cancel()

    def run(self) -> None:
        try:
            items = self.run_.run(self.signals.item_finished.emit)
        except Exception as exc:  # reported to the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(items)


class TestAllController(QObject):
    """Starts, follows and cancels one test-all run at a time for the window.

    Signals:
        progressed(int, int): how many connections are done, of how many.
        item_finished(object): a ``TestAllItem``.
        finished(object): every ``TestAllItem``, in the connections' order (also after a cancel).
        failed(str): the run stopped with an unexpected error; a sentence.
    """

    __test__ = False

    progressed = Signal(int, int)
    item_finished = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        pool: QThreadPool,
        engine: Callable[[], SessionEngine],
        secrets_for: Callable[[Connection], SessionSecrets],
        parent: QObject | None = None,
        resolve: Callable[[Connection], Connection] | None = None,
    ) -> None:
        super().__init__(parent)
        self.pool = pool
        self.engine = engine
        self.secrets_for = secrets_for
        self.resolve = resolve
        self.job: TestAllJob | None = None
        self.total = 0
        self.done = 0

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(
        self,
        connections: Sequence[Connection],
        message_for: Callable[[Connection], OutgoingMessage | None] | None = None,
        concurrency: int | None = None,
    ) -> TestAllJob | None:
        """Test the enabled ones of ``connections`` (verify only unless ``message_for`` builds messages)."""
        if self.job is not None:
            return None
        from smtpgui.services.testall import DEFAULT_CONCURRENCY, TestAllRun

        enabled = [c for c in connections if c.enabled]
        run = TestAllRun(
            self.engine(), enabled, self.secrets_for, message_for or (lambda _c: None),
            concurrency or DEFAULT_CONCURRENCY, resolve=self.resolve,
        )  # fmt: skip
        self.total, self.done = len(enabled), 0
        job = TestAllJob(run)
        job.signals.item_finished.connect(self._on_item)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        self.job = job
        self.progressed.emit(0, self.total)
        self.pool.start(job)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    @Slot(object)
    def _on_item(self, item: TestAllItem) -> None:
        self.done += 1
        self.item_finished.emit(item)
        self.progressed.emit(self.done, self.total)

    @Slot(object)
    def _on_finished(self, items: list[TestAllItem]) -> None:
        self.job = None
        self.finished.emit(items)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.job = None
        self.failed.emit(message)
