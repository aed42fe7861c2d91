"""Our DER certificate reader agrees with the cryptography package and never crashes on garbage."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from smtpgui.transport.tlspolicy import describe_certificate
from smtpgui.transport.x509 import CertificateFormatError, parse_certificate


def _reference(der: bytes) -> tuple[str, str, dt.datetime, dt.datetime, tuple[str, ...], tuple[str, ...]]:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    return (
        cert.subject.rfc4514_string(),
        cert.issuer.rfc4514_string(),
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
        dns,
        ips,
    )


def _ours(der: bytes) -> tuple[str, str, dt.datetime, dt.datetime, tuple[str, ...], tuple[str, ...]]:
    f = parse_certificate(der)
    return (f.subject, f.issuer, f.not_before, f.not_after, f.dns_names, f.ip_addresses)


def _make(
    subject: x509.Name, *, san: list[x509.GeneralName] | None = None, not_after: dt.datetime | None = None
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Test CA"), x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
        .not_valid_after(not_after or dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    )
    if san is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_a_trustme_server_certificate_reads_like_cryptography_reads_it() -> None:
    ca = trustme.CA()
    leaf = ca.issue_cert("mail.example.test", "127.0.0.1", "::1")
    der = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()).public_bytes(serialization.Encoding.DER)
    assert _ours(der) == _reference(der)
    assert parse_certificate(der).dns_names == ("mail.example.test",)
    assert parse_certificate(der).ip_addresses == ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    "value",
    ["plain", "a,b+c;d<e>f", 'quote " and \\ backslash', "#leading hash", " spaces at both ends ", "Grüße 日本", "x"],
)
def test_names_are_escaped_as_rfc_4514_says(value: str) -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, value),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "ops@example.test"),
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example"),
            x509.NameAttribute(NameOID.COMMON_NAME, value),
        ]
    )
    der = _make(subject)
    assert _ours(der) == _reference(der)


def test_multi_valued_rdns_join_with_plus_and_dates_after_2049_use_generalized_time() -> None:
    subject = x509.Name(
        [
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.COMMON_NAME, "relay"), x509.NameAttribute(NameOID.USER_ID, "42")]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Mail")]),
        ]
    )
    der = _make(
        subject,
        san=[x509.DNSName("a.example"), x509.IPAddress(ipaddress.ip_address("10.1.2.3")), x509.DNSName("*.b.example")],
        not_after=dt.datetime(2051, 6, 7, 8, 9, 10, tzinfo=dt.timezone.utc),
    )
    assert _ours(der) == _reference(der)
    assert parse_certificate(der).not_after.year == 2051


def test_an_unreadable_certificate_keeps_its_fingerprint_and_says_so() -> None:
    info = describe_certificate(b"\x30\x03\x02\x01", trusted=None)
    assert info.subject.startswith("(cannot read this certificate")
    assert len(info.sha256) == 64


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_the_format_error(data: bytes) -> None:
    with contextlib.suppress(CertificateFormatError):
        parse_certificate(data)


_SAMPLE = _make(
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.example")]),
    san=[x509.DNSName("mail.example"), x509.IPAddress(ipaddress.ip_address("192.0.2.1"))],
)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(_SAMPLE) - 1), st.integers(0, 255), st.integers(0, len(_SAMPLE)))
def test_corrupted_certificates_raise_only_the_format_error(index: int, byte: int, cut: int) -> None:
    mutated = (_SAMPLE[:index] + bytes([byte]) + _SAMPLE[index + 1 :])[: max(cut, 1)]
    with contextlib.suppress(CertificateFormatError):
        parse_certificate(mutated)
