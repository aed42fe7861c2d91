"""The test message: headers, body and envelope, built from a connection and a request."""

from __future__ import annotations

import email.policy
import functools
import re
from dataclasses import dataclass, field
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import Parser
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from smtpgui.core.addresses import (
    idna_host,
    multiline_problem,
    needs_smtputf8,
    normalize_address,
    normalize_display_name,
    single_line_problem,
    split_from_field,
)
from smtpgui.core.appsettings import AppSettings, sender_fallback
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.core.model import Connection
from smtpgui.core.validation import charset_problem

# Every header that holds addresses: built only from ``Address`` objects and checked after
# rendering (issue 17, item 4).
ADDRESS_HEADERS = ("From", "Sender", "To", "Cc", "Reply-To", "Disposition-Notification-To")
_LONG_LINE = 998  # RFC 5322's hard limit on a header line

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
    # The same message with a 7-bit body (quoted-printable), for servers without 8BITMIME.
    seven_bit: EmailMessage | None = None

    def as_bytes(self, eight_bit: bool = True) -> bytes:
        """The message for DATA; ``eight_bit`` False gives 7-bit-clean bytes (no 8BITMIME needed).

        A message that needs SMTPUTF8 keeps its UTF-8 headers either way (such a server has
        8BITMIME); only its body is re-encoded. Each form is written once and kept.
        """
        return self._eight_bit_bytes if eight_bit or self.seven_bit is None else self._seven_bit_bytes

    @functools.cached_property
    def _eight_bit_bytes(self) -> bytes:
        return self.message.as_bytes(policy=self.message.policy)

    @functools.cached_property
    def _seven_bit_bytes(self) -> bytes:
        assert self.seven_bit is not None
        return self.seven_bit.as_bytes(policy=self.seven_bit.policy)

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
    subject_problem = single_line_problem(request.subject, "The subject")
    if subject_problem:
        problems.append(Problem("subject", subject_problem))
    body_problem = multiline_problem(request.body, "The message")
    if body_problem:
        problems.append(Problem("body", body_problem))
    name, sender = settings.sender_for(connection)
    # Problems name the field the value came from: the connection's, or the app settings'.
    name_field = "from_name" if connection.from_name or connection.from_address else "default_from_name"
    sender_field = "from_address" if connection.from_address else "default_from_address"
    if request.from_override:
        # Another From for this one test (issue 20, item 5): never while the connection forces
        # its own; one address, split here and built as an Address like every other header.
        if connection.force_sender:
            problems.append(
                Problem(
                    "from_override",
                    f"“{connection.name}” forces its From address ({connection.from_address}): a test cannot "
                    "send as another. Turn Force sender off to choose another From.",
                )
            )
        else:
            try:
                name, sender = split_from_field(request.from_override)
            except ValueError as exc:
                problems.append(Problem("from_override", str(exc)))
            name_field = sender_field = "from_override"
    sender, sender_field = sender_fallback(connection, sender, sender_field)
    if not sender:
        problems.append(
            Problem("from_address", "Set a From address on the connection or a default sender in the app settings.")
        )
    else:
        try:
            sender = normalize_address(sender)
        except ValueError as exc:
            problems.append(Problem(sender_field, str(exc)))
    try:
        name = normalize_display_name(name)
    except ValueError as exc:
        problems.append(Problem(name_field, str(exc)))
    extra: dict[str, str] = {}
    for header, field_name in (("Reply-To", "reply_to"), ("Disposition-Notification-To", "read_receipt_to")):
        value = getattr(connection, field_name)
        if value:
            try:
                extra[header] = normalize_address(value)
            except ValueError as exc:
                problems.append(Problem(field_name, str(exc)))
    # Read confirmation is asked for only when switched on (issue 20, item 6); its address
    # defaults to the From. A bad address is reported above even while it is off.
    if not connection.send_read_receipt:
        extra.pop("Disposition-Notification-To", None)
    elif "Disposition-Notification-To" not in extra and sender and not any(p.field == sender_field for p in problems):
        extra["Disposition-Notification-To"] = sender
    envelope_from = connection.return_path or sender
    if connection.return_path:
        try:
            envelope_from = normalize_address(connection.return_path)
        except ValueError as exc:
            problems.append(Problem("return_path", str(exc)))
    charset = connection.charset or "utf-8"
    body = request.body.rstrip("\n") + "\n\n" + "This test was sent through:\n" + describe_connection(connection)
    if connection.append_signature and connection.signature:
        body += "\n-- \n" + connection.signature.rstrip("\n") + "\n"
    if not body_problem:
        problems.extend(_charset_problems(charset, request.body, body))
    if problems:
        raise ValidationError(problems)

    smtputf8 = any(needs_smtputf8(a) for a in (sender, envelope_from, *recipients, *extra.values()))
    if not smtputf8:
        sender, envelope_from = _ascii_domain(sender), _ascii_domain(envelope_from)
        recipients = [_ascii_domain(r) for r in recipients]
        extra = {k: _ascii_domain(v) for k, v in extra.items()}
    message_id = make_msgid(domain=_message_id_domain(sender))
    addresses: dict[str, list[Address]] = {
        "From": [_address(sender, name)],
        "To": [_address(r) for r in recipients],
        **{k: [_address(v)] for k, v in extra.items()},
    }
    parts = _Parts(addresses, request.subject, message_id, body, charset)
    message, policy, written = _render_checked(parts, smtputf8, "8bit")
    # Only a body that is not ASCII differs in 7 bits; its headers are the ones just checked.
    seven_bit = None if parts.body.isascii() else _render(parts, policy, "7bit")
    outgoing = OutgoingMessage(message, envelope_from, tuple(recipients), smtputf8, message_id, seven_bit=seven_bit)
    outgoing.__dict__["_eight_bit_bytes"] = written  # the bytes the read-back checked are the ones sent
    return outgoing


def _address(addr_spec: str, display_name: str = "") -> Address:
    """An ``Address`` from a checked address (``normalize_address``) and a display name."""
    if addr_spec.isascii():
        return Address(display_name=display_name, addr_spec=addr_spec)
    # The parser refuses a non-ASCII local part; given as parts, Address quotes what needs it.
    local, _, domain = addr_spec.rpartition("@")
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    return Address(display_name=display_name, username=local, domain=domain)


def _charset_problems(charset: str, typed: str, body: str) -> list[Problem]:
    """The charset must be a text encoding that can write the body (issue 17, item 11).

    Headers never depend on it: the subject and display names are written as UTF-8
    encoded words (or raw UTF-8 under SMTPUTF8) whatever the charset.
    """
    problem = charset_problem(charset)
    if problem:
        return [Problem("charset", problem)]
    for field_name, text, what in (
        ("body", typed, "The text"),
        ("charset", body, "The connection's details in the test message (host, signature)"),
    ):
        try:
            text.encode(charset)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start]
            return [
                Problem(
                    field_name,
                    f"{what} hold{'s' if field_name == 'body' else ''} {bad!r}, which the character set "
                    f"{charset!r} cannot encode: change the text or use utf-8.",
                )
            ]
    return []


def _message_id_domain(sender: str) -> str:
    """The right side of the Message-ID: the sender's domain, an address literal as it is."""
    domain = sender.rpartition("@")[2]
    if domain.startswith("[") and domain.endswith("]"):
        return domain  # <…@[192.0.2.1]> and <…@[IPv6:::1]> are valid msg-ids (RFC 5322 no-fold-literal)
    return idna_host(domain.rstrip(".")) or "smtpgui.invalid"


@dataclass(frozen=True)
class _Parts:
    """What goes into the message, so it can be rendered with another policy or body encoding."""

    addresses: dict[str, list[Address]]
    subject: str
    message_id: str
    body: str
    charset: str


if TYPE_CHECKING:
    _PolicyBase = EmailPolicy[EmailMessage]
else:  # EmailPolicy is generic only to type checkers
    _PolicyBase = EmailPolicy


class _LongAddressLinesPolicy(_PolicyBase):
    """A policy that never folds address headers (Python 3.11 folds long display names wrongly)."""

    def _fold(self, name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        if name in ADDRESS_HEADERS and self.max_line_length != _LONG_LINE:
            return self.clone(max_line_length=_LONG_LINE)._fold(name, value, *args, **kwargs)
        return super()._fold(name, value, *args, **kwargs)  # type: ignore[misc]


def address_header_registry() -> HeaderRegistry:
    """Python's header types, plus Disposition-Notification-To as the address list it is."""
    registry = HeaderRegistry()
    registry.map_to_type("disposition-notification-to", AddressHeader)  # type: ignore[arg-type]
    return registry


_REGISTRY = address_header_registry()
# How headers are read back to check them (and how tests read them).
READ_POLICY = email.policy.default.clone(header_factory=_REGISTRY)


def _policies(smtputf8: bool) -> tuple[EmailPolicy[EmailMessage], EmailPolicy[EmailMessage]]:
    usual = (email.policy.SMTPUTF8 if smtputf8 else email.policy.SMTP).clone(header_factory=_REGISTRY)
    return usual, _LongAddressLinesPolicy(linesep="\r\n", utf8=smtputf8, header_factory=_REGISTRY)


def _render(parts: _Parts, policy: EmailPolicy[EmailMessage], cte: str) -> EmailMessage:
    msg = EmailMessage(policy=policy)
    msg["From"] = parts.addresses["From"]
    msg["To"] = parts.addresses["To"]
    for header in ("Reply-To", "Disposition-Notification-To"):
        if header in parts.addresses:
            msg[header] = parts.addresses[header]
    msg["Subject"] = parts.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = parts.message_id
    msg["X-Mailer"] = "smtpgui test"
    if cte == "7bit" and not parts.body.isascii():
        msg.set_content(parts.body, charset=parts.charset, cte="quoted-printable")
    else:
        msg.set_content(parts.body, charset=parts.charset)
    return msg


# Display names that are written as they are and read back unchanged: words of letters and
# digits, single spaces between them (no quoting, no encoded word, nothing the parser folds).
_PLAIN_NAME = re.compile(r"(?:[A-Za-z0-9]+(?: [A-Za-z0-9]+)*)?")
# Addresses written as they are: an unquoted local part (a quoted one, even the empty ``""``, is
# written by Python's own rules: ``""@example.test`` loses its quotes) and a host name or literal.
_PLAIN_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_PLAIN_ATOM}(?:\.{_PLAIN_ATOM})*@(?:[A-Za-z0-9.-]+|\[[A-Za-z0-9.:]+\])")


def _written_as_given(head: bytes, addresses: dict[str, list[Address]]) -> bool:
    """True when each address header was written on one line, in ASCII, exactly as its
    addresses format themselves: Python's folder (which can unquote a display name) and its
    encoded words then played no part, and the header reads back as meant without parsing it."""
    every = [a for found in addresses.values() for a in found]
    if not all(_PLAIN_NAME.fullmatch(a.display_name) and _PLAIN_ADDRESS.fullmatch(a.addr_spec) for a in every):
        return False  # quoting, encoded words or spacing the parser may read otherwise: check by parsing
    lines = head.split(b"\r\n")
    for header, expected in addresses.items():
        wanted = f"{header}: {', '.join(str(a) for a in expected)}"
        if not wanted.isascii():
            return False
        found = [i for i, line in enumerate(lines) if line[: len(header) + 1].lower() == f"{header.lower()}:".encode()]
        if len(found) != 1 or lines[found[0]] != wanted.encode("ascii"):
            return False
        following = lines[found[0] + 1] if found[0] + 1 < len(lines) else b""
        if following[:1] in (b" ", b"\t"):
            return False
    return True


def _render_checked(parts: _Parts, smtputf8: bool, cte: str) -> tuple[EmailMessage, EmailPolicy[EmailMessage], bytes]:
    """The message, rendered so that every address header reads back as exactly what was meant.

    The usual 78-column folding is tried first; when Python's folder would change an address
    header (it can unquote a long display name, so ``"x … <ceo@bank.example>"`` would read as a
    second address), the address headers are written unfolded instead. A message that still does
    not read back is refused, never sent.
    """
    for policy in _policies(smtputf8):
        try:
            msg = _render(parts, policy, cte)
            written = msg.as_bytes(policy=msg.policy)
            if _reads_back(written, parts.addresses, smtputf8):
                return msg, policy, written
        except (ValueError, TypeError, AttributeError, IndexError, UnicodeError):
            continue  # the email package cannot write this one way; try the next, or refuse
    raise ValidationError("The From name cannot be written into a header safely; shorten or simplify it.", "from_name")


def _reads_back(raw: bytes, addresses: dict[str, list[Address]], smtputf8: bool) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0]
    if _written_as_given(head, addresses):
        return True
    try:
        text = head.decode("utf-8" if smtputf8 else "ascii")
    except UnicodeDecodeError:
        return False
    parsed = Parser(policy=READ_POLICY).parsestr(text + "\r\n\r\n", headersonly=True)
    for header, expected in addresses.items():
        try:
            values = parsed.get_all(header) or []
            got = [(a.display_name, a.addr_spec) for a in values[0].addresses] if len(values) == 1 else None
        except Exception:  # Python's header parser fails in many ways on what it wrote itself
            return False
        if got != [(a.display_name, a.addr_spec) for a in expected]:
            return False
    return True
