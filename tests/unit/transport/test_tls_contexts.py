"""TLS contexts are built once per set of TLS settings and shared, and rebuilt when a file changes."""

from __future__ import annotations

import os
import shutil
import ssl
from pathlib import Path

from smtpgui.core.model import Connection, TlsVersion
from smtpgui.transport.tlspolicy import build_context
from tests.support.servers import make_pki


def test_sessions_with_the_same_tls_settings_share_one_context(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki")
    ca = tmp_path / "ca.pem"
    shutil.copy(pki.ca_file, ca)
    a = Connection(name="a", host="a.example", ca_file=str(ca))
    context = build_context(a)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    # Another connection, another host: TLS settings are all that matter.
    assert build_context(a.replace(name="b", host="b.example", port=465)) is context
    # Different settings: a context of their own.
    unverified = build_context(a, verify=False)
    assert unverified is not context and unverified.verify_mode == ssl.CERT_NONE
    assert build_context(a.replace(pinned_sha256="ab" * 32)).verify_mode == ssl.CERT_NONE
    modern = build_context(a.replace(tls_min=TlsVersion.V1_3))
    assert modern is not context and modern.minimum_version == ssl.TLSVersion.TLSv1_3
    # The CA file changed on disk (a renewed CA): it is read again.
    ca.write_bytes(ca.read_bytes() + b"\n")
    os.utime(ca, ns=(1, 1))
    renewed = build_context(a)
    assert renewed is not context and renewed.cert_store_stats()["x509_ca"] == 1
    assert build_context(a) is renewed
