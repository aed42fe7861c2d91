"""Graph sends and OAuth2 token refresh through the engine, against the local fake provider and Graph."""

from __future__ import annotations

import json

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import Connection, Mechanism
from smtpgui.transport import oauth
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import TestResult
from tests.support import identity
from tests.support.identity import (
    CLIENT_SECRET,
    GRAPH_CLIENT_ID,
    MAILBOX,
    FakeIdentity,
    graph_connection,
)
from tests.support.servers import USER, Pki, smtp_server


def send(connection: Connection, secret: str | None = CLIENT_SECRET, verify_only: bool = False) -> TestResult:
    message = None if verify_only else build_test_message(connection, TestRequest(to=("r@example.com",)))
    return SessionEngine().run(connection, SessionSecrets(client_secret=secret), message)


def test_graph_send_is_accepted_and_the_token_stays_in_memory(idp: FakeIdentity) -> None:
    connection = graph_connection(idp, reply_to="replies@contoso.example")
    first = send(connection)
    assert first.ok and first.exit_code == 0, first.error
    assert first.auth_mechanism == "OAUTH2-CLIENT-CREDENTIALS" and first.message_id
    assert {"resolve", "connect", "auth", "data"} <= set(first.timings_ms)
    [sent] = idp.sent
    message = sent["message"]
    assert sent["mailbox"] == MAILBOX and sent["saveToSentItems"] is False
    assert message["toRecipients"] == [{"emailAddress": {"address": "r@example.com"}}]
    assert message["replyTo"] == [{"emailAddress": {"address": "replies@contoso.example"}}]
    assert "from" not in message  # sending as the mailbox itself
    assert f"Mailbox: {MAILBOX}" in message["body"]["content"] and "Kind: graph" in message["body"]["content"]
    [grant] = idp.grants("client_credentials")
    assert grant["scope"] == f"{idp.url}/.default" and grant["client_id"] == GRAPH_CLIENT_ID
    transcript = "\n".join(first.transcript)
    assert CLIENT_SECRET not in transcript and "client_secret=[hidden]" in transcript
    assert not any(token in transcript for token in idp.access_tokens)
    # A second send reuses the token from memory: no second token request.
    second = send(connection)
    assert second.ok and len(idp.grants("client_credentials")) == 1
    assert any("Reusing the access token" in line for line in second.transcript)


def test_graph_token_is_fetched_again_once_it_expires(idp: FakeIdentity, monkeypatch: pytest.MonkeyPatch) -> None:
    connection = graph_connection(idp)
    assert send(connection).ok
    later = oauth.CACHE.clock() + 2 * 3600
    monkeypatch.setattr(oauth.CACHE, "clock", lambda: later)
    idp.offset = 2 * 3600  # the provider and Graph agree the first token has expired
    result = send(connection)
    assert result.ok, result.error
    assert len(idp.grants("client_credentials")) == 2


def test_graph_verify_only_gets_a_token_and_sends_nothing(idp: FakeIdentity) -> None:
    result = send(graph_connection(idp), verify_only=True)
    assert result.ok and result.exit_code == 0
    assert idp.sent == [] and len(idp.grants("client_credentials")) == 1


def test_a_sender_other_than_the_mailbox_is_sent_as_from(idp: FakeIdentity) -> None:
    result = send(graph_connection(idp, from_address="alerts@contoso.example", from_name="Alerts"))
    assert result.ok
    assert idp.sent[0]["message"]["from"] == {"emailAddress": {"address": "alerts@contoso.example", "name": "Alerts"}}


@pytest.mark.parametrize(
    ("setup", "secret", "stage", "exit_code", "words", "explained"),
    [
        ("wrong-secret", "not-the-secret", "auth", 13, "AADSTS7000215", "secret's Value"),
        ("wrong-tenant", CLIENT_SECRET, "auth", 13, "AADSTS90002", "tenant"),
        ("wrong-client", CLIENT_SECRET, "auth", 13, "AADSTS700016", "client) ID"),
        ("no-consent", CLIENT_SECRET, "auth", 13, "no Mail.Send", "grant admin consent"),
        ("policy", CLIENT_SECRET, "auth", 13, "AccessPolicy", "application access policy"),
        ("no-mailbox", CLIENT_SECRET, "mail", 14, "ErrorInvalidUser", "user principal name"),
        ("throttled", CLIENT_SECRET, "data", 14, "Retry-After 7", "Wait as long as Graph asks"),
        ("bad-recipient", CLIENT_SECRET, "rcpt", 14, "ErrorInvalidRecipients", "recipient"),
        ("no-secret", None, "auth", 13, "no client secret", "Microsoft Graph tab"),
    ],
)
def test_graph_failures_are_explained(
    idp: FakeIdentity, setup: str, secret: str | None, stage: str, exit_code: int, words: str, explained: str
) -> None:
    connection = graph_connection(idp)
    to = "r@example.com"
    if setup == "wrong-tenant":
        connection = connection.replace(tenant_id="no-such-tenant")
    elif setup == "wrong-client":
        connection = connection.replace(client_id="00000000-0000-0000-0000-000000000000")
    elif setup == "no-consent":
        idp.graph_roles = []
    elif setup == "policy":
        idp.policy_blocked.add(MAILBOX)
    elif setup == "no-mailbox":
        connection = connection.replace(mailbox="nobody@contoso.example")
    elif setup == "throttled":
        idp.throttle_seconds = 7
    elif setup == "bad-recipient":
        to = "x@refused.example"
    message = build_test_message(connection, TestRequest(to=(to,)))
    result = SessionEngine().run(connection, SessionSecrets(client_secret=secret), message)
    assert not result.ok
    assert (result.stage.value, result.exit_code) == (stage, exit_code), result.error
    assert words in (result.error or ""), result.error
    assert explained in f"{result.explanation} {result.fix}", (result.explanation, result.fix)
    assert idp.sent == []
    assert json.dumps(result.to_json(with_transcript=True)).count(CLIENT_SECRET) == 0


def test_graph_refuses_an_expired_token_and_the_next_send_gets_a_new_one(
    idp: FakeIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = graph_connection(idp)
    assert send(connection).ok
    idp.offset = 2 * 3600  # Graph's clock says the token expired; ours has not noticed yet
    refused = send(connection)
    assert (refused.stage.value, refused.exit_code, refused.reply_code) == ("auth", 13, 401)
    assert "expired" in (refused.error or "") and "fresh token" in (refused.fix or "")
    assert send(connection).ok  # the refused token was forgotten
    assert len(idp.grants("client_credentials")) == 2


# ---------------------------------------------------------------------- OAuth2 for SMTP


def oauth_connection(idp: FakeIdentity, port: int, pki: Pki, mechanism: Mechanism = Mechanism.AUTO) -> Connection:
    return identity.oauth_connection(idp, port, str(pki.ca_file), username=USER, mechanism=mechanism)


def signed_in(idp: FakeIdentity) -> str:
    """A refresh token, as a finished sign-in leaves one in the keyring."""
    refresh = "rt-test-" + str(len(idp.refresh_tokens))
    idp.refresh_tokens[refresh] = USER
    return refresh


@pytest.mark.parametrize("mechanism", [Mechanism.XOAUTH2, Mechanism.OAUTHBEARER])
def test_oauth2_session_refreshes_before_signing_in_and_keeps_the_rotated_token(
    idp: FakeIdentity, pki: Pki, mechanism: Mechanism, monkeypatch: pytest.MonkeyPatch
) -> None:
    rotated: list[str] = []
    refresh = signed_in(idp)
    with smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        connection = oauth_connection(idp, server.port, pki, mechanism)
        secrets = SessionSecrets(refresh_token=refresh, on_refresh_token=rotated.append)
        message = build_test_message(connection, TestRequest(to=("r@example.com",)))
        first = SessionEngine().run(connection, secrets, message)
        assert first.ok, (first.error, first.transcript)
        assert first.auth_mechanism == mechanism.value.upper()
        assert len(rotated) == 1 and rotated[0] != refresh  # the provider rotated it; the caller stores the new one
        transcript = "\n".join(first.transcript)
        assert refresh not in transcript and rotated[0] not in transcript
        assert not any(token in transcript for token in idp.access_tokens)
        # Within the token's lifetime the next session uses it from memory.
        second = SessionEngine().run(connection, SessionSecrets(refresh_token=rotated[0]), message)
        assert second.ok and len(idp.grants("refresh_token")) == 1
        # Once it is about to expire, the next session refreshes first.
        later = oauth.CACHE.clock() + 3600
        monkeypatch.setattr(oauth.CACHE, "clock", lambda: later)
        idp.offset = 3600
        third = SessionEngine().run(
            connection, SessionSecrets(refresh_token=rotated[0], on_refresh_token=rotated.append), message
        )
        assert third.ok, third.error
        assert len(idp.grants("refresh_token")) == 2 and len(rotated) == 2
        assert len(server.handler.messages) == 3


def test_a_revoked_sign_in_fails_at_auth_and_says_sign_in_again(idp: FakeIdentity, pki: Pki) -> None:
    with smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        connection = oauth_connection(idp, server.port, pki)
        result = SessionEngine().run(connection, SessionSecrets(refresh_token="rt-revoked"), None)
    assert (result.stage.value, result.exit_code) == ("auth", 13)
    assert "AADSTS700082" in (result.error or "") and "Sign in again" in (result.fix or "")


def test_an_oauth2_connection_nobody_signed_in_to_says_so(idp: FakeIdentity, pki: Pki) -> None:
    with smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        result = SessionEngine().run(oauth_connection(idp, server.port, pki), SessionSecrets(), None)
    assert (result.stage.value, result.exit_code) == ("auth", 13)
    assert "Nobody has signed in" in (result.explanation or "") and "login" in (result.fix or "")


def test_a_token_the_server_refuses_has_its_json_error_decoded(idp: FakeIdentity, pki: Pki) -> None:
    """The SMTP server answers 334 with the provider's JSON; it is decoded and explained."""
    with smtp_server("starttls", pki, tokens=set()) as server:
        connection = oauth_connection(idp, server.port, pki, Mechanism.OAUTHBEARER)
        result = SessionEngine().run(connection, SessionSecrets(refresh_token=signed_in(idp)), None)
    assert (result.stage.value, result.exit_code) == ("auth", 13)
    assert "invalid_token" in (result.error or "") and "SMTP.Send" in (result.error or "")
    assert "expired or was revoked" in (result.explanation or "")
