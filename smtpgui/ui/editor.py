"""The connection editor: four tabs (and Graph), inline validation, dirty tracking, Save/Revert."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from smtpgui.core.errors import Problem
from smtpgui.core.model import DEFAULT_PORTS, AuthMode, Connection, Kind, Security
from smtpgui.core.ports import SECURITY_NAMES, port_mismatch
from smtpgui.core.validation import TakenNames, validate
from smtpgui.services.connections import settle_sign_in
from smtpgui.storage.secrets import Slot as SecretSlot
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.forms import FormTab, set_value
from smtpgui.ui.plaintext import PlainLabel, set_plain
from smtpgui.ui.secretfield import SecretField
from smtpgui.ui.tabs import AuthTab, EncryptionTab, GraphTab, MainTab, ProxyTab

if TYPE_CHECKING:
    from smtpgui.core.shared import SharedSettings


class ConnectionEditor(QWidget):
    """Edits one connection; the window decides what Save, Revert and Test do.

    Signals:
        dirty_changed(bool): unsaved edits appeared or went away.
        save_requested, revert_requested, test_requested: the buttons were pressed.
        manage_shared_requested(str): Manage credentials… ("credential") or Manage connectors…
            ("connector") was pressed.
    """

    dirty_changed = Signal(bool)
    save_requested = Signal()
    revert_requested = Signal()
    test_requested = Signal()
    secrets_shown = Signal()
    manage_shared_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionEditor")
        self.original: Connection | None = None
        self.taken_names = TakenNames(())
        self._dirty = False
        # Fields whose problems are shown: None shows every problem (a saved connection, or
        # after Save/Test was pressed); a new connection starts with none, so a blank form is
        # not red before the user has done anything.
        self._touched: set[str] | None = None
        self._noted_port: int | None = None  # the port a change of Security set (and said so)
        self._loading = False
        self.signing_in = False
        self.title = PlainLabel()
        self.title.setObjectName("editorTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("editorTabs")
        self.tabs.setAccessibleName("Connection settings")
        self.main_tab, self.auth_tab = MainTab(), AuthTab()
        self.encryption_tab, self.proxy_tab, self.graph_tab = EncryptionTab(), ProxyTab(), GraphTab()
        self.form_tabs: list[FormTab] = [
            self.main_tab,
            self.auth_tab,
            self.encryption_tab,
            self.proxy_tab,
            self.graph_tab,
        ]
        for tab, label in zip(
            self.form_tabs,
            ("&Main settings", "&Authentication", "&Encryption", "&Proxy", "Microsoft &Graph"),
            strict=True,
        ):
            self.tabs.addTab(tab, label)
            tab.field_edited.connect(self._touched_add)
            tab.edited.connect(self._on_edited)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.summary = PlainLabel()
        self.summary.setObjectName("problemSummary")
        set_status_color(self.summary, "error")
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveButton")
        self.revert_button = QPushButton("&Revert")
        self.revert_button.setObjectName("revertButton")
        self.test_button = QPushButton("&Test…")
        self.test_button.setObjectName("testButton")
        for button in (self.save_button, self.revert_button, self.test_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        self.save_button.clicked.connect(self.save_requested)
        self.revert_button.clicked.connect(self.revert_requested)
        self.test_button.clicked.connect(self.test_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._security = Security.STARTTLS
        self.encryption_tab.security_changed.connect(self._on_security_changed)
        self.main_tab.widgets["kind"].currentIndexChanged.connect(self._update_kind)  # type: ignore[attr-defined]
        self.setEnabled(False)

    # -------------------------------------------------------------- loading and reading

    def _secret_fields(self) -> dict[SecretSlot, SecretField]:
        return {
            SecretSlot.PASSWORD: self.auth_tab.password,
            SecretSlot.PROXY_PASSWORD: self.proxy_tab.password,
            SecretSlot.CLIENT_SECRET: self.graph_tab.secret,
            SecretSlot.OAUTH_CLIENT_SECRET: self.auth_tab.client_secret,
        }

    def shows_secrets(self) -> bool:
        """Whether the visible tab has a secret field (the keyring is asked only then)."""
        return self.tabs.currentWidget() in (self.auth_tab, self.proxy_tab, self.graph_tab)

    def _on_tab_changed(self, _index: int) -> None:
        if self.original is not None and self.shows_secrets():
            self.secrets_shown.emit()

    def set_stored(self, stored: set[SecretSlot], session_only: bool = False, unknown: bool = False) -> None:
        """The keyring's answer arrived: show which secrets are stored (typed changes are kept).

        ``unknown``: the keyring could not be read; secrets not in ``stored`` may be there.
        """
        for slot, secret_field in self._secret_fields().items():
            secret_field.set_stored(slot in stored, session_only, unknown)
        if not self.signing_in:  # a running sign-in's prompt stays until it ends
            signed_in = SecretSlot.OAUTH_REFRESH_TOKEN in stored
            self.set_sign_in(signed_in)
            if unknown and not signed_in:
                self.auth_tab.show_sign_in("Unknown: the keyring cannot be read.", False)

    def set_sign_in(
        self, signed_in: bool | None, expires_at: float | None = None, busy: str = "", account: str = ""
    ) -> None:
        """Show the OAuth2 account and token state (``busy``: what the running sign-in waits for)."""
        import time

        self.signing_in = bool(busy)
        who = account or (self.original.username if self.original is not None else "") or "an account"
        if busy:
            text, signed = busy, bool(signed_in)
        elif signed_in is None:
            text, signed = "Checking the keyring…", False
        elif signed_in:
            text = f"Signed in as {who}; the refresh token is in the keyring."
            if expires_at is not None and expires_at > time.time():
                text += f" The access token is valid for {int((expires_at - time.time()) // 60)} more minutes."
            else:
                text += " A fresh access token is fetched before each test."
            signed = True
        else:
            text, signed = "Not signed in. Sign in opens your browser; the token goes to the keyring.", False
        self.auth_tab.show_sign_in(text, signed, busy=bool(busy))

    def set_shared_source(self, source: Callable[[], SharedSettings]) -> None:
        """Where the Authentication and Proxy tabs read the shared credentials and connectors."""
        for tab in (self.auth_tab, self.proxy_tab):
            tab.shared_source = source
            tab.manage_requested.connect(self.manage_shared_requested)

    def refresh_shared(self) -> None:
        """The credentials or connectors changed (Manage…): list them again, keeping each choice."""
        for tab in (self.auth_tab, self.proxy_tab):
            if tab.is_built():
                tab.refresh_shared()
        self.refresh_problems()

    def load(
        self,
        connection: Connection | None,
        stored: set[SecretSlot] | None = None,
        taken_names: TakenNames | None = None,
        session_only: bool = False,
        unknown: bool = False,
    ) -> None:
        """Show ``connection`` (None clears the editor) with its secrets' stored state.

        ``stored`` None means not known yet: the secret fields say "checking…" until
        :meth:`set_stored`.
        """
        self._loading = True
        self.original = connection
        self._touched = None
        self.taken_names = taken_names if taken_names is not None else TakenNames(())
        if connection is not None:
            for tab in self.form_tabs:
                tab.load(connection)
            for slot, secret_field in self._secret_fields().items():
                secret_field.load(None if stored is None else slot in stored, session_only, unknown)
            self.set_sign_in(None if stored is None else SecretSlot.OAUTH_REFRESH_TOKEN in stored)
            self._security = connection.security
            set_plain(self.title, connection.name)
            self.encryption_tab.set_port_note("")
        else:
            self.title.setText("No connection selected")
        self.setEnabled(connection is not None)
        self.auth_tab.set_anonymous_note(False)
        self._loading = False
        self._update_kind()
        self._set_dirty(False)
        self.refresh_problems()

    def current(self) -> Connection:
        """The connection as edited (not saved)."""
        assert self.original is not None
        connection = self.original
        for tab in self.form_tabs:
            connection = tab.apply(connection)
        # "Password" with the user name and the password cleared is anonymous (issue 20, item 7).
        # Only what was there can be cleared: a new connection (a preset's, say) with neither
        # still asks for the user name rather than saving as anonymous unasked.
        original = self.original
        if original.username.strip() or self.auth_tab.password.stored:
            return settle_sign_in(connection, has_password=self.auth_tab.has_password())
        return connection

    def pending_secrets(self) -> dict[SecretSlot, str | None]:
        """Secrets to store (a string) or delete (None) on save."""
        changes: dict[SecretSlot, str | None] = {}
        for field, slot in (
            (self.auth_tab.password, SecretSlot.PASSWORD),
            (self.proxy_tab.password, SecretSlot.PROXY_PASSWORD),
            (self.graph_tab.secret, SecretSlot.CLIENT_SECRET),
            (self.auth_tab.client_secret, SecretSlot.OAUTH_CLIENT_SECRET),
        ):
            if field.has_pending:
                changes[slot] = field.pending
        return changes

    def is_dirty(self) -> bool:
        return self._dirty

    def mark_unsaved(self) -> None:
        """A new connection is unsaved by nature."""
        self._set_dirty(True)

    def put_edits(self, values: dict[str, object]) -> None:
        """Set fields as if the user typed them (detected settings, a pin): the user still saves."""
        for name, value in values.items():
            tab = next(t for t in self.form_tabs if any(spec.name == name for spec in t.FIELDS))
            set_value(tab.widgets[name], value)
        self._on_edited()

    def adopt_stored_pin(self, sha256: str) -> None:
        """The stored connection was pinned while the editor holds edits: keep them, add the pin."""
        if self.original is not None:
            self.original = self.original.replace(pinned_sha256=sha256)
        self.put_edits({"pinned_sha256": sha256})

    def problems(self) -> list[Problem]:
        if self.original is None:
            return []
        current = self.current()
        return (
            validate(current, self.taken_names)
            + self.encryption_tab.file_problems(current, self.original)
            + self.auth_tab.shared_problems(current)
            + self.proxy_tab.shared_problems(current)
        )

    def hold_problems(self) -> None:
        """A new connection: show each field's problems only once the user touched it (or saves)."""
        self._touched = set()
        self.refresh_problems()

    def reveal_problems(self) -> list[Problem]:
        """Show every problem (Save or Test was pressed); returns them."""
        self._touched = None
        return self.refresh_problems()

    @Slot(str)
    def _touched_add(self, name: str) -> None:
        if self._touched is not None:
            self._touched.add(name)

    # -------------------------------------------------------------- reactions

    @Slot()
    def _on_edited(self) -> None:
        if self._loading or self.original is None:
            return
        current = self.current()
        self._set_dirty(current != self.original or bool(self.pending_secrets()))
        self.refresh_problems()
        chosen = self.auth_tab.widgets["auth_mode"].currentData() if self.auth_tab.is_built() else None  # type: ignore[attr-defined]
        self.auth_tab.set_anonymous_note(chosen == AuthMode.PASSWORD.value and current.auth_mode is AuthMode.NONE)

    def refresh_problems(self) -> list[Problem]:
        """Validate the edits and show the problems of the touched fields; returns all problems."""
        problems = self.problems()
        touched = self._touched
        shown = problems if touched is None else [p for p in problems if p.field in touched]
        for tab in self.form_tabs:
            count = tab.show_problems(shown)
            index = self.tabs.indexOf(tab)
            base = self.tabs.tabText(index).split(" (")[0]
            self.tabs.setTabText(index, f"{base} ({count})" if count else base)
        if shown:
            self.summary.setText(f"{len(shown)} problem{'s' if len(shown) > 1 else ''} to fix before saving")
        else:
            self.summary.setText("")
        # With problems held back, Save stays available: pressing it shows them.
        self.save_button.setEnabled(self._dirty and not shown)
        self.update_port_hints()
        return problems

    def _set_dirty(self, dirty: bool) -> None:
        self.revert_button.setEnabled(dirty)
        problems = self.problems()
        if self._touched is not None:
            problems = [p for p in problems if p.field in self._touched]
        self.save_button.setEnabled(dirty and not problems)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    @Slot()
    def _on_security_changed(self) -> None:
        combo = self.encryption_tab.widgets["security"]
        new = Security(combo.currentData())  # type: ignore[attr-defined]
        note = ""
        if not self._loading:
            port = self.main_tab.widgets["port"]
            # Suggest the usual port for the new mode, unless the user typed another one.
            if port.value() == DEFAULT_PORTS[self._security] and DEFAULT_PORTS[new] != port.value():  # type: ignore[attr-defined]
                port.setValue(DEFAULT_PORTS[new])  # type: ignore[attr-defined]
                note = f"The port was set to {DEFAULT_PORTS[new]}, the usual port for {SECURITY_NAMES[new]}."
                self._noted_port = DEFAULT_PORTS[new]
        self._security = new
        self.encryption_tab.set_port_note(note)
        self.update_port_hints()

    def update_port_hints(self) -> None:
        """Warn (not an error: some servers do use odd ports) when the port does not fit the mode."""
        if self.original is None:
            return
        connection = self.current()
        if self._noted_port is not None and connection.port != self._noted_port:
            self._noted_port = None  # the user changed the port since: the note no longer holds
            self.encryption_tab.set_port_note("")
        warning = port_mismatch(connection.port, connection.security) if connection.kind is Kind.SMTP else None
        self.main_tab.set_port_warning(warning or "")
        self.encryption_tab.set_port_warning(warning or "")

    @Slot()
    def _update_kind(self) -> None:
        graph = self.main_tab.widgets["kind"].currentData() == Kind.GRAPH.value  # type: ignore[attr-defined]
        self.auth_tab.set_graph(graph)
        self.tabs.setTabVisible(self.tabs.indexOf(self.graph_tab), graph)
        for tab in (self.encryption_tab, self.proxy_tab):
            self.tabs.setTabVisible(self.tabs.indexOf(tab), not graph)
        self.main_tab.set_enabled(("host", "port", "ehlo_name", "source_address", "ip_family", "timeout_s"), not graph)
