"""Every question the window asks the user, in one replaceable object.

The window never opens a modal box directly; it asks ``Prompts``. Tests (and automation) give
the window a scripted ``Prompts`` whose answers are decided in advance. Every box shows its
texts (connection names, server and keyring errors) as plain text, through
``smtpgui.ui.plaintext``.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6 import QtWidgets

from smtpgui.core.model import Connection
from smtpgui.ui.plaintext import ask_item, ask_text, ask_yes_no, plain_message_box

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from smtpgui.services.settingsin import LocalSource
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
        box = plain_message_box(
            self.parent,
            QtWidgets.QMessageBox.Icon.Question,
            "Unsaved changes",
            f"“{name}” has unsaved changes.",
            informative="Save them before you go on?",
        )
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
        box = plain_message_box(
            self.parent,
            QtWidgets.QMessageBox.Icon.Warning,
            "Changed elsewhere",
            detail,
            informative=f"Save your version of “{name}” over it, or discard your edits and show the saved one?",
        )
        overwrite = box.addButton("Save mine", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Show theirs", QtWidgets.QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is overwrite

    def confirm_replace(self, names: list[str]) -> bool:
        """An import holds names that exist already: True to replace those connections."""
        shown = ", ".join(f"“{n}”" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        text = f"The file holds {shown}, which exist already."
        box = plain_message_box(
            self.parent,
            QtWidgets.QMessageBox.Icon.Question,
            "Replace connections?",
            text,
            informative="Replace them with the file's versions? Secrets stay only where nothing they rely on changed.",
        )
        replace = box.addButton("Replace", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is replace

    def confirm_delete(self, connection: Connection) -> bool:
        return ask_yes_no(self.parent, "Delete connection", f"Delete “{connection.name}” and its stored password?")

    def confirm_clear_inbox(self, count: int) -> bool:
        return ask_yes_no(
            self.parent, "Delete all messages", f"Delete all {count:,} message(s) in the sandbox's inbox?"
        )

    def choose_new_default(self, deleting: Connection, others: list[Connection]) -> Connection | None:
        names = [c.name for c in others]
        name = ask_item(
            self.parent,
            "Choose the new default",
            f"“{deleting.name}” is the default. Which connection becomes the default?",
            names,
        )
        return others[names.index(name)] if name is not None and name in names else None

    def ask_password(self, connection: Connection) -> str | None:
        """The password for a copy of ``connection``; None (no copy is made) when cancelled or empty."""
        text = ask_text(
            self.parent,
            "Password for the copy",
            f"A copy of “{connection.name}” needs its password (secrets are never copied). "
            "Enter it; Cancel makes no copy:",
            QtWidgets.QLineEdit.EchoMode.Password,
        )
        return text or None

    def choose_preset(self) -> str | None:
        from smtpgui.ui.presetpicker import PresetPicker

        dialog = PresetPicker(self.parent)
        if dialog.exec() and dialog.selected() is not None:
            return dialog.selected().id  # type: ignore[union-attr]
        return None

    def trust_certificate(self, certificate: CertificateInfo, connection: Connection) -> bool:
        from smtpgui.ui.dialogs import CertificateDialog

        return bool(CertificateDialog(certificate, connection.name, self.parent).exec())

    def apply_probe(self, summary: str) -> bool:
        return ask_yes_no(self.parent, "Detected settings", summary + "\n\nApply these settings?")

    def open_file(self, title: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.parent, title, "", "smtpgui export (*.json);;All files (*)"
        )
        return path or None

    def save_file(self, title: str, suggested: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.parent, title, suggested, "smtpgui export (*.json)")
        return path or None

    def choose_import(self, sources: list[LocalSource]) -> tuple[str, str] | None:
        """What to import: a source found on this computer or a file, and its format."""
        from smtpgui.ui.importchooser import ImportChooser

        dialog = ImportChooser(sources, self.parent)
        return dialog.choice() if dialog.exec() else None

    def confirm_store_passwords(self, names: list[str]) -> bool:
        """The file holds passwords: True to store them in the keyring (and nowhere else)."""
        shown = ", ".join(f"“{n}”" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return ask_yes_no(
            self.parent,
            "Store passwords?",
            f"The file holds a password for {shown}. Store it in the keyring? "
            "It is kept nowhere else; without it, enter the password in the connection later.",
        )

    def inform(self, title: str, text: str) -> None:
        plain_message_box(self.parent, QtWidgets.QMessageBox.Icon.Information, title, text).exec()

    def warn(self, title: str, text: str) -> None:
        plain_message_box(self.parent, QtWidgets.QMessageBox.Icon.Warning, title, text).exec()


class SelfTestPrompts(Prompts):
    """For ``--self-test``: no one is there to answer, so a warning is kept (the self-test
    reports it and fails) instead of waiting on a dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.warnings: list[str] = []

    def warn(self, title: str, text: str) -> None:
        self.warnings.append(f"{title}: {text}")
