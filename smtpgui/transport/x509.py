"""Read the parts of an X.509 certificate people compare: names, validity and alternative names.

OpenSSL (through :mod:`ssl`) verifies certificates; pins compare SHA-256 digests of the DER bytes.
This module only *describes* a certificate the handshake already received, so a small DER reader
is enough and keeps a 10 MB cryptography library out of the app and its installers. It follows
RFC 5280 for the structure and RFC 4514 for how names are written (the same text OpenSSL-based
tools and the ``cryptography`` package print, which a test checks). Anything malformed raises
:class:`CertificateFormatError`; nothing here trusts lengths it has not checked.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timezone

_SEQUENCE = 0x30
_SET = 0x31
_OID = 0x06
_OCTET_STRING = 0x04
_BOOLEAN = 0x01
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_EXPLICIT_VERSION = 0xA0
_EXPLICIT_EXTENSIONS = 0xA3
_SAN_DNS = 0x82
_SAN_IP = 0x87
_SAN_OID = "2.5.29.17"

# RFC 4514 short names (the set cryptography and OpenSSL's RFC 2253 output use); other types
# are written as their dotted OID.
_ATTRIBUTE_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC",
}
_STRING_CODECS = {
    0x0C: "utf-8",  # UTF8String
    0x12: "ascii",  # NumericString
    0x13: "ascii",  # PrintableString
    0x14: "latin-1",  # TeletexString, as every tool reads it in practice
    0x16: "ascii",  # IA5String
    0x1A: "ascii",  # VisibleString
    0x1C: "utf-32-be",  # UniversalString
    0x1E: "utf-16-be",  # BMPString
}


class CertificateFormatError(ValueError):
    """The bytes are not a DER certificate this reader understands."""


@dataclass(frozen=True)
class CertificateFields:
    """What a person compares in a certificate."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True)
class _Element:
    tag: int
    content: bytes
    end: int  # offset just after this element in the buffer it was read from


def _read(data: bytes, offset: int = 0) -> _Element:
    if offset + 2 > len(data):
        raise CertificateFormatError("truncated DER element")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise CertificateFormatError("high tag numbers do not occur in certificates")
    length = data[offset + 1]
    pos = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise CertificateFormatError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise CertificateFormatError("DER element runs past the end of the data")
    return _Element(tag, data[pos : pos + length], pos + length)


def _children(content: bytes) -> list[_Element]:
    items, offset = [], 0
    while offset < len(content):
        element = _read(content, offset)
        items.append(element)
        offset = element.end
    return items


def _expect(element: _Element, tag: int, what: str) -> bytes:
    if element.tag != tag:
        raise CertificateFormatError(f"expected {what}")
    return element.content


def _oid(content: bytes) -> str:
    if not content:
        raise CertificateFormatError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise CertificateFormatError("truncated OID")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


def _escape(value: str) -> str:
    """RFC 4514 §2.4 escaping."""
    if not value:
        return ""
    for char in ("\\", '"', "+", ",", ";", "<", ">"):
        value = value.replace(char, "\\" + char)
    value = value.replace("\0", "\\00")
    if value[0] in ("#", " "):
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value


def _attribute_value(element: _Element) -> str:
    codec = _STRING_CODECS.get(element.tag)
    if codec is None:
        # RFC 4514 §2.4: a value of a type without a string form is written as #hex of its DER.
        header = bytes([element.tag]) + _der_length(len(element.content))
        return "#" + (header + element.content).hex()
    try:
        return _escape(element.content.decode(codec))
    except UnicodeDecodeError as exc:
        raise CertificateFormatError("a name holds text in the wrong encoding") from exc


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _name(element: _Element) -> str:
    """A distinguished name as RFC 4514 text: the last RDN first, multi-valued RDNs joined by '+'."""
    rdns = []
    for rdn in _children(_expect(element, _SEQUENCE, "a name")):
        parts = []
        for attribute in _children(_expect(rdn, _SET, "a relative distinguished name")):
            pair = _children(_expect(attribute, _SEQUENCE, "an attribute"))
            if len(pair) != 2:
                raise CertificateFormatError("an attribute must be a type and a value")
            oid = _oid(_expect(pair[0], _OID, "an attribute type"))
            parts.append(f"{_ATTRIBUTE_NAMES.get(oid, oid)}={_attribute_value(pair[1])}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


def _time(element: _Element) -> datetime:
    try:
        text = element.content.decode("ascii")
        if element.tag == _UTC_TIME and len(text) == 13 and text.endswith("Z"):
            year = int(text[:2])
            moment = datetime.strptime(("19" if year >= 50 else "20") + text[:12], "%Y%m%d%H%M%S")
        elif element.tag == _GENERALIZED_TIME and len(text) == 15 and text.endswith("Z"):
            moment = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
        else:
            raise CertificateFormatError("a validity date is not UTCTime or GeneralizedTime in UTC")
    except (UnicodeDecodeError, ValueError) as exc:
        raise CertificateFormatError("a validity date cannot be read") from exc
    return moment.replace(tzinfo=timezone.utc)


def _alternative_names(extensions: _Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    inner = _read(_expect(extensions, _EXPLICIT_EXTENSIONS, "extensions"))
    for extension in _children(_expect(inner, _SEQUENCE, "an extension list")):
        fields = _children(_expect(extension, _SEQUENCE, "an extension"))
        if not fields or _oid(_expect(fields[0], _OID, "an extension id")) != _SAN_OID:
            continue
        value = fields[-1] if fields[-1].tag == _OCTET_STRING else None
        if value is None or (len(fields) == 3 and fields[1].tag != _BOOLEAN):
            raise CertificateFormatError("a malformed subjectAltName extension")
        names = _children(_expect(_read(value.content), _SEQUENCE, "a list of alternative names"))
        dns = tuple(n.content.decode("ascii", "replace") for n in names if n.tag == _SAN_DNS)
        ips = []
        for n in names:
            if n.tag == _SAN_IP:
                if len(n.content) not in (4, 16):
                    raise CertificateFormatError("an IP address alternative name has a bad length")
                ips.append(str(ipaddress.ip_address(n.content)))
        return dns, tuple(ips)
    return (), ()


def parse_certificate(der: bytes) -> CertificateFields:
    """Subject, issuer, validity and subjectAltName DNS names and IP addresses of a DER certificate."""
    certificate = _read(der)
    if certificate.end != len(der):
        raise CertificateFormatError("trailing bytes after the certificate")
    parts = _children(_expect(certificate, _SEQUENCE, "a certificate"))
    if len(parts) != 3:
        raise CertificateFormatError("a certificate has three parts")
    tbs = _children(_expect(parts[0], _SEQUENCE, "the signed part of a certificate"))
    if tbs and tbs[0].tag == _EXPLICIT_VERSION:
        tbs = tbs[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then optional parts.
    if len(tbs) < 6:
        raise CertificateFormatError("the signed part of a certificate is incomplete")
    validity = _children(_expect(tbs[3], _SEQUENCE, "a validity period"))
    if len(validity) != 2:
        raise CertificateFormatError("a validity period has two dates")
    extensions = next((e for e in tbs[6:] if e.tag == _EXPLICIT_EXTENSIONS), None)
    dns, ips = _alternative_names(extensions) if extensions is not None else ((), ())
    return CertificateFields(
        subject=_name(tbs[4]),
        issuer=_name(tbs[2]),
        not_before=_time(validity[0]),
        not_after=_time(validity[1]),
        dns_names=dns,
        ip_addresses=ips,
    )
