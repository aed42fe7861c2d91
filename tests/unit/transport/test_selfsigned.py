"""The sandbox's self-signed certificate, made without cryptography, read back with cryptography and
used in a real TLS handshake that verifies it (issue 19)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from smtpgui.transport.selfsigned import PUBLIC_EXPONENT, _probably_prime, generate_key, self_signed_certificate
from smtpgui.transport.x509 import parse_certificate


@pytest.fixture(scope="module")
def pair() -> tuple[bytes, bytes]:
    return self_signed_certificate()


def test_cryptography_reads_the_certificate_and_its_signature_verifies(pair: tuple[bytes, bytes]) -> None:
    cert_pem, key_pem = pair
    cert = x509.load_pem_x509_certificate(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048
    assert key.private_numbers().public_numbers.e == PUBLIC_EXPONENT
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()  # type: ignore[union-attr]
    cert.public_key().verify(  # type: ignore[union-attr,call-arg]
        cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA256()
    )
    assert cert.version == x509.Version.v3
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "localhost"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert ski.digest == aki.key_identifier
    now = datetime.now(timezone.utc)
    assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
    assert cert.not_valid_after_utc - now > timedelta(days=3000)
    assert cert.serial_number > 0


def test_our_own_reader_agrees(pair: tuple[bytes, bytes]) -> None:
    fields = parse_certificate(ssl.PEM_cert_to_DER_cert(pair[0].decode()))
    assert "CN=localhost" in fields.subject


def test_a_date_past_2049_is_written_as_generalized_time() -> None:
    key = generate_key(1024)
    cert_pem, _ = self_signed_certificate(key, now=datetime(2049, 6, 1, tzinfo=timezone.utc), days=400)
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert cert.not_valid_after_utc.year == 2050


def test_miller_rabin_tells_primes_from_composites() -> None:
    assert _probably_prime(2**127 - 1)
    assert not _probably_prime(2**128 + 1)
    assert not _probably_prime(561 * 1105 * 1729 * 2465 * 2821 * 6601 * 8911 + 0)  # product of Carmichael numbers
    assert not _probably_prime(3215031751)  # a strong pseudoprime to bases 2, 3, 5 and 7
    assert [n for n in range(40) if _probably_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
    assert _probably_prime(1999 * 1999) is False and _probably_prime(2003 * 2011) is False


@pytest.mark.parametrize("server_name", ["localhost", "127.0.0.1", "::1"])
def test_a_real_handshake_verifies_it_as_the_trusted_certificate(
    pair: tuple[bytes, bytes], tmp_path: Path, server_name: str
) -> None:
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(pair[0])
    key_file.write_bytes(pair[1])
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_file, key_file)
    family = socket.AF_INET6 if server_name == "::1" else socket.AF_INET
    listener = socket.socket(family)
    listener.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    listener.listen(1)
    served = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"hello")
        served.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(cert_file))
    if hasattr(ssl, "VERIFY_X509_STRICT"):
        client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT  # what Python 3.13's default context asks
    with (
        socket.create_connection(listener.getsockname()[:2]) as raw,
        client_ctx.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        assert tls.recv(5) == b"hello"
        assert tls.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(pair[0].decode())
    thread.join(10)
    assert served.is_set()
    listener.close()


def test_another_certificate_is_not_trusted(pair: tuple[bytes, bytes], tmp_path: Path) -> None:
    other_cert, other_key = self_signed_certificate()
    (tmp_path / "trusted.pem").write_bytes(pair[0])
    ctx = ssl.create_default_context(cafile=str(tmp_path / "trusted.pem"))
    (tmp_path / "c.pem").write_bytes(other_cert)
    (tmp_path / "k.pem").write_bytes(other_key)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    a, b = socket.socketpair()
    thread = threading.Thread(target=lambda: _quiet_handshake(server_ctx, b), daemon=True)
    thread.start()
    with pytest.raises(ssl.SSLCertVerificationError):
        ctx.wrap_socket(a, server_hostname="localhost")
    a.close()
    thread.join(10)


def _quiet_handshake(ctx: ssl.SSLContext, sock: socket.socket) -> None:
    try:
        ctx.wrap_socket(sock, server_side=True).close()
    except (ssl.SSLError, OSError):
        sock.close()
