"""The window's Inbox: switching the main area between the connections and the sandbox's inbox,
starting and stopping the sandbox, showing messages as they arrive, and the first run's
*Try it with the local sandbox*.

Made on first use (the window's start-up neither imports nor builds any of it). Every call that
can block (the sandbox service, its SQLite store, the settings file) runs on the window's pool
through :class:`~smtpgui.ui.inboxjobs.Call`; answers come back as queued signals, so the GUI
thread never waits on the server or the store. New messages show without the person doing
anything: a timer asks the store's ``data_version()`` on a worker (it changes when any process
wrote the file, a ``smtpgui sandbox`` in a terminal included), and the sandbox running in this
process also says so at once through ``on_message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QStackedWidget

from smtpgui.ui.inboxjobs import Changes, SandboxAccess
from smtpgui.ui.offthread import Call

if TYPE_CHECKING:
    from collections.abc import Callable

    from smtpgui.core.messagedisplay import DisplayParts
    from smtpgui.core.model import Connection
    from smtpgui.services.sandbox import SandboxStatus
    from smtpgui.storage.inbox import MessageSummary, StoredMessage
    from smtpgui.ui.inboxview import InboxView
    from smtpgui.ui.mainwindow import MainWindow
    from smtpgui.ui.testdialog import TestEmailDialog

T = TypeVar("T")
POLL_MS = 500  # how often the open Inbox asks whether the store changed (a PRAGMA, on a worker)
DEFAULT_PORT = 1025  # the catchers' convention
FIRST_PAGE = 300  # messages shown first when the Inbox opens (more than a screen holds)
TOP_COMPARED = 50  # newest ids a poll compares to tell "only new messages" from any other change


class InboxFlow(QObject):
    """The Inbox view and the sandbox, for one window.

    Signals:
        message_arrived(): the sandbox in this process committed a message (emitted on its thread).
        messages_shown(int): the list now shows this many messages (after a load).
    """

    message_arrived = Signal()
    messages_shown = Signal(int)

    def __init__(self, window: MainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.port = DEFAULT_PORT  # where Start (and the first run) starts the sandbox; tests use 0
        self.access = SandboxAccess(window.services.config_dir, self.message_arrived.emit)
        self._view: InboxView | None = None
        self._stack: QStackedWidget | None = None
        self.status: SandboxStatus | None = None
        self.calls: list[Call] = []
        self._version: int | None = None
        self._polling = self._loading = self._busy = False
        self._load_again = False
        self._wanted_message = -1
        self._have_all = False  # every summary has been shown once (not only the first page)
        self._after_load: Callable[[], object] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.message_arrived.connect(self._on_arrival)  # queued: emitted on the server's thread

    # --- the view and the switch ------------------------------------------------------------

    @property
    def view(self) -> InboxView:
        if self._view is None:
            from smtpgui.ui.inboxview import InboxView

            view = InboxView()
            view.start_stop_requested.connect(self.start_or_stop)
            view.autostart_changed.connect(self.set_autostart)
            view.message_selected.connect(self._on_selected)
            view.delete_requested.connect(self.delete_message)
            view.clear_requested.connect(self.clear_messages)
            view.message_view.html_view.link_clicked.connect(self._on_link)
            self._view = view
            self._run(lambda: self.window.services.settings.load().sandbox_autostart, view.set_autostart)
        return self._view

    def showing(self) -> bool:
        return self._stack is not None and self._stack.currentWidget() is self._view

    @Slot()
    def toggle(self) -> None:
        if self.showing():
            self.show_connections()
        else:
            self.show_inbox()

    def show_inbox(self) -> None:
        """The main area shows the Inbox (made on first use), fresh, and keeps it fresh."""
        w = self.window
        view = self.view
        if self._stack is None:
            stack = QStackedWidget()
            stack.setObjectName("mainStack")
            connections = w.takeCentralWidget()
            assert connections is not None
            stack.addWidget(connections)
            stack.addWidget(view)
            w.setCentralWidget(stack)
            stack.show()  # now, not when the layout gets round to it
            self._stack = stack
            # An action on connections (New, Test…) shows the connections again.
            for action in (w.new_action, w.preset_action, w.duplicate_action, w.test_action, w.detect_action,
                           w.import_action):  # fmt: skip
                action.triggered.connect(self.show_connections)
            w.find_action.triggered.connect(self._find)
        self._stack.setCurrentWidget(view)
        w.inbox_action.setChecked(True)
        self.timer.start()
        if not self._have_all:  # the first open: the newest messages at once, all of them just after
            self._run(lambda: self.access.summaries(FIRST_PAGE), self._on_first_page, self._on_load_failed)
        else:
            self.poll(force=True)
        view.search.setFocus()

    @Slot()
    def _find(self) -> None:
        """Ctrl+F searches what is shown: the messages while the Inbox is."""
        if self.showing():
            self.view.search.setFocus()
            self.view.search.selectAll()

    @Slot()
    def show_connections(self) -> None:
        self.window.inbox_action.setChecked(False)
        if self._stack is not None and self._stack.currentIndex() != 0:
            self._stack.setCurrentIndex(0)
            self.timer.stop()

    # --- live: state and messages ----------------------------------------------------------

    @Slot()
    def _on_arrival(self) -> None:
        """The sandbox here committed a message: show it now if the Inbox is open (else when it opens)."""
        if self.showing():
            self.poll()

    @Slot()
    def poll(self, force: bool = False) -> None:
        """Ask (on a worker) whether the store changed and how the sandbox is; load if it changed."""
        if self._polling:
            return
        self._polling = True
        if force:
            self._version = None
        known = self._version
        model = self._view.model if self._view is not None and self._have_all else None
        top = model.top_ids(TOP_COMPARED) if model is not None else ()
        total = model.total() if model is not None else 0
        self._run(lambda: self.access.changes(known, top, total), self._on_polled,
                  lambda _m: setattr(self, "_polling", False))  # fmt: skip

    def _on_polled(self, answer: Changes) -> None:
        self._polling = False
        self._show_status(answer.status, answer.trouble)
        if answer.version is None or answer.version == self._version:
            return
        self._version = answer.version
        if answer.added is not None and self._view is not None and not self._loading:
            self._view.add_newest(answer.added)
            self.messages_shown.emit(self._view.model.total())
        elif answer.summaries is not None and not self._loading:
            self._have_all = True
            self._on_loaded(answer.summaries, answer.hay)
        else:
            self.load()

    def load(self, then: Callable[[], object] | None = None) -> None:
        """Read the summaries on a worker and show them (a load asked for meanwhile runs after it)."""
        if then is not None:
            self._after_load = then
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._run(self.access.summaries, self._on_loaded, self._on_load_failed)

    def _on_first_page(self, summaries: list[MessageSummary]) -> None:
        """The newest messages, shown while the rest are read (unless all of them came first)."""
        if not self._have_all and self._view is not None:
            self._view.set_messages(summaries)
        self.poll(force=True)  # now the rest (one job after the other: they share the store)

    def _on_loaded(self, summaries: list[MessageSummary], hay: list[str] | None = None) -> None:
        self._have_all = True
        self._loading = False
        if self._view is not None:
            self._view.set_messages(summaries, hay)
        self.messages_shown.emit(len(summaries))
        if self._load_again:
            self._load_again = False
            self.load()
            return
        then, self._after_load = self._after_load, None
        if then is not None:
            then()

    def _on_load_failed(self, sentence: str) -> None:
        self._loading = False
        self._show_status(self.status, sentence)
        self.poll()  # the state of the sandbox still shows

    def _show_status(self, status: SandboxStatus | None, trouble: str = "") -> None:
        if status is not None:
            self.status = status
        view = self._view
        if view is None:
            return
        if self._busy:
            return
        s = self.status
        if s is None:
            view.show_state(trouble or "Sandbox: checking…", "&Start the sandbox", False, "error" if trouble else "")
        elif s.running and s.here:
            tls = f", implicit TLS on {s.tls_port}" if s.tls_port else ""
            view.show_state(f"Sandbox running here on 127.0.0.1:{s.port}{tls}.", "&Stop the sandbox", True, "success")
        elif s.running:
            who = f"process {s.pid}" if s.pid else "another process"
            view.show_state(f"Sandbox running in {who} on port {s.port} (stop it there).", "&Start the sandbox", False)
        else:
            view.show_state(trouble or "Sandbox stopped.", "&Start the sandbox", True, "error" if trouble else "")

    # --- the selected message ----------------------------------------------------------------

    def _on_selected(self, message_id: int) -> None:
        self._wanted_message = message_id
        view = self.view
        if message_id < 0:
            view.message_view.clear_message()
            return
        self._run(lambda: self.access.message(message_id), self._on_message_read, self._on_message_failed)

    def _on_message_read(self, answer: tuple[int, StoredMessage | None, DisplayParts | None]) -> None:
        message_id, message, parts = answer
        if message_id != self._wanted_message or self._view is None:
            return  # another message was selected meanwhile
        if message is None or parts is None:
            self._view.message_view.clear_message("This message was deleted.")
            return
        self._view.message_view.show_message(message, parts)

    def _on_message_failed(self, sentence: str) -> None:
        if self._view is not None:
            self._view.message_view.clear_message(sentence)

    @Slot(int)
    def delete_message(self, message_id: int) -> None:
        """Delete one message (on a worker), then show the inbox without it."""
        self._run(lambda: self.access.store.delete([message_id]), lambda _n: self.load(),
                  lambda sentence: self.window.prompts.warn("Message not deleted", sentence))  # fmt: skip

    @Slot()
    def clear_messages(self) -> None:
        """Delete every message, once the person confirmed it."""
        total = self.view.model.total()
        if not total or not self.window.prompts.confirm_clear_inbox(total):
            return
        self._run(self.access.store.clear, lambda _n: self.load(),
                  lambda sentence: self.window.prompts.warn("Inbox not cleared", sentence))  # fmt: skip

    def _on_link(self, address: str) -> None:
        self.window.status(f"Link (not opened): {address}", 15000)

    # --- start, stop, autostart ---------------------------------------------------------------

    @Slot()
    def start_or_stop(self) -> None:
        if self._busy:
            return
        here = self.status is not None and self.status.running and self.status.here
        self._set_busy("Stopping the sandbox…" if here else "Starting the sandbox…")
        call = self.access.stop if here else (lambda: self.access.start(self.port))
        self._run(call, self._on_started_or_stopped, self._on_start_failed)

    def _set_busy(self, sentence: str) -> None:
        self._busy = True
        if self._view is not None:
            self._view.show_state(sentence, self._view.start_button.text(), False)

    def _on_started_or_stopped(self, status: SandboxStatus) -> None:
        self._busy = False
        self._show_status(status)
        self.poll(force=True)

    def _on_start_failed(self, sentence: str) -> None:
        self._busy = False
        self.status = None
        self._show_status(self.status, sentence)
        self.window.status(sentence, 15000)
        self.poll()

    @Slot(bool)
    def set_autostart(self, on: bool) -> None:
        def failed(sentence: str) -> None:
            self.view.set_autostart(not on)
            self.window.prompts.warn("Setting not saved", sentence)

        self._run(lambda: self.window.services.settings.set_sandbox_autostart(on), lambda _s: None, failed)

    def autostart(self) -> None:
        """After the window's first paint: start the sandbox if the person asked for that (and load
        the Inbox's modules on the worker meanwhile, so its first opening does not)."""

        def start_if_wanted() -> SandboxStatus | None:
            self.access.warm_up()
            if not self.window.services.settings.load().sandbox_autostart:
                return None
            return self.access.start_unless_running(self.port)

        self._run(start_if_wanted, lambda s: self._show_status(s) if s is not None else None, self._on_start_failed)

    def shutdown(self) -> None:
        """The window closes: stop polling, stop the sandbox this process runs (on a worker the close waits for)."""
        self.timer.stop()
        self._run(self.access.close, lambda _r: None)

    # --- the first run ------------------------------------------------------------------------

    def try_sandbox(self) -> None:
        """Start the sandbox, add the "Local sandbox" connection, open its test dialog; a message
        sent from it shows in the Inbox."""
        w = self.window
        w.status("Starting the local sandbox…")
        existing = list(w.model.connections())
        self._run(lambda: self.access.first_run_connection(w.services, existing, self.port),
                  self._on_sandbox_connection, self._on_first_run_failed)  # fmt: skip

    def _on_sandbox_connection(self, answer: tuple[Connection, SandboxStatus]) -> None:
        connection, status = answer
        w = self.window
        self._show_status(status)
        w.reload(select_id=connection.id)
        w.status(f"The local sandbox is running on port {status.port}: send a test to see it arrive.", 15000)
        dialog = w.tests.open_dialog()
        if dialog is not None:
            if not dialog.to_edit.text().strip():
                dialog.to_edit.setText("you@example.com")
            dialog.result_ready.connect(lambda result, d=dialog: self._after_first_send(d, result))

    def _after_first_send(self, dialog: TestEmailDialog, result: object) -> None:
        if getattr(result, "ok", False):
            self.show_inbox()
            self.load(then=self._select_newest)

    def _select_newest(self) -> None:
        view = self.view
        if view.model.rowCount():
            view.select_message(view.model.summary_at(0).id)

    def _on_first_run_failed(self, sentence: str) -> None:
        self.window.prompts.warn("Could not start the local sandbox", sentence)

    # --- workers ------------------------------------------------------------------------------

    def _run(self, call: Callable[[], T], done: Callable[[T], object],
             failed: Callable[[str], object] | None = None) -> None:  # fmt: skip
        job = Call(call)
        self.calls.append(job)
        job.signals.finished.connect(done)
        job.signals.failed.connect(failed or (lambda sentence: self.window.status(sentence, 10000)))
        job.signals.finished.connect(lambda _r, j=job: self._forget(j))
        job.signals.failed.connect(lambda _m, j=job: self._forget(j))
        self.window.pool.start(job)

    def _forget(self, job: Call) -> None:
        if job in self.calls:
            self.calls.remove(job)
