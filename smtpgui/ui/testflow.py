"""Test sends in the window: the test dialog, the last result on the cards, trusting a
certificate from a failed test, and Test all.

Sessions run on the window's pool (``SendJob``), their secrets read on the worker; results come
back as queued signals, so the GUI thread never waits on the network or the keyring.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal, Slot
from PySide6.QtWidgets import QWidget

from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Connection
from smtpgui.storage.results import ResultStore, StoredResult, safe_summary
from smtpgui.ui.workers import SendJob

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.services.testall import TestAllItem
    from smtpgui.transport.result import CertificateInfo, TestResult
    from smtpgui.ui.context import WindowContext
    from smtpgui.ui.testallflow import TestAllController
    from smtpgui.ui.testdialog import TestEmailDialog


class _KeepResults(QRunnable):
    """Writes last results on a worker; a file that cannot be written only loses their keeping."""

    def __init__(self, store: ResultStore, results: dict[str, StoredResult]) -> None:
        super().__init__()
        self.store, self.results = store, results

    def run(self) -> None:
        with contextlib.suppress(SmtpguiError):
            self.store.record_many(self.results)


class TestFlow(QObject):
    """The window's test dialogs, their results, certificate trust, and Test all.

    Signals:
        test_all_running(bool): a Test all run started (True) or ended (False).
    """

    __test__ = False
    test_all_running = Signal(bool)

    def __init__(self, window: WindowContext, results: ResultStore, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.window = window
        self.results = results
        self.dialog_parent = dialog_parent
        self.dialogs: list[TestEmailDialog] = []
        self.test_all: TestAllController | None = None
        self._unsaved: dict[str, StoredResult] = {}  # Test all's results, kept when the run ends

    def connection_under_test(self) -> Connection | None:
        """The editor's connection as edited, unless it has problems (then they are shown)."""
        w = self.window
        if w.editor.original is None:
            return None
        if w.editor.problems():
            w.status("Fix the problems shown in red before testing.", 8000)
            w.editor.reveal_problems()
            return None
        return w.editor.current()

    @Slot()
    def open_dialog(self) -> TestEmailDialog | None:
        w = self.window
        edited = self.connection_under_test()
        if edited is None:
            return None
        try:
            # The message states the user name the session signs in with: a shared credential's.
            connection = w.services.resolve(edited)
        except SmtpguiError as exc:
            w.prompts.warn("Cannot test", str(exc))
            return None
        provider = w.keyring.provider(w.editor.pending_secrets())

        def make_job(conn: Connection, message: OutgoingMessage | None) -> SendJob:
            return SendJob(w.engine, conn, provider, message, w.services.resolve)

        app_settings = w.services.tests.app_settings()
        from smtpgui.ui.testdialog import TestEmailDialog  # loaded with the first test, not at start

        dialog = TestEmailDialog(connection, app_settings, make_job, self.dialog_parent)
        dialog.add_section(w.discovery.sender_panel(lambda: dialog.connection, dialog))
        dialog.send_requested.connect(w.start_job)
        dialog.result_ready.connect(lambda result, c=connection: self.record_result(c, result))
        dialog.trust_requested.connect(lambda cert, d=dialog: self._trust_from_dialog(d, cert))
        dialog.finished.connect(lambda _code, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def record_result(self, connection: Connection, result: TestResult, *, keep_now: bool = True) -> None:
        """Show the result on the connection's card and keep it (it survives restarts).

        Test all keeps its results in one write when the run ends (``keep_now`` False): a write
        per result, each with its fsync, would hold the GUI thread while results pour in.
        """
        w = self.window
        w.keyring.show_state()  # the test's secret reads may have found the keyring unusable
        if result.cancelled:
            return
        summary = "" if result.ok else safe_summary(result.explanation or result.error or "")
        stored = StoredResult(result.ok, result.stage.value, time.time(), summary)
        w.model.set_last_result(connection.id, stored)
        if not keep_now:
            self._unsaved[connection.id] = stored
            return
        if w.model.row_of(connection.id) >= 0:
            try:
                self.results.record(connection.id, stored)
            except SmtpguiError as exc:
                w.status(f"The test result was not kept: {exc}", 8000)
        if not result.ok and result.failure_kind in ("certificate", "hostname") and result.certificate:
            w.status("The server's certificate is not trusted: see the test window.", 10000)

    def _trust_from_dialog(self, dialog: TestEmailDialog, certificate: CertificateInfo) -> None:
        """Pin from an open test dialog, which then tests with the pin (no need to reopen it)."""
        if self.trust_certificate(dialog.connection, certificate):
            dialog.use_connection(dialog.connection.replace(pinned_sha256=certificate.sha256))

    def trust_certificate(self, connection: Connection, certificate: CertificateInfo) -> bool:
        """Pin the certificate on the stored connection; unsaved edits in the editor stay unsaved.

        True when the user trusted it and the pin was kept.
        """
        w = self.window
        if not w.prompts.trust_certificate(certificate, connection):
            return False
        if w.model.row_of(connection.id) >= 0:
            try:
                w.services.connections.pin_certificate(connection.id, certificate.sha256)
            except SmtpguiError as exc:
                w.prompts.warn("Cannot save the pin", str(exc))
                return False
            if w.editor.is_dirty() and w.current_id == connection.id:
                w.model.set_connections(w.services.connections.list_all())
                w.editor.adopt_stored_pin(certificate.sha256)
            else:
                w.reload(select_id=connection.id)
        elif w.current_id == connection.id:
            w.editor.put_edits({"pinned_sha256": certificate.sha256})  # a draft: the pin is one of its edits
        w.status("The certificate is now trusted for this connection.", 8000)
        return True

    # test all ------------------------------------------------------------------------------

    def start_test_all(self) -> bool:
        """Verify every enabled connection, results on the cards as they come in; again: cancel."""
        from smtpgui.ui.testallflow import TestAllController

        w = self.window
        if self.test_all is None:
            self.test_all = TestAllController(
                w.pool, lambda: w.engine, w.keyring.provider({}), self, w.services.resolve
            )  # fmt: skip
            self.test_all.progressed.connect(self._on_test_all_progress)
            self.test_all.item_finished.connect(self._on_test_all_item)
            self.test_all.finished.connect(self._on_test_all_finished)
            self.test_all.failed.connect(self._on_test_all_failed)
        if self.test_all.running:
            self.test_all.cancel()
            w.status("Cancelling the tests…")
            return False
        connections = w.model.connections()
        if not any(c.enabled for c in connections):
            w.status("There is no enabled connection to test.", 5000)
            return False
        self.test_all.start(connections)
        self.test_all_running.emit(True)
        return True

    @Slot(int, int)
    def _on_test_all_progress(self, done: int, total: int) -> None:
        self.window.status(f"Testing all connections: {done} of {total} done… (Test all again cancels)")

    @Slot(object)
    def _on_test_all_item(self, item: TestAllItem) -> None:
        if item.result is not None:
            self.record_result(item.connection, item.result, keep_now=False)

    def _keep_test_all_results(self) -> None:
        """Write Test all's results in one go, on a worker (the file's lock and fsync never on
        the GUI thread)."""
        unsaved, self._unsaved = self._unsaved, {}
        known = {
            connection_id: r for connection_id, r in unsaved.items() if self.window.model.row_of(connection_id) >= 0
        }
        if known:
            self.window.pool.start(_KeepResults(self.results, known))

    @Slot(object)
    def _on_test_all_finished(self, items: list[TestAllItem]) -> None:
        self._keep_test_all_results()
        self.test_all_running.emit(False)
        passed = sum(1 for item in items if item.ok)
        tested = sum(1 for item in items if item.result is not None and not item.result.cancelled)
        skipped = len(items) - tested
        tail = f"; {skipped} not tested" if skipped else ""
        self.window.status(f"Test all: {passed} of {tested} connection(s) passed{tail}.", 15000)

    @Slot(str)
    def _on_test_all_failed(self, message: str) -> None:
        self._keep_test_all_results()
        self.test_all_running.emit(False)
        self.window.prompts.warn("Test all stopped", message)

    def cancel_all(self) -> None:
        """The window closes: close the dialogs and stop a test-all run."""
        for dialog in list(self.dialogs):
            dialog.close()
        if self.test_all is not None:
            self.test_all.cancel()
