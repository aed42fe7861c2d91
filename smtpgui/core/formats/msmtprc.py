"""msmtp's configuration: one connection as an msmtprc account block (out)."""

from __future__ import annotations

import re

from smtpgui.core.formats.common import check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.passwordread import PasswordRead
from smtpgui.core.model import Connection, Mechanism, ProxyType, Security

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
    lines = [comment(f"smtpgui connection {c.name!r} as an msmtp account; use it with: msmtp -a {account}")]
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
