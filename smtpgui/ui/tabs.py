"""The editor's tabs: Main settings, Authentication, Encryption, Proxy, and Microsoft Graph."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from smtpgui.core.addresses import split_from_field
from smtpgui.core.model import AuthMode, Connection, IpFamily, Kind, Mechanism, ProxyType, Security, TlsVersion
from smtpgui.storage.secrets import Slot
from smtpgui.ui.forms import Field, FormTab, enum_choices

SECURITY_LABELS = {"none": "None (plain text)", "starttls": "STARTTLS (required)", "tls": "SSL/TLS (implicit)"}
AUTH_LABELS = {"none": "None (anonymous)", "password": "Password", "oauth2": "OAuth2"}
MECH_LABELS = {
    "auto": "Automatic (strongest offered)",
    "plain": "PLAIN",
    "login": "LOGIN",
    "cram-md5": "CRAM-MD5",
    "xoauth2": "XOAUTH2",
    "oauthbearer": "OAUTHBEARER",
}
PROXY_LABELS = {"none": "No proxy", "socks4": "SOCKS4", "socks5": "SOCKS5", "http": "HTTP CONNECT"}


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
        self.state = QLabel()
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
        self.pending: str | None = None
        self.has_pending = False
        self.edit.textEdited.connect(self._on_typed)
        self.clear_button.clicked.connect(self._on_clear)

    def load(self, stored: bool | None, session_only: bool = False) -> None:
        """Show a fresh field; ``stored`` None while the keyring has not answered yet."""
        self.stored, self.pending, self.has_pending = bool(stored), None, False
        self.checking = stored is None
        self.edit.clear()
        self._refresh(session_only)

    def set_stored(self, stored: bool, session_only: bool = False) -> None:
        """The keyring answered; whatever the user typed meanwhile stays pending."""
        self.stored, self.checking = stored, False
        self._refresh(session_only)

    def _refresh(self, session_only: bool = False) -> None:
        if self.has_pending and self.pending is None:
            text, placeholder = "will be removed", "type a new one to replace it"
        elif self.has_pending:
            text, placeholder = "changed (not saved)", ""
        elif self.checking:
            text, placeholder = "checking the keyring…", "type to set a new one"
        elif self.stored:
            text, placeholder = (
                "stored" + (" for this session only" if session_only else ""),
                "•••••••• (type to change)",
            )
        else:
            text, placeholder = "not set", "type it here"
        self.state.setText(text)
        self.edit.setPlaceholderText(placeholder)
        self.clear_button.setEnabled(self.stored or self.has_pending)

    def _on_typed(self, text: str) -> None:
        self.pending, self.has_pending = (text, True) if text else (None, False)
        self._refresh()
        self.edited.emit()

    def _on_clear(self) -> None:
        self.edit.clear()
        self.pending, self.has_pending = None, self.stored
        self._refresh()
        self.edited.emit()


class MainTab(FormTab):
    FIELDS = (
        Field("name", "Name:", object_name="nameEdit", placeholder="for example: Monitoring alerts"),
        Field(
            "kind",
            "Kind:",
            "combo",
            "kindCombo",
            enum_choices(Kind, {"smtp": "SMTP server", "graph": "Microsoft Graph"}),
        ),
        Field("host", "Server:", object_name="hostEdit", placeholder="smtp.example.com"),
        Field("port", "Port:", "int", "portSpin", minimum=1, maximum=65535),
        Field(
            "from_address",
            "From address:",
            object_name="fromEdit",
            placeholder='you@example.com or "Name" <you@example.com>',
            tip='A pasted "Name" <address> is split into name and address.',
        ),
        Field("from_name", "From name:", object_name="fromNameEdit"),
        Field("reply_to", "Reply-To:", object_name="replyToEdit"),
        Field("return_path", "Return path (envelope sender):", object_name="returnPathEdit"),
        Field("read_receipt_to", "Read receipts to:", object_name="readReceiptEdit"),
        Field("force_sender", "Always send as this From", "check", "forceSenderCheck"),
        Field("timeout_s", "Timeout (seconds):", "int", "timeoutSpin", minimum=1, maximum=600),
        Field("ehlo_name", "EHLO name:", object_name="ehloEdit", placeholder="automatic"),
        Field("source_address", "Source address:", object_name="sourceAddressEdit", placeholder="automatic"),
        Field(
            "ip_family",
            "IP version:",
            "combo",
            "ipFamilyCombo",
            enum_choices(IpFamily, {"auto": "Automatic", "ipv4": "Prefer IPv4", "ipv6": "Prefer IPv6"}),
        ),
        Field("charset", "Character set:", object_name="charsetEdit"),
        Field("description", "Description:", "text", "descriptionEdit"),
        Field("signature", "Signature:", "text", "signatureEdit"),
        Field("append_signature", "Append the signature to messages", "check", "appendSignatureCheck"),
        Field("enabled", "Enabled", "check", "enabledCheck"),
    )

    def apply(self, connection: Connection) -> Connection:
        result = super().apply(connection)
        # Accept a pasted '"Sender Name" <addr@example.com>' and split it.
        if "<" in result.from_address:
            try:
                name, address = split_from_field(result.from_address)
            except ValueError:
                return result
            result = result.replace(from_address=address, from_name=name or result.from_name)
        return result


class AuthTab(FormTab):
    FIELDS = (
        Field("auth_mode", "Sign in:", "combo", "authCombo", enum_choices(AuthMode, AUTH_LABELS)),
        Field("username", "User name:", object_name="usernameEdit"),
        Field("domain", "Domain:", object_name="domainEdit", placeholder="optional: sent as DOMAIN\\user"),
        Field("mechanism", "Mechanism:", "combo", "mechanismCombo", enum_choices(Mechanism, MECH_LABELS)),
        Field("allow_insecure_auth", "Allow the password over an unencrypted link", "check", "insecureAuthCheck"),
    )

    def build_extra_bottom(self) -> None:
        self.password = SecretField("passwordEdit", "Password")
        self.password.edited.connect(self.edited)
        self.password_label = QLabel("Password:")
        self.password_label.setBuddy(self.password.edit)
        self.form.insertRow(2, self.password_label, self.password)
        self.widgets["auth_mode"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]

    def update_enabled(self) -> None:
        mode = self.widgets["auth_mode"].currentData()  # type: ignore[attr-defined]
        self.set_enabled(("username", "domain", "mechanism", "allow_insecure_auth"), mode != "none")
        self.password.setEnabled(mode == "password")
        self.password_label.setEnabled(mode == "password")


class EncryptionTab(FormTab):
    FIELDS = (
        Field("security", "Security:", "combo", "securityCombo", enum_choices(Security, SECURITY_LABELS)),
        Field("tls_min", "Lowest TLS version:", "combo", "tlsMinCombo", enum_choices(TlsVersion)),
        Field("tls_max", "Highest TLS version:", "combo", "tlsMaxCombo", enum_choices(TlsVersion)),
        Field("verify", "Verify the server's certificate", "check", "verifyCheck"),
        Field("ca_file", "CA file:", object_name="caFileEdit", placeholder="system trust store"),
        Field("pinned_sha256", "Pinned SHA-256:", object_name="pinEdit", placeholder="trust exactly this certificate"),
        Field("client_cert", "Client certificate:", object_name="clientCertEdit"),
        Field("client_key", "Client key:", object_name="clientKeyEdit"),
    )

    def build_extra_bottom(self) -> None:
        self.verify_warning = QLabel(
            "Certificate verification is off: anyone on the path can read this connection's mail and password."
        )
        self.verify_warning.setObjectName("verifyWarning")
        self.verify_warning.setWordWrap(True)
        self.verify_warning.setStyleSheet("color: #e65100;")
        self.form.addRow(self.verify_warning)
        self.widgets["security"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.widgets["verify"].toggled.connect(self.update_enabled)  # type: ignore[attr-defined]

    def update_enabled(self) -> None:
        encrypted = self.widgets["security"].currentData() != "none"  # type: ignore[attr-defined]
        self.set_enabled(
            ("tls_min", "tls_max", "verify", "ca_file", "pinned_sha256", "client_cert", "client_key"), encrypted
        )
        verify = self.widgets["verify"].isChecked()  # type: ignore[attr-defined]
        pinned = bool(self.widgets["pinned_sha256"].text().strip())  # type: ignore[attr-defined]
        self.verify_warning.setVisible(encrypted and not verify and not pinned)


class ProxyTab(FormTab):
    FIELDS = (
        Field("proxy_type", "Proxy:", "combo", "proxyTypeCombo", enum_choices(ProxyType, PROXY_LABELS)),
        Field("proxy_host", "Proxy host:", object_name="proxyHostEdit"),
        Field("proxy_port", "Proxy port:", "int", "proxyPortSpin", minimum=1, maximum=65535),
        Field("proxy_username", "Proxy user:", object_name="proxyUserEdit"),
        Field("proxy_domain", "Proxy domain:", object_name="proxyDomainEdit"),
        Field("proxy_remote_dns", "Resolve the server's name through the proxy", "check", "proxyRemoteDnsCheck"),
    )

    def build_extra_bottom(self) -> None:
        self.password = SecretField("proxyPasswordEdit", "Proxy password")
        self.password.edited.connect(self.edited)
        self.password_label = QLabel("Proxy password:")
        self.password_label.setBuddy(self.password.edit)
        self.form.insertRow(4, self.password_label, self.password)
        self.widgets["proxy_type"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]

    def update_enabled(self) -> None:
        active = self.widgets["proxy_type"].currentData() != "none"  # type: ignore[attr-defined]
        self.set_enabled(("proxy_host", "proxy_port", "proxy_username", "proxy_domain", "proxy_remote_dns"), active)
        self.password.setEnabled(active)
        self.password_label.setEnabled(active)


class GraphTab(FormTab):
    FIELDS = (
        Field("tenant_id", "Tenant ID:", object_name="tenantEdit"),
        Field("client_id", "Client ID:", object_name="clientIdEdit"),
        Field("mailbox", "Mailbox (UPN):", object_name="mailboxEdit"),
        Field("authority_url", "Authority URL:", object_name="authorityEdit"),
        Field("graph_url", "Graph URL:", object_name="graphUrlEdit"),
    )

    def build_extra_bottom(self) -> None:
        self.secret = SecretField("clientSecretEdit", "Client secret")
        self.secret.edited.connect(self.edited)
        self.form.insertRow(2, QLabel("Client secret:"), self.secret)


SECRET_SLOTS = (("auth", Slot.PASSWORD), ("proxy", Slot.PROXY_PASSWORD), ("graph", Slot.CLIENT_SECRET))
