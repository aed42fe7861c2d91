"""The test-email dialog: To, Subject, Message, verify-only; live stages and transcript."""

from __future__ import annotations

from email.headerregistry import Address

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.addresses import split_address_list
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import ValidationError
from smtpgui.core.message import DEFAULT_BODY, DEFAULT_SUBJECT, TestRequest, build_test_message
from smtpgui.core.model import Connection, Kind, Security
from smtpgui.transport.result import Stage, TestResult
from smtpgui.transport.tlsfiles import tls_file_problems
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain
from smtpgui.ui.stagetimings import StageTimings
from smtpgui.ui.workers import SendJob

STAGES = [s.value for s in Stage]

# Problems with fields that are not in this dialog name where to fix them.
_FIELD_NAMES = {
    "charset": "Character set (connection, Server tab)",
    "ca_file": "CA file (connection, Encryption tab)",
    "client_cert": "Client certificate (connection, Encryption tab)",
    "client_key": "Client key (connection, Encryption tab)",
    "from_address": "From address (connection)",
    "from_name": "From name (connection)",
    "reply_to": "Reply-To (connection)",
    "return_path": "Return-Path (connection)",
    "read_receipt_to": "Confirmation address (connection)",
    "default_from_address": "Default sender (app settings)",
    "default_from_name": "Default sender name (app settings)",
}

# How often a running test refreshes its transcript and stage bar. Lines and stages arrive per SMTP
# line from the worker; drawing them in batches keeps the GUI thread's work per dialog bounded
# however chatty the session, so fifty running tests cannot stall the window.
REFRESH_MS = 40


class TestEmailDialog(QDialog):
    """Sends a test through a job the window starts; closing cancels it.

    Signals:
        send_requested(object): a SendJob to start (the window owns the pool).
        result_ready(object): the TestResult of a finished send.
        trust_requested(object): the user wants to pin the certificate of a failed send.
    """

    __test__ = False
    send_requested = Signal(object)
    result_ready = Signal(object)
    trust_requested = Signal(object)

    def __init__(self, connection: Connection, settings: AppSettings, make_job, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setObjectName("testDialog")
        self.setWindowTitle(clean(f"Test “{connection.name}”"))
        self.connection = connection
        self.settings = settings
        self.make_job = make_job
        self.job: SendJob | None = None
        self.last_result: TestResult | None = None
        self.to_edit = QLineEdit(settings.default_to or connection.from_address or settings.default_from_address)
        self.to_edit.setObjectName("toEdit")
        # The From (issue 20, item 5): fixed when the connection forces its sender, else editable.
        self.from_edit = QLineEdit()
        self.from_edit.setObjectName("fromEdit")
        self._set_from(connection)
        self.subject_edit = QLineEdit(settings.default_subject or DEFAULT_SUBJECT)
        self.subject_edit.setObjectName("subjectEdit")
        self.body_edit = QPlainTextEdit(settings.default_body or DEFAULT_BODY)
        self.body_edit.setObjectName("bodyEdit")
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setFixedHeight(70)
        self.verify_only = QCheckBox("Only verify (connect, encrypt, sign in; send nothing)")
        self.verify_only.setObjectName("verifyOnlyCheck")
        self.verify_only.toggled.connect(self._on_verify_only)
        form = QFormLayout()
        # A problem with what was typed is shown under its field, as plain text (issue 17, item 11).
        self.field_problems: dict[str, PlainLabel] = {}
        for label, widget, field_name in (
            ("&To:", self.to_edit, "to"),
            ("&From:", self.from_edit, "from"),
            ("&Subject:", self.subject_edit, "subject"),
            ("&Message:", self.body_edit, "body"),
        ):
            caption = PlainLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(caption, widget)
            problem = PlainLabel()
            problem.setObjectName(f"{field_name}Problem")
            problem.setWordWrap(True)
            set_status_color(problem, "error")
            form.addRow(PlainLabel(""), problem)
            form.setRowVisible(problem, False)  # the whole row: an empty one would still take its spacing
            self.field_problems[field_name] = problem
        self.field_problems["from_override"] = self.field_problems.pop("from")  # the request's field
        # Said under the From, not only in a tooltip: why it cannot be changed here.
        self.from_fixed_note = PlainLabel(
            "Fixed: this connection forces its From address (Force sender, on its Main settings tab)."
        )
        self.from_fixed_note.setObjectName("fromFixedNote")
        self.from_fixed_note.setWordWrap(True)
        position: tuple[int, object] = form.getWidgetPosition(self.from_edit)  # type: ignore[assignment]
        form.insertRow(position[0] + 1, PlainLabel(""), self.from_fixed_note)
        form.setRowVisible(self.from_fixed_note, self.connection.force_sender)
        self._form = form
        form.addRow(PlainLabel(""), self.verify_only)
        self.progress = QProgressBar()
        self.progress.setObjectName("stageProgress")
        self.progress.setRange(0, len(STAGES))
        self.progress.setFormat("ready")
        self.transcript = QPlainTextEdit()
        self.transcript.setObjectName("transcriptView")
        self.transcript.setAccessibleName("Transcript")
        self.transcript.setReadOnly(True)
        self.transcript.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.transcript.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result_label = PlainLabel("Press Send to test this connection.")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Result")
        self.send_button = QPushButton("&Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.copy_button = QPushButton("C&opy transcript")
        self.copy_button.setObjectName("copyTranscriptButton")
        self.trust_button = QPushButton("Trust this certificate…")
        self.trust_button.setObjectName("trustButton")
        self.trust_button.hide()
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self.copy_transcript)
        self.trust_button.clicked.connect(self._on_trust)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.trust_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.result_label)
        self.timings = StageTimings()
        layout.addWidget(self.timings)
        layout.addLayout(buttons)
        self.resize(720, 560)
        self._pending_lines: list[str] = []
        self._pending_stage: str | None = None
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self._flush)

    def _set_from(self, connection: Connection) -> None:
        """Show the From a test sends as; read-only when the connection forces it."""
        name, address = self.settings.sender_for(connection)
        try:
            shown = str(Address(display_name=name, addr_spec=address)) if address else ""
        except (ValueError, IndexError, TypeError):  # an odd stored value: show it, validation says more
            shown = address
        self._from_shown = shown
        self.from_edit.setText(shown)
        forced = connection.force_sender
        self.from_edit.setReadOnly(forced)
        if hasattr(self, "from_fixed_note"):
            self._form.setRowVisible(self.from_fixed_note, forced)
        self.from_edit.setToolTip(
            "This connection forces its From address (Force sender): a test sends as it."
            if forced
            else "Another From for this test only; the connection keeps its own."
        )

    def _from_override(self) -> str:
        """The From typed for this test, or "" when it is the connection's own (or forced)."""
        text = self.from_edit.text().strip()
        if self.connection.force_sender or text == self._from_shown:
            return ""
        return text or ""

    @Slot(bool)
    def _on_verify_only(self, checked: bool) -> None:
        for widget in (self.to_edit, self.from_edit, self.subject_edit, self.body_edit):
            widget.setEnabled(not checked)

    @Slot()
    def send(self) -> None:
        if self.job is not None:
            return
        message = None
        if self.connection.kind is not Kind.GRAPH and self.connection.security is not Security.NONE:
            # A missing or wrong CA/client file is the user's file, not the server's certificate.
            file_problems = tls_file_problems(self.connection)
            if file_problems:
                self._show_field_problems(ValidationError(file_problems))
                return
        if not self.verify_only.isChecked():
            recipients = tuple(split_address_list(self.to_edit.text()))
            request = TestRequest(
                to=recipients,
                subject=self.subject_edit.text(),
                body=self.body_edit.toPlainText(),
                from_override=self._from_override(),
            )
            try:
                message = build_test_message(self.connection, request, self.settings)
            except ValidationError as exc:
                self._show_field_problems(exc)
                return
        self._show_field_problems(None)
        self.transcript.clear()
        self.timings.clear()
        self.trust_button.hide()
        self.last_result = None
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        self._show_text("Testing…", ok=None)
        job: SendJob = self.make_job(self.connection, message)
        job.signals.line.connect(self._on_line)
        job.signals.stage.connect(self._on_stage)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        self.job = job
        self.send_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.send_requested.emit(job)

    @Slot()
    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress.setFormat("cancelling…")

    @Slot(str)
    def _on_line(self, line: str) -> None:
        self._pending_lines.append(line)
        if not self._refresh.isActive():
            self._refresh.start()

    @Slot(str)
    def _on_stage(self, stage: str) -> None:
        self._pending_stage = stage
        if not self._refresh.isActive():
            self._refresh.start()

    @Slot()
    def _flush(self) -> None:
        """Draw the lines and the stage that arrived since the last refresh, in one go."""
        self._refresh.stop()
        if self._pending_lines:
            self.transcript.appendPlainText("\n".join(self._pending_lines))
            self._pending_lines.clear()
            # Follow the end downwards, but keep the start of each line in view (the prefixes
            # say who spoke; a long JSON line must not scroll them away).
            self.transcript.horizontalScrollBar().setValue(0)
        if self._pending_stage is not None:
            stage, self._pending_stage = self._pending_stage, None
            self.progress.setValue(STAGES.index(stage) + 1 if stage in STAGES else 0)
            self.progress.setFormat(stage)

    @Slot(object)
    def _on_finished(self, result: TestResult) -> None:
        self._flush()
        self.job = None
        self.last_result = result
        self.transcript.moveCursor(QTextCursor.MoveOperation.End)
        self.transcript.moveCursor(QTextCursor.MoveOperation.StartOfLine)  # the line's start stays in view
        self.send_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        total = result.timings_ms.get("total", 0.0)
        self.timings.show_timings(result.timings_ms)
        if result.ok:
            self.progress.setValue(len(STAGES))
            self.progress.setFormat("done")
            what = "Verified" if self.verify_only.isChecked() else "Sent: the server accepted the message"
            details = [f"{total:.0f} ms"]
            if result.tls:
                details.append(result.tls.version)
            if result.auth_mechanism:
                details.append(f"signed in with {result.auth_mechanism}")
            text = f"✔ {what} ({', '.join(details)})."
            if result.warnings:
                text += " Warning: " + "; ".join(result.warnings) + "."
            self._show_text(text, ok=True)
        elif result.cancelled:
            self.progress.setFormat("cancelled")
            self._show_text("The test was cancelled.", ok=None)
        else:
            self.progress.setFormat(f"failed at {result.stage.value}")
            self._show_text(
                f"✖ Failed at {result.stage.value}: {result.error}\n{result.explanation}\nFix: {result.fix}", ok=False
            )
            if (
                result.certificate
                and result.failure_kind in ("certificate", "hostname", "pin")
                and self.connection.security is not Security.NONE
            ):
                self.trust_button.show()
        self.result_ready.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._flush()
        self.job = None
        self.send_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._show_text(f"✖ The test could not run: {message}", ok=False)

    def _show_field_problems(self, error: ValidationError | None) -> None:
        """Each problem under its field; the rest (the connection's, the settings') in the result line."""
        by_field: dict[str, list[str]] = {}
        for problem in error.problems if error else []:
            by_field.setdefault(problem.field, []).append(problem.message)
        for field_name, label in self.field_problems.items():
            messages = by_field.get(field_name, [])
            set_plain(label, "\n".join(messages))
            self._form.setRowVisible(label, bool(messages))
        if error is not None:
            elsewhere = [
                f"{_FIELD_NAMES.get(p.field, p.field)}: {p.message}"
                if p.field not in self.field_problems
                else p.message
                for p in error.problems
            ]
            self._show_text("✖ " + " ".join(elsewhere), ok=False)

    def _show_text(self, text: str, ok: bool | None) -> None:
        set_status_color(self.result_label, {True: "success", False: "error", None: ""}[ok])
        set_plain(self.result_label, text)

    def add_section(self, section: QWidget) -> None:
        """A section shown under the result once a test has finished (the *Sender domain* check)."""
        self._layout.insertWidget(self._layout.count() - 1, section)
        section.hide()
        self.result_ready.connect(section.show)

    def use_connection(self, connection: Connection) -> None:
        """Test ``connection`` from now on (a certificate was just trusted: its pin is in it)."""
        self.connection = connection
        self._set_from(connection)
        self.trust_button.hide()
        self._show_text("The certificate is trusted now: press Send to test again.", ok=None)

    @Slot()
    def copy_transcript(self) -> None:
        QGuiApplication.clipboard().setText(self.transcript.toPlainText())

    @Slot()
    def _on_trust(self) -> None:
        if self.last_result is not None and self.last_result.certificate is not None:
            self.trust_requested.emit(self.last_result.certificate)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        self.cancel()
        super().reject()
