"""Thunderbird's outgoing servers from its ``prefs.js`` (in): ``mail.smtpserver.smtpN.*``,
``mail.smtpservers`` (the list Thunderbird uses), ``mail.smtp.defaultserver`` and the
identities' ``smtpServer`` / ``useremail`` / ``fullName``.

``prefs.js`` is one ``user_pref("key", value);`` per line; each line is matched on its own, so
reading is linear in the file's size whatever it holds.
"""

from __future__ import annotations

import re

from smtpgui.core.formats.foreign import (
    ForeignSettings,
    NameBook,
    NoteBook,
    UnreadableSettings,
    make_connection,
    shown,
    usable_address,
)
from smtpgui.core.model import AuthMode, Connection, Mechanism, OAuthProvider, Security

_PREF = re.compile(r'\s*user_pref\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*("(?:[^"\\]|\\.)*"|-?\d{1,18}|true|false)\s*\)\s*;')
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# try_ssl: nsMsgSocketType (0 plain, 1 STARTTLS if offered, 2 STARTTLS always, 3 SSL/TLS).
_SECURITY = {0: Security.NONE, 1: Security.STARTTLS, 2: Security.STARTTLS, 3: Security.TLS}
# authMethod: nsMsgAuthMethod (MailNewsTypes2.idl).
_NO_AUTH, _CLEARTEXT, _ENCRYPTED, _OAUTH2 = 1, 3, 4, 10
_OTHER_AUTH = {5: "Kerberos/GSSAPI", 6: "NTLM", 7: "a TLS client certificate (EXTERNAL)"}
_USED = {"hostname", "port", "try_ssl", "authMethod", "username", "description", "hello_argument", "type"}
# Keys Thunderbird writes that mean nothing to a connection: taken without a note.
_QUIET = {"clientid", "clientidEnabled", "uid"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 5 and code[0] == "u":
        return chr(int(code[1:], 16))
    if len(code) == 3 and code[0] == "x":
        return chr(int(code[1:], 16))
    return _SIMPLE.get(code, code)


def _text(raw: str) -> str:
    """A JavaScript string's text: escapes decoded, a surrogate pair (``\\ud83d\\ude00``) joined into
    the one character JavaScript reads, and a lone surrogate (no character at all) made U+FFFD."""
    text = _ESCAPE.sub(_unescape, raw)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _value(raw: str) -> str | int | bool:
    if raw.startswith('"'):
        return _text(raw[1:-1])
    if raw in ("true", "false"):
        return raw == "true"
    return int(raw)


def read_prefs(text: str) -> dict[str, str | int | bool]:
    """Every ``user_pref`` of the file (a later one wins, as in Thunderbird)."""
    prefs: dict[str, str | int | bool] = {}
    for line in text.splitlines():
        if "user_pref" not in line:
            continue
        match = _PREF.match(line)
        if match:
            prefs[_text(match.group(1))] = _value(match.group(2))
    return prefs


def _provider(host: str) -> OAuthProvider:
    host = host.lower()
    if host.endswith(("gmail.com", "googlemail.com", "google.com")):
        return OAuthProvider.GOOGLE
    if host.endswith(("office365.com", "outlook.com", "hotmail.com", "live.com")):
        return OAuthProvider.MICROSOFT
    return OAuthProvider.CUSTOM


def from_prefs_js(text: str) -> ForeignSettings:
    """The outgoing servers of a Thunderbird profile's ``prefs.js``."""
    prefs = read_prefs(text)
    servers: dict[str, dict[str, str | int | bool]] = {}
    identities: dict[str, dict[str, str | int | bool]] = {}
    for key, value in prefs.items():
        if key.startswith("mail.smtpserver."):
            server, _, field = key[len("mail.smtpserver.") :].partition(".")
            if field:
                servers.setdefault(server, {})[field] = value
        elif key.startswith("mail.identity."):
            identity, _, field = key[len("mail.identity.") :].partition(".")
            if field in ("smtpServer", "useremail", "fullName"):
                identities.setdefault(identity, {})[field] = value
    defaults = servers.pop("default", {})
    listed = prefs.get("mail.smtpservers")
    keys = [k.strip() for k in listed.split(",") if k.strip()] if isinstance(listed, str) else list(servers)
    if not keys:
        raise UnreadableSettings("it holds no outgoing (SMTP) server: no mail.smtpserver.* settings")
    default_key = prefs.get("mail.smtp.defaultserver")
    senders: dict[str, dict[str, str | int | bool]] = {}
    for person in identities.values():
        used = person.get("smtpServer") or default_key
        if isinstance(used, str) and used not in senders and person.get("useremail"):
            senders[used] = person
    result = ForeignSettings("thunderbird")
    notes, names = NoteBook(), NameBook()
    unused = len(set(servers) - set(keys))
    for key in keys:
        settings = {**defaults, **servers.get(key, {})}
        host = settings.get("hostname")
        if not isinstance(host, str) or not host.strip():
            notes.add(f"The server {shown(key)} has no host name (mail.smtpserver.{key}.hostname) and was skipped.")
            continue
        kind = settings.get("type", "smtp")
        if kind != "smtp":
            notes.add(f"The server {shown(key)} is of type {shown(str(kind))}, not SMTP, and was skipped.")
            continue
        for field in settings:
            if field not in _USED and field not in _QUIET and not field.startswith("oauth2."):
                notes.add(
                    f"The Thunderbird setting {shown('mail.smtpserver.*.' + field)} has no smtpgui equivalent; "
                    "not imported."
                )
        result.connections.append(
            _connection(key, settings, host.strip(), key == default_key, senders.get(key), names, notes)
        )
    if unused:
        notes.add(
            f"{unused} server(s) in the file are not in mail.smtpservers (Thunderbird does not use them); not imported."
        )
    if result.connections and not any(c.is_default for c in result.connections):
        result.connections[0] = result.connections[0].replace(is_default=True)
    result.notes = notes.sentences()
    return result


def _int(value: object, fallback: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else fallback


def _connection(  # noqa: PLR0917 - one server's parts, each from a different table
    key: str,
    settings: dict[str, str | int | bool],
    host: str,
    is_default: bool,
    sender: dict[str, str | int | bool] | None,
    names: NameBook,
    notes: NoteBook,
) -> Connection:
    try_ssl = _int(settings.get("try_ssl"), 0)
    security = _SECURITY.get(try_ssl)
    if security is None:
        notes.add(f"The server {shown(key)} has an unknown try_ssl value {try_ssl}; STARTTLS is used.")
        security = Security.STARTTLS
    elif try_ssl == 1:
        notes.add(f"The server {shown(key)} used STARTTLS only when offered; smtpgui requires it.")
    port = _int(settings.get("port"), 0) or (465 if security is Security.TLS else 587)
    username = settings.get("username")
    username = username if isinstance(username, str) else ""
    method = _int(settings.get("authMethod"), _CLEARTEXT)
    description = settings.get("description")
    label = description if isinstance(description, str) and description.strip() else host
    c: dict[str, object] = {  # built up, then one Connection: replace() per field is slow by the 100,000
        "name": names.name(label, host), "host": host, "port": port, "security": security, "is_default": is_default
    }  # fmt: skip
    if method == _NO_AUTH or (not username and method != _OAUTH2):
        pass
    elif method == _OAUTH2:
        c.update(auth_mode=AuthMode.OAUTH2, username=username, oauth_provider=_provider(host))
        notes.add(f"The server {shown(key)} signs in with OAuth2: sign in once in smtpgui (smtpgui login NAME).")
    else:
        mechanism = Mechanism.CRAM_MD5 if method == _ENCRYPTED else Mechanism.AUTO
        if method in _OTHER_AUTH:
            notes.add(
                f"The server {shown(key)} signs in with {_OTHER_AUTH[method]}, which smtpgui does not do; "
                "a password sign-in is set instead."
            )
        c.update(auth_mode=AuthMode.PASSWORD, username=username, mechanism=mechanism)
    hello = settings.get("hello_argument")
    if isinstance(hello, str) and hello:
        c.update(ehlo_name=hello)
    if sender is not None:
        name = sender.get("fullName")
        c.update(
            from_address=usable_address(sender.get("useremail"), f"the server {shown(key)}", notes),
            from_name=name.strip()[:200] if isinstance(name, str) and "\n" not in name else "",
        )
    return make_connection(c)
