"""Every question the window asks the user, in one replaceable object.

The window never opens a modal box directly; it asks ``Prompts``. Tests (and automation) give
the window a scripted ``Prompts`` whose answers are decided in advance.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from smtpgui.core.model import Connection

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from smtpgui.transport.result import CertificateInfo

# The dialog classes are looked up when a question is asked, not at import: PySide6 builds each
# class's Python enums on first use, and the window's first paint should not wait for message
# boxes and file dialogs nobody has opened yet.


class Unsaved(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class Prompts:
    """Real dialogs, parented to the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def ask_unsaved(self, name: str) -> Unsaved:
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Question, "Unsaved changes", f"“{name}” has unsaved changes.", parent=self.parent
        )
        box.setInformativeText("Save them before you go on?")
        box.setStandardButtons(
            QtWidgets.QMessageBox.StandardButton.Save
            | QtWidgets.QMessageBox.StandardButton.Discard
            | QtWidgets.QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        if answer == QtWidgets.QMessageBox.StandardButton.Save:
            return Unsaved.SAVE
        if answer == QtWidgets.QMessageBox.StandardButton.Discard:
            return Unsaved.DISCARD
        return Unsaved.CANCEL

    def resolve_conflict(self, name: str, detail: str) -> bool:
        """Another program changed the connection being saved: True to overwrite it."""
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Changed elsewhere", detail, parent=self.parent)
        box.setInformativeText(f"Save your version of “{name}” over it, or discard your edits and show the saved one?")
        overwrite = box.addButton("Save mine", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Show theirs", QtWidgets.QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is overwrite

    def confirm_replace(self, names: list[str]) -> bool:
        """An import holds names that exist already: True to replace those connections."""
        shown = ", ".join(f"“{n}”" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        text = f"The file holds {shown}, which exist already."
        icon = QtWidgets.QMessageBox.Icon.Question
        box = QtWidgets.QMessageBox(icon, "Replace connections?", text, parent=self.parent)
        box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        box.setInformativeText(
            "Replace them with the file's versions? Secrets stay only where nothing they depend on changed."
        )
        replace = box.addButton("Replace", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is replace

    def confirm_delete(self, connection: Connection) -> bool:
        answer = QtWidgets.QMessageBox.question(
            self.parent, "Delete connection", f"Delete “{connection.name}” and its stored password?"
        )
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def choose_new_default(self, deleting: Connection, others: list[Connection]) -> Connection | None:
        names = [c.name for c in others]
        name, ok = QtWidgets.QInputDialog.getItem(
            self.parent,
            "Choose the new default",
            f"“{deleting.name}” is the default. Which connection becomes the default?",
            names,
            0,
            False,
        )
        return others[names.index(name)] if ok and name in names else None

    def ask_password(self, connection: Connection) -> str | None:
        text, ok = QtWidgets.QInputDialog.getText(
            self.parent,
            "Password for the copy",
            f"“{connection.name}” was copied without its password. Enter it now (or leave empty to set it later):",
            QtWidgets.QLineEdit.EchoMode.Password,
        )
        return text if ok and text else None

    def choose_preset(self) -> str | None:
        from smtpgui.ui.dialogs import PresetDialog

        dialog = PresetDialog(self.parent)
        if dialog.exec() and dialog.selected() is not None:
            return dialog.selected().id  # type: ignore[union-attr]
        return None

    def trust_certificate(self, certificate: CertificateInfo, connection: Connection) -> bool:
        from smtpgui.ui.dialogs import CertificateDialog

        return bool(CertificateDialog(certificate, connection.name, self.parent).exec())

    def apply_probe(self, summary: str) -> bool:
        answer = QtWidgets.QMessageBox.question(self.parent, "Detected settings", summary + "\n\nApply these settings?")
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def open_file(self, title: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.parent, title, "", "smtpgui export (*.json);;All files (*)"
        )
        return path or None

    def save_file(self, title: str, suggested: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.parent, title, suggested, "smtpgui export (*.json)")
        return path or None

    def inform(self, title: str, text: str) -> None:
        QtWidgets.QMessageBox.information(self.parent, title, text)

    def warn(self, title: str, text: str) -> None:
        QtWidgets.QMessageBox.warning(self.parent, title, text)


class SelfTestPrompts(Prompts):
    """For ``--self-test``: no one is there to answer, so a warning is kept (the self-test
    reports it and fails) instead of waiting on a dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.warnings: list[str] = []

    def warn(self, title: str, text: str) -> None:
        self.warnings.append(f"{title}: {text}")
