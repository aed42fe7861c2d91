"""TLS contexts built explicitly from a connection, and certificates described for people."""

from __future__ import annotations

import functools
import hashlib
import os
import ssl
import threading
import warnings

from smtpgui.core.addresses import format_fingerprint
from smtpgui.core.model import Connection, TlsVersion
from smtpgui.transport.result import CertificateInfo
from smtpgui.transport.x509 import CertificateFormatError, parse_certificate

_VERSIONS = {
    TlsVersion.V1_0: ssl.TLSVersion.TLSv1,
    TlsVersion.V1_1: ssl.TLSVersion.TLSv1_1,
    TlsVersion.V1_2: ssl.TLSVersion.TLSv1_2,
    TlsVersion.V1_3: ssl.TLSVersion.TLSv1_3,
}


class ClientCertificateError(Exception):
    """The client certificate or key file cannot be loaded."""


def build_context(connection: Connection, verify: bool | None = None) -> ssl.SSLContext:
    """An explicit client context: versions, trust, client certificate from the connection.

    ``verify`` overrides the connection (False to fetch a certificate for display). A pinned
    connection trusts its pin instead of the CA system, so the handshake does not verify and
    the engine compares the fingerprint right after it.

    Contexts are shared by every session with the same TLS settings (a context is safe to use
    from many threads): loading the system's CA certificates takes about 35 ms of CPU, which
    50 test sends, or a probe's four sessions, would otherwise each pay. A CA, certificate or
    key file is read again when it changes on disk.
    """
    check = connection.verify if verify is None else verify
    if connection.pinned_sha256 and verify is None:
        check = False
    key = (
        connection.tls_min,
        connection.tls_max,
        check,
        _file_key(connection.ca_file) if check else None,
        _file_key(connection.client_cert),
        _file_key(connection.client_key),
    )
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(key)
    if context is None:
        context = _new_context(connection, check)
        with _CONTEXTS_LOCK:
            if len(_CONTEXTS) >= _CONTEXTS_MAX:
                _CONTEXTS.pop(next(iter(_CONTEXTS)))
            _CONTEXTS[key] = context
    return context


_CONTEXTS: dict[tuple[object, ...], ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()
_CONTEXTS_MAX = 32


def _file_key(path: str) -> tuple[str, int, int] | None:
    """A file named by a connection, as a cache key: its path, and its change time and size."""
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return (path, -1, -1)  # building the context reports the problem
    return (path, info.st_mtime_ns, info.st_size)


def _new_context(connection: Connection, check: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if connection.tls_min.rank < TlsVersion.V1_2.rank:
        # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        # Python deprecates TLS 1.0/1.1; users may still need them for old servers, on purpose.
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = _VERSIONS[connection.tls_min]
        context.maximum_version = _VERSIONS[connection.tls_max]
    if check:
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        if connection.ca_file:
            context.load_verify_locations(cafile=connection.ca_file)
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if connection.client_cert:
        try:
            # An encrypted key is refused, never prompted for on the terminal (no passphrase is stored).
            context.load_cert_chain(connection.client_cert, connection.client_key or None, password=lambda: b"")
        except (OSError, ssl.SSLError) as exc:
            raise ClientCertificateError(f"cannot load the client certificate: {exc}") from exc
    return context


def fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as 64 lowercase hex digits."""
    return hashlib.sha256(der).hexdigest()


def describe_certificate(der: bytes, trusted: bool | None) -> CertificateInfo:
    """Subject, issuer, validity, names and fingerprint of a DER certificate."""
    return _describe(der, trusted)


@functools.lru_cache(maxsize=64)
def _describe(der: bytes, trusted: bool | None) -> CertificateInfo:
    # Servers present the same certificate session after session; parse it once.
    try:
        fields = parse_certificate(der)
    except CertificateFormatError as exc:
        # Verification is OpenSSL's job and the pin is the digest; an odd certificate only loses its names.
        unreadable = f"(cannot read this certificate: {exc})"
        return CertificateInfo(unreadable, unreadable, "", "", fingerprint(der), (), trusted)
    return CertificateInfo(
        subject=fields.subject,
        issuer=fields.issuer,
        not_before=fields.not_before.isoformat(),
        not_after=fields.not_after.isoformat(),
        sha256=fingerprint(der),
        names=fields.dns_names + fields.ip_addresses,
        trusted=trusted,
    )


def certificate_lines(info: CertificateInfo) -> list[str]:
    """The certificate as transcript lines."""
    return [
        f"TLS peer certificate: subject {info.subject}",
        f"  issuer {info.issuer}",
        f"  valid {info.not_before} to {info.not_after}",
        f"  SHA-256 {format_fingerprint(info.sha256)}",
    ]


def tls_error_kind(exc: ssl.SSLError) -> str:
    """Sort a handshake error into the explanation table's kinds."""
    reason = (getattr(exc, "reason", None) or "").upper()
    text = str(exc).upper()
    if isinstance(exc, ssl.SSLCertVerificationError):
        message = (exc.verify_message or "").lower()
        return "hostname" if "hostname" in message or "ip address mismatch" in message else "certificate"
    if "CERTIFICATE_REQUIRED" in reason or "CERTIFICATE_REQUIRED" in text:
        return "client-cert-required"  # TLS 1.3's certificate_required alert: the server wants ours
    if any(r in reason or r in text for r in ("ALERT_UNKNOWN_CA", "ALERT_BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN")):
        return "client-cert-required"  # the server refused the certificate we sent (or the lack of one)
    if any(
        r in reason or r in text
        for r in (
            "WRONG_VERSION_NUMBER",
            "RECORD_LAYER_FAILURE",
            "PACKET_LENGTH_TOO_LONG",
            "HTTP_REQUEST",
            "UNKNOWN_PROTOCOL",
        )
    ):
        return "mismatch-plain"
    if any(
        r in reason or r in text
        for r in (
            "UNSUPPORTED_PROTOCOL",
            "PROTOCOL_VERSION",
            "NO_PROTOCOLS_AVAILABLE",
            "VERSION_TOO_LOW",
            "VERSION_TOO_HIGH",
        )
    ):
        return "tls-version"
    return "tls"


def throwaway_client_context() -> ssl.SSLContext:
    """An unverifying client context that offers a fresh self-signed client certificate.

    Only for diagnosis: a server that failed our handshake with a generic alert is tried once
    more with this; if it now gets further (or complains about the certificate), it had asked
    for a client certificate. A client sends one only when the server requests it.
    """
    import datetime
    import tempfile
    from pathlib import Path

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "smtpgui diagnosis")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with tempfile.TemporaryDirectory(prefix="smtpgui-") as folder:
        cert_file, key_file = Path(folder) / "c.pem", Path(folder) / "k.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_file.chmod(0o600)
        context.load_cert_chain(str(cert_file), str(key_file))
    return context
