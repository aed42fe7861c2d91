"""Jobs that run the engine on the window's thread pool and report back through signals.

A job gets a snapshot of the connection and a way to read its secrets (the keyring is read on
the worker thread, never the GUI thread); it never touches widgets. Every exception becomes the
``failed`` signal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal

from smtpgui.core.model import Connection
from smtpgui.storage.secrets import SecretStore, Slot

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.transport.engine import SessionEngine, SessionSecrets
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.transport.result import Stage

SecretsProvider = Callable[[Connection], "SessionSecrets"]


class JobSignals(QObject):
    """Signals of a job (a QRunnable cannot have its own).

    Signals:
        line(str): a transcript line, as it happens.
        stage(str): the stage the session entered.
        finished(object): the TestResult or ProbeReport.
        failed(str): the job could not run; a sentence.
    """

    line = Signal(str)
    stage = Signal(str)
    finished = Signal(object)
    failed = Signal(str)


class _EngineJob(QRunnable):
    """What every job shares: the engine, a connection snapshot, its secrets, a cancel token."""

    def __init__(self, engine: SessionEngine, connection: Connection, secrets: SecretsProvider) -> None:
        super().__init__()
        self.engine = engine
        self.connection = connection
        self.secrets = secrets
        from smtpgui.transport.network import CancelToken  # loaded with the first job, not at start-up

        self.token = CancelToken()
        self.signals = JobSignals()

    def cancel(self) -> None:
        self.token.cancel()


class SendJob(_EngineJob):
    """One test send (or verify-only session) through the engine."""

    def __init__(
        self, engine: SessionEngine, connection: Connection, secrets: SecretsProvider, message: OutgoingMessage | None
    ) -> None:
        super().__init__(engine, connection, secrets)
        self.message = message

    def run(self) -> None:
        try:
            secrets = self.secrets(self.connection)
            result = self.engine.run(
                self.connection,
                secrets,
                self.message,
                token=self.token,
                on_line=self.signals.line.emit,
                on_stage=self._stage,
            )
        except Exception as exc:  # reported to the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(result)

    def _stage(self, stage: Stage) -> None:
        self.signals.stage.emit(stage.value)


class ProbeJob(_EngineJob):
    """Detect settings: the probe for a connection's host."""

    def run(self) -> None:
        from smtpgui.transport.probe import probe

        try:
            report: ProbeReport = probe(self.connection, None, self.secrets(self.connection), self.token, self.engine)
        except Exception as exc:  # reported to the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(report)


class SecretStatusJob(QRunnable):
    """Which secrets of one connection the keyring holds, read off the GUI thread.

    A keyring can take a long time to answer (loading its backends, a Secret Service on a slow
    bus, an unlock prompt); the editor shows "checking…" until this job reports.
    """

    def __init__(self, store: SecretStore, connection_id: str, slots: tuple[Slot, ...]) -> None:
        super().__init__()
        self.store, self.connection_id, self.slots = store, connection_id, slots
        self.signals = JobSignals()

    def cancel(self) -> None:
        """Nothing to stop: a keyring read is short once the backend is loaded."""

    def run(self) -> None:
        try:
            if self.store.is_absent():
                stored: set[Slot] = set()
            else:
                stored = {slot for slot in self.slots if self.store.has(self.connection_id, slot)}
        except Exception as exc:  # SecretStoreUnavailable or anything a backend raises
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit((self.connection_id, stored))
