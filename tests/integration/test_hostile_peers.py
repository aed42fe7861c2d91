"""The engine against hostile peers (tests/support/hostile.py): what comes off the wire is never trusted."""

from __future__ import annotations

import base64
import json
import ssl
import time
from pathlib import Path

import pytest

from smtpgui.core.display import printable
from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Connection, Mechanism, ProxyType, Security
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import Stage
from tests.support.hostile import ANSI_GREETING, FAKE_FIX_REPLY, Script, Tls, hostile_smtp, tls_setup

engine = SessionEngine()
USER, PASSWORD = "alice@example.com", "S3cret-Pässword-42"


def plain(port: int, **changes: object) -> Connection:
    base = Connection(
        name="hostile",
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        timeout_s=5,
        from_address="sender@example.com",
        auth_mode=AuthMode.NONE,
    )
    return base.replace(**changes)


def signing_in(port: int, mechanism: Mechanism) -> Connection:
    """A password sign-in with ``mechanism`` over plain text (the hostile server offers no TLS)."""
    return plain(port, auth_mode=AuthMode.PASSWORD, username=USER, mechanism=mechanism, allow_insecure_auth=True)


def message_for(connection: Connection, body: str = "hello"):  # type: ignore[no-untyped-def]
    return build_test_message(connection, TestRequest(to=("bob@example.com",), subject="t", body=body), None)


# ---------------------------------------------------------------------- item 12: a reply needs its line end


def test_trickling_greeting_is_a_timeout_not_a_refusal() -> None:
    with hostile_smtp(Script(trickle_greeting=True)) as server:
        started = time.monotonic()
        result = engine.run(plain(server.port, timeout_s=2), SessionSecrets(), None)
        elapsed = time.monotonic() - started
    assert not result.ok and result.stage is Stage.GREETING
    assert result.timed_out and result.exit_code == 15, result.error
    assert result.reply_code is None
    assert elapsed < 5  # the per-reply limit (the connection's timeout) cuts it, not the 3x deadline


def test_trickling_greeting_cut_by_the_session_deadline_is_a_timeout() -> None:
    with hostile_smtp(Script(trickle_greeting=True)) as server:
        result = engine.run(plain(server.port, timeout_s=30), SessionSecrets(), None, deadline_s=2)
    assert result.timed_out and result.exit_code == 15 and result.reply_code is None, result.error


@pytest.mark.parametrize("stage", ["greeting", "ehlo", "mail", "rcpt", "after-data"])
def test_a_reply_without_line_end_then_close_is_not_a_reply(stage: str) -> None:
    with hostile_smtp(Script(unterminated={stage: "250 2.0.0 ok" if stage != "greeting" else "220 ok"})) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn))
    assert not result.ok, f"a {stage} reply without a line end counted"
    assert result.failure_kind == "disconnected"
    assert result.reply_code is None
    assert "line end" in (result.error or "")


# ---------------------------------------------------------------------- item 3: echoed secrets are hidden everywhere


def secret_forms(user: str, secret: str) -> list[str]:
    """Every form a server could echo: raw, base64, PLAIN, LOGIN, XOAUTH2, decoded payloads."""
    b64 = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
    forms = [
        secret,
        b64(secret),
        f"\0{user}\0{secret}",
        b64(f"\0{user}\0{secret}"),
        f"user={user}\x01auth=Bearer {secret}",
        b64(f"user={user}\x01auth=Bearer {secret}\x01\x01"),
    ]
    return forms + [printable(f) for f in forms]


def everything_shown(result) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(result.to_json(with_transcript=True), ensure_ascii=False) + "\n".join(
        [str(result.error), str(result.explanation), str(result.fix), *result.transcript]
    )


@pytest.mark.parametrize("mechanism", ["plain", "login", "cram-md5"])
def test_a_535_quoting_the_auth_payload_shows_no_secret(mechanism: str) -> None:
    with hostile_smtp(Script(echo_auth=True)) as server:
        conn = signing_in(server.port, Mechanism(mechanism))
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
        sent = list(server.seen.auth_lines)
    assert result.exit_code == 13 and result.reply_code == 535
    assert "you sent" in (result.error or "")  # the server's words are shown, its quotes hidden
    shown = everything_shown(result)
    decoded = [base64.b64decode(line).decode("utf-8", "replace") for line in sent]
    for form in secret_forms(USER, PASSWORD) + [
        line for line in sent if line != base64.b64encode(USER.encode()).decode()
    ]:
        assert form not in shown, f"{form!r} leaked"
    for text in decoded:
        for piece in text.replace("\0", " ").split(" "):
            if piece and piece != USER:
                assert piece not in shown, f"decoded {piece!r} leaked"


def test_a_535_quoting_the_xoauth2_token_shows_no_token() -> None:
    token = "ya29.hostile-Token-0123456789"
    with hostile_smtp(Script(echo_auth=True)) as server:
        conn = plain(
            server.port, auth_mode=AuthMode.OAUTH2, username=USER, mechanism=Mechanism.XOAUTH2, allow_insecure_auth=True
        )
        result = engine.run(conn, SessionSecrets(bearer_token=token), None)
    assert result.exit_code == 13
    shown = everything_shown(result)
    for form in secret_forms(USER, token):
        assert form not in shown, f"{form!r} leaked"


def encoded_forms_of(user: str, secret: str) -> list[str]:
    """The secret and its AUTH payloads in the encodings a hostile peer echoes: hex, URL/form."""
    from urllib.parse import quote, quote_plus

    forms = []
    for value in (secret, f"\0{user}\0{secret}", f"{user}|{secret}", f"{user}:{secret}"):
        hexed = value.encode().hex()
        forms += [hexed, hexed.upper(), quote(value, safe=""), quote(value), quote_plus(value)]
    return forms


def joined(texts: list[str]) -> str:
    """What a reader gets by putting the pieces of a multi-line reply back together."""
    return "".join(t.replace(" / ", "").replace("<- 535-", "").replace("<- 535 ", "") for t in texts)


@pytest.mark.parametrize("echo_as", ["hex", "HEX", "url", "b64wrap", "split"])
@pytest.mark.parametrize("mechanism", ["plain", "login"])
def test_a_535_echoing_the_payload_encoded_or_split_shows_no_secret(mechanism: str, echo_as: str) -> None:
    with hostile_smtp(Script(echo_auth=True, echo_as=echo_as)) as server:
        conn = signing_in(server.port, Mechanism(mechanism))
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
    assert result.exit_code == 13 and result.reply_code == 535
    assert "5.7.8" in (result.error or "")  # the server's words are shown, its quotes hidden
    shown = everything_shown(result)
    for form in encoded_forms_of(USER, PASSWORD) + secret_forms(USER, PASSWORD):
        assert form not in shown, f"{form!r} leaked"
    # Put back together, the lines of the reply show nothing either: not in the summary, not in the transcript.
    payload = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    login = base64.b64encode(f"{USER}|{PASSWORD}".encode()).decode()
    for text in (joined([result.error or ""]), joined(result.transcript)):
        for form in (PASSWORD, payload[8:], login[8:], base64.b64encode(PASSWORD.encode()).decode()[:-4]):
            assert form not in text, f"{form!r} leaked when the lines are joined: {text!r}"
    assert "[hidden]" in (result.error or "")


def test_a_password_of_three_characters_echoed_at_auth_is_hidden() -> None:
    short = "Zq9"
    with hostile_smtp(Script(echo_auth=True, echo_as="bars")) as server:
        conn = signing_in(server.port, Mechanism.PLAIN)
        result = engine.run(conn, SessionSecrets(password=short), None)
    assert result.exit_code == 13
    assert result.error == f"535 5.7.8 plain |{USER}|[hidden]", result.error
    assert not [line for line in result.transcript if short in line]
    assert any(line.startswith("<- 250") for line in result.transcript)  # the rest stays readable


# ---------------------------------------------------------------------- item 9: control characters are shown escaped


def test_escape_sequences_in_the_greeting_are_shown_escaped() -> None:
    with hostile_smtp(Script(replies={"greeting": ANSI_GREETING.replace("220", "554", 1)})) as server:
        result = engine.run(plain(server.port), SessionSecrets(), None)
    assert result.exit_code == 12
    for text in [result.error or "", *result.transcript, json.dumps(result.to_json(with_transcript=True))]:
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u2028", "\x85"):
            assert bad not in text
    assert "\\x1b[2J" in (result.error or "")
    assert "\\u2028" in (result.error or "")
    assert "\n" not in (result.error or "")


def test_a_multiline_reply_cannot_stand_alone_as_our_line() -> None:
    with hostile_smtp(Script(replies={"mail": FAKE_FIX_REPLY})) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn))
    assert result.exit_code == 14
    assert "\n" not in (result.error or "") and "\x1b" not in (result.error or "")
    assert not (result.error or "").startswith("smtpgui:")


# ---------------------------------------------------------------------- item 17: each failure gets its own diagnosis


def _send(script: Script, tls: Tls | None = None, **changes: object):  # type: ignore[no-untyped-def]
    with hostile_smtp(script, tls) as server:
        conn = plain(server.port, **changes)
        result = engine.run(conn, SessionSecrets(), message_for(conn))
        return result, server.seen


def test_421_at_ehlo_is_reported_not_lost_in_a_helo_fallback() -> None:
    result, seen = _send(Script(replies={"ehlo": "421 4.3.2 Service shutting down, closing channel"}))
    assert not any(c.upper().startswith("HELO") for c in seen.commands)
    assert result.stage is Stage.EHLO and result.reply_code == 421 and result.exit_code == 12
    assert "closing" in (result.explanation or "").lower() and "temporar" in (result.explanation or "").lower()
    assert "later" in (result.fix or "").lower()


@pytest.mark.parametrize("stage", ["mail", "rcpt", "data", "after-data", "auth"])
def test_421_anywhere_is_the_server_closing_not_a_limit(stage: str) -> None:
    changes: dict[str, object] = {}
    if stage == "auth":
        changes = {"auth_mode": AuthMode.PASSWORD, "username": USER, "allow_insecure_auth": True}
    with hostile_smtp(Script(replies={stage: "421 4.3.0 Service not available, closing transmission channel"})) as s:
        conn = plain(s.port, **changes)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
    assert result.reply_code == 421, result.error
    assert "over a limit" not in (result.explanation or "")
    assert "closing" in (result.explanation or "").lower()
    assert result.to_json()["temporary"] is True


@pytest.mark.parametrize("stage", ["data", "after-data"])
def test_554_at_data_is_a_refused_message_not_a_relay_refusal(stage: str) -> None:
    result, _ = _send(Script(replies={stage: "554 5.7.1 Message rejected: looks like spam"}))
    assert result.exit_code == 14 and result.reply_code == 554
    assert "relay" not in (result.explanation or "").lower()
    assert "message" in (result.explanation or "").lower()


@pytest.mark.parametrize("code", ["450 4.2.0", "451 4.7.1"])
def test_greylisting_at_rcpt_is_temporary_and_retryable(code: str) -> None:
    result, _ = _send(Script(replies={"rcpt": f"{code} Greylisted, please try again later"}))
    assert result.exit_code == 14 and result.stage is Stage.RCPT
    assert "temporar" in (result.explanation or "").lower()
    assert "over a limit" not in (result.explanation or "")
    assert "again" in (result.fix or "").lower()
    assert result.to_json()["temporary"] is True


def test_454_to_starttls_is_not_a_handshake_failure(tmp_path: Path) -> None:
    tls = tls_setup(tmp_path)
    result, _ = _send(
        Script(replies={"starttls": "454 4.7.0 TLS not available due to temporary reason"}),
        tls,
        security=Security.STARTTLS,
        ca_file=str(tls.ca_file),
    )
    assert result.exit_code == 11 and result.stage is Stage.STARTTLS and result.reply_code == 454
    assert "handshake failed" not in (result.explanation or "").lower()
    assert "starttls" in (result.explanation or "").lower() and "temporar" in (result.explanation or "").lower()


@pytest.mark.parametrize("tls_max", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
@pytest.mark.parametrize("security", [Security.TLS, Security.STARTTLS])
def test_a_server_requiring_a_client_certificate_says_so(
    tmp_path: Path, security: Security, tls_max: ssl.TLSVersion
) -> None:
    tls = tls_setup(tmp_path, require_client_cert=True)
    tls.context.maximum_version = tls_max  # TLS 1.2 answers a generic handshake_failure alert
    script = Script(implicit_tls=security is Security.TLS)
    result, _ = _send(script, tls, security=security, ca_file=str(tls.ca_file))
    assert result.exit_code == 11, result.error
    assert "client certificate" in (result.explanation or "").lower()
    assert "The session failed" not in (result.explanation or "")


def test_a_missing_intermediate_certificate_is_not_called_self_signed(tmp_path: Path) -> None:
    tls = tls_setup(tmp_path, missing_intermediate=True)
    result, _ = _send(Script(implicit_tls=True), tls, security=Security.TLS, ca_file=str(tls.ca_file))
    assert result.exit_code == 11 and result.failure_kind == "certificate"
    assert "self-signed" not in (result.explanation or "")
    assert "intermediate" in (result.explanation or "").lower()
    assert "chain" in (result.fix or "").lower()


def test_a_self_signed_certificate_is_still_called_self_signed(tmp_path: Path) -> None:
    tls = tls_setup(tmp_path, self_signed=True)
    result, _ = _send(Script(implicit_tls=True), tls, security=Security.TLS)
    assert result.exit_code == 11 and result.failure_kind == "certificate"
    assert "self-signed" in (result.explanation or "") and "intermediate" not in (result.explanation or "")


# ---------------------------------------------------------------------- item 5: 8-bit bodies and 8BITMIME


BODY_8BIT = "Grüße aus Köln – ✓"


def test_an_8bit_body_declares_8bitmime_when_offered() -> None:
    with hostile_smtp(Script(eight_bit_mime=True)) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn, BODY_8BIT))
        options, received = server.seen.mail_options, server.seen.messages
    assert result.ok, result.error
    assert "BODY=8BITMIME" in options
    assert BODY_8BIT.encode() in received[0]


def test_an_8bit_body_is_sent_7bit_when_8bitmime_is_not_offered() -> None:
    import email
    import email.policy

    with hostile_smtp(Script(eight_bit_mime=False)) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn, BODY_8BIT))
        options, received = server.seen.mail_options, server.seen.messages
    assert result.ok, result.error
    assert not any(o.upper().startswith("BODY=") for o in options)
    assert received[0].isascii(), "8-bit bytes went to a server without 8BITMIME"
    parsed = email.message_from_bytes(received[0], policy=email.policy.default)
    assert parsed["Content-Transfer-Encoding"].lower() in ("quoted-printable", "base64")
    assert BODY_8BIT in parsed.get_content()  # type: ignore[attr-defined]


def test_an_ascii_body_declares_nothing() -> None:
    with hostile_smtp(Script(eight_bit_mime=True)) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn, "plain ascii"))
        options = server.seen.mail_options
    assert result.ok and not any(o.upper().startswith("BODY=") for o in options)


def test_8bitmime_against_aiosmtpd(tmp_path: Path) -> None:
    from tests.support.servers import smtp_server

    with smtp_server("plain", auth=False) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn, BODY_8BIT))
        assert result.ok, result.error
        assert "BODY=8BITMIME" in server.handler.messages[0].mail_options


# ---------------------------------------------------------------------- item 21: probe the connection's own port first


def test_probe_tries_the_connections_own_port_first_and_recommends_it() -> None:
    from smtpgui.transport.probe import probe

    with hostile_smtp(Script(host="own.test")) as own, hostile_smtp(Script(host="own.test")) as other:
        base = plain(own.port)
        report = probe(base, combinations=[(other.port, Security.NONE)], own_first=True)
    assert [o.port for o in report.outcomes] == [own.port, other.port]
    assert report.outcomes[0].own and report.outcomes[0].ok
    best = report.recommended()
    assert best is not None and best["port"] == own.port and best["same_server"] is True
    assert report.to_json()["results"][0]["own"] is True


def test_probe_never_recommends_another_server_without_saying_so() -> None:
    from smtpgui.transport.probe import probe

    with (
        hostile_smtp(Script(host="own.test", replies={"greeting": "554 own.test no service here"})) as own,
        hostile_smtp(Script(host="stranger.test")) as other,
    ):
        report = probe(plain(own.port), combinations=[(other.port, Security.NONE)], own_first=True)
    stranger = report.outcomes[1]
    assert stranger.ok and stranger.same_server is False
    best = report.recommended()
    assert best is not None and best["port"] == other.port
    assert best["same_server"] is False and "another server" in best["note"] and "stranger.test" in best["note"]


def test_probe_marks_an_untrusted_certificate_and_never_calls_it_working(tmp_path: Path) -> None:
    from smtpgui.transport.probe import probe

    tls = tls_setup(tmp_path)  # its CA is not given to the probe
    with hostile_smtp(Script(implicit_tls=True), tls) as server:
        report = probe(plain(server.port, security=Security.TLS), combinations=[], own_first=True)
    outcome = report.outcomes[0]
    assert outcome.reachable and not outcome.trusted and not outcome.ok
    data = report.to_json()
    assert data["results"][0]["ok"] is False and data["results"][0]["certificate_trusted"] is False
    assert data["recommended"]["certificate_trusted"] is False


# ---------------------------------------------------------------------- hostile proxies


def _via_http_proxy(proxy_port: int, **changes: object) -> Connection:
    return plain(9, proxy_type=ProxyType.HTTP, proxy_host="127.0.0.1", proxy_port=proxy_port, **changes)


def test_a_proxy_with_endless_headers_is_cut_with_a_sentence() -> None:
    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy("endless-headers") as proxy:
        started = time.monotonic()
        result = engine.run(_via_http_proxy(proxy.port), SessionSecrets(), None)
    assert result.exit_code == 10 and result.stage is Stage.PROXY
    assert result.failure_kind == "proxy" and "never ended" in (result.error or "")
    assert time.monotonic() - started < 5


def test_a_trickling_proxy_times_out_per_reply() -> None:
    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy("trickle") as proxy:
        started = time.monotonic()
        result = engine.run(_via_http_proxy(proxy.port, timeout_s=2), SessionSecrets(), None)
    assert result.exit_code == 15 and result.timed_out, result.error
    assert time.monotonic() - started < 5


def test_escape_sequences_in_a_proxy_status_are_shown_escaped() -> None:
    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy("ansi-status") as proxy:
        result = engine.run(_via_http_proxy(proxy.port), SessionSecrets(), None)
    assert result.exit_code == 10
    assert "\x1b" not in (result.error or "") and "\\x1b[2J" in (result.error or "")


def test_a_407_echoing_proxy_authorization_shows_no_credentials() -> None:
    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy("echo-407") as proxy:
        conn = _via_http_proxy(proxy.port, proxy_username="proxyuser")
        result = engine.run(conn, SessionSecrets(proxy_password=PASSWORD), None)
    assert result.failure_kind == "proxy-auth" and "Proxy-Authorization" in (result.error or "")
    basic = base64.b64encode(f"proxyuser:{PASSWORD}".encode()).decode()
    for text in (everything_shown(result),):
        assert basic not in text and PASSWORD not in text


@pytest.mark.parametrize("mode", ["echo-hex", "echo-url", "echo-spaced"])
def test_a_407_echoing_the_credentials_encoded_shows_none(mode: str) -> None:
    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy(mode) as proxy:
        conn = _via_http_proxy(proxy.port, proxy_username="proxyuser")
        result = engine.run(conn, SessionSecrets(proxy_password=PASSWORD), None)
    assert result.failure_kind == "proxy-auth" and "407 Denied" in (result.error or "")
    basic = base64.b64encode(f"proxyuser:{PASSWORD}".encode()).decode()
    shown = everything_shown(result)
    for form in [*encoded_forms_of("proxyuser", PASSWORD), basic, PASSWORD]:
        assert form not in shown, f"{form!r} leaked"
    assert basic[:12] not in shown.replace(" ", "")


# ---------------------------------------------------------------------- item 14's class: our own words on the wire


def test_an_idn_ehlo_name_goes_as_punycode() -> None:
    with hostile_smtp(Script()) as server:
        result = engine.run(plain(server.port, ehlo_name="bücher.example"), SessionSecrets(), None)
        commands = list(server.seen.commands)
    assert result.ok, result.error
    assert "EHLO xn--bcher-kva.example" in commands


def test_an_ehlo_name_that_cannot_be_sent_is_a_sentence() -> None:
    with hostile_smtp(Script()) as server:
        result = engine.run(plain(server.port, ehlo_name="bad name é"), SessionSecrets(), None)
    assert result.failure_kind == "ehlo-name" and "unexpected" not in (result.error or ""), result.error
    assert "EHLO name" in (result.explanation or "")


# ---------------------------------------------------------------------- the sweep: 421/454/554 at every stage

EXPECTED_EXIT = {
    "greeting": 12,
    "ehlo": 12,
    "starttls": 11,
    "auth": 13,
    "mail": 14,
    "rcpt": 14,
    "data": 14,
    "after-data": 14,
}


@pytest.mark.parametrize("code", ["421 4.3.2", "454 4.7.0", "554 5.7.1"])
@pytest.mark.parametrize("stage", list(EXPECTED_EXIT))
def test_every_refusal_at_every_stage_gets_its_own_words(stage: str, code: str, tmp_path: Path) -> None:
    tls = tls_setup(tmp_path)
    changes: dict[str, object] = {"security": Security.STARTTLS, "ca_file": str(tls.ca_file)}
    changes |= {"auth_mode": AuthMode.PASSWORD, "username": USER}
    reply = f"{code} hostile \x1b[31mrefusal\x1b[0m at {stage}"
    with hostile_smtp(Script(replies={stage: reply}), tls) as server:
        conn = plain(server.port, **changes)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), message_for(conn))
    assert not result.ok
    assert result.reply_code == int(code[:3]), result.error
    assert result.exit_code == EXPECTED_EXIT[stage], (result.stage, result.error)
    assert result.explanation and result.explanation != "The session failed."
    assert "\x1b" not in (result.error or "") and f"at {stage}" in (result.error or "")
    if code.startswith("421"):
        assert "closing" in result.explanation
    if code.startswith("4"):
        assert result.to_json()["temporary"] is True


@pytest.mark.parametrize("echo_as", ["hex", "HEX", "url", "b64wrap", "plain", "split"])
def test_a_535_echoing_the_cram_md5_response_encoded_shows_no_part_of_it(echo_as: str) -> None:
    """The CRAM-MD5 response (an HMAC of the password: a dictionary attack's input) is hidden in
    every form the server may echo it in, in its own session as in the process."""
    import hmac
    from urllib.parse import quote

    with hostile_smtp(Script(echo_auth=True, echo_as=echo_as)) as server:
        conn = signing_in(server.port, Mechanism.CRAM_MD5)
        result = engine.run(conn, SessionSecrets(password=PASSWORD), None)
    assert result.exit_code == 13 and result.reply_code == 535
    digest = hmac.new(PASSWORD.encode(), b"<12345.67890@hostile.test>", "md5").hexdigest()
    response = f"{USER} {digest}"
    shown = everything_shown(result)
    for form in (digest, digest.upper(), response.encode().hex(), response.encode().hex().upper(), quote(response)):
        assert form not in shown, f"{form!r} leaked"
    for text in (joined([result.error or ""]), joined(result.transcript)):
        for form in (digest, base64.b64encode(response.encode()).decode()[8:]):
            assert form not in text, f"{form!r} leaked when the lines are joined: {text!r}"
