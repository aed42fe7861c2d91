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
        try:
            outcome = w.services.connections.import_file(Path(path))
        except SmtpguiError as exc:
            w.prompts.warn("Cannot import", str(exc))
            return
        w.reload(select_id=outcome.imported[0].id if outcome.imported else None)
        w.status(f"Imported {len(outcome.imported)} connection(s); passwords are not part of exports.", 8000)

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
