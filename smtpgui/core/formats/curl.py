"""curl command lines: one connection as a curl ``smtp://`` / ``smtps://`` command (out)."""

from __future__ import annotations

import shlex
from urllib.parse import quote

from smtpgui.core.formats.common import RECIPIENT_WORD, check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.passwordread import PasswordRead
from smtpgui.core.model import Connection, IpFamily, Mechanism, ProxyType, Security

_CURL_MECHANISMS = {Mechanism.PLAIN: "PLAIN", Mechanism.LOGIN: "LOGIN", Mechanism.CRAM_MD5: "CRAM-MD5"}
_PROXY_SCHEMES = {ProxyType.SOCKS4: ("socks4", "socks4a"), ProxyType.SOCKS5: ("socks5", "socks5h")}


def smtp_url(connection: Connection) -> str:
    """``smtp://host:port`` (``smtps://`` for TLS from the start); curl sends the URL's path as
    the EHLO name, so an EHLO name goes there, percent-encoded."""
    c = connection
    scheme = "smtps" if c.security is Security.TLS else "smtp"
    host = f"[{c.host}]" if ":" in c.host else c.host
    path = "/" + quote(c.ehlo_name, safe="") if c.ehlo_name else ""
    return f"{scheme}://{host}:{c.port}{path}"


def _user_word(user: str, password: PasswordRead) -> str:
    # One shell word: the quoted "user:" and the double-quoted password expansion side by side.
    return shlex.quote(user + ":") + password.shell_word()


def to_curl(connection: Connection, password: PasswordRead, proxy_password: PasswordRead | None = None) -> str:
    """A curl command that sends ``message.eml`` (a whole message: headers, blank line, body)
    through ``connection``. The password is read when the command runs, never written."""
    check_exportable(connection, "curl")
    c = connection
    q = shlex.quote
    lines = [
        comment(
            f"smtpgui connection {c.name!r} as a curl command (POSIX shell); set SMTP_TO, and put the "
            "message (headers, a blank line, the body) in message.eml."
        )
    ]
    words = ["curl", "--url", q(smtp_url(c))]
    if c.security is Security.STARTTLS:
        words.append("--ssl-reqd")
    if c.security is not Security.NONE:
        words.append(f"--tlsv{c.tls_min.value}")
        if c.pinned_sha256:
            lines.append(
                comment(
                    f"smtpgui trusts this server's certificate by its SHA-256 fingerprint {c.pinned_sha256}; curl "
                    "cannot check that fingerprint: give it the server's CA with --cacert FILE"
                )
            )
        elif not c.verify:
            lines.append(comment("certificate checks are off for this connection: --insecure does the same in curl"))
            words.append("--insecure")
        elif c.ca_file:
            words += ["--cacert", q(c.ca_file)]
        if c.client_cert:
            words += ["--cert", q(c.client_cert)]
        if c.client_key:
            words += ["--key", q(c.client_key)]
    if c.source_address:
        words += ["--interface", q(c.source_address)]
    if c.ip_family is IpFamily.IPV4:
        words.append("--ipv4")
    elif c.ip_family is IpFamily.IPV6:
        words.append("--ipv6")
    words += ["--connect-timeout", str(c.timeout_s)]
    if uses_password(c):
        if ":" in c.login_name:
            lines.append(comment("the user name holds a colon, which curl's --user reads as the password's start"))
        mechanism = _CURL_MECHANISMS.get(c.mechanism)
        if mechanism:
            words += ["--login-options", f"AUTH={mechanism}"]
        words += ["--user", _user_word(c.login_name, password)]
        lines.append(comment(password.explanation()))
    note = oauth_note(c, "curl")
    if note:
        lines.append(note)
    if c.proxy_type is not ProxyType.NONE:
        host = f"[{c.proxy_host}]" if ":" in c.proxy_host else c.proxy_host
        if c.proxy_type is ProxyType.HTTP:
            words += ["--proxy", q(f"http://{host}:{c.proxy_port}"), "--proxytunnel"]
        else:
            plain, remote = _PROXY_SCHEMES[c.proxy_type]
            words += ["--proxy", q(f"{remote if c.proxy_remote_dns else plain}://{host}:{c.proxy_port}")]
        if c.proxy_username and proxy_password is not None:
            words += ["--proxy-user", _user_word(c.proxy_login_name, proxy_password)]
    sender = c.return_path or c.from_address
    if sender:
        words += ["--mail-from", q(sender)]
    words += ["--mail-rcpt", RECIPIENT_WORD, "--upload-file", "message.eml"]
    return "\n".join([*lines, " ".join(words)]) + "\n"
