"""swaks command lines: one connection as a swaks command (out), a swaks command as a connection (in)."""

from __future__ import annotations

import re
import shlex

from smtpgui.core.formats.common import RECIPIENT_WORD, check_exportable, comment, oauth_note, uses_password
from smtpgui.core.formats.foreign import ForeignSettings, NameBook, NoteBook, UnreadableSettings, shown, usable_address
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


# ---- in ------------------------------------------------------------------------------------

MAX_COMMAND_CHARS = 1_000_000
# swaks's option names (long and short, with one or two dashes) -> what they set here.
_OPTIONS = {
    "server": "server", "s": "server",
    "port": "port", "p": "port",
    "tls": "tls", "tlsc": "tlsc", "tls-on-connect": "tlsc",
    "tlso": "tlso", "tls-optional": "tlso", "tlsos": "tlso", "tls-optional-strict": "tlso",
    "tls-verify": "tls-verify", "tls-ca-path": "tls-ca-path", "tls-cert": "tls-cert", "tls-key": "tls-key",
    "auth": "auth", "a": "auth",
    "auth-user": "auth-user", "au": "auth-user",
    "auth-password": "auth-password", "ap": "auth-password",
    "auth-hide-password": "quiet-optional", "ahp": "quiet-optional",
    "from": "from", "f": "from",
    "ehlo": "ehlo", "e": "ehlo", "helo": "ehlo", "h": "ehlo", "lhlo": "ehlo",
    "local-interface": "local-interface", "li": "local-interface",
    "timeout": "timeout",
    "4": "ipv4", "6": "ipv6",
    "protocol": "protocol",
    "to": "recipient", "t": "recipient",  # "-to" (one dash) is --timeout
}  # fmt: skip
_NO_VALUE = {"tls", "tlsc", "tlso", "tls-verify", "ipv4", "ipv6"}
_OPTIONAL_VALUE = {"auth", "auth-user", "auth-password", "quiet-optional"}
_SWAKS_AUTH = {"PLAIN": Mechanism.PLAIN, "LOGIN": Mechanism.LOGIN, "CRAM-MD5": Mechanism.CRAM_MD5}
_CONTROL_OPERATORS = {";", "&", "&&", "|", "||", "(", ")", ";;", "|&"}
_TIMEOUT = re.compile(r"(\d{1,6})([smh]?)")


def _words(text: str) -> list[str]:
    """The command's words as a POSIX shell splits them (continuation lines joined, comments
    dropped), up to the first control operator (``;``, ``&&``, ``|``…)."""
    lexer = shlex.shlex(text.replace("\\\r\n", " ").replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = []
    try:
        for word in lexer:
            if word in _CONTROL_OPERATORS:
                break
            words.append(word)
    except ValueError as exc:  # No closing quotation / No escaped character
        raise UnreadableSettings(f"it is not a complete shell command ({str(exc).lower()})") from None
    return words


def _is_expansion(value: str) -> bool:
    return "$" in value or "`" in value


def from_swaks(text: str) -> ForeignSettings:
    """One connection from a swaks command line. ``--auth-password`` is a secret: kept apart for
    the keyring; a password a shell would read at run time (``"$(…)"``, ``$VAR``) is noted."""
    if len(text) > MAX_COMMAND_CHARS:
        raise UnreadableSettings("it is longer than any swaks command (over 1,000,000 characters)")
    words = _words(text)
    options: list[tuple[str, str | None]] = []
    while words and "=" in words[0] and not words[0].startswith("-"):
        variable, _, value = words.pop(0).partition("=")
        if variable.startswith("SWAKS_OPT_"):  # swaks's own way to take an option from the environment
            options.append((variable[len("SWAKS_OPT_") :].replace("_", "-"), value))
    if not words or not (words[0] == "swaks" or words[0].endswith("/swaks")):
        raise UnreadableSettings("it is not a swaks command (it does not start with swaks)")
    notes = NoteBook()
    words.pop(0)
    position = 1
    while words:
        word = words.pop(0)
        position += 1
        if not word.startswith("-") or word in ("-", "--"):
            notes.add(f"Word {position} is not an option and was ignored.")
            continue
        name, has_value, inline = word.lstrip("-").partition("=")
        kind = "timeout" if word.startswith("-to") and not has_value and name == "to" else _OPTIONS.get(name)
        if kind is None:
            notes.add(f"The swaks option {shown('--' + name)} is not a connection setting; ignored.")
            if not has_value and words and not words[0].startswith("-"):
                words.pop(0)  # its value, never quoted back: it may be anything
                position += 1
            continue
        if kind == "timeout":
            name = "timeout"
        if has_value:
            options.append((name, inline))
        elif kind in _NO_VALUE or (kind in _OPTIONAL_VALUE and (not words or words[0].startswith("-"))):
            options.append((name, None))
        elif words:
            options.append((name, words.pop(0)))
            position += 1
        else:
            notes.add(f"The swaks option {shown(word)} has no value; ignored.")
    return _connection_from(options, notes)


def _connection_from(options: list[tuple[str, str | None]], notes: NoteBook) -> ForeignSettings:
    from smtpgui.core.model import AuthMode

    result = ForeignSettings("swaks")
    values: dict[str, str | None] = {}
    for name, value in options:
        kind = _OPTIONS.get(name)
        if kind is None:
            notes.add(f"The variable {shown('SWAKS_OPT_' + name)} is not a connection setting; ignored.")
        else:
            values[kind] = value
    server = values.get("server") or ""
    host, port = _split_server(server)
    if not host:
        raise UnreadableSettings("it names no server (--server HOST[:PORT]); swaks would look up the recipient's MX")
    security = Security.NONE
    if "tls" in values or "tlso" in values:
        security = Security.STARTTLS
    if "tlsc" in values:
        security = Security.TLS
    protocol = (values.get("protocol") or "").upper()
    if protocol.startswith("SSMTP"):
        security = Security.TLS
    elif protocol.startswith("ESMTPS"):
        security = Security.STARTTLS
    if "tlso" in values:
        notes.add("swaks used TLS only when offered (--tls-optional); smtpgui requires STARTTLS.")
    port_text = values.get("port") or port
    if port_text and not (port_text.isdigit() and len(port_text) <= 5):
        notes.add("The port is not a number; the usual port for the security mode is used.")
        port_text = ""
    number = int(port_text) if port_text else {Security.TLS: 465, Security.STARTTLS: 587}.get(security, 25)
    c = Connection(name=NameBook().name(host), host=host, port=number, security=security)
    if "auth" in values or "auth-user" in values or "auth-password" in values:
        types = [t.strip().upper() for t in (values.get("auth") or "").split(",") if t.strip()]
        mechanism = _SWAKS_AUTH.get(types[0], Mechanism.AUTO) if len(types) == 1 else Mechanism.AUTO
        if types and any(t not in _SWAKS_AUTH for t in types):
            notes.add("swaks was told to sign in with a mechanism smtpgui does not use; smtpgui chooses one.")
        c = c.replace(auth_mode=AuthMode.PASSWORD, username=values.get("auth-user") or "", mechanism=mechanism)
        password = values.get("auth-password")
        if password and _is_expansion(password):
            notes.add("The password is read by the shell when swaks runs ($…); it was not imported: set it in smtpgui.")
        elif password:
            result.passwords[c.id] = password
    if "tls-verify" not in values and security is not Security.NONE:
        notes.add("swaks did not check the server's certificate (no --tls-verify); smtpgui checks it.")
    c = c.replace(
        ca_file=values.get("tls-ca-path") or "",
        client_cert=values.get("tls-cert") or "",
        client_key=values.get("tls-key") or "",
        ehlo_name=values.get("ehlo") or "",
        source_address=(values.get("local-interface") or "").rsplit(":", 1)[0] if values.get("local-interface") else "",
        from_address=usable_address(values.get("from"), "the swaks command", notes),
    )
    if "ipv4" in values:
        c = c.replace(ip_family=IpFamily.IPV4)
    elif "ipv6" in values:
        c = c.replace(ip_family=IpFamily.IPV6)
    timeout = _TIMEOUT.fullmatch(values.get("timeout") or "")
    if timeout:
        seconds = int(timeout.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[timeout.group(2)]
        c = c.replace(timeout_s=min(max(seconds, 1), 600))
    result.connections.append(c)
    result.notes = notes.sentences()
    return result


def _split_server(server: str) -> tuple[str, str]:
    """swaks's ``--server``: ``HOST``, ``HOST:PORT``, ``[HOST]:PORT`` or ``HOST/PORT``."""
    server = server.strip()
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        return host, rest.lstrip(":/")
    if "/" in server:
        host, _, port = server.partition("/")
        return host, port
    if server.count(":") == 1:
        host, _, port = server.partition(":")
        return host, port
    return server, ""
