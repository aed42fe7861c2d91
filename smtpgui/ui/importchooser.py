"""The import chooser (File › Import…): settings found on this computer, or a file, and its format.

On Linux, Thunderbird profiles and msmtp's configuration are listed on their own
(:func:`smtpgui.services.settingsin.find_local_sources`); any file can be chosen instead, and
the format is recognised by content unless the user names it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smtpgui.services.settingsin import LocalSource
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain

FORMATS = (
    ("auto", "Recognise automatically"),
    ("smtpgui", "smtpgui export (.json)"),
    ("thunderbird", "Thunderbird (prefs.js)"),
    ("msmtprc", "msmtp configuration (msmtprc)"),
    ("swaks", "swaks command line"),
)
_ROLE = Qt.ItemDataRole.UserRole


class ImportChooser(QDialog):
    """Choose what to import. :meth:`choice` is ``(path, format)`` or None."""

    def __init__(self, sources: list[LocalSource], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importChooser")
        self.setWindowTitle("Import connections")
        self.file = ""
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel("Found on this computer:"))
        self.sources = QListWidget()
        self.sources.setObjectName("importSources")
        self.sources.setAccessibleName("Settings found on this computer")
        self.sources.setAlternatingRowColors(True)  # two lines per source: tell them apart
        self.sources.setSpacing(3)
        for source in sources:
            item = QListWidgetItem(clean(f"{source.label}\n{_home_relative(source.path)}"))
            item.setData(_ROLE, source)
            item.setToolTip(clean(str(source.path)))
            self.sources.addItem(item)
        layout.addWidget(self.sources, 1)
        self.empty_label = PlainLabel(
            "No Thunderbird profile or msmtp configuration (~/.msmtprc) was found here. Choose a file instead."
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(not sources)
        self.sources.setVisible(bool(sources))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.empty_label, 1 if not sources else 0)  # takes the list's room when alone
        row = QHBoxLayout()
        self.file_button = QPushButton("Choose a &file…")
        self.file_button.setObjectName("importFileButton")
        self.file_label = PlainLabel("")
        self.file_label.setObjectName("importFileLabel")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.file_button)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        form = QFormLayout()
        self.format_combo = QComboBox()
        self.format_combo.setObjectName("importFormatCombo")
        for value, label in FORMATS:
            self.format_combo.addItem(label, value)
        form.addRow("&Format:", self.format_combo)
        layout.addLayout(form)
        note = PlainLabel(
            "Passwords are never copied from these files: a password found in one is offered for the keyring."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.file_button.clicked.connect(self._on_choose_file)
        self.sources.currentRowChanged.connect(self._on_source_changed)
        self.sources.itemDoubleClicked.connect(lambda _item: self.accept())
        if sources:
            self.sources.setCurrentRow(0)
        self._update()
        self.resize(640, 420)

    def choice(self) -> tuple[str, str] | None:
        """The chosen file and format, or None when nothing is chosen."""
        item = self.sources.currentItem() if self.sources.currentRow() >= 0 else None
        fmt = str(self.format_combo.currentData())
        if self.file:
            return self.file, fmt
        if item is not None:
            source: LocalSource = item.data(_ROLE)
            return str(source.path), fmt
        return None

    def set_file(self, path: str) -> None:
        """Choose ``path`` (the file dialog's answer) instead of a found source."""
        self.file = path
        self.sources.setCurrentRow(-1)
        set_plain(self.file_label, path)
        self._update()

    @Slot()
    def _on_choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import connections", "", "Settings (*.json prefs.js *msmtprc* *.txt *.sh);;All files (*)"
        )
        if path:
            if self.sources.currentRow() >= 0:  # the found source's format does not fit another file
                self.format_combo.setCurrentIndex(self.format_combo.findData("auto"))
            self.set_file(path)

    @Slot(int)
    def _on_source_changed(self, row: int) -> None:
        if row < 0:
            return
        self.file = ""
        set_plain(self.file_label, "")
        source: LocalSource = self.sources.item(row).data(_ROLE)
        self.format_combo.setCurrentIndex(self.format_combo.findData(source.format))
        self._update()

    def _update(self) -> None:
        self.import_button.setEnabled(self.choice() is not None)


def _home_relative(path: Path) -> str:
    """``~/…`` for a path in the home folder (shorter, and the same on every machine)."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)
