"""The *Sender domain* section: SPF, DMARC and DKIM of the domain a connection sends as.

The check runs on the window's pool (DNS never on the GUI thread) and only when the person
presses the button (or opened the check from the Main settings tab): no lookup leaves the
machine unasked. Record text is DNS's, so it reaches the labels only through ``set_plain``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from smtpgui.ui.colors import set_status_color
from smtpgui.ui.offthread import Call
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain

if TYPE_CHECKING:
    from smtpgui.transport.network import CancelToken
    from smtpgui.transport.sendercheck import SenderReport

MARKS = {"problem": "✖", "warning": "⚠", "ok": "✔", "note": "•"}


def report_lines(report: SenderReport) -> list[tuple[str, str]]:
    """(status colour, line) per finding, problems first; the fix under each problem and warning."""
    order = {"problem": 0, "warning": 1, "note": 2, "ok": 3}
    lines = []
    for finding in sorted(report.findings, key=lambda f: order.get(f.level, 9)):
        colour = {"problem": "error", "warning": "warning", "ok": "success"}.get(finding.level, "")
        text = f"{MARKS.get(finding.level, '•')} {finding.message}"
        if finding.fix and finding.level in ("problem", "warning"):
            text += f"\n    Fix: {finding.fix}"
        lines.append((colour, text))
    return lines


class SenderDomainPanel(QGroupBox):
    """A group box titled *Sender domain*: a Check button, a summary and the findings.

    Signals:
        checked(object): a check finished (the SenderReport).
    """

    checked = Signal(object)

    def __init__(
        self,
        start: Callable[[Call], None],
        check: Callable[[CancelToken], SenderReport],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Sender domain", parent)
        self.setObjectName("senderDomainPanel")
        self.start, self.check = start, check
        self.job: Call | None = None
        self.report: SenderReport | None = None
        self.button = QPushButton("Check sender &domain")
        self.button.setObjectName("senderCheckRunButton")
        self.button.setAccessibleName("Check sender domain")
        self.button.clicked.connect(self.run)
        self.summary = PlainLabel("Will mail sent as this From address pass SPF, DKIM and DMARC at the receiver?")
        self.summary.setObjectName("senderSummary")
        self.summary.setWordWrap(True)
        self.findings = QVBoxLayout()
        self.findings.setSpacing(6)
        self.lines: list[PlainLabel] = []
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.findings)

    @Slot()
    def run(self) -> None:
        """Start the check (the person asked for it)."""
        if self.job is not None:
            return
        job = Call(self.check, cancellable=True)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        self.job = job
        self.button.setEnabled(False)
        set_status_color(self.summary, "")
        set_plain(self.summary, "Checking SPF, DMARC and DKIM…")
        self._clear()
        self.start(job)

    @Slot()
    def cancel(self) -> None:
        """Stop a check still running (its dialog closed); nothing of it is shown."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
            self.button.setEnabled(True)

    def _clear(self) -> None:
        for label in self.lines:
            self.findings.removeWidget(label)
            label.deleteLater()
        self.lines = []

    def _current(self) -> bool:
        """The signal comes from the check this section still waits for (not one it cancelled)."""
        return self.job is not None and self.sender() is self.job.signals

    @Slot(object)
    def _on_finished(self, report: SenderReport) -> None:
        if not self._current():
            return
        self.job = None
        self.report = report
        self.button.setEnabled(True)
        problems = sum(1 for f in report.findings if f.level == "problem")
        if report.dns_error:
            set_status_color(self.summary, "warning")
            set_plain(self.summary, f"DNS could not answer for {report.domain}: {report.dns_error}.")
        elif problems:
            set_status_color(self.summary, "error")
            set_plain(
                self.summary,
                f"{problems} problem(s) for mail sent as {report.address}"
                + (f" through {report.provider}" if report.provider else "")
                + ":",
            )
        else:
            warnings = sum(1 for f in report.findings if f.level == "warning")
            set_status_color(self.summary, "warning" if warnings else "success")
            tail = f"; {warnings} warning(s) to read:" if warnings else "."
            set_plain(self.summary, f"No problem found for mail sent as {report.address}{tail}")
        for colour, text in report_lines(report):
            label = PlainLabel()
            label.setObjectName("senderFinding")
            label.setWordWrap(True)
            set_status_color(label, colour)
            set_plain(label, text)
            self.findings.addWidget(label)
            self.lines.append(label)
        self.checked.emit(report)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._current():
            return
        self.job = None
        self.button.setEnabled(True)
        set_status_color(self.summary, "error")
        set_plain(self.summary, f"The check could not run: {message}")


class SenderCheckDialog(QDialog):
    """The Main settings tab's *Check sender domain…*: the section alone, checking at once."""

    def __init__(
        self,
        title: str,
        start: Callable[[Call], None],
        check: Callable[[CancelToken], SenderReport],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("senderCheckDialog")
        self.setWindowTitle(clean(title))
        self.panel = SenderDomainPanel(start, check, self)
        self.finished.connect(self.panel.cancel)  # closed while checking: the check stops
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(640, 360)
