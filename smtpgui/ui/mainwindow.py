"""The main window: searchable connection cards on the left, the editor on the right."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.binding import changed_binding, secrets_must_drop
from smtpgui.core.errors import ConflictError, SecretStoreUnavailable, SmtpguiError, ValidationError
from smtpgui.core.model import AuthMode, Connection, Kind, ProxyType, Security, new_id
from smtpgui.core.naming import copy_name
from smtpgui.core.presets import find_preset
from smtpgui.storage import exchange
from smtpgui.storage.logs import log_problem, on_log_problem
from smtpgui.storage.secrets import Slot as SecretSlot
from smtpgui.storage.services import Services
from smtpgui.ui.delegate import ConnectionCardDelegate
from smtpgui.ui.editor import ConnectionEditor
from smtpgui.ui.models import ConnectionFilterModel, ConnectionListModel, ConnectionRole, LastResult
from smtpgui.ui.prompts import Prompts, Unsaved
from smtpgui.ui.workers import Job, ProbeJob, SecretStatusJob, SendJob, SignInJob, SignOutJob

SECRET_SLOTS = (
    SecretSlot.PASSWORD,
    SecretSlot.PROXY_PASSWORD,
    SecretSlot.CLIENT_SECRET,
    SecretSlot.OAUTH_CLIENT_SECRET,
    SecretSlot.OAUTH_REFRESH_TOKEN,
)

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.transport.engine import SessionEngine, SessionSecrets
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.transport.result import CertificateInfo, TestResult
    from smtpgui.ui.testdialog import TestEmailDialog


class MainWindow(QMainWindow):
    """Everything the user does with connections; services are passed in, never global.

    Signals:
        log_failed: the log became unwritable (a sentence); emitted from any thread, shown in the banner.
    """

    log_failed = Signal(str)

    def __init__(
        self,
        services: Services,
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
        # Which secrets each connection has in the keyring, as last read by a SecretStatusJob or
        # written by Save: the editor never asks the keyring on the GUI thread.
        self.stored_secrets: dict[str, set[SecretSlot]] = {}
        self._status_pending: set[str] = set()
        self.dialogs: list[TestEmailDialog] = []
        self.draft: Connection | None = None
        self._current_id: str | None = None
        self._quiet_selection = False  # True while the window itself moves the selection
        self._build()
        self.reload(select_id=str(settings.value("last_selection", "") or "") or None)
        self._restore_state()
        self._show_notices()

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
        self.list = QListView()
        self.list.setObjectName("connectionList")
        self.list.setAccessibleName("Connections")
        self.list.setModel(self.filter)
        self.list.setItemDelegate(ConnectionCardDelegate(self.list))
        self.list.setUniformItemSizes(True)
        # Lay the cards out a thousand at a time, between events: the window paints as soon as
        # the first cards are placed, and 10,000 connections never hold the GUI thread for the
        # whole list (Qt asks the model once per row while laying out).
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(1000)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        self.banner = QLabel()
        self.banner.setObjectName("keyringBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3e0; color: #6d3d00; padding: 6px; border-radius: 4px;")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # it shows paths and keyring errors
        self.banner.hide()
        self.log_failed.connect(self._show_log_problem)  # queued: logging happens on any thread
        self._stop_log_listener = on_log_problem(self.log_failed.emit)
        log_trouble = log_problem()
        if log_trouble:  # the log cannot be written: say so once, the window works on
            self._show_log_problem(log_trouble)
        self.editor = ConnectionEditor()
        self.editor.save_requested.connect(self.save)
        self.editor.secrets_shown.connect(self._check_secrets)
        self.editor.revert_requested.connect(self.revert)
        self.editor.test_requested.connect(self.open_test_dialog)
        self.editor.auth_tab.sign_in_requested.connect(self.sign_in)
        self.editor.auth_tab.sign_out_requested.connect(self.sign_out)
        self.sign_in_job: SignInJob | None = None
        self.token_expiry: dict[str, float] = {}
        self.editor.dirty_changed.connect(self._on_dirty_changed)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 6)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.editor, 1)
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 640])
        self.setCentralWidget(self.splitter)
        self._build_actions()
        self.statusBar().showMessage("Ready")
        self.resize(1000, 680)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name or text.replace("&", "").replace("…", "").replace(" ", "") + "Action")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.new_action = a("&New", self.new_connection, "Ctrl+N", "newAction")
        self.preset_action = a("New from &preset…", self.new_from_preset, "Ctrl+Shift+N", "presetAction")
        self.duplicate_action = a("&Duplicate", self.duplicate, "Ctrl+D", "duplicateAction")
        self.delete_action = a("De&lete", self.delete, QKeySequence.StandardKey.Delete, "deleteAction")
        self.default_action = a("Set as &default", self.set_default, None, "defaultAction")
        self.enable_action = a("&Enable/Disable", self.toggle_enabled, None, "enableAction")
        self.save_action = a("&Save", self.save, "Ctrl+S", "saveAction")
        self.revert_action = a("&Revert", self.revert, None, "revertAction")
        self.test_action = a("&Test…", self.open_test_dialog, "Ctrl+T", "testAction")
        self.detect_action = a("Detect &settings", self.detect_settings, None, "detectAction")
        self.import_action = a("&Import…", self.import_connections, "Ctrl+I", "importAction")
        self.export_action = a("E&xport…", self.export_connections, "Ctrl+E", "exportAction")
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit, "quitAction")
        self.find_action = a("Find", self.search.setFocus, QKeySequence.StandardKey.Find, "findAction")
        toolbar = QToolBar("Connections")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action, name in (
            (self.new_action, "newButton"),
            (self.preset_action, "presetButton"),
            (self.duplicate_action, "duplicateButton"),
            (self.delete_action, "deleteButton"),
            (self.default_action, "defaultButton"),
            (self.test_action, "toolbarTestButton"),
            (self.detect_action, "detectButton"),
        ):
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            button.setObjectName(name)
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        self.addToolBar(toolbar)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for action in (self.import_action, self.export_action, self.quit_action):
            file_menu.addAction(action)
        conn_menu = menu.addMenu("&Connection")
        for action in (
            self.new_action,
            self.preset_action,
            self.duplicate_action,
            self.delete_action,
            self.default_action,
            self.enable_action,
            self.save_action,
            self.revert_action,
            self.test_action,
            self.detect_action,
        ):
            conn_menu.addAction(action)
        self._update_actions()

    # ------------------------------------------------------------------ list and selection

    def reload(self, select_id: str | None = None) -> None:
        """Re-read the store (another process may have changed it) and keep the selection."""
        try:
            connections = self.services.store.load()
        except SmtpguiError as exc:
            self.prompts.warn("Cannot read connections", str(exc))
            connections = []
        self.model.set_connections(connections)
        target = select_id or self._current_id
        row = self.model.row_of(target) if target else -1
        if row < 0 and connections:
            row = 0
        if row >= 0:
            self._select_row(row)
        else:
            self._current_id = None
            self.editor.load(None)
        self._update_actions()

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
        secrets = self.services.secrets
        stored = self.stored_secrets.get(connection.id)
        if stored is None and self.draft is not None:
            stored = self.stored_secrets[connection.id] = set()  # a new connection has no secrets yet
        self.editor.load(connection, stored, self.model.taken_names(), secrets.session_only)
        if stored is None and self.editor.shows_secrets():
            self._check_secrets()
        self._update_actions()

    @Slot()
    def _check_secrets(self) -> None:
        """Ask the keyring, on a worker, which secrets the shown connection has.

        Only when a tab with a secret field is shown (or a send needs them): loading keyring's
        backends costs about 100 ms, which start-up and browsing the Main tab never pay.
        """
        connection_id = self._current_id
        if connection_id is None or connection_id in self.stored_secrets or connection_id in self._status_pending:
            return
        self._status_pending.add(connection_id)
        job = SecretStatusJob(self.services.secrets, connection_id, SECRET_SLOTS)
        job.signals.finished.connect(self._on_secret_status)
        job.signals.failed.connect(lambda _m, i=connection_id: self._status_pending.discard(i))
        job.signals.failed.connect(self._show_banner)
        self.start_job(job)

    @Slot(object)
    def _on_secret_status(self, status: tuple[str, set[SecretSlot]]) -> None:
        connection_id, stored = status
        self._status_pending.discard(connection_id)
        self.stored_secrets[connection_id] = stored
        if connection_id == self._current_id and self.editor.original is not None:
            self.editor.set_stored(stored, self.services.secrets.session_only)

    def resolve_unsaved(self) -> bool:
        """Ask about unsaved edits; False means the user wants to stay."""
        if not self.editor.is_dirty() or self.editor.original is None:
            return True
        answer = self.prompts.ask_unsaved(self.editor.original.name)
        if answer is Unsaved.SAVE:
            return self.save()
        if answer is Unsaved.DISCARD:
            self.draft = None
            return True
        return False

    @Slot(bool)
    def _on_dirty_changed(self, dirty: bool) -> None:
        title = "smtpgui — SMTP connections"
        self.setWindowTitle(title + (" (unsaved changes)" if dirty else ""))
        self._update_actions()

    def _update_actions(self) -> None:
        has = self.current_connection() is not None
        saved = has and self.draft is None
        for action in (self.duplicate_action, self.delete_action, self.default_action, self.enable_action):
            action.setEnabled(saved)
        self.test_action.setEnabled(has)
        self.detect_action.setEnabled(has)
        self.save_action.setEnabled(self.editor.is_dirty())
        self.revert_action.setEnabled(self.editor.is_dirty())

    # ------------------------------------------------------------------ actions

    @Slot()
    def new_connection(self, base: Connection | None = None) -> None:
        if not self.resolve_unsaved():
            return
        names = [c.name for c in self.model.connections()]
        name, counter = "New connection", 1
        while name.casefold() in {n.casefold() for n in names}:
            counter += 1
            name = f"New connection {counter}"
        draft = (base or Connection(name=name)).replace(id=new_id(), name=name, is_default=False)
        self.list.selectionModel().clearSelection()
        self._load_editor(draft)
        self.editor._set_dirty(True)  # a draft is unsaved by nature
        self.editor.refresh_problems()
        self.editor.tabs.setCurrentIndex(0)
        self.editor.main_tab.widgets["name"].setFocus()

    @Slot()
    def new_from_preset(self) -> None:
        preset_id = self.prompts.choose_preset()
        if preset_id is None:
            return
        preset = find_preset(preset_id)
        self.new_connection(preset.apply(Connection(name="x")))
        self.statusBar().showMessage(preset.advice, 15000)

    @Slot()
    def save(self) -> bool:
        """Save the editor's connection and its secrets; False when it could not be saved."""
        if self.editor.original is None:
            return False
        problems = self.editor.refresh_problems()
        if problems:
            self.statusBar().showMessage("Fix the problems shown in red before saving.", 8000)
            return False
        connection = self.editor.current()
        secrets = self.editor.pending_secrets()
        try:
            if self.draft is not None:
                saved: Connection | None = self.services.store.add(connection)
            else:
                saved = self._put_unless_changed_elsewhere(connection)
            if saved is None:
                return False
        except ValidationError as exc:
            self.editor.refresh_problems()
            self.prompts.warn("Cannot save", str(exc))
            return False
        except SmtpguiError as exc:
            self.prompts.warn("Cannot save", str(exc))
            return False
        self.draft = None
        self._store_secrets(saved, secrets)
        self.reload(select_id=saved.id)
        if secrets:
            self._check_secrets()  # the user changed secrets: show what the keyring now holds
        self.statusBar().showMessage(f"Saved “{saved.name}”.", 5000)
        return True

    def _put_unless_changed_elsewhere(self, connection: Connection) -> Connection | None:
        """Save an edit; if the file changed since the editor loaded it, the user decides."""
        store = self.services.store
        try:
            return store.put(connection, expected=self.editor.original)
        except ConflictError as exc:
            mine = self.editor.original.name if self.editor.original is not None else connection.name
            theirs = exc.current.name
            renamed = f" (it is now called “{theirs}”)" if theirs != mine else ""
            detail = f"“{mine}” was changed by another smtpgui window or command after you opened it{renamed}."
            if self.prompts.resolve_conflict(connection.name, detail):
                saved = store.put(connection)
                self._unbind_overwritten_secrets(exc.current, saved)
                return saved
            self.editor.load(None)  # forget the edits the user chose to discard
            self.reload(select_id=connection.id)
            self.statusBar().showMessage(f"Showing “{theirs}” as saved elsewhere.", 8000)
            return None

    def _unbind_overwritten_secrets(self, theirs: Connection, mine: Connection) -> None:
        """After saving the user's version over one another program saved.

        When that program moved the connection (and may have stored secrets for the new place)
        and the user's version points elsewhere, those secrets do not follow it back. Where the
        user moved it in this editor, their edit decides, as any save does.
        """
        original = self.editor.original
        if original is None or not secrets_must_drop(original, theirs) or not secrets_must_drop(theirs, mine):
            return
        self.stored_secrets.pop(mine.id, None)
        try:
            dropped = self.services.secrets.drop_all(mine.id)
        except SecretStoreUnavailable as exc:
            self.prompts.warn("Secrets not removed", str(exc))
            return
        if dropped:
            self.prompts.inform(
                "Secrets removed",
                f"The secrets stored for “{theirs.name}” as another program saved it were removed: your "
                f"version sends them elsewhere ({', '.join(changed_binding(theirs, mine))}). Enter them again.",
            )

    def _store_secrets(self, connection: Connection, secrets: dict[SecretSlot, str | None]) -> None:
        store = self.services.secrets
        known = self.stored_secrets.get(connection.id)
        if secrets:
            self.stored_secrets.pop(connection.id, None)  # re-read unless every write below lands
        try:
            for slot, value in secrets.items():
                if value is None:
                    store.delete(connection.id, slot)
                else:
                    store.set(connection.id, slot, value)
            if known is not None:
                written = {slot for slot, value in secrets.items() if value is not None}
                self.stored_secrets[connection.id] = (known - set(secrets)) | written
        except SecretStoreUnavailable as exc:
            self.prompts.warn("Password not saved", str(exc))
        if store.session_only:
            self._show_banner(store.unavailable_reason)

    @Slot(str)
    def _show_log_problem(self, sentence: str) -> None:
        if not self.banner.isVisible():  # the keyring's warning matters more; the log is on stderr
            self.banner.setText("⚠ " + sentence)
            self.banner.show()

    def _show_banner(self, reason: str) -> None:
        self.banner.setText(
            "⚠ The system keyring cannot be used: "
            + reason.rstrip(".")
            + ". Passwords you enter are kept for this session only and will be "
            "forgotten when smtpgui closes."
        )
        self.banner.show()

    @Slot()
    def revert(self) -> None:
        if self.draft is not None:
            self.draft = None
            self.editor.load(None)
            self.reload()
            return
        current = self.current_connection()
        if current is not None:
            self._load_editor(current)

    @Slot()
    def duplicate(self) -> None:
        source = self.current_connection()
        if source is None or self.draft is not None or not self.resolve_unsaved():
            return
        names = [c.name for c in self.model.connections()]
        try:
            copy = self.services.store.add(
                source.replace(id=new_id(), name=copy_name(source.name, names), is_default=False)
            )
        except SmtpguiError as exc:
            self.prompts.warn("Cannot duplicate", str(exc))
            return
        self.reload(select_id=copy.id)
        if copy.auth_mode is AuthMode.PASSWORD:
            password = self.prompts.ask_password(copy)
            if password:
                self._store_secrets(copy, {SecretSlot.PASSWORD: password})
                self._load_editor(copy)
        self.statusBar().showMessage(f"Copied to “{copy.name}” (without secrets).", 5000)

    @Slot()
    def delete(self) -> None:
        victim = self.current_connection()
        if victim is None:
            return
        if self.draft is not None:
            self.revert()
            return
        if not self.prompts.confirm_delete(victim):
            return
        others = [c for c in self.model.connections() if c.id != victim.id]
        new_default = None
        if victim.is_default and others:
            chosen = self.prompts.choose_new_default(victim, others)
            if chosen is None:
                return
            new_default = chosen.id
        try:
            self.services.store.delete(victim.id, new_default)
        except SmtpguiError as exc:
            self.prompts.warn("Cannot delete", str(exc))
            return
        try:
            if not self.services.secrets.is_absent():
                self.services.secrets.delete_all(victim.id)
        except SecretStoreUnavailable as exc:
            self.prompts.warn("Secrets not removed", str(exc))
        self._current_id = None
        self.editor.load(None)
        self.reload(select_id=new_default)
        self.statusBar().showMessage(f"Deleted “{victim.name}”.", 5000)

    @Slot()
    def set_default(self) -> None:
        current = self.current_connection()
        if current is None or self.draft is not None:
            return
        try:
            self.services.store.set_default(current.id)
        except SmtpguiError as exc:
            self.prompts.warn("Cannot set the default", str(exc))
        self.reload(select_id=current.id)

    @Slot()
    def toggle_enabled(self) -> None:
        current = self.current_connection()
        if current is None or self.draft is not None or not self.resolve_unsaved():
            return
        try:
            self.services.store.modify(current.id, lambda c: c.replace(enabled=not c.enabled))
        except SmtpguiError as exc:
            self.prompts.warn("Cannot change", str(exc))
        self.reload(select_id=current.id)

    def _on_context_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        index = self.list.indexAt(pos)
        if index.isValid():
            self.list.setCurrentIndex(index)
        menu = QMenu(self)
        for action in (
            self.test_action,
            self.duplicate_action,
            self.default_action,
            self.enable_action,
            self.delete_action,
        ):
            menu.addAction(action)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ sessions on workers

    @property
    def engine(self) -> SessionEngine:
        """The session engine; made on the first test or probe so start-up never loads TLS and sockets."""
        if self._engine is None:
            from smtpgui.transport.engine import SessionEngine

            self._engine = SessionEngine()
        return self._engine

    def _secrets_provider(self, pending: dict[SecretSlot, str | None]):  # type: ignore[no-untyped-def]
        store = self.services.secrets

        def provide(connection: Connection) -> SessionSecrets:
            # Runs on the worker thread: the keyring is never read on the GUI thread here.
            from smtpgui.transport.engine import SessionSecrets

            def read(slot: SecretSlot) -> str | None:
                if slot in pending:
                    return pending[slot]
                if store.is_absent() and not store.session_only:
                    return None
                return store.get(connection.id, slot)

            password = client_secret = refresh = None
            if connection.kind is Kind.GRAPH:
                client_secret = read(SecretSlot.CLIENT_SECRET)
            elif connection.auth_mode is AuthMode.PASSWORD:
                password = read(SecretSlot.PASSWORD)
            elif connection.auth_mode is AuthMode.OAUTH2:
                refresh = read(SecretSlot.OAUTH_REFRESH_TOKEN)
                client_secret = read(SecretSlot.OAUTH_CLIENT_SECRET) if refresh else None
            proxy = read(SecretSlot.PROXY_PASSWORD) if connection.proxy_type is not ProxyType.NONE else None

            def keep_rotated(new_token: str) -> None:  # on the worker thread, like the reads
                store.set(connection.id, SecretSlot.OAUTH_REFRESH_TOKEN, new_token)

            return SessionSecrets(
                password=password,
                proxy_password=proxy,
                client_secret=client_secret,
                refresh_token=refresh,
                on_refresh_token=keep_rotated if refresh else None,
            )

        return provide

    def start_job(self, job: Job) -> None:
        self.jobs.append(job)
        job.signals.finished.connect(lambda _r, j=job: self._forget_job(j))
        job.signals.failed.connect(lambda _m, j=job: self._forget_job(j))
        self.pool.start(job)

    def _forget_job(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)

    # ------------------------------------------------------------------ OAuth2 sign-in

    @Slot(bool)
    def sign_in(self, device: bool = False) -> SignInJob | None:
        """Sign in (browser, or device code) with the settings as edited; the token goes to the keyring."""
        if self.sign_in_job is not None:  # pressed again while waiting: stop the first sign-in
            self.sign_in_job.cancel()
            return None
        if self.editor.original is None:
            return None
        connection = self.editor.current()
        job = SignInJob(connection, self.services.secrets, self.editor.pending_secrets(), device)
        self.sign_in_job = job
        job.signals.prompt.connect(self._on_sign_in_prompt)
        job.signals.finished.connect(lambda tokens, c=connection: self._on_signed_in(c, tokens))
        job.signals.failed.connect(lambda message, c=connection: self._on_sign_in_failed(c, message))
        self.editor.set_sign_in(False, busy="Starting the sign-in…")
        self.editor.auth_tab.sign_in_button.setEnabled(True)
        self.editor.auth_tab.sign_in_button.setText("Cancel sign-in")
        self.start_job(job)
        return job

    def _sign_in_done(self) -> None:
        self.sign_in_job = None
        self.editor.auth_tab.sign_in_button.setText("Sign &in…")

    @Slot(object)
    def _on_sign_in_prompt(self, prompt: tuple[str, object]) -> None:
        what, detail = prompt
        if what == "device":
            code = detail
            text = (
                f"On any device, open <a href='{code.verification_uri}'>{code.verification_uri}</a> "  # type: ignore[attr-defined]
                f"and enter the code <b>{code.user_code}</b>. Waiting for you to approve it…"  # type: ignore[attr-defined]
            )
        else:
            text = f"Waiting for you to sign in in your browser (or open <a href='{detail}'>the sign-in page</a>)…"
        self.editor.set_sign_in(False, busy=text)
        self.editor.auth_tab.sign_in_state.setTextFormat(Qt.TextFormat.RichText)
        self.editor.auth_tab.sign_in_button.setEnabled(True)

    def _on_signed_in(self, connection: Connection, tokens: object) -> None:
        self._sign_in_done()
        account = getattr(tokens, "account", None) or ""
        self.token_expiry[connection.id] = float(getattr(tokens, "expires_at", 0.0))
        self.stored_secrets.setdefault(connection.id, set()).add(SecretSlot.OAUTH_REFRESH_TOKEN)
        if self.editor.original is None or self.editor.original.id != connection.id:
            return
        username = self.editor.auth_tab.widgets["username"]
        if account and not username.text().strip():  # type: ignore[attr-defined]
            username.setText(account)  # type: ignore[attr-defined]
            self.statusBar().showMessage(f"Signed in as {account}; the user name was filled in: save to keep it.", 8000)
        else:
            self.statusBar().showMessage(f"Signed in as {account or 'the account'}.", 8000)
        self.editor.set_sign_in(True, self.token_expiry[connection.id], account=account)

    def _on_sign_in_failed(self, connection: Connection, message: str) -> None:
        self._sign_in_done()
        if self.editor.original is not None and self.editor.original.id == connection.id:
            signed_in = SecretSlot.OAUTH_REFRESH_TOKEN in self.stored_secrets.get(connection.id, set())
            self.editor.set_sign_in(signed_in)
            self.editor.auth_tab.sign_in_state.setText(message)
        self.statusBar().showMessage(message.split(". ", maxsplit=1)[0], 8000)

    @Slot()
    def sign_out(self) -> None:
        if self.editor.original is None:
            return
        job = SignOutJob(self.services.secrets, self.editor.original.id)
        job.signals.finished.connect(self._on_signed_out)
        job.signals.failed.connect(self._show_banner)
        self.start_job(job)

    @Slot(object)
    def _on_signed_out(self, connection_id: str) -> None:
        self.stored_secrets.get(connection_id, set()).discard(SecretSlot.OAUTH_REFRESH_TOKEN)
        self.token_expiry.pop(connection_id, None)
        if self.editor.original is not None and self.editor.original.id == connection_id:
            self.editor.set_sign_in(False)
        self.statusBar().showMessage("Signed out: the tokens were forgotten.", 8000)

    def _connection_under_test(self) -> Connection | None:
        if self.editor.original is None:
            return None
        if self.editor.problems():
            self.statusBar().showMessage("Fix the problems shown in red before testing.", 8000)
            self.editor.refresh_problems()
            return None
        return self.editor.current()

    @Slot()
    def open_test_dialog(self) -> TestEmailDialog | None:
        connection = self._connection_under_test()
        if connection is None:
            return None
        pending = self.editor.pending_secrets()
        provider = self._secrets_provider(pending)

        def make_job(conn: Connection, message: OutgoingMessage | None) -> SendJob:
            return SendJob(self.engine, conn, provider, message)

        try:
            app_settings = self.services.settings.load()
        except SmtpguiError:
            from smtpgui.core.appsettings import AppSettings

            app_settings = AppSettings()
        from smtpgui.ui.testdialog import TestEmailDialog  # loaded with the first test, not at start

        dialog = TestEmailDialog(connection, app_settings, make_job, self)
        dialog.send_requested.connect(self.start_job)
        dialog.result_ready.connect(lambda result, c=connection: self._record_result(c, result))
        dialog.trust_requested.connect(lambda cert, c=connection: self.trust_certificate(c, cert))
        dialog.finished.connect(lambda _code, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def _record_result(self, connection: Connection, result: TestResult) -> None:
        when = time.strftime("%H:%M")
        summary = "ok" if result.ok else f"failed at {result.stage.value}"
        self.model.set_last_result(connection.id, LastResult(result.ok, summary, when))
        if not result.ok and result.failure_kind in ("certificate", "hostname") and result.certificate:
            self.statusBar().showMessage("The server's certificate is not trusted: see the test window.", 10000)

    def trust_certificate(self, connection: Connection, certificate: CertificateInfo) -> None:
        """Pin the certificate on the stored connection; unsaved edits in the editor stay unsaved."""
        if not self.prompts.trust_certificate(certificate, connection):
            return
        from smtpgui.ui.forms import _set_value

        if self.model.row_of(connection.id) >= 0:
            try:
                self.services.store.modify(connection.id, lambda c: c.replace(pinned_sha256=certificate.sha256))
            except SmtpguiError as exc:
                self.prompts.warn("Cannot save the pin", str(exc))
                return
            if self.editor.is_dirty() and self._current_id == connection.id:
                _set_value(self.editor.encryption_tab.widgets["pinned_sha256"], certificate.sha256)
                self.model.set_connections(self.services.store.load())
                self.editor.original = self.editor.original.replace(pinned_sha256=certificate.sha256)  # type: ignore[union-attr]
                self.editor._on_edited()
            else:
                self.reload(select_id=connection.id)
        elif self._current_id == connection.id:
            # A draft: the pin becomes one of its (unsaved) settings.
            _set_value(self.editor.encryption_tab.widgets["pinned_sha256"], certificate.sha256)
            self.editor._on_edited()
        self.statusBar().showMessage("The certificate is now trusted for this connection.", 8000)

    @Slot()
    def detect_settings(self) -> None:
        if self.editor.original is None:
            return
        connection = self.editor.current()
        if not connection.host.strip():
            self.statusBar().showMessage("Enter the server's name first.", 5000)
            return
        job = ProbeJob(
            self.engine,
            connection.replace(timeout_s=min(connection.timeout_s, 10)),
            self._secrets_provider(self.editor.pending_secrets()),
        )
        job.signals.finished.connect(self._on_probe_finished)
        job.signals.failed.connect(lambda message: self.prompts.warn("Detection failed", message))
        self.statusBar().showMessage(f"Detecting what {connection.host} supports…")
        self.start_job(job)

    @Slot(object)
    def _on_probe_finished(self, report: ProbeReport) -> None:
        best = report.recommended()
        lines = []
        for outcome in report.outcomes:
            state = "works" if outcome.ok else f"no ({outcome.result.error})"
            lines.append(f"{outcome.port}/{outcome.security.value}: {state}")
        if best is None:
            self.prompts.inform("Detected settings", "No port and security mode worked:\n" + "\n".join(lines))
            self.statusBar().clearMessage()
            return
        mechanism = best["mechanism"] or "auto"
        summary = f"Recommended: port {best['port']}, {best['security']}, mechanism {mechanism}.\n\n" + "\n".join(lines)
        self.statusBar().clearMessage()
        if self.prompts.apply_probe(summary):
            self.apply_detected(int(best["port"]), Security(best["security"]), mechanism)

    def apply_detected(self, port: int, security: Security, mechanism: str) -> None:
        """Put detected settings into the editor as edits (the user still saves)."""
        from smtpgui.ui.forms import _set_value

        _set_value(self.editor.encryption_tab.widgets["security"], security.value)
        _set_value(self.editor.main_tab.widgets["port"], port)
        if mechanism != "auto" and self.editor.auth_tab.widgets["auth_mode"].currentData() == "password":  # type: ignore[attr-defined]
            _set_value(self.editor.auth_tab.widgets["mechanism"], mechanism)
        self.editor._on_edited()

    # ------------------------------------------------------------------ import / export

    @Slot()
    def import_connections(self) -> None:
        path = self.prompts.open_file("Import connections")
        if not path:
            return
        try:
            incoming = exchange.read_import(Path(path))
            clashes = exchange.clashing_names(self.services.store.load(), incoming)
            if clashes and not self.prompts.confirm_replace(clashes):
                return
            outcome = exchange.import_connections(
                self.services.store, incoming, replace=bool(clashes), source=path, secrets=self.services.secrets
            )
        except SmtpguiError as exc:
            self.prompts.warn("Cannot import", str(exc))
            return
        for old in outcome.replaced:
            self.stored_secrets.pop(old.id, None)  # read the keyring again for these
        self.reload(select_id=outcome.imported[0].id if outcome.imported else None)
        self.statusBar().showMessage(
            f"Imported {len(outcome.imported)} connection(s)"
            + (f", replacing {len(outcome.replaced)}" if outcome.replaced else "")
            + "; passwords are not part of exports.",
            8000,
        )
        notes = [
            f"The stored secrets of “{connection.name}” were removed: the import changed where they "
            f"would be sent ({', '.join(fields)}). Enter them again if you trust the new settings."
            for connection, fields in outcome.secrets_dropped
        ] + outcome.warnings
        if notes:
            self.prompts.inform("Imported", "\n\n".join(notes))

    @Slot()
    def export_connections(self) -> None:
        path = self.prompts.save_file("Export connections", "smtpgui-connections.json")
        if not path:
            return
        try:
            exchange.write_export(Path(path), self.services.store.load())
        except SmtpguiError as exc:
            self.prompts.warn("Cannot export", str(exc))
            return
        self.statusBar().showMessage(f"Exported to {path} (no passwords or other secrets).", 8000)

    # ------------------------------------------------------------------ life cycle

    def _restore_state(self) -> None:
        geometry = self.qsettings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.qsettings.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _show_notices(self) -> None:
        for notice in self.services.store.notices:
            self.prompts.warn("Connections file repaired", notice)
        self.services.store.notices.clear()
        for notice in self.services.settings.notices:
            self.prompts.warn("Settings file repaired", notice)
        self.services.settings.notices.clear()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.resolve_unsaved():
            event.ignore()
            return
        self._stop_log_listener()
        for dialog in list(self.dialogs):
            dialog.close()
        for job in list(self.jobs):
            job.cancel()
        self.pool.waitForDone(5000)
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("splitter", self.splitter.saveState())
        self.qsettings.setValue("last_selection", self._current_id or "")
        self.qsettings.sync()
        super().closeEvent(event)
