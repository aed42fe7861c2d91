"""Small dialogs: trust a certificate, pick a preset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.addresses import format_fingerprint
from smtpgui.core.presets import PRESETS, Preset
from smtpgui.ui.plaintext import PlainLabel

if TYPE_CHECKING:
    from smtpgui.transport.result import CertificateInfo


class CertificateDialog(QDialog):
    """Shows a server certificate and asks whether to trust (pin) it for one connection."""

    def __init__(self, certificate: CertificateInfo, connection_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle("Server certificate not trusted")
        intro = PlainLabel(
            f"The server of “{connection_name}” presented a certificate smtpgui cannot verify. Trust it only if "
            "you know it is right (compare the fingerprint with your administrator's or provider's)."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        for label, value, name in (
            ("Subject:", certificate.subject, "certSubject"),
            ("Issuer:", certificate.issuer, "certIssuer"),
            ("Valid from:", certificate.not_before, "certNotBefore"),
            ("Valid until:", certificate.not_after, "certNotAfter"),
            ("Names:", ", ".join(certificate.names) or "—", "certNames"),
            ("SHA-256:", format_fingerprint(certificate.sha256), "certSha256"),
        ):
            field = PlainLabel(value)
            field.setObjectName(name)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(PlainLabel(label), field)
        buttons = QDialogButtonBox()
        trust = buttons.addButton("Trust this certificate", QDialogButtonBox.ButtonRole.AcceptRole)
        trust.setObjectName("trustCertificateButton")
        buttons.addButton("Do not trust", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)


class PresetDialog(QDialog):
    """Pick a provider preset; each shows its advice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetDialog")
        self.setWindowTitle("New connection from a preset")
        self.list = QListWidget()
        self.list.setObjectName("presetList")
        self.list.setAccessibleName("Presets")
        for preset in PRESETS:
            item = QListWidgetItem(f"{preset.label}  —  {preset.host}:{preset.port}")
            item.setData(Qt.ItemDataRole.UserRole, preset.id)
            self.list.addItem(item)
        self.advice = PlainLabel()
        self.advice.setObjectName("presetAdvice")
        self.advice.setWordWrap(True)
        self.list.currentRowChanged.connect(self._on_row)
        self.list.itemDoubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.advice)
        layout.addWidget(buttons)
        self.list.setCurrentRow(0)
        self.resize(560, 460)

    @Slot(int)
    def _on_row(self, row: int) -> None:
        preset = self.selected()
        self.advice.setText(preset.advice if preset else "")

    def selected(self) -> Preset | None:
        row = self.list.currentRow()
        return PRESETS[row] if 0 <= row < len(PRESETS) else None
