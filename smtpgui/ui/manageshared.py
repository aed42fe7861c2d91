"""Manage credentials… / Manage connectors…: add, edit, rename and delete the shared ones.

Every change goes through :class:`smtpgui.services.shared.SharedService` (the rules the command
line follows too: names checked like connection names, a delete refused while connections use
it, naming them), run off the GUI thread (the keyring and the file may block). The password
typed here goes to the credential's own keyring entry; an empty password field keeps the stored one.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.addresses import normalize_host
from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Mechanism, ProxyType
from smtpgui.core.shared import CONNECTOR_TYPES, CREDENTIAL_MECHANISMS, Connector, Credential
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.offthread import call_off_gui_thread
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain
from smtpgui.ui.sharedchoice import describe
from smtpgui.ui.tabs import MECH_LABELS, PROXY_LABELS

if TYPE_CHECKING:
    from smtpgui.services import AppServices

Item = Credential | Connector


class ManageSharedDialog(QDialog):
    """The list of credentials (or connectors) with a form for the selected one."""

    def __init__(self, services: AppServices, pool: QThreadPool, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pool, self.kind = services, pool, kind
        self.credential = kind == "credential"
        self.setObjectName("manageCredentialsDialog" if self.credential else "manageConnectorsDialog")
        self.setWindowTitle("Shared credentials" if self.credential else "Network connectors")
        self.items: list[Item] = []
        self.editing: Item | None = None  # None with the form filled: a new one
        intro = PlainLabel(
            "A credential is a user name and password many connections sign in with: change its password "
            "here once and every connection using it has the new one."
            if self.credential
            else "A connector is a proxy route many connections go through: change it here once for all of them."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("sharedList")
        self.list.setAccessibleName("Credentials" if self.credential else "Connectors")
        self.list.currentRowChanged.connect(self._on_row)
        self.new_button = QPushButton("&New")
        self.new_button.setObjectName("sharedNewButton")
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName("sharedDeleteButton")
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("sharedSaveButton")
        self.new_button.clicked.connect(self._on_new)
        self.delete_button.clicked.connect(self._on_delete)
        self.save_button.clicked.connect(self._on_save)
        self.form = QFormLayout()
        self.name_edit = self._line("sharedNameEdit", "Name:")
        if self.credential:
            self.user_edit = self._line("sharedUserEdit", "User name:")
            self.domain_edit = self._line("sharedDomainEdit", "Domain:", "optional: sent as DOMAIN\\user")
            self.mechanism_combo = QComboBox()
            self.mechanism_combo.setObjectName("sharedMechanismCombo")
            for mechanism in CREDENTIAL_MECHANISMS:
                self.mechanism_combo.addItem(MECH_LABELS[mechanism.value], mechanism.value)
            self.form.addRow("Mechanism:", self.mechanism_combo)
        else:
            self.type_combo = QComboBox()
            self.type_combo.setObjectName("sharedTypeCombo")
            for proxy_type in CONNECTOR_TYPES:
                self.type_combo.addItem(PROXY_LABELS[proxy_type.value], proxy_type.value)
            self.form.addRow("Type:", self.type_combo)
            self.host_edit = self._line("sharedHostEdit", "Proxy host:")
            self.port_spin = QSpinBox()
            self.port_spin.setObjectName("sharedPortSpin")
            self.port_spin.setRange(1, 65535)
            self.port_spin.setValue(1080)
            self.form.addRow("Proxy port:", self.port_spin)
            self.user_edit = self._line("sharedUserEdit", "Proxy user:")
            self.domain_edit = self._line("sharedDomainEdit", "Proxy domain:")
            self.remote_dns_check = QCheckBox("Resolve the server's name through the proxy")
            self.remote_dns_check.setObjectName("sharedRemoteDnsCheck")
            self.remote_dns_check.setChecked(True)
            self.form.addRow("", self.remote_dns_check)
        self.password_edit = self._line("sharedPasswordEdit", "Password:" if self.credential else "Proxy password:")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.description_edit = self._line("sharedDescriptionEdit", "Description:")
        self.message = PlainLabel()
        self.message.setObjectName("sharedMessage")
        self.message.setWordWrap(True)
        set_status_color(self.message, "error")
        self.form.addRow(self.message)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_button)
        list_buttons.addWidget(self.delete_button)
        list_buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(list_buttons)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addLayout(save_row)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self.resize(640, 420)
        self.reload()

    def _line(self, object_name: str, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(object_name)
        edit.setAccessibleName(label.rstrip(":"))
        if placeholder:
            edit.setPlaceholderText(placeholder)
        self.form.addRow(label, edit)
        return edit

    # list --------------------------------------------------------------------------------------

    def reload(self, select_id: str | None = None) -> None:
        """List them again (as the file holds them now) and select ``select_id`` (or the first)."""
        try:
            shared = self.services.shared.settings()
        except SmtpguiError as exc:
            self._say(str(exc))
            return
        self.items = list(shared.credentials if self.credential else shared.connectors)
        try:
            by_credential, by_connector = self.services.shared.users()
        except SmtpguiError:
            by_credential, by_connector = {}, {}
        users = by_credential if self.credential else by_connector
        self.list.blockSignals(True)
        self.list.clear()
        for item in self.items:
            count = len(users.get(item.id, []))
            used = f"used by {count} connection{'s' if count != 1 else ''}" if count else "not used"
            entry = QListWidgetItem(clean(f"{item.name}\n{describe(item)} · {used}"))
            entry.setToolTip(clean(item.description or describe(item)))
            self.list.addItem(entry)
        self.list.blockSignals(False)
        row = next((i for i, item in enumerate(self.items) if item.id == select_id), 0 if self.items else -1)
        self.list.setCurrentRow(row)
        self._on_row(row)

    @Slot(int)
    def _on_row(self, row: int) -> None:
        self.editing = self.items[row] if 0 <= row < len(self.items) else None
        self._fill(self.editing)
        self.delete_button.setEnabled(self.editing is not None)

    def _fill(self, item: Item | None) -> None:
        self._say("")
        self.name_edit.setText(item.name if item else "")
        self.user_edit.setText(item.username if item else "")
        self.domain_edit.setText(item.domain if item else "")
        self.description_edit.setText(item.description if item else "")
        self.password_edit.clear()
        stored = item is not None and self._has_password(item)
        self.password_edit.setPlaceholderText("stored: type to replace it" if stored else "not stored")
        if isinstance(item, Credential) or (item is None and self.credential):
            mechanism = item.mechanism.value if isinstance(item, Credential) else "auto"
            self.mechanism_combo.setCurrentIndex(max(0, self.mechanism_combo.findData(mechanism)))
        else:
            connector = item if isinstance(item, Connector) else Connector(name="")
            self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(connector.proxy_type.value)))
            self.host_edit.setText(connector.host)
            self.port_spin.setValue(connector.port)
            self.remote_dns_check.setChecked(connector.remote_dns)

    def _has_password(self, item: Item) -> bool:
        try:
            return bool(call_off_gui_thread(self.pool, lambda: self.services.shared.has_password(item)))
        except SmtpguiError:
            return False

    # actions -----------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        set_plain(self.message, text)

    @Slot()
    def _on_new(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.editing = None
        self._fill(None)
        self.delete_button.setEnabled(False)
        self.name_edit.setFocus()

    def _from_form(self) -> Item:
        common = {
            "name": self.name_edit.text(),
            "username": self.user_edit.text().strip(),
            "domain": self.domain_edit.text().strip(),
            "description": self.description_edit.text(),
        }
        values: Item
        if self.credential:
            values = Credential(name="", mechanism=Mechanism(self.mechanism_combo.currentData())).replace(**common)
        else:
            host = self.host_edit.text().strip()
            with contextlib.suppress(ValueError):  # a bad host: the service says so, in its words
                host = normalize_host(host)
            values = Connector(
                name="",
                proxy_type=ProxyType(self.type_combo.currentData()),
                host=host,
                port=self.port_spin.value(),
                remote_dns=self.remote_dns_check.isChecked(),
            ).replace(**common)
        return values if self.editing is None else values.replace(id=self.editing.id)

    @Slot()
    def _on_save(self) -> None:
        item = self._from_form()
        password = self.password_edit.text() or None
        if self.editing is None and self.credential and password is None:
            self._say("Enter the credential's password: it is kept in the keyring, for every connection using it.")
            return
        shared = self.services.shared
        try:
            if self.editing is None:
                call_off_gui_thread(self.pool, lambda: shared.add(item, password))
            else:
                call_off_gui_thread(self.pool, lambda: shared.save(item, password))
        except SmtpguiError as exc:
            self._say(str(exc))
            return
        self.reload(item.id)
        self._say("")

    @Slot()
    def _on_delete(self) -> None:
        item = self.editing
        if item is None:
            return
        try:
            warning = call_off_gui_thread(self.pool, lambda: self.services.shared.delete(item))
        except SmtpguiError as exc:  # in use: the sentence names the connections
            self._say(str(exc))
            return
        self.reload()
        if warning:
            self._say(f"Deleted; its password could not be removed from the keyring: {warning}")
