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
        w = self.window
        path = w.prompts.open_file("Import connections")
        if not path:
            return
        connections = w.services.connections
        try:
            incoming = connections.read_import(Path(path))
            clashes = connections.clashing_names(incoming)
            if clashes and not w.prompts.confirm_replace(clashes):
                return
            outcome = connections.import_connections(incoming, replace=bool(clashes), source=path)
        except SmtpguiError as exc:
            w.prompts.warn("Cannot import", str(exc))
            return
        for old in outcome.replaced:
            w.keyring.forget(old.id)  # read the keyring again for these
        w.reload(select_id=outcome.imported[0].id if outcome.imported else None)
        w.status(
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
        notes += [
            f"The stored password of the {noun} “{name}” was removed: the import changed where it would be "
            f"sent ({', '.join(fields)}). Enter it again in Manage {noun}s if you trust the new settings."
            for noun, name, fields in outcome.shared.dropped
        ]
        notes += [
            f"The {noun} “{name}” was added without a password (exports carry none): set it in Manage {noun}s."
            for noun, name in outcome.shared.added
        ]
        if notes:
            w.prompts.inform("Imported", "\n\n".join(notes))

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
