"""File › Settings…: the app-wide defaults, the same ones ``smtpgui settings`` changes.

Validated by the functions the CLI uses (``split_from_field`` for a pasted "Name <address>",
``AppSettings.validate`` for the rest), so the window accepts exactly what the command does:
the default sender, and the test message's default recipients, subject and body.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.addresses import split_from_field
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import Problem, SmtpguiError
from smtpgui.core.message import DEFAULT_BODY, DEFAULT_SUBJECT
from smtpgui.services.settings import SettingsService
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.plaintext import PlainLabel, set_plain


def settings_from_form(
    address_text: str,
    name_text: str,
    to: str = "",
    subject: str = "",
    body: str = "",
    *,
    sandbox_autostart: bool = False,
) -> tuple[AppSettings, list[Problem]]:
    """The settings the form describes and their problems (as ``smtpgui settings`` would find them)."""
    address, name = address_text.strip(), name_text
    test = {"default_to": to.strip(), "default_subject": subject, "default_body": body}
    if address:
        try:
            pasted_name, address = split_from_field(address)
        except ValueError as exc:
            problem = Problem("default_from_address", str(exc))
            return AppSettings(address, name, **test, sandbox_autostart=sandbox_autostart), [problem]
        if pasted_name and not name.strip():
            name = pasted_name
    settings = AppSettings(default_from_address=address, default_from_name=name, **test,
                           sandbox_autostart=sandbox_autostart)  # fmt: skip
    return settings, settings.validate()


class SettingsDialog(QDialog):
    """Edit the default sender (for connections without their own From) and the test message's defaults."""

    def __init__(self, store: SettingsService, current: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.store = store
        intro = PlainLabel(
            "Defaults for every connection that leaves its own value empty, and for every test. "
            "The command line changes the same settings: smtpgui settings --default-from …"
        )
        intro.setWordWrap(True)
        self.from_edit = self._line(current.default_from_address, "defaultFromEdit", "Default From address",
                                    'you@example.com or "Name" <you@example.com>')  # fmt: skip
        self.name_edit = self._line(current.default_from_name, "defaultFromNameEdit", "Default From name",
                                    "shown as the sender's name")  # fmt: skip
        self.to_edit = self._line(current.default_to, "defaultToEdit", "Default test recipient",
                                  "who receives a test (commas: several); empty: ask each time")  # fmt: skip
        self.subject_edit = self._line(current.default_subject, "defaultSubjectEdit", "Default test subject",
                                       DEFAULT_SUBJECT)  # fmt: skip
        self.body_edit = QPlainTextEdit(current.default_body)
        self.body_edit.setObjectName("defaultBodyEdit")
        self.body_edit.setAccessibleName("Default test message")
        self.body_edit.setPlaceholderText(DEFAULT_BODY)
        self.body_edit.setTabChangesFocus(True)
        self.body_edit.setFixedHeight(70)
        self.errors: dict[str, PlainLabel] = {}
        sender = QGroupBox("Sender")
        sender_form = QFormLayout(sender)
        self._rows(sender_form, (("default_from_address", "Default &From address:", self.from_edit),
                                 ("default_from_name", "Default From &name:", self.name_edit)))  # fmt: skip
        test = QGroupBox("Test message")
        test_form = QFormLayout(test)
        self._rows(test_form, (("default_to", "&To:", self.to_edit),
                               ("default_subject", "&Subject:", self.subject_edit),
                               ("default_body", "&Message:", self.body_edit)))  # fmt: skip
        sandbox = QGroupBox("Local sandbox")
        sandbox_layout = QVBoxLayout(sandbox)
        self.sandbox_box = QCheckBox("Start the local &sandbox with the window")
        self.sandbox_box.setObjectName("sandboxAutostartSetting")
        self.sandbox_box.setChecked(current.sandbox_autostart)
        sandbox_layout.addWidget(self.sandbox_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("settingsSaveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(sender)
        layout.addWidget(test)
        layout.addWidget(sandbox)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        for edit in (self.from_edit, self.name_edit, self.to_edit, self.subject_edit):
            edit.textChanged.connect(self.validate)
        self.body_edit.textChanged.connect(self.validate)
        self.saved: AppSettings | None = None
        self.validate()
        self.resize(560, 470)

    @staticmethod
    def _line(text: str, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def _rows(self, form: QFormLayout, rows: tuple[tuple[str, str, QWidget], ...]) -> None:
        for key, label, edit in rows:
            error = PlainLabel()
            error.setObjectName(key + "Error")
            error.setWordWrap(True)
            set_status_color(error, "error")
            error.hide()
            self.errors[key] = error
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            caption = PlainLabel(label)
            caption.setBuddy(edit)
            form.addRow(caption, column)

    def _form(self) -> tuple[AppSettings, list[Problem]]:
        return settings_from_form(
            self.from_edit.text(), self.name_edit.text(), self.to_edit.text(), self.subject_edit.text(),
            self.body_edit.toPlainText(), sandbox_autostart=self.sandbox_box.isChecked(),
        )  # fmt: skip

    @Slot()
    def validate(self) -> list[Problem]:
        """Show each problem under its field; Save is possible only without problems."""
        _settings, problems = self._form()
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        for key, label in self.errors.items():
            set_plain(label, " ".join(by_field.get(key, [])))
            label.setVisible(key in by_field)
        self.save_button.setEnabled(not problems)
        return problems

    @Slot()
    def save(self) -> None:
        settings, problems = self._form()
        if problems:
            self.validate()
            return
        try:
            self.store.save(settings)
        except SmtpguiError as exc:
            error = self.errors["default_from_address"]
            set_plain(error, str(exc))
            error.show()
            return
        self.saved = settings
        self.accept()
