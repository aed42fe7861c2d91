"""swaks command lines: one connection as a swaks command (out), a swaks command as a connection (in)."""

from __future__ import annotations

import shlex

from smtpgui.core.formats.common import RECIPIENT_WORD, check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.passwordread import PasswordRead
from smtpgui.core.model import Connection, IpFamily, Mechanism, Security

_SWAKS_MECHANISMS = {Mechanism.PLAIN: "PLAIN", Mechanism.LOGIN: "LOGIN", Mechanism.CRAM_MD5: "CRAM-MD5"}


def server_word(host: str, port: int) -> str:
    """``host:port``; an IPv6 literal as ``[addr]:port`` (swaks's own form for it)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def to_swaks(connection: Connection, password: PasswordRead) -> str:
    """A swaks command (with comment lines above it) that sends a test through ``connection``.

    The password never appears: swaks reads it from ``SWAKS_OPT_auth_password`` (swaks's own
    way to take an option from the environment, which keeps it out of the process list), set
    for that one command from the keyring or a variable. Every value is quoted with
    :func:`shlex.quote`, so no name or user can end its word.
    """
    check_exportable(connection, "swaks")
    c = connection
    q = shlex.quote
    lines = [comment(f"smtpgui connection {c.name!r} as a swaks command (POSIX shell); set SMTP_TO first.")]
    words = ["swaks", "--server", q(server_word(c.host, c.port))]
    if c.security is Security.STARTTLS:
        words.append("--tls")
    elif c.security is Security.TLS:
        words.append("--tlsc")
    if c.security is not Security.NONE:
        if c.verify and not c.pinned_sha256:
            words.append("--tls-verify")
            if c.ca_file:
                words += ["--tls-ca-path", q(c.ca_file)]
        elif c.pinned_sha256:
            lines.append(
                comment(
                    f"smtpgui trusts this server's certificate by its SHA-256 fingerprint {c.pinned_sha256}; "
                    "swaks cannot check a fingerprint: compare it with swaks --tls-get-peer-cert"
                )
            )
        else:
            lines.append(comment("certificate checks are off for this connection: swaks does not check it either"))
        if c.client_cert:
            words += ["--tls-cert", q(c.client_cert)]
        if c.client_key:
            words += ["--tls-key", q(c.client_key)]
    if c.ehlo_name:
        words += ["--ehlo", q(c.ehlo_name)]
    if c.source_address:
        words += ["--local-interface", q(c.source_address)]
    if c.ip_family is IpFamily.IPV4:
        words.append("-4")
    elif c.ip_family is IpFamily.IPV6:
        words.append("-6")
    if c.timeout_s != 30:
        words += ["--timeout", str(c.timeout_s)]
    prefix = ""
    if uses_password(c):
        mechanism = _SWAKS_MECHANISMS.get(c.mechanism)
        if mechanism:  # else --auth-user alone: swaks tries what the server offers
            words += ["--auth", mechanism]
        words += ["--auth-user", q(c.login_name), "--auth-hide-password"]
        prefix = f"SWAKS_OPT_auth_password={password.shell_word()} "
        lines.append(comment(password.explanation()))
    note = oauth_note(c, "swaks")
    if note:
        lines.append(note)
    if c.proxy_type.value != "none":
        lines.append(comment(f"smtpgui reaches this server through a {c.proxy_type.value} proxy; swaks cannot"))
    if c.from_address:
        words += ["--from", q(c.return_path or c.from_address)]
    words += ["--to", RECIPIENT_WORD]
    return "\n".join([*lines, prefix + " ".join(words)]) + "\n"
