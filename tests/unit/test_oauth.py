"""OAuth2 pieces that need no server: provider endpoints, PKCE, the redirect listener, validation."""

from __future__ import annotations

import base64
import hashlib
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from smtpgui.core.model import AuthMode, Connection, OAuthProvider
from smtpgui.core.validation import validate
from smtpgui.transport import oauth
from smtpgui.transport.http import HttpClient, hide_fields
from smtpgui.transport.network import Cancelled, CancelToken


def conn(provider: OAuthProvider, **changes: object) -> Connection:
    return Connection(
        name="o", host="smtp.example.com", auth_mode=AuthMode.OAUTH2, oauth_provider=provider, oauth_client_id="cid"
    ).replace(**changes)


def test_builtin_providers_know_their_endpoints_and_scopes() -> None:
    google = oauth.endpoints_for(conn(OAuthProvider.GOOGLE))
    assert (google.token_url, google.scopes) == ("https://oauth2.googleapis.com/token", "https://mail.google.com/")
    microsoft = oauth.endpoints_for(conn(OAuthProvider.MICROSOFT, oauth_tenant="contoso.onmicrosoft.com"))
    assert microsoft.authorize_url == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    )
    assert microsoft.device_url.endswith("/contoso.onmicrosoft.com/oauth2/v2.0/devicecode")
    assert microsoft.requested_scopes.split() == [
        "https://outlook.office.com/SMTP.Send",
        "offline_access",
        "openid",
        "email",
    ]


def test_authorization_url_carries_pkce_state_and_provider_extras() -> None:
    sign_in = oauth.SignIn(
        conn(OAuthProvider.GOOGLE, username="me@gmail.com"), HttpClient(conn(OAuthProvider.GOOGLE), CancelToken())
    )
    url = sign_in.authorization_url("http://127.0.0.1:5000/", "st", "ch")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["code_challenge"] == "ch" and query["code_challenge_method"] == "S256" and query["state"] == "st"
    assert query["access_type"] == "offline" and query["prompt"] == "consent"  # or Google gives no refresh token
    assert query["login_hint"] == "me@gmail.com" and "client_secret" not in query


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    verifier, challenge = oauth.pkce_pair()
    assert 43 <= len(verifier) <= 128
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == digest and oauth.pkce_pair()[0] != verifier


def test_sign_in_needs_a_client_id_and_custom_urls() -> None:
    with pytest.raises(oauth.SignInSetupError) as missing:
        oauth.endpoints_for(conn(OAuthProvider.GOOGLE, oauth_client_id=""))
    assert missing.value.field == "oauth_client_id"
    with pytest.raises(oauth.SignInSetupError) as custom:
        oauth.endpoints_for(conn(OAuthProvider.CUSTOM))
    assert custom.value.field == "oauth_authorize_url"


def test_redirect_listener_ignores_a_wrong_state_and_takes_the_right_one() -> None:
    listener = oauth.RedirectListener()
    listener.state = "expected"
    token = CancelToken()
    answers: list[int] = []

    def browser() -> None:
        for state in ("forged", "expected"):
            try:
                with urllib.request.urlopen(f"{listener.redirect_uri}?code=c-{state}&state={state}", timeout=5) as r:
                    answers.append(r.status)
            except urllib.error.HTTPError as exc:
                answers.append(exc.code)

    thread = threading.Thread(target=browser)
    thread.start()
    query = listener.wait(token, 10)
    thread.join()
    assert query["code"] == "c-expected" and answers == [400, 200]


def test_redirect_listener_stops_when_cancelled() -> None:
    listener = oauth.RedirectListener()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        listener.wait(token, 10)


def test_token_cache_expires_tokens_a_minute_early() -> None:
    now = [1000.0]
    cache = oauth.TokenCache(clock=lambda: now[0])
    cache.put(("smtp", "id"), oauth.Tokens("a", expires_at=1000.0 + 3600))
    assert cache.get(("smtp", "id")) is not None
    now[0] += 3600 - 59
    assert cache.get(("smtp", "id")) is None
    cache.put(("smtp", "id"), oauth.Tokens("b", expires_at=now[0] + 3600))
    cache.forget("id")
    assert cache.get(("smtp", "id")) is None


def test_secret_form_fields_are_hidden() -> None:
    shown = hide_fields({"client_id": "x", "client_secret": "s", "refresh_token": "r", "code_verifier": "v"})
    assert shown == {
        "client_id": "x",
        "client_secret": "[hidden]",
        "refresh_token": "[hidden]",
        "code_verifier": "[hidden]",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"oauth_provider": OAuthProvider.MICROSOFT, "oauth_tenant": "bad tenant/x"}, "oauth_tenant"),
        (
            {"oauth_provider": OAuthProvider.CUSTOM, "oauth_token_url": "http://idp.example.com/token"},
            "oauth_token_url",
        ),
        ({"oauth_client_id": "has space"}, "oauth_client_id"),
        ({"oauth_scopes": "a\nb"}, "oauth_scopes"),
    ],
)
def test_oauth_settings_are_validated(changes: dict[str, object], field: str) -> None:
    assert field in {p.field for p in validate(conn(OAuthProvider.GOOGLE).replace(**changes))}


def test_loopback_http_is_allowed_for_a_custom_provider() -> None:
    c = conn(
        OAuthProvider.CUSTOM, oauth_token_url="http://127.0.0.1:8080/token", oauth_authorize_url="https://a.example/x"
    )
    assert validate(c) == []


def test_a_sign_in_that_never_comes_back_is_explained() -> None:
    from smtpgui.core.explanations import Failure, explain

    listener = oauth.RedirectListener()
    with pytest.raises(oauth.OAuthError) as waited:
        listener.wait(CancelToken(), 0.3)
    why = explain(Failure("auth", "oauth-token", None, None, str(waited.value)))
    assert "in time" in why.cause and "--device" in why.fix


# ---------------------------------------------------------------------- issue 17 item 25: idle clients


def _wait_in_thread(listener: oauth.RedirectListener, token: CancelToken, timeout: float):  # type: ignore[no-untyped-def]
    """Run ``listener.wait`` on a thread; returns (done event, outcome list)."""
    done = threading.Event()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(listener.wait(token, timeout))
        except Exception as exc:  # recorded for the test to look at
            outcome.append(exc)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, outcome


def _idle_client(listener: oauth.RedirectListener, partial: bytes = b"GET /?co"):  # type: ignore[no-untyped-def]
    import socket

    port = int(urlsplit(listener.redirect_uri).port or 0)
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    idle.sendall(partial)  # a request that never ends
    return idle


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_an_idle_client_does_not_block_the_real_redirect() -> None:
    import time

    listener = oauth.RedirectListener()
    listener.state = "expected"
    token = CancelToken()
    done, outcome = _wait_in_thread(listener, token, 20)
    idle = _idle_client(listener)
    try:
        started = time.monotonic()
        assert _get(f"{listener.redirect_uri}?code=c1&state=expected") == 200
        assert done.wait(5), "the sign-in did not complete while an idle client was connected"
        assert outcome == [{"code": "c1", "state": "expected"}]
        assert time.monotonic() - started < 3
    finally:
        token.cancel()
        idle.close()


def test_the_deadline_holds_with_an_idle_client() -> None:
    import time

    listener = oauth.RedirectListener()
    token = CancelToken()
    started = time.monotonic()
    done, outcome = _wait_in_thread(listener, token, 1.0)
    idle = _idle_client(listener)
    try:
        assert done.wait(5), "the deadline did not hold with an idle client connected"
        assert isinstance(outcome[0], oauth.OAuthError)
        assert time.monotonic() - started < 3
    finally:
        token.cancel()
        idle.close()


def test_cancel_stops_the_listener_with_an_idle_client() -> None:
    listener = oauth.RedirectListener()
    listener.state = "expected"
    token = CancelToken()
    done, outcome = _wait_in_thread(listener, token, 30)
    idle = _idle_client(listener)
    try:
        # Answered while the idle client holds its connection: the listener is serving both.
        assert _get(f"{listener.redirect_uri}?code=x&state=forged") == 400
        token.cancel()
        assert done.wait(3), "Cancel did not stop the listener"
        assert isinstance(outcome[0], Cancelled)
    finally:
        idle.close()


def test_an_idle_client_is_dropped_after_the_request_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oauth, "REDIRECT_REQUEST_TIMEOUT_S", 0.3)
    listener = oauth.RedirectListener()
    token = CancelToken()
    done, _ = _wait_in_thread(listener, token, 30)
    idle = _idle_client(listener)
    try:
        idle.settimeout(5)
        assert idle.recv(1024) == b""  # the listener hung up on it (within the 5 s, not never)
    finally:
        token.cancel()
        idle.close()
        assert done.wait(3)
