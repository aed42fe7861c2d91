"""The preset picker: providers grouped and searchable; Amazon SES is one entry with a region choice."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.model import AuthMode
from smtpgui.core.presets import PRESETS, SES_REGIONS, Preset, find_preset
from smtpgui.ui.plaintext import PlainLabel, set_plain

SES_PREFIX = "ses-"
GROUPS = (
    ("Personal mail", ("gmail", "outlook", "icloud", "yahoo", "zoho", "fastmail")),
    ("Work and organisations", ("office365", "google-workspace-relay", "exchange")),
    ("Sending services", ("ses", "sendgrid", "mailgun", "postmark", "brevo")),
    ("Testing", ("mailtrap",)),
)
_ROLE_ENTRY = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Entry:
    """One line of the picker: a preset, or (Amazon SES) a family of presets by region."""

    key: str
    label: str
    detail: str
    group: str

    def search_text(self) -> str:
        return f"{self.label} {self.detail} {self.group}".casefold()


def entries() -> list[Entry]:
    """Every picker line, in group order; a preset no group names goes under "Other"."""
    by_key: dict[str, Entry] = {}
    placed: set[str] = set()
    for group, keys in GROUPS:
        for key in keys:
            if key == "ses":
                by_key[key] = Entry("ses", "Amazon SES", "email-smtp.<region>.amazonaws.com — pick the region", group)
                placed.update(p.id for p in PRESETS if p.id.startswith(SES_PREFIX))
            else:
                preset = find_preset(key)
                by_key[key] = Entry(key, preset.label, f"{preset.host}:{preset.port}", group)
                placed.add(key)
    for preset in PRESETS:
        if preset.id not in placed:
            by_key[preset.id] = Entry(preset.id, preset.label, f"{preset.host}:{preset.port}", "Other")
    return list(by_key.values())


def connection_name(preset: Preset) -> str:
    """What a new connection from ``preset`` is called (the window makes it unique)."""
    if preset.id.startswith(SES_PREFIX):
        return f"Amazon SES {preset.id[len(SES_PREFIX) :]}"
    return preset.label


def first_field(preset: Preset) -> tuple[str, str]:
    """(tab, field) the user must fill first: a placeholder host, else the user name, else the sender."""
    if "example" in preset.host:
        return "main", "host"
    if preset.auth_mode in (AuthMode.PASSWORD, AuthMode.OAUTH2):
        return "auth", "username"
    return "main", "from_address"


class PresetPicker(QDialog):
    """Search and pick a provider; the advice of the one picked is shown under the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetDialog")
        self.setWindowTitle("New connection from a preset")
        self.search = QLineEdit()
        self.search.setObjectName("presetSearch")
        self.search.setAccessibleName("Search providers")
        self.search.setPlaceholderText("Search providers (Gmail, SES, relay…)")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("presetTree")
        self.tree.setAccessibleName("Providers")
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self._groups: dict[str, QTreeWidgetItem] = {}
        self._items: list[QTreeWidgetItem] = []
        for entry in entries():
            group = self._groups.get(entry.group)
            if group is None:
                group = self._groups[entry.group] = QTreeWidgetItem(self.tree, [entry.group])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
            item = QTreeWidgetItem(group, [entry.label, entry.detail])
            item.setData(0, _ROLE_ENTRY, entry)
            self._items.append(item)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.region_label = PlainLabel("&Region:")
        self.region = QComboBox()
        self.region.setObjectName("sesRegionCombo")
        self.region.setAccessibleName("Amazon SES region")
        for region, label in SES_REGIONS:
            self.region.addItem(f"{label} — {region}", region)
        self.region.setCurrentIndex(max(0, self.region.findData("us-east-1")))
        self.region_label.setBuddy(self.region)
        region_row = QHBoxLayout()
        region_row.addWidget(self.region_label)
        region_row.addWidget(self.region, 1)
        self.advice = PlainLabel()
        self.advice.setObjectName("presetAdvice")
        self.advice.setTextFormat(Qt.TextFormat.PlainText)
        self.advice.setWordWrap(True)
        self.advice.setMinimumHeight(self.advice.fontMetrics().lineSpacing() * 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addLayout(region_row)
        layout.addWidget(self.advice)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(self.filter)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.accept() if item.data(0, _ROLE_ENTRY) else None)
        self.region.currentIndexChanged.connect(lambda _i: self._on_current(self.tree.currentItem(), None))
        self.tree.setCurrentItem(self._items[0])
        self.resize(600, 520)
        self.search.setFocus()

    def visible_entries(self) -> list[Entry]:
        return [item.data(0, _ROLE_ENTRY) for item in self._items if not item.isHidden()]

    @Slot(str)
    def filter(self, text: str) -> None:
        """Show the entries whose name, server or group holds every word of ``text``."""
        words = text.casefold().split()
        first = None
        for item in self._items:
            entry: Entry = item.data(0, _ROLE_ENTRY)
            shown = all(word in entry.search_text() for word in words)
            item.setHidden(not shown)
            if shown and first is None:
                first = item
        for group in self._groups.values():
            children = [group.child(i) for i in range(group.childCount())]
            group.setHidden(all(child is None or child.isHidden() for child in children))
        current = self.tree.currentItem()
        if first is not None and (current is None or current.isHidden() or not current.data(0, _ROLE_ENTRY)):
            self.tree.setCurrentItem(first)
        self._on_current(self.tree.currentItem() if first is not None else None, None)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        entry: Entry | None = item.data(0, _ROLE_ENTRY) if item is not None and not item.isHidden() else None
        ses = entry is not None and entry.key == "ses"
        self.region.setVisible(ses)
        self.region_label.setVisible(ses)
        preset = self.selected()
        set_plain(self.advice, preset.advice if preset is not None else "No provider matches: try another word.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(preset is not None)

    def selected(self) -> Preset | None:
        """The preset picked (for Amazon SES: the one of the chosen region), or None."""
        item = self.tree.currentItem()
        entry: Entry | None = item.data(0, _ROLE_ENTRY) if item is not None and not item.isHidden() else None
        if entry is None:
            return None
        if entry.key == "ses":
            return find_preset(SES_PREFIX + str(self.region.currentData()))
        return find_preset(entry.key)
