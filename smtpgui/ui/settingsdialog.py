"""File › Settings…: the app-wide defaults, the same ones ``smtpgui settings`` changes.

Validated by the functions the CLI uses (``split_from_field`` for a pasted "Name <address>",
``AppSettings.validate`` for the rest), so the window accepts exactly what the command does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from smtpgui.core.addresses import split_from_field
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import Problem, SmtpguiError
from smtpgui.services.settings import SettingsService
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.plaintext import PlainLabel, set_plain


def settings_from_form(address_text: str, name_text: str) -> tuple[AppSettings, list[Problem]]:
    """The settings the form describes and their problems (as ``smtpgui settings`` would find them)."""
    address, name = address_text.strip(), name_text
    problems: list[Problem] = []
    if address:
        try:
            pasted_name, address = split_from_field(address)
        except ValueError as exc:
            return AppSettings(address, name), [Problem("default_from_address", str(exc))]
        if pasted_name and not name.strip():
            name = pasted_name
    settings = AppSettings(default_from_address=address, default_from_name=name)
    problems.extend(settings.validate())
    return settings, problems


class SettingsDialog(QDialog):
    """Edit the default sender every connection without its own From uses."""

    def __init__(self, store: SettingsService, current: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.store = store
        intro = PlainLabel(
            "Defaults for every connection that leaves its own value empty. "
            "The command line changes the same settings: smtpgui settings --default-from …"
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.from_edit = QLineEdit(current.default_from_address)
        self.from_edit.setObjectName("defaultFromEdit")
        self.from_edit.setAccessibleName("Default From address")
        self.from_edit.setPlaceholderText('you@example.com or "Name" <you@example.com>')
        self.name_edit = QLineEdit(current.default_from_name)
        self.name_edit.setObjectName("defaultFromNameEdit")
        self.name_edit.setAccessibleName("Default From name")
        self.name_edit.setPlaceholderText("shown as the sender's name")
        self.errors: dict[str, PlainLabel] = {}
        form = QFormLayout()
        for key, label, edit in (
            ("default_from_address", "Default &From address:", self.from_edit),
            ("default_from_name", "Default From &name:", self.name_edit),
        ):
            error = PlainLabel()
            error.setObjectName(key + "Error")
            error.setTextFormat(Qt.TextFormat.PlainText)
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
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("settingsSaveButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.from_edit.textChanged.connect(self.validate)
        self.name_edit.textChanged.connect(self.validate)
        self.saved: AppSettings | None = None
        self.validate()
        self.resize(520, 240)

    @Slot()
    def validate(self) -> list[Problem]:
        """Show each problem under its field; Save is possible only without problems."""
        _settings, problems = settings_from_form(self.from_edit.text(), self.name_edit.text())
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
        settings, problems = settings_from_form(self.from_edit.text(), self.name_edit.text())
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
