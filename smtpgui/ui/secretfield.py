"""A password box that says whether a secret is stored, without ever showing it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from smtpgui.ui.plaintext import PlainLabel


class SecretField(QWidget):
    """A password box that says whether a secret is stored, without ever showing it.

    Typing sets a new secret; Clear forgets the stored one on save. ``pending`` is the change:
    a string to store, ``None`` to delete, or absent (no change).

    Signals:
        edited: the user typed or cleared.
    """

    edited = Signal()

    def __init__(self, object_name: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setObjectName(object_name)
        self.edit.setAccessibleName(label)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.state = PlainLabel()
        self.state.setObjectName(object_name + "State")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName(object_name + "Clear")
        self.clear_button.setAccessibleName(f"Clear {label.lower()}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.state)
        layout.addWidget(self.clear_button)
        self.stored = False
        self.checking = False
        self.unknown = False  # the keyring could not be read: a secret may be stored there
        self.pending: str | None = None
        self.has_pending = False
        self.edit.textEdited.connect(self._on_typed)
        self.clear_button.clicked.connect(self._on_clear)

    def load(self, stored: bool | None, session_only: bool = False, unknown: bool = False) -> None:
        """Show a fresh field; ``stored`` None while the keyring has not answered yet.

        ``unknown``: the keyring cannot be read, so an unstored secret may still be in it.
        """
        self.stored, self.pending, self.has_pending = bool(stored), None, False
        self.checking = stored is None
        self.unknown = unknown and not stored
        self.edit.clear()
        self._refresh(session_only)

    def set_stored(self, stored: bool, session_only: bool = False, unknown: bool = False) -> None:
        """The keyring answered; whatever the user typed meanwhile stays pending."""
        self.stored, self.checking = stored, False
        self.unknown = unknown and not stored
        self._refresh(session_only)

    def _refresh(self, session_only: bool = False) -> None:
        if self.has_pending and self.pending is None:
            text, placeholder = "will be removed", "type a new one to replace it"
        elif self.has_pending:
            text, placeholder = "changed (not saved)", ""
        elif self.checking:
            text, placeholder = "checking the keyring…", "type to set a new one"
        elif self.unknown:
            text, placeholder = "unknown (keyring unavailable)", "type to set it for this session"
        elif self.stored:
            text, placeholder = (
                "stored" + (" for this session only" if session_only else ""),
                "•••••••• (type to change)",
            )
        else:
            text, placeholder = "not set", "type it here"
        self.state.setText(text)
        self.edit.setPlaceholderText(placeholder)
        self.clear_button.setEnabled(self.stored or self.unknown or self.has_pending)

    def _on_typed(self, text: str) -> None:
        self.pending, self.has_pending = (text, True) if text else (None, False)
        self._refresh()
        self.edited.emit()

    def _on_clear(self) -> None:
        self.edit.clear()
        self.pending, self.has_pending = None, self.stored
        self._refresh()
        self.edited.emit()
