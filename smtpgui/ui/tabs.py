"""The editor's tabs: Main settings, Authentication, Encryption, Proxy, and Microsoft Graph."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from smtpgui.core.addresses import split_from_field
from smtpgui.core.errors import Problem
from smtpgui.core.model import (
    OAUTH_FIELDS,
    AuthMode,
    Connection,
    IpFamily,
    Kind,
    Mechanism,
    OAuthProvider,
    ProxyType,
    Security,
    TlsVersion,
)
from smtpgui.services.connections import sign_in_warning
from smtpgui.storage.secrets import Slot
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.forms import Field, FormTab, enum_choices, hint_label, place_under, show_hint
from smtpgui.ui.plaintext import PlainLabel, set_plain
from smtpgui.ui.secretfield import SecretField
from smtpgui.ui.sharedchoice import OWN_CONNECTOR, OWN_CREDENTIAL, SharedChoiceMixin

SECURITY_LABELS = {"none": "None (plain text)", "starttls": "STARTTLS (required)", "tls": "SSL/TLS (implicit)"}
AUTH_LABELS = {"none": "None (anonymous)", "password": "Password", "oauth2": "OAuth2"}
GRAPH_AUTH_LABELS = {
    "none": "The app's client secret (recommended)",
    "password": "A user's password (discouraged)",
    "oauth2": "OAuth2 (not for Graph)",
}
MECH_LABELS = {
    "auto": "Automatic (strongest offered)",
    "plain": "PLAIN",
    "login": "LOGIN",
    "cram-md5": "CRAM-MD5",
    "xoauth2": "XOAUTH2",
    "oauthbearer": "OAUTHBEARER",
}
PROVIDER_LABELS = {"google": "Google (Gmail)", "microsoft": "Microsoft (365, Outlook.com)", "custom": "Custom"}
CUSTOM_OAUTH_FIELDS = ("oauth_authorize_url", "oauth_token_url", "oauth_device_url")
PROXY_LABELS = {"none": "No proxy", "socks4": "SOCKS4", "socks5": "SOCKS5", "http": "HTTP CONNECT"}
# (field, Browse button's object name, file dialog caption)
TLS_FILE_FIELDS = (
    ("ca_file", "caFileBrowse", "Choose the CA certificate file"),
    ("client_cert", "clientCertBrowse", "Choose the client certificate file"),
    ("client_key", "clientKeyBrowse", "Choose the client key file"),
)


class MainTab(FormTab):
    """Name, server, sender and the rest of the basics.

    Signals:
        sender_check_requested: *Check sender domain…* was pressed.
    """

    sender_check_requested = Signal()

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
        Field("send_read_receipt", "Send read confirmation", "check", "readReceiptCheck"),
        Field(
            "read_receipt_to",
            "Confirmation address:",
            object_name="readReceiptEdit",
            placeholder="empty: the From address",
            tip="Where read confirmations go (Disposition-Notification-To), when they are asked for.",
        ),
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

    _port_warning_text = ""

    def build_extra_bottom(self) -> None:
        self.port_warning = hint_label("portWarning", "warning")
        place_under(self, "port", self.port_warning)
        show_hint(self, self.port_warning, self._port_warning_text)
        self.sender_check_button = QPushButton("Check sender &domain…")
        self.sender_check_button.setObjectName("senderCheckButton")
        self.sender_check_button.setAccessibleName("Check sender domain")
        self.sender_check_button.setToolTip(
            "Look up the From domain's SPF, DMARC and DKIM records: will receivers accept mail sent as it?"
        )
        self.sender_check_button.clicked.connect(self.sender_check_requested)
        # A row of its own at the end, as small as its text (a row inserted among the fields made
        # the form re-lay out while scrolling at 800×560: tests/ui/test_small_window.py).
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sender_check_button)
        row.addStretch(1)
        self.sender_check_label = PlainLabel("Sender domain:")
        self.sender_check_label.setBuddy(self.sender_check_button)
        self.form.addRow(self.sender_check_label, row)

    def set_port_warning(self, text: str) -> None:
        """The port does not fit the security mode (shown under the port; empty hides it)."""
        self._port_warning_text = text
        if self.is_built():
            show_hint(self, self.port_warning, text)

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


class AuthTab(SharedChoiceMixin, FormTab):
    """Sign-in settings: none, a password (its own or a shared credential's), or OAuth2 with a
    Sign in button.

    Signals:
        sign_in_requested(bool): Sign in was pressed (True: with a device code).
        sign_out_requested: Sign out was pressed.
        manage_requested(str): Manage credentials… was pressed ("credential").
    """

    sign_in_requested = Signal(bool)
    sign_out_requested = Signal()
    manage_requested = Signal(str)
    SHARED_KIND = "credential"
    SHARED_FIELD = "credential_id"
    OWN_FIELDS = ("username", "domain", "mechanism")

    FIELDS = (
        Field("auth_mode", "Sign in:", "combo", "authCombo", enum_choices(AuthMode, AUTH_LABELS)),
        Field("credential_id", "Credential:", "combo", "credentialCombo", (("", OWN_CREDENTIAL),)),
        Field("username", "User name:", object_name="usernameEdit"),
        Field("domain", "Domain:", object_name="domainEdit", placeholder="optional: sent as DOMAIN\\user"),
        Field("mechanism", "Mechanism:", "combo", "mechanismCombo", enum_choices(Mechanism, MECH_LABELS)),
        Field("allow_insecure_auth", "Allow the password over an unencrypted link", "check", "insecureAuthCheck"),
        Field(
            "oauth_provider",
            "OAuth2 provider:",
            "combo",
            "oauthProviderCombo",
            enum_choices(OAuthProvider, PROVIDER_LABELS),
        ),
        Field(
            "oauth_client_id",
            "Client ID:",
            object_name="oauthClientIdEdit",
            placeholder="your app registration's client ID",
            tip="Register an app (Google Cloud console, or Microsoft Entra ID) as a desktop/public client.",
        ),
        Field(
            "oauth_tenant",
            "Tenant:",
            object_name="oauthTenantEdit",
            placeholder="common, organizations, or your tenant ID",
        ),
        Field("oauth_authorize_url", "Authorization URL:", object_name="oauthAuthorizeEdit"),
        Field("oauth_token_url", "Token URL:", object_name="oauthTokenEdit"),
        Field("oauth_device_url", "Device-code URL:", object_name="oauthDeviceEdit", placeholder="optional"),
        Field("oauth_scopes", "Scopes:", object_name="oauthScopesEdit", placeholder="the provider's SMTP scope"),
    )

    def build_eager(self) -> None:
        # The editor shows the keyring's answer and the sign-in state here on every load.
        self.password = SecretField("passwordEdit", "Password", self)
        self.password.edited.connect(self.edited)
        self.client_secret = SecretField("oauthClientSecretEdit", "OAuth client secret", self)
        self.client_secret.edited.connect(self.edited)
        self.sign_in_state = PlainLabel("Not signed in.", self)
        self.sign_in_state.setObjectName("signInState")
        self.sign_in_state.setWordWrap(True)
        self.sign_in_state.setOpenExternalLinks(True)
        self.sign_in_state.setTextFormat(Qt.TextFormat.PlainText)
        self.sign_in_button = QPushButton("Sign &in…", self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setToolTip("Sign in in your browser; the refresh token goes to the keyring.")
        self.device_button = QPushButton("Sign in with a &code…", self)
        self.device_button.setObjectName("deviceSignInButton")
        self.device_button.setToolTip("Sign in on another device (phone, another computer) with a short code.")
        self.sign_out_button = QPushButton("Sign &out", self)
        self.sign_out_button.setObjectName("signOutButton")
        for widget in (self.password, self.client_secret, self.sign_in_state):
            widget.hide()  # until the form holds them
        for button in (self.sign_in_button, self.device_button, self.sign_out_button):
            button.hide()
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        self.sign_in_button.clicked.connect(lambda: self.sign_in_requested.emit(False))
        self.device_button.clicked.connect(lambda: self.sign_in_requested.emit(True))
        self.sign_out_button.clicked.connect(self.sign_out_requested)

    def build_extra_bottom(self) -> None:
        self.password_label = PlainLabel("Password:")
        self.password_label.setBuddy(self.password.edit)
        self.form.insertRow(3, self.password_label, self.password)
        self.client_secret_label = PlainLabel("Client secret:")
        self.client_secret_label.setBuddy(self.client_secret.edit)
        self.form.insertRow(self.form.rowCount() - 5, self.client_secret_label, self.client_secret)
        # The state and the buttons share one row: a wrapped label in a form row of its own
        # keeps the height of its first text and would clip a longer one (the device code).
        self.sign_in_row = QWidget()
        column = QVBoxLayout(self.sign_in_row)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.sign_in_state)
        row = QHBoxLayout()
        row.addWidget(self.sign_in_button)
        row.addWidget(self.device_button)
        row.addWidget(self.sign_out_button)
        row.addStretch(1)
        column.addLayout(row)
        for widget in (self.password, self.client_secret, self.sign_in_state):
            widget.show()
        for button in (self.sign_in_button, self.device_button, self.sign_out_button):
            button.show()
        self.sign_in_label = PlainLabel("Account:")
        self.form.addRow(self.sign_in_label, self.sign_in_row)
        # Under Sign in: a blank user name and no password will be saved as anonymous (item 7).
        self.anonymous_note = hint_label("anonymousNote", "warning")
        place_under(self, "auth_mode", self.anonymous_note)
        show_hint(self, self.anonymous_note, self._anonymous_text)
        # Graph with a user's password: Microsoft discourages it and it fails with MFA (item 9).
        self.graph_password_note = hint_label("graphPasswordWarning", "warning")
        place_under(self, "auth_mode", self.graph_password_note, offset=2)
        self._relabel()
        self.widgets["auth_mode"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.widgets["oauth_provider"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.build_shared_choice("Manage &credentials…", "manageCredentialsButton")

    _anonymous_text = ""
    _graph = False

    def set_graph(self, graph: bool) -> None:
        """A Graph connection signs in with the app's client secret or a user's password: the
        choices say so, and the rows that only SMTP uses are off."""
        self._graph = graph
        if self.is_built():
            self._relabel()
            self.update_enabled()

    def _relabel(self) -> None:
        combo = self.widgets["auth_mode"]
        labels = GRAPH_AUTH_LABELS if self._graph else AUTH_LABELS
        for index in range(combo.count()):  # type: ignore[attr-defined]
            combo.setItemText(index, labels[combo.itemData(index)])  # type: ignore[attr-defined]

    def set_anonymous_note(self, anonymous: bool) -> None:
        """Say that "Password" with no user name and no password is saved as anonymous."""
        self._anonymous_text = (
            "No user name and no password: this connection will be saved as anonymous (no sign-in)."
            if anonymous
            else ""
        )
        if self.is_built():
            show_hint(self, self.anonymous_note, self._anonymous_text)

    def has_password(self) -> bool:
        """True when a password is (or may be) there: typed, stored and kept, or not known yet."""
        field = self.password
        if field.has_pending:
            return field.pending is not None
        return field.stored or field.checking or field.unknown

    def update_enabled(self) -> None:
        mode = self.widgets["auth_mode"].currentData()  # type: ignore[attr-defined]
        provider = self.widgets["oauth_provider"].currentData()  # type: ignore[attr-defined]
        shared = self.shared_chosen()
        self.set_enabled(("username", "domain", "mechanism"), mode != "none")
        self.set_enabled(("allow_insecure_auth",), mode == "password")
        if self._graph:  # Graph: a user name and password only; the rest is SMTP's
            self.set_enabled(("domain", "mechanism", "allow_insecure_auth"), False)
        warning = sign_in_warning(Connection(name="x", kind=Kind.GRAPH if self._graph else Kind.SMTP,
                                             auth_mode=AuthMode(mode)))  # fmt: skip
        show_hint(self, self.graph_password_note, warning or "")
        self.password.setEnabled(mode == "password")
        self.password_label.setEnabled(mode == "password")
        self.form.setRowVisible(self.rows["credential_id"], mode == "password")
        self.form.setRowVisible(self.manage_button, mode == "password")
        for name in self.OWN_FIELDS:
            self.form.setRowVisible(self.rows[name], not (shared and mode == "password"))
        self.form.setRowVisible(self.password_label, not (shared and mode == "password"))
        self.show_shared_note(mode == "password")
        oauth = mode == "oauth2"
        for name in OAUTH_FIELDS:
            shown = oauth and (
                (name != "oauth_tenant" or provider == "microsoft")
                and (name not in CUSTOM_OAUTH_FIELDS or provider == "custom")
            )
            self.form.setRowVisible(self.rows[name], shown)
        for widget in (self.client_secret_label, self.sign_in_label):
            self.form.setRowVisible(widget, oauth)
        self.widgets["oauth_scopes"].setPlaceholderText(  # type: ignore[attr-defined]
            {
                "google": "https://mail.google.com/",
                "microsoft": "https://outlook.office.com/SMTP.Send offline_access",
            }.get(provider, "the provider's SMTP scope")
        )

    def show_sign_in(self, text: str, signed_in: bool, busy: bool = False) -> None:
        """The account and token state, and which buttons apply."""
        set_plain(self.sign_in_state, text)
        self.sign_in_button.setEnabled(not busy)
        self.device_button.setEnabled(not busy)
        self.sign_out_button.setEnabled(signed_in and not busy)


class EncryptionTab(FormTab):
    """TLS settings.

    Signals:
        security_changed: the user (or a recommendation) picked another security mode.
    """

    security_changed = Signal()
    _port_note_text = ""
    _port_warning_text = ""

    def set_port_note(self, text: str) -> None:
        """Say which port a change of security mode set (empty hides it)."""
        self._port_note_text = text
        if self.is_built():
            show_hint(self, self.port_note, text)

    def set_port_warning(self, text: str) -> None:
        """The port does not fit the security mode (empty hides it)."""
        self._port_warning_text = text
        if self.is_built():
            show_hint(self, self.port_mismatch, text)

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
        self.verify_warning = PlainLabel(
            "Certificate verification is off: anyone on the path can read this connection's mail and password."
        )
        self.verify_warning.setObjectName("verifyWarning")
        self.verify_warning.setWordWrap(True)
        set_status_color(self.verify_warning, "warning")
        self.form.addRow(self.verify_warning)
        # Under the Security combo: which port a change of mode set, and a port that does not fit.
        self.port_note = hint_label("securityPortNote", "")
        self.port_mismatch = hint_label("securityPortWarning", "warning")
        place_under(self, "security", self.port_note)
        place_under(self, "security", self.port_mismatch, offset=2)
        show_hint(self, self.port_note, self._port_note_text)
        show_hint(self, self.port_mismatch, self._port_warning_text)
        self.widgets["security"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.widgets["security"].currentIndexChanged.connect(self.security_changed)  # type: ignore[attr-defined]
        self.widgets["verify"].toggled.connect(self.update_enabled)  # type: ignore[attr-defined]

        # Local files: a Browse… button beside each, problems under it as plain text (issue 17, item 18).
        self.choose_file = QFileDialog.getOpenFileName  # replaced in tests; the native dialog otherwise
        self.browse_buttons: dict[str, QPushButton] = {}
        for name, object_name, caption in TLS_FILE_FIELDS:
            self._add_browse(name, object_name, caption)
            self.errors[name].setTextFormat(Qt.TextFormat.PlainText)

    def _add_browse(self, name: str, object_name: str, caption: str) -> None:
        widget = self.widgets[name]
        container = widget.parentWidget()
        box = container.layout() if container is not None else None
        assert isinstance(box, QVBoxLayout)
        box.removeWidget(widget)
        row = QHBoxLayout()
        row.addWidget(widget, 1)
        button = QPushButton("Browse…")
        button.setObjectName(object_name)
        button.setAccessibleName(caption)
        button.clicked.connect(lambda: self._browse(name, caption))
        row.addWidget(button)
        box.insertLayout(0, row)
        self.browse_buttons[name] = button

    def _browse(self, name: str, caption: str) -> None:
        edit = self.widgets[name]
        assert isinstance(edit, QLineEdit)
        start = os.path.dirname(edit.text()) if edit.text() else os.path.expanduser("~")
        path, _ = self.choose_file(self, caption, start, "PEM files (*.pem *.crt *.cer *.key);;All files (*)")
        if path:
            edit.setText(path)
            self.edited.emit()  # setText is not an edit by typing; say so, as typing would

    def file_problems(self, connection: Connection, original: Connection) -> list[Problem]:
        """Problems with the TLS files the user changed here (the editor blocks saving on them)."""
        if connection.kind is Kind.GRAPH or connection.security is Security.NONE:
            return []
        changed = tuple(f for f, _, _ in TLS_FILE_FIELDS if getattr(connection, f) != getattr(original, f))
        if not changed:
            return []
        from smtpgui.transport.tlsfiles import tls_file_problems  # ssl: only when a file is named

        return tls_file_problems(connection, changed)

    def update_enabled(self) -> None:
        encrypted = self.widgets["security"].currentData() != "none"  # type: ignore[attr-defined]
        self.set_enabled(
            ("tls_min", "tls_max", "verify", "ca_file", "pinned_sha256", "client_cert", "client_key"), encrypted
        )
        for button in self.browse_buttons.values():
            button.setEnabled(encrypted)
        verify = self.widgets["verify"].isChecked()  # type: ignore[attr-defined]
        pinned = bool(self.widgets["pinned_sha256"].text().strip())  # type: ignore[attr-defined]
        self.verify_warning.setVisible(encrypted and not verify and not pinned)


class ProxyTab(SharedChoiceMixin, FormTab):
    """The route to the server: this connection's own proxy (or none), or a network connector.

    Signals:
        manage_requested(str): Manage connectors… was pressed ("connector").
    """

    manage_requested = Signal(str)
    SHARED_KIND = "connector"
    SHARED_FIELD = "connector_id"
    OWN_FIELDS = ("proxy_type", "proxy_host", "proxy_port", "proxy_username", "proxy_domain", "proxy_remote_dns")
    FIELDS = (
        Field("connector_id", "Route:", "combo", "connectorCombo", (("", OWN_CONNECTOR),)),
        Field("proxy_type", "Proxy:", "combo", "proxyTypeCombo", enum_choices(ProxyType, PROXY_LABELS)),
        Field("proxy_host", "Proxy host:", object_name="proxyHostEdit"),
        Field("proxy_port", "Proxy port:", "int", "proxyPortSpin", minimum=1, maximum=65535),
        Field("proxy_username", "Proxy user:", object_name="proxyUserEdit"),
        Field("proxy_domain", "Proxy domain:", object_name="proxyDomainEdit"),
        Field("proxy_remote_dns", "Resolve the server's name through the proxy", "check", "proxyRemoteDnsCheck"),
    )

    def build_eager(self) -> None:
        self.password = SecretField("proxyPasswordEdit", "Proxy password", self)
        self.password.edited.connect(self.edited)
        self.password.hide()  # until the form holds it

    def build_extra_bottom(self) -> None:
        self.password.show()
        self.password_label = PlainLabel("Proxy password:")
        self.password_label.setBuddy(self.password.edit)
        self.form.insertRow(5, self.password_label, self.password)
        self.widgets["proxy_type"].currentIndexChanged.connect(self.update_enabled)  # type: ignore[attr-defined]
        self.build_shared_choice("Manage &connectors…", "manageConnectorsButton")

    def update_enabled(self) -> None:
        active = self.widgets["proxy_type"].currentData() != "none"  # type: ignore[attr-defined]
        self.set_enabled(("proxy_host", "proxy_port", "proxy_username", "proxy_domain", "proxy_remote_dns"), active)
        self.password.setEnabled(active)
        self.password_label.setEnabled(active)
        shared = self.shared_chosen()
        for name in self.OWN_FIELDS:
            self.form.setRowVisible(self.rows[name], not shared)
        self.form.setRowVisible(self.password_label, not shared)
        self.show_shared_note(True)


class GraphTab(FormTab):
    FIELDS = (
        Field("tenant_id", "Tenant ID:", object_name="tenantEdit"),
        Field("client_id", "Client ID:", object_name="clientIdEdit"),
        Field("mailbox", "Mailbox (UPN):", object_name="mailboxEdit"),
        Field("authority_url", "Authority URL:", object_name="authorityEdit"),
        Field("graph_url", "Graph URL:", object_name="graphUrlEdit"),
    )

    def build_eager(self) -> None:
        self.secret = SecretField("clientSecretEdit", "Client secret", self)
        self.secret.edited.connect(self.edited)
        self.secret.hide()  # until the form holds it

    def build_extra_bottom(self) -> None:
        self.secret.show()
        self.form.insertRow(2, PlainLabel("Client secret:"), self.secret)


SECRET_SLOTS = (("auth", Slot.PASSWORD), ("proxy", Slot.PROXY_PASSWORD), ("graph", Slot.CLIENT_SECRET))
