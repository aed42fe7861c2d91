"""A self-signed certificate for the local sandbox, made without a cryptography library.

The sandbox offers STARTTLS and implicit TLS with a certificate it makes once and keeps. The
``cryptography`` package would make that a few lines but adds about 10 MB to the installers,
which are at their size budget; so this module does the little that is needed itself:

- an RSA-2048 key: two 1024-bit primes from :mod:`secrets`, sieved by small primes, then 40
  Miller-Rabin rounds (a chance below 4^-40 of a composite), e = 65537 (RFC 8017);
- an X.509 v3 certificate (RFC 5280), signed with sha256WithRSAEncryption (PKCS #1 v1.5),
  subject and issuer ``CN=localhost, O=smtpgui sandbox``, subjectAltName DNS:localhost,
  IP:127.0.0.1 and IP:::1, basicConstraints CA:FALSE, extendedKeyUsage serverAuth, matching
  subject and authority key identifiers;
- both as PEM (the key as PKCS #8), which :meth:`ssl.SSLContext.load_cert_chain` reads.

tests/unit/transport/test_selfsigned.py holds the result to ``cryptography``'s reading of it and to
a real TLS handshake that verifies it.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import math
import secrets
from datetime import datetime, timedelta, timezone

__all__ = ["VALID_DAYS", "generate_key", "self_signed_certificate"]

VALID_DAYS = 3650  # a local test server's certificate: pinned by its users, so it should not change soon
PUBLIC_EXPONENT = 65537
_MILLER_RABIN_ROUNDS = 40
_SMALL_PRIMES = [n for n in range(3, 2000, 2) if all(n % d for d in range(3, math.isqrt(n) + 1, 2))]

_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
_COMMON_NAME = "2.5.4.3"
_ORGANIZATION = "2.5.4.10"
_SUBJECT_KEY_ID = "2.5.29.14"
_BASIC_CONSTRAINTS = "2.5.29.19"
_SUBJECT_ALT_NAME = "2.5.29.17"
_EXTENDED_KEY_USAGE = "2.5.29.37"
_AUTHORITY_KEY_ID = "2.5.29.35"
_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
# DigestInfo for SHA-256 without the digest (RFC 8017 §9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


# --- the key ------------------------------------------------------------------------------


def _probably_prime(n: int) -> bool:
    if n < 2 or n % 2 == 0:
        return n == 2
    for p in _SMALL_PRIMES:
        if p * p > n:
            return True  # no factor up to its square root
        if n % p == 0:
            return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(_MILLER_RABIN_ROUNDS):
        a = 2 + secrets.randbelow(n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    """A random prime of exactly ``bits`` bits, its two top bits set (so p*q has 2*bits bits)."""
    while True:
        candidate = secrets.randbits(bits) | (0b11 << (bits - 2)) | 1
        if math.gcd(candidate - 1, PUBLIC_EXPONENT) == 1 and _probably_prime(candidate):
            return candidate


class RsaKey:
    """An RSA private key: the numbers PKCS #1 names."""

    def __init__(self, p: int, q: int, e: int = PUBLIC_EXPONENT) -> None:
        self.p, self.q, self.e = p, q, e
        self.n = p * q
        self.d = pow(e, -1, math.lcm(p - 1, q - 1))

    def sign_sha256(self, data: bytes) -> bytes:
        """The PKCS #1 v1.5 signature of ``data`` with SHA-256 (RFC 8017 §8.2.1)."""
        size = (self.n.bit_length() + 7) // 8
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(data).digest()
        encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
        m = int.from_bytes(encoded, "big")
        # Chinese remainder theorem: two half-size exponentiations instead of one.
        m1 = pow(m, self.d % (self.p - 1), self.p)
        m2 = pow(m, self.d % (self.q - 1), self.q)
        h = (pow(self.q, -1, self.p) * (m1 - m2)) % self.p
        signature = m2 + h * self.q
        if pow(signature, self.e, self.n) != m:  # a fault would leak the key: never send one
            raise ArithmeticError("RSA signature check failed")
        return signature.to_bytes(size, "big")

    def public_der(self) -> bytes:
        """RSAPublicKey (RFC 8017 A.1.1)."""
        return _sequence(_integer(self.n), _integer(self.e))

    def private_pkcs8_der(self) -> bytes:
        """PrivateKeyInfo (RFC 5208) around RSAPrivateKey (RFC 8017 A.1.2)."""
        rsa = _sequence(
            _integer(0),
            _integer(self.n),
            _integer(self.e),
            _integer(self.d),
            _integer(self.p),
            _integer(self.q),
            _integer(self.d % (self.p - 1)),
            _integer(self.d % (self.q - 1)),
            _integer(pow(self.q, -1, self.p)),
        )
        return _sequence(_integer(0), _algorithm(_RSA_ENCRYPTION), _tlv(0x04, rsa))


def generate_key(bits: int = 2048) -> RsaKey:
    """A new RSA key of ``bits`` bits (about a second in CPython for 2048)."""
    while True:
        p, q = _prime(bits // 2), _prime(bits // 2)
        if p != q:
            return RsaKey(max(p, q), min(p, q))


# --- DER ------------------------------------------------------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _sequence(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)  # a leading 0 keeps it positive
    return _tlv(0x02, body)


def _oid(dotted: str) -> bytes:
    numbers = [int(part) for part in dotted.split(".")]
    body = bytearray([40 * numbers[0] + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        rest = number >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _algorithm(dotted: str) -> bytes:
    return _sequence(_oid(dotted), b"\x05\x00")  # parameters: NULL


def _name(common_name: str, organization: str) -> bytes:
    def attribute(oid: str, value: str) -> bytes:
        return _tlv(0x31, _sequence(_oid(oid), _tlv(0x0C, value.encode("utf-8"))))

    return _sequence(attribute(_ORGANIZATION, organization), attribute(_COMMON_NAME, common_name))


def _time(moment: datetime) -> bytes:
    moment = moment.astimezone(timezone.utc)
    if moment.year < 2050:  # RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after
        return _tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode("ascii"))
    return _tlv(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode("ascii"))


def _extension(oid: str, value: bytes, *, critical: bool = False) -> bytes:
    flag = _tlv(0x01, b"\xff") if critical else b""
    return _sequence(_oid(oid), flag, _tlv(0x04, value))


def _alt_names(dns_names: tuple[str, ...], addresses: tuple[str, ...]) -> bytes:
    names = [_tlv(0x82, name.encode("ascii")) for name in dns_names]
    names += [_tlv(0x87, ipaddress.ip_address(address).packed) for address in addresses]
    return _sequence(*names)


def _pem(label: str, der: bytes) -> bytes:
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode("ascii")


def self_signed_certificate(
    key: RsaKey | None = None,
    *,
    now: datetime | None = None,
    days: int = VALID_DAYS,
    dns_names: tuple[str, ...] = ("localhost",),
    addresses: tuple[str, ...] = ("127.0.0.1", "::1"),
) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) of a new self-signed server certificate for loopback."""
    key = key or generate_key()
    now = now or datetime.now(timezone.utc)
    public_key_info = _sequence(_algorithm(_RSA_ENCRYPTION), _tlv(0x03, b"\x00" + key.public_der()))
    key_id = hashlib.sha1(key.public_der(), usedforsecurity=False).digest()  # RFC 5280 §4.2.1.2 (1)
    name = _name("localhost", "smtpgui sandbox")
    extensions = _sequence(
        _extension(_BASIC_CONSTRAINTS, _sequence(), critical=True),  # CA:FALSE (the default, left out)
        _extension(_SUBJECT_ALT_NAME, _alt_names(dns_names, addresses)),
        _extension(_EXTENDED_KEY_USAGE, _sequence(_oid(_SERVER_AUTH))),
        _extension(_SUBJECT_KEY_ID, _tlv(0x04, key_id)),
        _extension(_AUTHORITY_KEY_ID, _sequence(_tlv(0x80, key_id))),
    )
    serial = secrets.randbits(127) | 1 << 126  # positive, 16 bytes, never zero (RFC 5280 §4.1.2.2)
    tbs = _sequence(
        _tlv(0xA0, _integer(2)),  # version: v3
        _integer(serial),
        _algorithm(_SHA256_WITH_RSA),
        name,
        _sequence(_time(now - timedelta(days=1)), _time(now + timedelta(days=days))),
        name,
        public_key_info,
        _tlv(0xA3, extensions),
    )
    signature = key.sign_sha256(tbs)
    certificate = _sequence(tbs, _algorithm(_SHA256_WITH_RSA), _tlv(0x03, b"\x00" + signature))
    return _pem("CERTIFICATE", certificate), _pem("PRIVATE KEY", key.private_pkcs8_der())
