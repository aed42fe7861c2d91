"""Certificates, pins, TLS versions, STARTTLS policy and port/mode mismatches."""

from __future__ import annotations

import ssl
import time

from smtpgui.core.model import Security, TlsVersion
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import Stage
from tests.integration.conftest import connection_for
from tests.support.servers import PASSWORD, Pki, ScriptedServer, read_line, smtp_server

engine = SessionEngine()
SECRETS = SessionSecrets(password=PASSWORD)


def test_untrusted_certificate_fails_with_its_details(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        conn = connection_for(server.port, None, security=Security.TLS)  # no CA file: system trust only
        result = engine.run(conn, SECRETS, None)
        assert not result.ok and result.stage is Stage.TLS and result.exit_code == 11
        assert result.failure_kind == "certificate"
        assert result.certificate is not None and result.certificate.trusted is False
        assert result.certificate.sha256 == pki.server_sha256
        assert "trustme" in result.certificate.issuer and result.certificate.not_after
        assert "not trusted" in (result.explanation or "")


def test_untrusted_certificate_over_starttls_is_also_shown(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        result = engine.run(connection_for(server.port, None), SECRETS, None)
        assert result.stage is Stage.STARTTLS and result.failure_kind == "certificate"
        assert result.certificate is not None and result.certificate.sha256 == pki.server_sha256


def test_pinned_certificate_is_trusted_without_a_ca(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        conn = connection_for(server.port, None, security=Security.TLS, pinned_sha256=pki.server_sha256)
        result = engine.run(conn, SECRETS, None)
        assert result.ok, result.error
        assert result.certificate is not None and result.certificate.trusted is True


def test_pin_mismatch_stops_before_anything_is_sent(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, pinned_sha256="ab" * 32)
        result = engine.run(conn, SECRETS, None)
        assert not result.ok and result.failure_kind == "pin" and result.exit_code == 11
        assert result.stage is Stage.STARTTLS
        after_tls = [line for line in result.transcript if line.startswith("~>")]
        assert after_tls == []  # not even EHLO went out after the handshake


def test_hostname_mismatch(other_name_pki: Pki) -> None:
    with smtp_server("tls", other_name_pki) as server:
        conn = connection_for(server.port, other_name_pki, security=Security.TLS)
        result = engine.run(conn, SECRETS, None)
        assert not result.ok and result.failure_kind == "hostname" and result.exit_code == 11
        assert result.certificate is not None and "other.example" in result.certificate.names


def test_tls_max_below_server_minimum(pki: Pki) -> None:
    with smtp_server("tls", pki, tls_min=ssl.TLSVersion.TLSv1_3) as server:
        conn = connection_for(server.port, pki, security=Security.TLS, tls_max=TlsVersion.V1_2)
        result = engine.run(conn, SECRETS, None)
        assert not result.ok and result.failure_kind == "tls-version" and result.exit_code == 11
        assert "TLS version" in (result.explanation or "")


def test_verify_off_warns_but_connects(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        conn = connection_for(server.port, None, security=Security.TLS, verify=False)
        result = engine.run(conn, SECRETS, None)
        assert result.ok
        assert any("verification is off" in w for w in result.warnings)
        assert result.certificate is not None and result.certificate.trusted is None


def test_starttls_missing_is_a_failure_not_a_downgrade() -> None:
    with smtp_server("plain", auth_require_tls=False) as server:
        result = engine.run(connection_for(server.port, None), SECRETS, None)
        assert not result.ok and result.stage is Stage.STARTTLS and result.failure_kind == "no-starttls"
        assert result.exit_code == 11
        assert not any("AUTH" in line for line in result.transcript if line.startswith("->"))


def _stripping_server(conn) -> None:  # type: ignore[no-untyped-def]
    """Like a meddling middlebox: a real-looking server whose EHLO lacks STARTTLS."""
    conn.sendall(b"220 mx.strip.example ESMTP\r\n")
    while line := read_line(conn):
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250-mx.strip.example\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"502 no\r\n")


def test_stripped_starttls_is_refused() -> None:
    with ScriptedServer(_stripping_server) as server:
        result = engine.run(connection_for(server.port, None), SECRETS, None)
        assert result.failure_kind == "no-starttls" and result.exit_code == 11
        assert not any(line.startswith("-> AUTH") for line in result.transcript)


def test_starttls_against_implicit_tls_port_is_detected_quickly(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        conn = connection_for(server.port, pki, security=Security.STARTTLS, timeout_s=30)
        started = time.monotonic()
        result = engine.run(conn, SECRETS, None)
        elapsed = time.monotonic() - started
        assert not result.ok and result.failure_kind == "mismatch-implicit" and result.exit_code == 11
        assert elapsed < 8, f"took {elapsed:.1f} s"
        assert "SSL/TLS" in (result.fix or "")


def test_implicit_tls_against_plaintext_port_is_detected(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, security=Security.TLS, timeout_s=30)
        started = time.monotonic()
        result = engine.run(conn, SECRETS, None)
        assert time.monotonic() - started < 5
        assert not result.ok and result.failure_kind == "mismatch-plain" and result.exit_code == 11
        assert "STARTTLS" in (result.fix or "")


def test_client_certificate(pki: Pki, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = pki.ca.issue_cert("client@example.com")
    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert_file))
    client.private_key_pem.write_to_path(str(key_file))
    with smtp_server("tls", pki) as server:
        # Make the server demand a certificate signed by the test CA.
        context = server.controller.ssl_context
        context.verify_mode = ssl.CERT_REQUIRED
        pki.ca.configure_trust(context)
        conn = connection_for(server.port, pki, security=Security.TLS)
        without = engine.run(conn, SECRETS, None)
        assert not without.ok
        with_cert = engine.run(conn.replace(client_cert=str(cert_file), client_key=str(key_file)), SECRETS, None)
        assert with_cert.ok, with_cert.error
        broken = engine.run(conn.replace(client_cert=str(tmp_path / "missing.pem")), SECRETS, None)
        assert broken.failure_kind == "client-cert" and "client certificate" in (broken.fix or "")
