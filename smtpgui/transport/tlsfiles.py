"""Checks of the local TLS files a connection names: CA file, client certificate, client key.

``core`` does no I/O, so these checks live here and are called where a file is chosen (``add``,
``edit``, the editor) and before a test uses it. Each problem is keyed by its field and names the
file, so a missing or wrong file is reported as the user's file, never blamed on the server.
"""

from __future__ import annotations

import functools
import os
import ssl
import stat

from smtpgui.core.errors import Problem, ValidationError
from smtpgui.core.model import Connection, Kind, Security

# A CA bundle of every public root is about 250 KB; nothing a connection names is near this.
MAX_FILE_BYTES = 10 * 1024 * 1024
_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
_PRIVATE_KEY = b"PRIVATE KEY-----"


def tls_file_problems(connection: Connection, fields: tuple[str, ...] | None = None) -> list[Problem]:
    """Problems with the connection's CA file and client certificate/key (all, or only ``fields``)."""
    wanted = set(fields) if fields is not None else {"ca_file", "client_cert", "client_key"}
    problems: list[Problem] = []
    if connection.ca_file and "ca_file" in wanted:
        problems.extend(_ca_file_cached(connection.ca_file, _stamp(connection.ca_file)))
    if connection.client_cert and wanted & {"client_cert", "client_key"}:
        cert, key = connection.client_cert, connection.client_key
        problems.extend(_client_cached(cert, key, _stamp(cert), _stamp(key)))
    return problems


# The editor asks on every keystroke; a file is read again only when it changes on disk.
def check_before_session(connection: Connection) -> None:
    """Raise ``ValidationError`` when the connection's own CA or client files are unusable: a
    missing or wrong file is the user's to fix, not the server's certificate to blame."""
    if connection.kind is not Kind.GRAPH and connection.security is not Security.NONE:
        problems = tls_file_problems(connection)
        if problems:
            raise ValidationError(problems)


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path) if path else None
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if info else None


@functools.lru_cache(maxsize=32)
def _ca_file_cached(path: str, _stamp: tuple[int, int] | None) -> tuple[Problem, ...]:
    return tuple(_ca_file_problems(path))


@functools.lru_cache(maxsize=32)
def _client_cached(
    cert: str, key: str, _cert_stamp: tuple[int, int] | None, _key_stamp: tuple[int, int] | None
) -> tuple[Problem, ...]:
    return tuple(_client_problems(cert, key))


def _read(path: str, what: str) -> tuple[bytes, str | None]:
    """The file's bytes, or a sentence saying why it cannot be the ``what`` file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return b"", f"{path} does not exist: choose the {what} file."
    except OSError as exc:
        return b"", f"{path} cannot be read ({exc.strerror or exc})."
    if not stat.S_ISREG(info.st_mode):
        return b"", f"{path} is not a file: choose the {what} file."
    if info.st_size > MAX_FILE_BYTES:
        return b"", f"{path} is too large to be a {what} file."
    try:
        with open(path, "rb") as file:
            return file.read(MAX_FILE_BYTES + 1), None
    except OSError as exc:
        return b"", f"{path} cannot be read ({exc.strerror or exc})."


def _ca_file_problems(path: str) -> list[Problem]:
    data, problem = _read(path, "CA certificate")
    if problem:
        return [Problem("ca_file", problem)]
    if _CERTIFICATE not in data:
        return [Problem("ca_file", f"{path} holds no certificate: a CA file is one or more PEM certificates.")]
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        return [Problem("ca_file", f"{path} cannot be used as a CA file ({_reason(exc)}).")]
    return []


def _client_problems(cert_path: str, key_path: str) -> list[Problem]:
    data, problem = _read(cert_path, "client certificate")
    if problem:
        return [Problem("client_cert", problem)]
    if _CERTIFICATE not in data:
        return [Problem("client_cert", f"{cert_path} holds no certificate: choose the PEM client certificate.")]
    if key_path:
        key, problem = _read(key_path, "private key")
        if problem:
            return [Problem("client_key", problem)]
        if _PRIVATE_KEY not in key:
            return [Problem("client_key", f"{key_path} holds no private key: choose the PEM key file.")]
    elif _PRIVATE_KEY in data:
        key = data
    else:
        return [Problem("client_key", f"{cert_path} holds no private key: choose its key file as well.")]
    if b"ENCRYPTED" in key:
        return [
            Problem(
                "client_key",
                f"{key_path or cert_path} is protected by a passphrase, which smtpgui cannot use: "
                "save the key without one (openssl pkey -in KEY -out NEWKEY).",
            )
        ]
    try:
        # The callback stops OpenSSL from asking for a passphrase on the terminal.
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert_path, key_path or None, password=lambda: b"")
    except (ssl.SSLError, OSError, ValueError) as exc:
        if "KEY_VALUES_MISMATCH" in str(exc).upper():
            return [Problem("client_key", f"{key_path or cert_path}: the key does not match the client certificate.")]
        return [Problem("client_cert", f"{cert_path} cannot be used as a client certificate ({_reason(exc)}).")]
    return []


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "reason", None) or exc).replace("_", " ").lower()
