"""Test sends against aiosmtpd on loopback: STARTTLS, implicit TLS, every AUTH mechanism."""

from __future__ import annotations

import base64
import email
import email.policy

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Mechanism, Security
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import Stage
from tests.integration.conftest import connection_for
from tests.support.servers import PASSWORD, TOKEN, USER, Pki, smtp_server

engine = SessionEngine()


def message_for(conn, to=("rcpt@example.com",), **kw):  # type: ignore[no-untyped-def]
    return build_test_message(conn, TestRequest(to=tuple(to), **kw))


def assert_no_secret(lines: list[str], *secrets: str) -> None:
    text = "\n".join(lines)
    for secret in secrets:
        raw = secret.encode()
        forms = {
            secret,
            base64.b64encode(raw).decode(),
            base64.b64encode(f"\0{USER}\0{secret}".encode()).decode(),
            base64.b64encode(f"user={USER}\x01auth=Bearer {secret}\x01\x01".encode()).decode(),
        }
        for form in forms:
            assert form not in text, f"secret leaked as {form!r}"


@pytest.mark.parametrize("mechanism", [Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5])
def test_starttls_required_with_each_password_mechanism(pki: Pki, mechanism: Mechanism) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, mechanism=mechanism)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
        assert result.ok, result.error
        assert result.stage is Stage.QUIT and result.auth_mechanism == mechanism.value.upper()
        assert result.tls is not None and result.tls.version.startswith("TLSv1.")
        assert "STARTTLS" in result.capabilities_before_tls
        assert any(c.startswith("AUTH") for c in result.capabilities)  # re-read after STARTTLS
        assert server.handler.messages[0].login == USER
        assert set(result.timings_ms) >= {
            "resolve",
            "connect",
            "greeting",
            "ehlo",
            "starttls",
            "auth",
            "mail",
            "rcpt",
            "data",
            "quit",
        }
        assert result.message_id and result.message_id.startswith("<")
        assert_no_secret(result.transcript, PASSWORD)
        assert sum(1 for line in result.transcript if "AUTH " in line and ("->" in line or "~>" in line)) == 1


@pytest.mark.parametrize("mechanism", [Mechanism.XOAUTH2, Mechanism.OAUTHBEARER])
def test_oauth_mechanisms_with_bearer_token(pki: Pki, mechanism: Mechanism) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, auth_mode=AuthMode.OAUTH2, mechanism=mechanism)
        result = engine.run(conn, SessionSecrets(bearer_token=TOKEN), message_for(conn))
        assert result.ok, result.error
        assert result.auth_mechanism == mechanism.value.upper()
        assert_no_secret(result.transcript, TOKEN)


@pytest.mark.parametrize("mechanism", [Mechanism.XOAUTH2, Mechanism.OAUTHBEARER])
def test_refused_token_is_decoded_and_explained(pki: Pki, mechanism: Mechanism) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, auth_mode=AuthMode.OAUTH2, mechanism=mechanism)
        result = engine.run(conn, SessionSecrets(bearer_token="expired-token-123"), message_for(conn))
        assert not result.ok and result.stage is Stage.AUTH and result.exit_code == 13
        assert result.failure_kind == "oauth" and "token" in (result.explanation or "")
        assert "status" in " ".join(result.transcript)
        assert_no_secret(result.transcript, "expired-token-123")
        assert server.handler.messages == []


def test_auto_picks_strongest_offered_after_tls(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        assert result.ok and result.auth_mechanism == "CRAM-MD5"


def test_implicit_tls(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        conn = connection_for(server.port, pki, security=Security.TLS, mechanism=Mechanism.PLAIN)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
        assert result.ok, result.error
        assert "tls" in result.timings_ms and result.certificate is not None
        assert result.certificate.sha256 == pki.server_sha256 and result.certificate.trusted is True
        assert any(line.startswith("<~ 220") for line in result.transcript)


def test_wrong_password_costs_one_attempt_and_is_explained(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, mechanism=Mechanism.PLAIN)
        result = engine.run(conn, SessionSecrets(password="wrong-password-42"), message_for(conn))
        assert not result.ok and result.stage is Stage.AUTH and result.exit_code == 13
        assert (result.reply_code, result.enhanced_code) == (535, "5.7.8")
        assert "user name or password" in (result.explanation or "")
        assert sum(1 for line in result.transcript if line.startswith("~> AUTH")) == 1
        assert_no_secret(result.transcript, "wrong-password-42")


def test_missing_password_is_explained_without_contacting_auth(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        result = engine.run(conn, SessionSecrets(), None)
        assert result.failure_kind == "missing-secret" and result.exit_code == 13
        assert not any("AUTH" in line and line.startswith("~>") for line in result.transcript)


def test_verify_only_sends_no_message(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        assert result.ok and result.stage is Stage.QUIT
        assert "mail" not in result.timings_ms and server.handler.messages == []


def test_server_that_refuses_relay(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        msg = message_for(conn, to=["nobody@refused.example"])
        result = engine.run(conn, SessionSecrets(password=PASSWORD), msg)
        assert not result.ok and result.stage is Stage.RCPT and result.exit_code == 14
        assert result.reply_code == 550 and result.enhanced_code == "5.1.1"
        assert result.refused_recipients["nobody@refused.example"]["code"] == 550
        assert result.explanation and result.fix


def test_partly_refused_recipients_still_send(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        msg = message_for(conn, to=["ok@example.com", "nobody@refused.example"])
        result = engine.run(conn, SessionSecrets(password=PASSWORD), msg)
        assert result.ok and list(result.refused_recipients) == ["nobody@refused.example"]
        assert server.handler.messages[0].rcpt_tos == ["ok@example.com"]


def test_message_headers_and_body(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(
            server.port,
            pki,
            from_address="sender@example.com",
            from_name="Ops Robot",
            reply_to="replies@example.com",
            return_path="bounces@example.com",
            read_receipt_to="receipts@example.com",
            send_read_receipt=True,
            signature="-- ops team",
            append_signature=True,
            charset="iso-8859-1",
        )
        msg = message_for(conn, subject="Hello é", body="Body line")
        result = engine.run(conn, SessionSecrets(password=PASSWORD), msg)
        assert result.ok, result.error
        received = server.handler.messages[0]
        assert received.mail_from == "bounces@example.com"  # Return-Path is the envelope sender
        parsed = email.message_from_bytes(received.content, policy=email.policy.default)
        assert parsed["From"] == "Ops Robot <sender@example.com>"
        assert parsed["Reply-To"] == "replies@example.com"
        assert parsed["Disposition-Notification-To"] == "receipts@example.com"
        assert parsed["Subject"] == "Hello é" and parsed["Date"] and parsed["Message-ID"] == result.message_id
        assert parsed.get_content_charset() == "iso-8859-1"
        body = parsed.get_content().replace("\r\n", "\n")
        for words in (
            "Body line",
            "Host: 127.0.0.1",
            f"Port: {server.port}",
            "Security: starttls",
            "Kind: smtp",
            f"Username: {USER}",
            "-- \n-- ops team",
        ):
            assert words in body


def test_default_subject_and_body(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki)
        engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
        parsed = email.message_from_bytes(server.handler.messages[0].content, policy=email.policy.default)
        assert parsed["Subject"] == "TEST MESSAGE!"
        assert parsed.get_content().startswith("ATTENTION: THIS IS A TEST MESSAGE!")


def test_smtputf8_used_when_needed(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, from_address="jürgen@example.com")
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn, to=["рецепт@example.com"]))
        assert result.ok, result.error
        assert "SMTPUTF8" in server.handler.messages[0].mail_options


def test_smtputf8_missing_is_a_clear_error(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        server.controller.SMTP_kwargs["enable_SMTPUTF8"] = False
        conn = connection_for(server.port, pki, from_address="jürgen@example.com")
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
        assert not result.ok and result.stage is Stage.MAIL and result.failure_kind == "smtputf8"
        assert "SMTPUTF8" in (result.explanation or "")


def test_password_over_plaintext_is_refused_unless_allowed() -> None:
    with smtp_server("plain", auth_require_tls=False) as server:
        conn = connection_for(server.port, security=Security.NONE, mechanism=Mechanism.PLAIN)
        refused = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        assert refused.failure_kind == "insecure-auth" and refused.exit_code == 13
        assert not any(line.startswith("-> AUTH") for line in refused.transcript)
        allowed = engine.run(conn.replace(allow_insecure_auth=True), SessionSecrets(password=PASSWORD), None)
        assert allowed.ok, allowed.error
        assert "this connection is not encrypted" in allowed.warnings


def test_cram_md5_is_allowed_over_plaintext_because_it_hides_the_password() -> None:
    with smtp_server("plain", auth_require_tls=False) as server:
        conn = connection_for(server.port, security=Security.NONE)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        assert result.ok and result.auth_mechanism == "CRAM-MD5"


def test_domain_user_form() -> None:
    with smtp_server("plain", auth_require_tls=False) as server:
        conn = connection_for(
            server.port, security=Security.NONE, mechanism=Mechanism.PLAIN, allow_insecure_auth=True, domain="CORP"
        )
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        assert result.failure_kind == "smtp" and result.reply_code == 535  # server expects plain USER
        assert any("CORP\\" in line for line in result.transcript)


def test_many_cram_md5_sessions_do_not_grow_what_every_later_text_is_searched_for(pki: Pki) -> None:
    """Each CRAM-MD5 session answers a new challenge: that response is hidden in its own session
    (a server may echo it) but not kept process-wide, where every log line of the rest of the
    session would be searched for every response ever sent."""
    from smtpgui.core import redact

    with smtp_server("starttls", pki) as server:
        conn = connection_for(server.port, pki, mechanism=Mechanism.CRAM_MD5)
        first = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
        assert first.ok, first.error
        known = len(redact._PROCESS._known)
        for _ in range(5):
            result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
            assert result.ok, result.error
            assert "[CRAM-MD5 response hidden]" in "\n".join(result.transcript)
        assert len(redact._PROCESS._known) == known
