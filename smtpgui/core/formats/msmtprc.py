"""msmtp's configuration: one connection as an msmtprc account block (out)."""

from __future__ import annotations

import re

from smtpgui.core.formats.common import check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.foreign import (
    ForeignSettings,
    NameBook,
    NoteBook,
    UnreadableSettings,
    make_connection,
    shown,
    usable_address,
)
from smtpgui.core.formats.passwordread import PasswordRead
from smtpgui.core.model import AuthMode, Connection, Mechanism, ProxyType, Security

_MSMTP_MECHANISMS = {Mechanism.PLAIN: "plain", Mechanism.LOGIN: "login", Mechanism.CRAM_MD5: "cram-md5"}
_NOT_IN_ACCOUNT_NAME = re.compile(r"[^A-Za-z0-9._@+-]+")


def account_name(name: str) -> str:
    """An msmtp account name for a connection name: msmtp splits ``account`` lines at ``:`` and
    ``,`` (inheritance) and blanks, so anything else becomes ``-``."""
    slug = _NOT_IN_ACCOUNT_NAME.sub("-", name).strip("-")[:64]
    return slug if slug and slug != "default" else "smtpgui"


def quoted(value: str) -> str:
    """An msmtprc argument: msmtp strips one pair of double quotes and takes the rest as it is
    (no escapes; checked with msmtp 1.8 --pretend), so quotes inside stay; a line break cannot."""
    return f'"{value}"'


def to_msmtprc(connection: Connection, password: PasswordRead) -> str:
    """An ``account`` block for ``~/.msmtprc``. The password is never written: ``passwordeval``
    reads it from the keyring (or a variable) each time msmtp sends."""
    check_exportable(connection, "msmtp")
    c = connection
    account = account_name(c.name)
    lines = [
        comment(f"smtpgui connection {c.name!r} as an msmtp account; use it with: msmtp -a {account}"),
        comment(f"(to make it msmtp's default, add the line: account default : {account})"),
    ]
    lines += [f"account {account}", f"host {quoted(c.host)}", f"port {c.port}"]
    if c.security is Security.NONE:
        lines.append("tls off")
    else:
        lines += ["tls on", f"tls_starttls {'on' if c.security is Security.STARTTLS else 'off'}"]
        if c.pinned_sha256:
            pin = c.pinned_sha256.replace(":", "").upper()
            lines.append("tls_fingerprint " + ":".join(pin[i : i + 2] for i in range(0, len(pin), 2)))
        elif not c.verify:
            lines.append(comment("certificate checks are off for this connection, and so for msmtp"))
            lines.append("tls_certcheck off")
        elif c.ca_file:
            lines.append(f"tls_trust_file {quoted(c.ca_file)}")
        if c.client_cert:
            lines.append(f"tls_cert_file {quoted(c.client_cert)}")
        if c.client_key:
            lines.append(f"tls_key_file {quoted(c.client_key)}")
    if uses_password(c):
        lines.append(f"auth {_MSMTP_MECHANISMS.get(c.mechanism, 'on')}")
        lines.append(f"user {quoted(c.login_name)}")
        lines.append(comment(password.explanation()))
        command = password.command() or f"printenv {password.variable}"
        lines.append(f"passwordeval {quoted(command)}")
    else:
        lines.append("auth off")
    note = oauth_note(c, "msmtp")
    if note:
        lines.append(note)
    sender = c.return_path or c.from_address
    if sender:
        lines.append(f"from {quoted(sender)}")
    if c.ehlo_name:
        lines.append(f"domain {quoted(c.ehlo_name)}")
    if c.source_address:
        lines.append(f"source_ip {c.source_address}")
    if c.timeout_s != 30:
        lines.append(f"timeout {c.timeout_s}")
    if c.proxy_type is ProxyType.SOCKS5 and not c.proxy_username:
        lines += [f"proxy_host {quoted(c.proxy_host)}", f"proxy_port {c.proxy_port}"]
    elif c.proxy_type is not ProxyType.NONE:
        lines.append(comment(f"smtpgui goes through a {c.proxy_type.value} proxy with a sign-in; msmtp cannot"))
    return "\n".join(lines) + "\n"


# ---- in ------------------------------------------------------------------------------------

# msmtp commands with no smtpgui equivalent (msmtp(1)): noted once each, never an error.
_NOT_CONNECTION_SETTINGS = {
    "logfile", "logfile_time_format", "syslog", "aliases", "dsn_notify", "dsn_return", "set_from_header",
    "set_date_header", "set_msgid_header", "remove_bcc_headers", "undisclosed_recipients",
    "allow_from_override", "auto_from", "maildomain", "tls_priorities", "tls_crl_file", "tls_host_override",
    "tls_min_dh_prime_bits", "ntlmdomain", "protocol", "socket", "eval", "source_ip_port",
}  # fmt: skip
_SETTINGS = {
    "host", "port", "tls", "tls_starttls", "tls_trust_file", "tls_fingerprint", "tls_certcheck", "tls_cert_file",
    "tls_key_file", "auth", "user", "password", "passwordeval", "from", "domain", "timeout", "source_ip",
    "proxy_host", "proxy_port",
}  # fmt: skip
_AUTH = {"plain": Mechanism.PLAIN, "login": Mechanism.LOGIN, "cram-md5": Mechanism.CRAM_MD5}


def _split(line: str) -> tuple[str, str]:
    """A line's command and argument; msmtp strips one pair of double quotes around it."""
    command, _, rest = line.strip().partition(" ")
    if "\t" in command:
        command, _, more = command.partition("\t")
        rest = more + " " + rest
    argument = rest.strip()
    if len(argument) >= 2 and argument.startswith('"') and argument.endswith('"'):
        argument = argument[1:-1]
    return command, argument


def from_msmtprc(text: str) -> ForeignSettings:
    """The accounts of an msmtp configuration: ``defaults`` apply to the accounts after them,
    ``account X : Y, Z`` starts from Y's and Z's settings, ``account default : X`` makes X the
    default. A ``password`` is kept apart for the keyring; ``passwordeval`` is noted, not run."""
    notes = NoteBook()
    defaults: dict[str, str] = {}
    accounts: dict[str, dict[str, str]] = {}
    order: list[str] = []
    current: dict[str, str] | None = defaults
    default_name: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        command, argument = _split(stripped)
        if command == "defaults":
            current = defaults
        elif command == "account":
            name, colon, parents = argument.partition(":")
            name = name.strip()
            if not name:
                notes.add(f"Line {number} starts an account without a name; its settings were skipped.")
                current = None
                continue
            settings = dict(defaults)
            for parent in (p.strip() for p in parents.split(",")) if colon else ():
                if parent in accounts:
                    settings.update(accounts[parent])
                elif parent:
                    notes.add(
                        f"The account {shown(name)} inherits from {shown(parent)}, which is not defined before it."
                    )
            if name == "default" and colon:
                default_name = next((p.strip() for p in parents.split(",") if p.strip() in accounts), None)
            if name in accounts:
                notes.add(f"The account {shown(name)} is defined twice; the second one was skipped.")
                current = None
                continue
            accounts[name] = settings
            order.append(name)
            current = settings
        elif current is None:
            continue
        elif command in _SETTINGS:
            current[command] = argument
        elif command in _NOT_CONNECTION_SETTINGS:
            notes.add(f"msmtp's {shown(command)} has no smtpgui equivalent; not imported.")
        else:
            notes.add(f"Line {number}: {shown(command)} is not an msmtp command smtpgui knows; ignored.")
    if default_name is not None and "default" in accounts and accounts["default"] == accounts[default_name]:
        order.remove("default")  # `account default : X` only names the default
    if not order:
        raise UnreadableSettings("it defines no account (an msmtprc needs an 'account NAME' line)")
    result = ForeignSettings("msmtprc")
    names = NameBook()
    for name in order:
        settings = accounts[name]
        if not settings.get("host"):
            notes.add(f"The account {shown(name)} has no host; it was skipped.")
            continue
        connection = _account(name, settings, names, notes)
        if name == default_name or (name == "default" and default_name is None):
            connection = connection.replace(is_default=True)
        if settings.get("password"):
            result.passwords[connection.id] = settings["password"]
        result.connections.append(connection)
    result.notes = notes.sentences()
    return result


def _on(value: str | None) -> bool:
    return value is not None and value.lower() in ("", "on")


def _account(name: str, s: dict[str, str], names: NameBook, notes: NoteBook) -> Connection:
    where = f"the account {shown(name)}"
    tls, starttls = _on(s.get("tls")), s.get("tls_starttls") is None or _on(s.get("tls_starttls"))
    security = Security.NONE if not tls else Security.STARTTLS if starttls else Security.TLS
    port_text = s.get("port", "")
    port = int(port_text) if port_text.isdigit() and len(port_text) <= 5 else 0
    if port_text and not port:
        notes.add(f"The port of {where} is not a number; msmtp's default is used.")
    port = port or (465 if security is Security.TLS else 25)
    # One dictionary, one Connection at the end: replace() per field made 100,000 accounts take 10 s.
    c: dict[str, object] = {"name": names.name(name, s["host"]), "host": s["host"], "port": port, "security": security}
    auth = s.get("auth")
    if auth is not None and auth.lower() != "off":
        method = auth.lower()
        mechanism = _AUTH.get(method, Mechanism.AUTO)
        if method not in ("", "on") and method not in _AUTH:
            notes.add(
                f"{where[0].upper()}{where[1:]} signs in with {shown(auth)}; smtpgui chooses a password mechanism."
            )
        c.update(auth_mode=AuthMode.PASSWORD, username=s.get("user", ""), mechanism=mechanism)
    elif s.get("user"):
        notes.add(f"{where[0].upper()}{where[1:]} names a user but signs in only with 'auth on'; no sign-in is set.")
    if s.get("passwordeval"):
        notes.add(
            f"{where[0].upper()}{where[1:]} reads its password with a command (passwordeval), which was not run: "
            "set the password in smtpgui."
        )
    fingerprint = s.get("tls_fingerprint", "").replace(":", "")
    if len(fingerprint) == 64:
        c.update(pinned_sha256=fingerprint.lower())
    elif fingerprint:
        notes.add(f"{where[0].upper()}{where[1:]} pins a SHA-1 or MD5 fingerprint; smtpgui pins SHA-256 only.")
    if s.get("tls_certcheck", "on").lower() == "off":
        c.update(verify=False)
    trust = s.get("tls_trust_file", "")
    if trust and trust != "system":
        c.update(ca_file=trust)
    c.update(
        client_cert=s.get("tls_cert_file", ""),
        client_key=s.get("tls_key_file", ""),
        ehlo_name=s.get("domain", "") if s.get("domain", "") != "localhost" else "",
        from_address=usable_address(s.get("from"), where, notes),
        source_address=s.get("source_ip", ""),
    )
    timeout = s.get("timeout", "off")
    if timeout.isdigit() and 1 <= int(timeout) <= 600:
        c.update(timeout_s=int(timeout))
    if s.get("proxy_host"):
        proxy_port = s.get("proxy_port", "")
        c.update(
            proxy_type=ProxyType.SOCKS5,
            proxy_host=s["proxy_host"],
            proxy_port=int(proxy_port) if proxy_port.isdigit() and len(proxy_port) <= 5 else 1080,
        )
    return make_connection(c)
