"""Issue 20, item 9: Microsoft Graph with a user's password (the resource-owner password
credentials grant, delegated Mail.Send, /me/sendMail), against the local fake provider and Graph."""

from __future__ import annotations

import json

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Connection
from smtpgui.core.validation import validate
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import TestResult
from tests.support.identity import CLIENT_SECRET, GRAPH_CLIENT_ID, FakeIdentity, graph_connection
from tests.support.servers import PASSWORD, USER

pytestmark = pytest.mark.integration


def password_connection(idp: FakeIdentity, **changes: object) -> Connection:
    return graph_connection(idp, auth_mode=AuthMode.PASSWORD, username=USER, mailbox="").replace(**changes)


def send(connection: Connection, password: str | None = PASSWORD, secret: str | None = None) -> TestResult:
    message = build_test_message(connection, TestRequest(to=("r@example.com",)))
    return SessionEngine().run(connection, SessionSecrets(password=password, client_secret=secret), message)


def test_a_user_password_gets_a_delegated_token_and_sends_as_me(idp: FakeIdentity) -> None:
    connection = password_connection(idp)
    assert validate(connection) == []  # no mailbox needed: the user's own
    result = send(connection)
    assert result.ok, (result.error, result.transcript)
    assert result.auth_mechanism == "OAUTH2-PASSWORD"
    [grant] = idp.grants("password")
    assert grant["username"] == USER and grant["client_id"] == GRAPH_CLIENT_ID
    assert grant["scope"].split() == [f"{idp.url}/Mail.Send"]
    assert "client_secret" not in grant  # a public client
    [sent] = idp.sent
    assert sent["mailbox"] == USER
    assert ("POST", "/v1.0/me/sendMail") in [(m, p) for m, p, _f in idp.requests]
    record = json.dumps(result.to_json(with_transcript=True))
    assert PASSWORD not in record and not any(token in record for token in idp.access_tokens)
    assert any("discourages" in line for line in result.transcript)


def test_a_stored_client_secret_goes_with_the_password_grant(idp: FakeIdentity) -> None:
    idp.public_client_flows = False
    result = send(password_connection(idp), secret=CLIENT_SECRET)
    assert result.ok, result.error
    assert idp.grants("password")[0]["client_secret"] == CLIENT_SECRET


def test_verify_only_gets_the_token_and_sends_nothing(idp: FakeIdentity) -> None:
    result = SessionEngine().run(password_connection(idp), SessionSecrets(password=PASSWORD), None)
    assert result.ok and idp.sent == [] and len(idp.grants("password")) == 1


@pytest.mark.parametrize(
    ("setup", "words", "explained"),
    [
        ("mfa-50076", "AADSTS50076", "multi-factor"),
        ("mfa-50079", "AADSTS50079", "multi-factor"),
        ("wrong-password", "AADSTS50126", "user name or password is wrong"),
        ("public-off", "AADSTS7000218", "Allow public client flows"),
        ("no-consent", "AADSTS65001", "Mail.Send"),
        ("no-password", "no password", "password"),
    ],
)
def test_password_grant_failures_are_explained(idp: FakeIdentity, setup: str, words: str, explained: str) -> None:
    password: str | None = PASSWORD
    if setup.startswith("mfa-"):
        idp.mfa_required[USER] = setup.removeprefix("mfa-")
    elif setup == "wrong-password":
        password = "not-the-password"
    elif setup == "public-off":
        idp.public_client_flows = False
    elif setup == "no-consent":
        idp.delegated_consent = False
    elif setup == "no-password":
        password = None
    result = send(password_connection(idp), password)
    assert not result.ok
    assert (result.stage.value, result.exit_code) == ("auth", 13), result.error
    assert words in (result.error or ""), result.error
    text = f"{result.explanation} {result.fix}"
    assert explained in text, text
    assert idp.sent == []
    assert "not-the-password" not in json.dumps(result.to_json(with_transcript=True))


def test_mfa_explanation_points_to_the_client_secret(idp: FakeIdentity) -> None:
    idp.mfa_required[USER] = "50076"
    result = send(password_connection(idp))
    assert "client secret" in (result.fix or "") and "MFA" in f"{result.explanation} {result.fix}"


def test_password_sign_in_needs_a_user_name(idp: FakeIdentity) -> None:
    problems = validate(password_connection(idp, username=""))
    assert [p.field for p in problems] == ["username"]
    problems = validate(graph_connection(idp, auth_mode=AuthMode.OAUTH2))
    assert [p.field for p in problems] == ["auth_mode"]
