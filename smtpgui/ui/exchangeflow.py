"""Import and export in the window (File › Import…, File › Export…): files without secrets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from smtpgui.core.errors import SmtpguiError

if TYPE_CHECKING:
    from smtpgui.ui.context import WindowContext


class ExchangeFlow(QObject):
    """Connections in and out of export files."""

    def __init__(self, window: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window

    @Slot()
    def import_connections(self) -> None:
        """File › Import…: a source found on this computer (Linux) or a file, in any format
        ``smtpgui import`` reads; passwords the file holds go to the keyring only if the user says so."""
        import sys

        from smtpgui.services import settingsin

        w = self.window
        home = Path.home()
        sources = settingsin.find_local_sources(home) if sys.platform.startswith("linux") else []
        choice = w.prompts.choose_import(sources)
        if not choice:
            return
        path, fmt = choice
        try:
            read = settingsin.read_settings_file(Path(path), fmt)
            if not read.connections:
                w.prompts.warn("Cannot import", f"{path} holds no connection smtpgui can import.")
                return
            clashes = w.services.connections.clashing_names(read.connections)
            if clashes and not w.prompts.confirm_replace(clashes):
                return
            owners = [c.name for c in read.connections if c.id in read.passwords]
            store = bool(owners) and w.prompts.confirm_store_passwords(owners)
            done = settingsin.import_settings(
                w.services, read, replace=bool(clashes), store_passwords=store, source=path
            )
        except SmtpguiError as exc:
            w.prompts.warn("Cannot import", str(exc))
            return
        outcome = done.outcome
        for old in outcome.replaced:
            w.keyring.forget(old.id)  # read the keyring again for these
        for connection in outcome.imported:
            w.keyring.forget(connection.id)
        w.reload(select_id=outcome.imported[0].id if outcome.imported else None)
        w.status(
            f"Imported {len(outcome.imported)} connection(s)"
            + (f", replacing {len(outcome.replaced)}" if outcome.replaced else "")
            + (f"; {len(done.stored)} password(s) stored in the keyring." if done.stored else "; no passwords."),
            8000,
        )
        notes = [
            f"The stored secrets of “{connection.name}” were removed: the import changed where they "
            f"would be sent ({', '.join(fields)}). Enter them again if you trust the new settings."
            for connection, fields in outcome.secrets_dropped
        ] + outcome.warnings
        notes += [
            f"The stored password of the {noun} “{name}” was removed: the import changed where it would be "
            f"sent ({', '.join(fields)}). Enter it again in Manage {noun}s if you trust the new settings."
            for noun, name, fields in outcome.shared.dropped
        ]
        notes += [
            f"The {noun} “{name}” was added without a password (exports carry none): set it in Manage {noun}s."
            for noun, name in outcome.shared.added
        ]
        notes += done.warnings + read.notes[:20]
        if len(read.notes) > 20:
            notes.append(f"… and {len(read.notes) - 20} more notes like these.")
        if notes:
            w.prompts.inform("Imported", "\n\n".join(notes))

    @Slot(str)
    def copy_settings(self, fmt: str) -> None:
        """Copy as…: the current connection as another tool's settings, on the clipboard (never a secret)."""
        from PySide6.QtGui import QGuiApplication

        from smtpgui.services.settingsio import OUT_LABELS, export_settings

        w = self.window
        connection = w.current_connection()
        if connection is None:
            return
        try:
            resolved = w.services.resolve(connection)  # a shared credential's user, a connector's route
            text = export_settings(w.services.secrets, resolved, fmt, wait=False)  # the GUI thread never waits
        except SmtpguiError as exc:
            w.prompts.warn("Cannot copy", str(exc))
            return
        QGuiApplication.clipboard().setText(text)
        w.status(
            f"Copied “{connection.name}” as {OUT_LABELS[fmt]} (no password: it is read from the keyring when used).",
            8000,
        )

    @Slot()
    def export_connections(self) -> None:
        w = self.window
        path = w.prompts.save_file("Export connections", "smtpgui-connections.json")
        if not path:
            return
        try:
            w.services.connections.export(Path(path))
        except SmtpguiError as exc:
            w.prompts.warn("Cannot export", str(exc))
            return
        w.status(f"Exported to {path} (no passwords or other secrets).", 8000)
