"""What the editor side shows when no connection is open: what to do next, as buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from smtpgui.ui.plaintext import PlainLabel, set_plain


class EmptyState(QWidget):
    """First run (no connections) or nothing selected: set up from an e-mail address, try the local
    sandbox (first run only), add from a preset, add blank, import.

    Signals:
        address_requested, sandbox_requested, preset_requested, blank_requested, import_requested:
        the matching button was pressed.
    """

    address_requested = Signal()
    sandbox_requested = Signal()
    preset_requested = Signal()
    blank_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.title = PlainLabel()
        self.title.setObjectName("emptyStateTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.text = PlainLabel()
        self.text.setObjectName("emptyStateText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.address_button = QPushButton("Set up from an e-mail &address…")
        self.address_button.setObjectName("emptyAddressButton")
        self.address_button.clicked.connect(self.address_requested)
        self.sandbox_button = QPushButton("&Try it with the local sandbox")
        self.sandbox_button.setObjectName("emptySandboxButton")
        self.sandbox_button.setToolTip(
            "Starts a mail server on this computer that keeps what it receives, adds a connection to it "
            "and opens a test: what you send shows in the Inbox"
        )
        self.preset_button = QPushButton("Add from a &preset…")
        self.preset_button.setObjectName("emptyPresetButton")
        self.blank_button = QPushButton("Add a &blank connection")
        self.blank_button.setObjectName("emptyBlankButton")
        self.import_button = QPushButton("&Import connections…")
        self.import_button.setObjectName("emptyImportButton")
        self.address_button.setDefault(True)
        self.sandbox_button.clicked.connect(self.sandbox_requested)
        self.preset_button.clicked.connect(self.preset_requested)
        self.blank_button.clicked.connect(self.blank_requested)
        self.import_button.clicked.connect(self.import_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        for button in (
            self.address_button,
            self.sandbox_button,
            self.preset_button,
            self.blank_button,
            self.import_button,
        ):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.setMinimumWidth(240)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(2)
        self.show_for(0)

    def show_for(self, connection_count: int) -> None:
        """Word the panel for a first run (no connections) or for nothing selected."""
        first_run = connection_count == 0
        self.sandbox_button.setVisible(first_run)
        if first_run:
            set_plain(self.title, "Welcome to smtpgui")
            set_plain(
                self.text,
                "You have no connections yet. Start from the e-mail address you send as (smtpgui looks up its "
                "settings), try smtpgui with the local sandbox (a mail server on this computer that keeps what "
                "it receives), start from your provider's settings (Gmail, Microsoft 365, Amazon SES and more), "
                "from a blank connection, or import a file exported by smtpgui.",
            )
        else:
            set_plain(self.title, "No connection selected")
            set_plain(self.text, "Pick a card on the left, or add a new connection.")
