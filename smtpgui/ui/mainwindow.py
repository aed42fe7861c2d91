"""The main window: searchable connection cards on the left, the editor on the right.

The window keeps layout and wiring; its actions, toolbar and menus are built in
:mod:`~smtpgui.ui.windowflows`. What each action does lives in a flow the window owns, made on
first use: ``connections`` (new, save, duplicate, delete, default, enable), ``tests`` (the test
dialog, results, trust, Test all), ``sign_ins``, ``probes`` (Detect settings), ``exchange``
(import, export) and ``keyring`` (what the keyring holds, and its banner). The flows reach the
rest of the application through ``services`` (:mod:`smtpgui.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLineEdit, QMainWindow, QMenu, QSplitter, QVBoxLayout, QWidget

from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Connection
from smtpgui.storage.logs import log_problem, on_log_problem
from smtpgui.storage.results import ResultStore
from smtpgui.ui.cardlist import ConnectionListView
from smtpgui.ui.delegate import ConnectionCardDelegate
from smtpgui.ui.firstuse import later, when_painted
from smtpgui.ui.keyringstate import KeyringState, make_banner
from smtpgui.ui.models import ConnectionFilterModel, ConnectionListModel, ConnectionRole
from smtpgui.ui.plaintext import clean, set_plain
from smtpgui.ui.prompts import Prompts, Unsaved
from smtpgui.ui.windowflows import WindowFlows

NARROW_TOOLBAR = 1000  # px: below this the toolbar shows icons only
WARM_UP_AFTER_MS = 300  # after the first paint: load the engine on a worker before the first Send
NO_KEYRING = "no keyring service (GNOME Keyring, KWallet, KeePassXC…) was found on this computer"

if TYPE_CHECKING:
    from smtpgui.services import AppServices
    from smtpgui.transport.engine import SessionEngine
    from smtpgui.ui.editor import ConnectionEditor
    from smtpgui.ui.emptystate import EmptyState
    from smtpgui.ui.workers import Job


class MainWindow(QMainWindow, WindowFlows):
    """Everything the user does with connections; services are passed in, never global.

    Signals:
        log_failed: the log became unwritable (a sentence); emitted from any thread, shown in the banner.
    """

    log_failed = Signal(str)

    def __init__(
        self,
        services: AppServices,
        engine: SessionEngine | None,
        settings: QSettings,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("smtpgui — SMTP connections")
        self.services, self._engine, self.qsettings = services, engine, settings
        self.prompts = prompts or Prompts(self)
        self.pool = QThreadPool(self)
        # Test sends mostly wait on the network: enough threads that a handful of silent servers
        # (each holding a thread until its timeout) never queue the tests behind them.
        self.pool.setMaxThreadCount(64)
        self.jobs: list[Job] = []
        self.draft: Connection | None = None
        self._current_id: str | None = None
        self._quiet_selection = False  # True while the window itself moves the selection
        self.results = ResultStore(services.config_dir)
        self.empty_state: EmptyState | None = None  # made the first time no connection is open
        self._warmed_up = False
        self._editor: ConnectionEditor | None = None
        self._pending: Connection | None = None  # to show once the editor is built
        self._starting = True  # until the end of __init__: the editor waits for the first paint
        self._listed = False  # the store has been read (before, no empty state is shown)
        self._build()
        self.model.set_results(self.results.load())
        self.reload(select_id=str(settings.value("last_selection", "") or "") or None)
        self._restore_state()
        self._show_notices()
        self._starting = False
        # Watching from here, before app.run starts its own watch: Qt asks the filter installed
        # last first, so the run notes the first paint before the editor is built.
        when_painted(self, self.finish_startup)

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        self.model = ConnectionListModel(self)
        self.filter = ConnectionFilterModel(self)
        self.filter.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setObjectName("searchField")
        self.search.setAccessibleName("Search connections")
        self.search.setPlaceholderText("Search connections (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.list = ConnectionListView.for_cards(self.filter)
        delegate = self.list.card_delegate
        assert delegate is not None
        self.delegate: ConnectionCardDelegate = delegate
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        self.banner = make_banner()
        self.log_failed.connect(self._show_log_problem)  # queued: logging happens on any thread
        self._stop_log_listener = on_log_problem(self.log_failed.emit)
        log_trouble = log_problem()
        if log_trouble:  # the log cannot be written: say so once, the window works on
            self._show_log_problem(log_trouble)
        self.keyring = KeyringState(
            self.services, lambda: self.editor, lambda: self._current_id, self.start_job, self.banner, parent=self
        )
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 6)
        right_layout.addWidget(self.banner)
        # The editor's place until it is built, after the first paint (see ``editor``).
        self._editor_place = QWidget()
        right_layout.addWidget(self._editor_place, 1)
        self.right_layout = right_layout
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)  # the cards never vanish behind a dragged splitter
        self.splitter.setSizes([360, 640])
        self.setCentralWidget(self.splitter)
        self._build_actions()
        self.status("Ready")
        self.resize(1000, 680)

    # ------------------------------------------------------------------ made on first use

    # The editor (its modules, 19 fields, four tabs: ~12 ms) is built after the window's first
    # paint (:meth:`finish_startup`), or at once when anything asks for it earlier. Until then the
    # connection to show waits in ``_pending``. The flows are made on their first use: start-up
    # neither imports nor builds what only an action needs.

    @property
    def editor(self) -> ConnectionEditor:
        if self._editor is None:
            self._editor = self._build_editor()
            pending, self._pending = self._pending, None
            if pending is not None:
                self._load_editor(pending)
            else:
                self.update_actions()
        return self._editor

    def finish_startup(self) -> None:
        """The window has painted: build what start-up left for later (the sandbox if asked to start with it)."""
        _ = self.editor
        QTimer.singleShot(WARM_UP_AFTER_MS, self, later(lambda: self.inbox.autostart))

    def _build_editor(self) -> ConnectionEditor:
        from smtpgui.ui.editor import ConnectionEditor

        editor = ConnectionEditor()
        editor.save_requested.connect(later(lambda: self.connections.save))
        editor.secrets_shown.connect(lambda: self.keyring.check(self._current_id))
        editor.revert_requested.connect(later(lambda: self.connections.revert))
        editor.test_requested.connect(later(lambda: self.tests.open_dialog))
        editor.auth_tab.sign_in_requested.connect(lambda device: self.sign_ins.sign_in(bool(device)))
        editor.auth_tab.sign_out_requested.connect(later(lambda: self.sign_ins.sign_out))
        editor.main_tab.sender_check_requested.connect(later(lambda: self.discovery.check_sender))
        editor.dirty_changed.connect(self._on_dirty_changed)
        editor.set_shared_source(lambda: self.services.shared.settings())  # noqa: PLW0108 (made when a tab lists them)
        editor.manage_shared_requested.connect(self._manage_shared)
        place = self._editor_place
        self.right_layout.replaceWidget(place, editor)
        self.right_layout.setStretchFactor(editor, 1)
        place.deleteLater()
        return editor

    def _manage_shared(self, kind: str) -> None:
        """Manage credentials… / Manage connectors… (the dialog's module loads on first use)."""
        from smtpgui.ui.manageshared import ManageSharedDialog

        dialog = ManageSharedDialog(self.services, self.pool, kind, self)
        dialog.finished.connect(lambda _code: self.editor.refresh_shared())
        dialog.open()
        self.manage_dialog = dialog

    def status(self, text: str, timeout_ms: int = 0) -> None:
        """Show ``text`` (often holding names, hosts or server words) in the status bar, controls escaped."""
        self.statusBar().showMessage(clean(text), timeout_ms)

    # ------------------------------------------------------------------ list and selection

    def reload(self, select_id: str | None = None) -> None:
        """Re-read the store (another process may have changed it) and keep the selection."""
        try:
            connections = self.services.connections.list_all()
        except SmtpguiError as exc:
            self.prompts.warn("Cannot read connections", str(exc))
            connections = []
        self.model.set_connections(connections)
        self._listed = True
        target = select_id or self._current_id
        row = self.model.row_of(target) if target else -1
        if row < 0 and connections:
            row = 0
        if row >= 0:
            self._select_row(row)
        else:
            self.close_editor()
        self.update_actions()

    def _select_row(self, source_row: int) -> None:
        connection = self.model.connection_at(source_row)
        self._reselect(connection.id)  # quietly: the editor is loaded once, here
        self._load_editor(connection)

    def select_connection(self, connection_id: str) -> None:
        row = self.model.row_of(connection_id)
        if row >= 0:
            self._select_row(row)

    def current_connection(self) -> Connection | None:
        if self.draft is not None:
            return self.draft
        row = self.model.row_of(self._current_id) if self._current_id else -1
        return self.model.connection_at(row) if row >= 0 else None

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._quiet_selection:
            return
        connection: Connection | None = current.data(ConnectionRole) if current.isValid() else None
        if connection is None or connection.id == self._current_id:
            return
        if not self.resolve_unsaved():
            # Stay on the card being edited.
            self._reselect(self._current_id)
            return
        self._load_editor(connection)

    @Slot(str)
    def _on_search(self, text: str) -> None:
        # Searching never switches the editor: a card being edited that the search hides stays
        # in the editor, and is selected again as soon as the search shows it.
        self.filter.set_search(text)
        self.list.searching = bool(text.strip())
        if self._current_id is not None and not self.list.currentIndex().isValid():
            self._reselect(self._current_id)

    def _reselect(self, connection_id: str | None) -> None:
        """Select the card of ``connection_id`` without the editor reacting to it.

        The view still hears of the change and repaints both cards (blocking the selection
        model's signals would also hide it from the view).
        """
        row = self.model.row_of(connection_id) if connection_id else -1
        if row >= 0:
            index = self.filter.mapFromSource(self.model.index(row, 0))
            self._quiet_selection = True
            try:
                self.list.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            finally:
                self._quiet_selection = False

    def _load_editor(self, connection: Connection) -> None:
        self.draft = None if self.model.row_of(connection.id) >= 0 else connection
        self._current_id = connection.id
        self._pending = None  # this one replaces any connection waiting for the editor
        if self._editor is None and self._starting:
            self._pending = connection  # shown once the window has painted
            self.update_actions()
            return
        keyring = self.keyring
        stored = keyring.stored.get(connection.id)
        if stored is None and self.draft is not None:
            stored = keyring.stored[connection.id] = set()  # a new connection has no secrets yet
        unknown = connection.id in keyring.unknown
        session_only = self.services.secrets.session_only
        self.editor.load(connection, stored, self.model.taken_names(), session_only, unknown)
        if stored is None and self.editor.shows_secrets():
            keyring.check(connection.id)
        self.update_actions()

    @property
    def current_id(self) -> str | None:
        """The id of the connection in the editor (a draft's too), or None."""
        return self._current_id

    def open_draft(self, draft: Connection) -> None:
        """Show a new, unsaved connection in the editor, its problems held until touched."""
        self.list.selectionModel().clearSelection()
        self._load_editor(draft)
        self.editor.mark_unsaved()
        self.editor.hold_problems()  # no red before the user touched a field or pressed Save
        self.editor.tabs.setCurrentIndex(0)
        self.editor.main_tab.widgets["name"].setFocus()

    def close_editor(self) -> None:
        """Nothing in the editor (what to do next shows instead)."""
        self._current_id = None
        self._pending = None
        if self._editor is not None:
            self._editor.load(None)

    def resolve_unsaved(self) -> bool:
        """Ask about unsaved edits; False means the user wants to stay."""
        editor = self._editor
        if editor is None or not editor.is_dirty() or editor.original is None:
            return True  # an editor not built yet holds no edits
        answer = self.prompts.ask_unsaved(editor.original.name)
        if answer is Unsaved.SAVE:
            return self.connections.save()
        if answer is Unsaved.DISCARD:
            self.draft = None
            return True
        return False

    @Slot(bool)
    def _on_dirty_changed(self, dirty: bool) -> None:
        title = "smtpgui — SMTP connections"
        self.setWindowTitle(title + (" (unsaved changes)" if dirty else ""))
        self.update_actions()

    @Slot(bool)
    def on_test_all_running(self, running: bool) -> None:
        self.test_all_action.setText("Cancel test &all" if running else "Test &all")

    def update_actions(self) -> None:
        has = self.current_connection() is not None
        saved = has and self.draft is None
        for action in (self.duplicate_action, self.delete_action, self.default_action, self.enable_action):
            action.setEnabled(saved)
        self.test_action.setEnabled(has)
        self.detect_action.setEnabled(has)
        dirty = self._editor is not None and self._editor.is_dirty()
        self.save_action.setEnabled(dirty)
        self.revert_action.setEnabled(dirty)
        self._update_empty_state()

    def _update_empty_state(self) -> None:
        """No connection open: the editor gives way to what to do next (never a blank, disabled form)."""
        if not self._listed:
            return  # the store is not read yet: whether there is anything to show is not known
        editor = self._editor
        empty = self._current_id is None if editor is None else editor.original is None
        if empty and self.empty_state is None:
            from smtpgui.ui.emptystate import EmptyState  # a first run's, or after the last delete

            self.empty_state = EmptyState()
            self.empty_state.address_requested.connect(later(lambda: self.discovery.new_from_address))
            self.empty_state.sandbox_requested.connect(later(lambda: self.inbox.try_sandbox))
            self.empty_state.preset_requested.connect(later(lambda: self.connections.new_from_preset))
            self.empty_state.blank_requested.connect(later(lambda: self.connections.new_connection))
            self.empty_state.import_requested.connect(later(lambda: self.exchange.import_connections))
            self.right_layout.addWidget(self.empty_state, 1)
        if self.empty_state is not None:
            self.empty_state.show_for(self.model.rowCount())
            self.empty_state.setVisible(empty)
        (self._editor_place if editor is None else editor).setVisible(not empty)

    # ------------------------------------------------------------------ sessions on workers

    @property
    def engine(self) -> SessionEngine:
        """The session engine; made on the first test or probe so start-up never loads TLS and sockets."""
        if self._engine is None:
            from smtpgui.transport.engine import SessionEngine

            self._engine = SessionEngine()
        return self._engine

    @property
    def card_menu(self) -> QMenu | None:
        """The card menu last opened (for automation)."""
        return self.card_menus.menu

    def start_job(self, job: Job) -> None:
        self.jobs.append(job)
        job.signals.finished.connect(lambda _r, j=job: self._forget_job(j))
        job.signals.failed.connect(lambda _m, j=job: self._forget_job(j))
        self.pool.start(job)

    def _forget_job(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)

    @Slot(str)
    def _show_log_problem(self, sentence: str) -> None:
        if not self.banner.isVisible():  # the keyring's warning matters more; the log is on stderr
            set_plain(self.banner, "⚠ " + sentence)
            self.banner.show()

    # ------------------------------------------------------------------ life cycle

    def _restore_state(self) -> None:
        geometry = self.qsettings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.qsettings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _show_notices(self) -> None:
        for notice in self.services.notices:
            self.prompts.warn("File repaired", notice)
        self.services.clear_notices()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed_up:
            self._warmed_up = True
            QTimer.singleShot(WARM_UP_AFTER_MS, self._warm_up)

    @Slot()
    def _warm_up(self) -> None:
        from smtpgui.ui.offthread import Call
        from smtpgui.ui.workers import WarmUpJob

        self.pool.start(WarmUpJob())
        # No keyring at all (no Secret Service, KWallet…): said at once, not at the first password.
        self._keyring_probe = Call(self.services.secrets.is_absent)  # kept: its signals outlive run()
        self._keyring_probe.signals.finished.connect(
            lambda none: self.keyring.show_banner(NO_KEYRING) if none else None
        )
        self.pool.start(self._keyring_probe)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A narrow window (800 px) keeps every toolbar button visible as an icon (the tooltip
        # names it and its shortcut) rather than hiding the last ones behind an overflow arrow.
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if event.size().width() < NARROW_TOOLBAR
            else (Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        )
        if self.toolbar.toolButtonStyle() != style:
            self.toolbar.setToolButtonStyle(style)
        super().resizeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.resolve_unsaved():
            event.ignore()
            return
        self._stop_log_listener()
        if "tests" in self.__dict__:  # made (a test ran): stop its sends
            self.tests.cancel_all()
        if "inbox" in self.__dict__:  # made: stop polling, and the sandbox this window started
            self.inbox.shutdown()
        for job in list(self.jobs):
            job.cancel()
        self.pool.waitForDone(5000)
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("splitter", self.splitter.saveState())
        self.qsettings.setValue("last_selection", self._current_id or "")
        self.qsettings.sync()
        super().closeEvent(event)
