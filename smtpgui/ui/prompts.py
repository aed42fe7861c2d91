"""Every question the window asks the user, in one replaceable object.

The window never opens a modal box directly; it asks ``Prompts``. Tests (and automation) give
the window a scripted ``Prompts`` whose answers are decided in advance.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from smtpgui.core.model import Connection
from smtpgui.ui.dialogs import CertificateDialog, PresetDialog

if TYPE_CHECKING:
    from smtpgui.transport.result import CertificateInfo


class Unsaved(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class Prompts:
    """Real dialogs, parented to the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def ask_unsaved(self, name: str) -> Unsaved:
        box = QMessageBox(
            QMessageBox.Icon.Question, "Unsaved changes", f"“{name}” has unsaved changes.", parent=self.parent
        )
        box.setInformativeText("Save them before you go on?")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return Unsaved.SAVE
        if answer == QMessageBox.StandardButton.Discard:
            return Unsaved.DISCARD
        return Unsaved.CANCEL

    def resolve_conflict(self, name: str, detail: str) -> bool:
        """Another program changed the connection being saved: True to overwrite it."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Changed elsewhere", detail, parent=self.parent)
        box.setInformativeText(f"Save your version of “{name}” over it, or discard your edits and show the saved one?")
        overwrite = box.addButton("Save mine", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Show theirs", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is overwrite

    def confirm_delete(self, connection: Connection) -> bool:
        answer = QMessageBox.question(
            self.parent, "Delete connection", f"Delete “{connection.name}” and its stored password?"
        )
        return answer == QMessageBox.StandardButton.Yes

    def choose_new_default(self, deleting: Connection, others: list[Connection]) -> Connection | None:
        names = [c.name for c in others]
        name, ok = QInputDialog.getItem(
            self.parent,
            "Choose the new default",
            f"“{deleting.name}” is the default. Which connection becomes the default?",
            names,
            0,
            False,
        )
        return others[names.index(name)] if ok and name in names else None

    def ask_password(self, connection: Connection) -> str | None:
        text, ok = QInputDialog.getText(
            self.parent,
            "Password for the copy",
            f"“{connection.name}” was copied without its password. Enter it now (or leave empty to set it later):",
            QLineEdit.EchoMode.Password,
        )
        return text if ok and text else None

    def choose_preset(self) -> str | None:
        dialog = PresetDialog(self.parent)
        if dialog.exec() and dialog.selected() is not None:
            return dialog.selected().id  # type: ignore[union-attr]
        return None

    def trust_certificate(self, certificate: CertificateInfo, connection: Connection) -> bool:
        return bool(CertificateDialog(certificate, connection.name, self.parent).exec())

    def apply_probe(self, summary: str) -> bool:
        answer = QMessageBox.question(self.parent, "Detected settings", summary + "\n\nApply these settings?")
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, title: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", "smtpgui export (*.json);;All files (*)")
        return path or None

    def save_file(self, title: str, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, "smtpgui export (*.json)")
        return path or None

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.parent, title, text)

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)
