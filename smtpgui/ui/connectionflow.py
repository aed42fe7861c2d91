"""The connections' own actions in the window: new, from preset, save, revert, duplicate,
delete, set as default, enable or disable, and the app settings dialog.

Every rule (what a new or copied connection is called, who becomes the default) is the
application layer's (:class:`smtpgui.services.ConnectionService`); this flow asks the person
what only they can decide and tells them what happened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from smtpgui.core.errors import ConflictError, SecretStoreUnavailable, SmtpguiError, ValidationError
from smtpgui.core.model import Connection
from smtpgui.storage.secrets import Slot as SecretSlot
from smtpgui.ui.offthread import call_off_gui_thread

if TYPE_CHECKING:
    from smtpgui.services.connections import ConnectionService
    from smtpgui.storage.results import ResultStore
    from smtpgui.ui.context import WindowContext

T = TypeVar("T")


class ConnectionFlow(QObject):
    """New, save, revert, duplicate, delete, default and enable for the window's connections."""

    def __init__(self, window: WindowContext, results: ResultStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.results = results
        self.settings_dialog: QDialog | None = None

    @property
    def _connections(self) -> ConnectionService:
        return self.window.services.connections

    def _off_gui(self, call: Callable[[], T]) -> T:
        """Saves read, check and write the whole file, and the keyring may take its time: on a
        worker, while the window keeps painting (at 10,000 connections a save is ~100 ms)."""
        return call_off_gui_thread(self.window.pool, call)

    # new ---------------------------------------------------------------------------------------

    @Slot()
    def new_connection(self, base: Connection | None = None, name: str = "New connection") -> bool:
        """Open a new, unsaved connection (from ``base``'s settings when given) in the editor."""
        w = self.window
        if not w.resolve_unsaved():
            return False
        w.open_draft(self._connections.blank(w.model.connections(), base, name))
        return True

    @Slot()
    def new_from_preset(self) -> None:
        from smtpgui.core.presets import find_preset
        from smtpgui.ui.presetpicker import connection_name, first_field

        w = self.window
        preset_id = w.prompts.choose_preset()
        if preset_id is None:
            return
        preset = find_preset(preset_id)
        if not self.new_connection(preset.apply(Connection(name="x")), name=connection_name(preset)):
            return
        tab_name, field = first_field(preset)
        tab = getattr(w.editor, f"{tab_name}_tab")
        w.editor.tabs.setCurrentWidget(tab)
        tab.widgets[field].setFocus()
        w.status(preset.advice, 15000)

    # save and revert ---------------------------------------------------------------------------

    @Slot()
    def save(self) -> bool:
        """Save the editor's connection and its secrets; False when it could not be saved."""
        w = self.window
        editor = w.editor
        if editor.original is None:
            return False
        if editor.reveal_problems():
            w.status("Fix the problems shown in red before saving.", 8000)
            return False
        connection = editor.current()
        secrets = editor.pending_secrets()
        try:
            if w.draft is not None:
                saved: Connection | None = self._off_gui(lambda: self._connections.create(connection))
            else:
                saved = self._save_unless_changed_elsewhere(connection)
            if saved is None:
                return False
        except ValidationError as exc:
            editor.refresh_problems()
            w.prompts.warn("Cannot save", str(exc))
            return False
        except SmtpguiError as exc:
            w.prompts.warn("Cannot save", str(exc))
            return False
        w.draft = None
        self.store_secrets(saved, secrets)
        w.reload(select_id=saved.id)
        if secrets:
            w.keyring.check(saved.id)  # the user changed secrets: show what the keyring now holds
        w.status(f"Saved “{saved.name}”.", 5000)
        return True

    def _save_unless_changed_elsewhere(self, connection: Connection) -> Connection | None:
        """Save an edit; if the file changed since the editor loaded it, the user decides."""
        w = self.window
        original = w.editor.original
        try:
            return self._off_gui(lambda: self._connections.save(connection, expected=original))
        except ConflictError as exc:
            mine = original.name if original is not None else connection.name
            theirs = exc.current.name
            renamed = f" (it is now called “{theirs}”)" if theirs != mine else ""
            detail = f"“{mine}” was changed by another smtpgui window or command after you opened it{renamed}."
            if w.prompts.resolve_conflict(connection.name, detail):
                saved = self._off_gui(lambda: self._connections.save(connection))
                self._unbind_overwritten_secrets(original, exc.current, saved)
                return saved
            w.close_editor()  # forget the edits the user chose to discard
            w.reload(select_id=connection.id)
            w.status(f"Showing “{theirs}” as saved elsewhere.", 8000)
            return None

    def _unbind_overwritten_secrets(self, original: Connection | None, theirs: Connection, mine: Connection) -> None:
        """ "Save mine" over a version another program saved: secrets stored for where that version
        pointed do not follow the user's version elsewhere (the services decide; this says so)."""
        w = self.window
        if original is None:
            return
        try:
            moved = self._off_gui(lambda: self._connections.unbind_overwritten_secrets(original, theirs, mine))
        except SecretStoreUnavailable as exc:
            w.prompts.warn("Secrets not removed", str(exc))
            return
        if moved:
            w.keyring.forget(mine.id)
            w.prompts.inform(
                "Secrets removed",
                f"The secrets stored for “{theirs.name}” as another program saved it were removed: your "
                f"version sends them elsewhere ({', '.join(moved)}). Enter them again.",
            )

    def store_secrets(self, connection: Connection, secrets: dict[SecretSlot, str | None]) -> None:
        """Write the secrets typed in the editor (``None`` removes one); a keyring refusal is said."""
        w = self.window
        service = w.services.secrets
        if secrets:
            known_before = connection.id in w.keyring.stored
            try:
                self._off_gui(lambda: service.write(connection.id, secrets))
                if known_before:
                    w.keyring.written(connection.id, secrets)
            except SecretStoreUnavailable as exc:
                w.keyring.forget(connection.id)
                w.prompts.warn("Password not saved", str(exc))
        if service.session_only:
            w.keyring.show_banner(service.unavailable_reason)

    @Slot()
    def revert(self) -> None:
        w = self.window
        if w.draft is not None:
            w.draft = None
            w.close_editor()
            w.reload()
            return
        current = w.current_connection()
        if current is not None:
            w.reload(select_id=current.id)

    # duplicate and delete ----------------------------------------------------------------------

    @Slot()
    def duplicate(self) -> None:
        w = self.window
        source = w.current_connection()
        if source is None or w.draft is not None or not w.resolve_unsaved():
            return
        from smtpgui.services.connections import duplicate_needs_password

        password = None
        if duplicate_needs_password(source):
            # Issue 20, item 3: asked first; no password, no copy (one could not sign in).
            password = w.prompts.ask_password(source)
            if not password:
                w.status(f"“{source.name}” was not duplicated: a copy needs its password.", 5000)
                return
        try:
            copy = self._off_gui(
                lambda: self._connections.duplicate(
                    source, self._connections.copy_name_for(source, w.model.connections()), password
                )
            )
        except SmtpguiError as exc:
            w.prompts.warn("Cannot duplicate", str(exc))
            return
        w.keyring.stored[copy.id] = {SecretSlot.PASSWORD} if password else set()
        w.reload(select_id=copy.id)
        kept = "with the password given" if password else "without secrets"
        w.status(f"Copied to “{copy.name}” ({kept}).", 5000)

    @Slot()
    def delete(self) -> None:
        w = self.window
        victim = w.current_connection()
        if victim is None:
            return
        if w.draft is not None:
            self.revert()
            return
        if not w.prompts.confirm_delete(victim):
            return
        others = [c for c in w.model.connections() if c.id != victim.id]
        new_default = None
        if self._connections.needs_new_default(victim, w.model.connections()):
            chosen = w.prompts.choose_new_default(victim, others)
            if chosen is None:
                return
            new_default = chosen.id
        try:
            outcome = self._connections.delete(victim, new_default)
        except SmtpguiError as exc:
            w.prompts.warn("Cannot delete", str(exc))
            return
        if outcome.secrets_warning:
            w.prompts.warn("Secrets not removed", outcome.secrets_warning)
        with contextlib.suppress(SmtpguiError):  # a deleted connection's stale result is never shown
            self.results.forget({victim.id})
        w.keyring.forget(victim.id)
        w.close_editor()
        w.reload(select_id=new_default)
        w.status(f"Deleted “{victim.name}”.", 5000)

    # default and enabled -----------------------------------------------------------------------

    @Slot()
    def set_default(self) -> None:
        w = self.window
        current = w.current_connection()
        if current is None or w.draft is not None:
            return
        try:
            self._connections.set_default(current.id)
        except SmtpguiError as exc:
            w.prompts.warn("Cannot set the default", str(exc))
        w.reload(select_id=current.id)

    @Slot()
    def toggle_enabled(self) -> None:
        w = self.window
        current = w.current_connection()
        if current is None or w.draft is not None or not w.resolve_unsaved():
            return
        try:
            self._connections.set_enabled(current.id, not current.enabled)
        except SmtpguiError as exc:
            w.prompts.warn("Cannot change", str(exc))
        w.reload(select_id=current.id)

    # app settings ------------------------------------------------------------------------------

    @Slot()
    def open_settings(self, parent: QWidget | None = None) -> None:
        """File › Settings…: the app-wide defaults (the same ones ``smtpgui settings`` changes)."""
        from smtpgui.ui.settingsdialog import SettingsDialog

        w = self.window
        try:
            current = w.services.settings.load()
        except SmtpguiError as exc:
            w.prompts.warn("Cannot read the settings", str(exc))
            return
        dialog = SettingsDialog(w.services.settings, current, parent)
        dialog.finished.connect(lambda _code: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
