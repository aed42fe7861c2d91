"""Detect settings in the window: probe the server on a worker, offer what works best.

The connection's own port is probed first (the probe's rule); untrusted certificates are named
as such in the summary (``probetext``), and the detected settings become edits the user saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from smtpgui.core.model import Security
from smtpgui.ui.workers import ProbeJob

if TYPE_CHECKING:
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.ui.context import WindowContext


class ProbeFlow(QObject):
    """Detect settings for the connection in the editor."""

    def __init__(self, window: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        # Which (port, security) combinations to try; None: the probe's own choice (tests set it).
        self.combinations: list[tuple[int, Security]] | None = None

    @Slot()
    def detect(self) -> None:
        w = self.window
        if w.editor.original is None:
            return
        connection = w.editor.current()
        if not connection.host.strip():
            w.status("Enter the server's name first.", 5000)
            return
        job = ProbeJob(
            w.engine,
            connection.replace(timeout_s=min(connection.timeout_s, 10)),
            w.keyring.provider(w.editor.pending_secrets()),
            self.combinations,
            w.services.resolve,
        )
        job.signals.finished.connect(self.on_finished)
        job.signals.failed.connect(lambda message: w.prompts.warn("Detection failed", message))
        w.status(f"Detecting what {connection.host} supports…")
        w.start_job(job)

    @Slot(object)
    def on_finished(self, report: ProbeReport) -> None:
        from smtpgui.ui.probetext import probe_summary

        w = self.window
        summary, best = probe_summary(report)
        w.status("")
        if best is None:
            w.prompts.inform("Detected settings", summary)
            return
        if w.prompts.apply_probe(summary):
            self.apply(int(best["port"]), Security(best["security"]), best["mechanism"] or "auto")

    def apply(self, port: int, security: Security, mechanism: str) -> None:
        """Put detected settings into the editor as edits (the user still saves)."""
        editor = self.window.editor
        values: dict[str, object] = {"security": security.value, "port": port}
        if mechanism != "auto" and editor.auth_tab.widgets["auth_mode"].currentData() == "password":  # type: ignore[attr-defined]
            values["mechanism"] = mechanism
        editor.put_edits(values)
