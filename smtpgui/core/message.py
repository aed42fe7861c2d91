"""The test message: headers, body and envelope, built from a connection and a request."""

from __future__ import annotations

import copy
import email.policy
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from smtpgui.core.addresses import has_line_break, idna_host, needs_smtputf8, normalize_address
from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.core.model import Connection

DEFAULT_SUBJECT = "TEST MESSAGE!"
DEFAULT_BODY = "ATTENTION: THIS IS A TEST MESSAGE!"


@dataclass(frozen=True)
class TestRequest:
    """What the user asked to send."""

    __test__ = False  # not a pytest class

    to: tuple[str, ...]
    subject: str = DEFAULT_SUBJECT
    body: str = DEFAULT_BODY
    verify_only: bool = False
    from_override: str = ""


@dataclass(frozen=True)
class OutgoingMessage:
    """A built message and its envelope."""

    message: EmailMessage
    envelope_from: str
    recipients: tuple[str, ...]
    smtputf8: bool
    message_id: str
    problems: list[Problem] = field(default_factory=list)

    def as_bytes(self, eight_bit: bool = True) -> bytes:
        """The message for DATA; ``eight_bit`` False gives 7-bit-clean bytes (no 8BITMIME needed).

        (B's minimal version, API-compatible with C's: on merge, keep C's.)
        """
        policy = email.policy.SMTPUTF8 if self.smtputf8 else email.policy.SMTP
        data = self.message.as_bytes(policy=policy)
        if eight_bit or data.isascii():
            return data
        seven = copy.deepcopy(self.message)
        for part in seven.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            text = part.get_content()
            if not text.isascii():
                charset = part.get_content_charset() or "utf-8"
                part.set_content(text, subtype=part.get_content_subtype(), charset=charset, cte="quoted-printable")
        return seven.as_bytes(policy=policy)

    @property
    def needs_8bit(self) -> bool:
        """True when ``as_bytes(eight_bit=True)`` holds bytes above 0x7F (declare BODY=8BITMIME)."""
        return not self.as_bytes(eight_bit=True).isascii()


def describe_connection(connection: Connection) -> str:
    """The lines the test message states about the connection it was sent through."""
    if connection.kind.value == "graph":
        return (
            f"Kind: graph (Microsoft Graph sendMail)\n"
            f"Graph URL: {connection.graph_url}\n"
            f"Mailbox: {connection.mailbox}\n"
            f"Tenant: {connection.tenant_id}\n"
            f"Client ID: {connection.client_id}\n"
        )
    username = connection.login_name if connection.auth_mode.value != "none" else "(no authentication)"
    return (
        f"Host: {connection.host}\n"
        f"Port: {connection.port}\n"
        f"Security: {connection.security.value}\n"
        f"Kind: {connection.kind.value}\n"
        f"Username: {username}\n"
    )


def _ascii_domain(address: str) -> str:
    """``user@bücher.example`` → ``user@xn--bcher-kva.example`` (ASCII local parts only)."""
    local, _, domain = address.rpartition("@")
    if domain.startswith("["):
        return address
    return f"{local}@{idna_host(domain)}"


def build_test_message(
    connection: Connection, request: TestRequest, settings: AppSettings | None = None
) -> OutgoingMessage:
    """The test message for ``request`` through ``connection``; raises ``ValidationError``."""
    settings = settings or AppSettings()
    problems: list[Problem] = []
    recipients = []
    for raw in request.to:
        try:
            recipients.append(normalize_address(raw))
        except ValueError as exc:
            problems.append(Problem("to", str(exc)))
    if not request.to:
        problems.append(Problem("to", "Enter at least one recipient address."))
    if has_line_break(request.subject):
        problems.append(Problem("subject", "The subject cannot contain line breaks."))
    name, sender = settings.sender_for(connection)
    if request.from_override and not connection.force_sender:
        sender, name = request.from_override, ""
    if connection.kind.value == "graph" and not sender:
        sender = connection.mailbox
    if not sender and connection.auth_mode.value != "none" and "@" in connection.username:
        sender = connection.username
    if not sender:
        problems.append(
            Problem("from_address", "Set a From address on the connection or a default sender in the app settings.")
        )
    else:
        try:
            sender = normalize_address(sender)
        except ValueError as exc:
            problems.append(Problem("from_address", str(exc)))
    if problems:
        raise ValidationError(problems)

    envelope_from = connection.return_path or sender
    smtputf8 = any(needs_smtputf8(a) for a in (sender, envelope_from, *recipients))
    if not smtputf8:
        sender, envelope_from = _ascii_domain(sender), _ascii_domain(envelope_from)
        recipients = [_ascii_domain(r) for r in recipients]
    domain = sender.rpartition("@")[2].strip("[]") or "smtpgui.invalid"
    message_id = make_msgid(domain=idna_host(domain) if not domain.replace(".", "").isdigit() else "smtpgui.invalid")

    msg = EmailMessage(policy=email.policy.SMTPUTF8 if smtputf8 else email.policy.SMTP)
    msg["From"] = _address_header(name, sender, smtputf8)
    msg["To"] = ", ".join(recipients)
    if connection.reply_to:
        msg["Reply-To"] = connection.reply_to
    if connection.read_receipt_to:
        msg["Disposition-Notification-To"] = connection.read_receipt_to
    msg["Subject"] = request.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    msg["X-Mailer"] = "smtpgui test"
    body = request.body.rstrip("\n") + "\n\n" + "This test was sent through:\n" + describe_connection(connection)
    if connection.append_signature and connection.signature:
        body += "\n-- \n" + connection.signature.rstrip("\n") + "\n"
    msg.set_content(body, charset=connection.charset or "utf-8")
    return OutgoingMessage(msg, envelope_from, tuple(recipients), smtputf8, message_id)


def _address_header(name: str, address: str, smtputf8: bool) -> str:
    if not name:
        return address
    if smtputf8:
        local, _, domain = address.rpartition("@")
        return str(Address(display_name=name, username=local, domain=domain))
    return formataddr((name, address))
