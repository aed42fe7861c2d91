"""OAuth2: sign-in (authorization code with PKCE, device code), refresh, client credentials.

No Qt and no keyring here: callers hand in the secrets and store what comes back. Access tokens
live in ``CACHE`` (this process's memory) until shortly before they expire; nothing here writes
a file. Errors from the provider become ``OAuthError`` carrying the provider's own code and
words (Microsoft's ``AADSTS`` numbers included), which the explanation table turns into a cause
and a fix.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import Connection, OAuthProvider
from smtpgui.core.redact import remember
from smtpgui.transport.errors import OAuthError, SignInSetupError
from smtpgui.transport.http import HttpClient, HttpResponse
from smtpgui.transport.network import Cancelled, CancelToken

__all__ = ["CACHE", "OAuthError", "SignIn", "SignInSetupError", "Tokens", "access_token", "graph_token"]

GOOGLE_AUTHORIZE = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN = "https://oauth2.googleapis.com/token"
GOOGLE_DEVICE = "https://oauth2.googleapis.com/device/code"
GOOGLE_SCOPES = "https://mail.google.com/"
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
MICROSOFT_SCOPES = "https://outlook.office.com/SMTP.Send offline_access"
# Asked for as well, so the provider's ID token says who signed in.
IDENTITY_SCOPES = ("openid", "email")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
EXPIRY_MARGIN_S = 60.0  # a token this close to expiry is refreshed rather than used
SIGN_IN_TIMEOUT_S = 300.0
# How long the redirect listener waits for one client's request before hanging up on it.
REDIRECT_REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Endpoints:
    """Where a provider signs people in and hands out tokens."""

    authorize_url: str
    token_url: str
    device_url: str
    scopes: str
    provider: OAuthProvider = OAuthProvider.CUSTOM

    @property
    def requested_scopes(self) -> str:
        """The connection's scopes plus the identity ones (who signed in), without repeats."""
        wanted = self.scopes.split()
        if self.provider is not OAuthProvider.CUSTOM or "openid" in wanted:
            wanted += [s for s in IDENTITY_SCOPES if s not in wanted]
        return " ".join(wanted)


def endpoints_for(connection: Connection) -> Endpoints:
    """The provider's endpoints for this connection; ``SignInSetupError`` says what is missing."""
    c = connection
    if not c.oauth_client_id:
        raise SignInSetupError(
            "Set the OAuth client ID first: the application (client) ID of your app registration.", "oauth_client_id"
        )
    if c.oauth_provider is OAuthProvider.GOOGLE:
        return Endpoints(
            GOOGLE_AUTHORIZE, GOOGLE_TOKEN, GOOGLE_DEVICE, c.oauth_scopes or GOOGLE_SCOPES, c.oauth_provider
        )
    if c.oauth_provider is OAuthProvider.MICROSOFT:
        base = f"{MICROSOFT_LOGIN}/{c.oauth_tenant or 'common'}/oauth2/v2.0"
        return Endpoints(
            f"{base}/authorize",
            f"{base}/token",
            f"{base}/devicecode",
            c.oauth_scopes or MICROSOFT_SCOPES,
            c.oauth_provider,
        )
    for name, label in (("oauth_authorize_url", "authorization URL"), ("oauth_token_url", "token URL")):
        if not getattr(c, name):
            raise SignInSetupError(f"A custom OAuth2 provider needs its {label}.", name)
    if not c.oauth_scopes.strip():
        raise SignInSetupError("A custom OAuth2 provider needs the scopes to ask for.", "oauth_scopes")
    return Endpoints(c.oauth_authorize_url, c.oauth_token_url, c.oauth_device_url, c.oauth_scopes, c.oauth_provider)


# ---------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Tokens:
    """What a token endpoint handed out."""

    access_token: str
    expires_at: float  # time.time() seconds
    refresh_token: str | None = None
    account: str | None = None
    scope: str = ""
    claims: dict[str, Any] = field(default_factory=dict)  # of the access token, when it is a JWT

    def seconds_left(self, now: float | None = None) -> float:
        return self.expires_at - (time.time() if now is None else now)


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified (for display: who, roles, expiry); {} when not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        data = parse_json(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _account(claims: dict[str, Any]) -> str | None:
    for key in ("email", "preferred_username", "upn", "unique_name"):
        value = claims.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def provider_error(response: HttpResponse) -> OAuthError:
    """An error answer from a token endpoint, as the provider put it."""
    data = response.json()
    error = data.get("error")
    if isinstance(error, dict):  # some providers nest it
        data, error = error, error.get("code") or error.get("status")
    description = str(data.get("error_description") or data.get("message") or "")
    if not error:
        return OAuthError("http_error", f"HTTP {response.status} {response.reason}: {response.text()}", response.status)
    return OAuthError(str(error), description.splitlines()[0] if description else "", response.status)


def parse_tokens(response: HttpResponse, now: float | None = None) -> Tokens:
    """The tokens in a token endpoint's answer, or the provider's error."""
    data = response.json()
    if response.status != 200 or "error" in data:
        raise provider_error(response)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthError("invalid_response", "the token endpoint answered without an access token", response.status)
    remember(access)
    refresh = data.get("refresh_token") if isinstance(data.get("refresh_token"), str) else None
    remember(refresh)
    try:
        lifetime = float(data.get("expires_in", 3600))
    except (TypeError, ValueError):
        lifetime = 3600.0
    claims = jwt_claims(access)
    id_token = data.get("id_token")
    identity = jwt_claims(id_token) if isinstance(id_token, str) else {}
    return Tokens(
        access_token=access,
        expires_at=(time.time() if now is None else now) + lifetime,
        refresh_token=refresh,
        account=_account(identity) or _account(claims),
        scope=str(data.get("scope", "")),
        claims=claims,
    )


class TokenCache:
    """Access tokens in memory, by key, until ``EXPIRY_MARGIN_S`` before they expire."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], Tokens] = {}

    def get(self, key: tuple[str, ...]) -> Tokens | None:
        with self._lock:
            tokens = self._tokens.get(key)
        if tokens is None or tokens.expires_at - EXPIRY_MARGIN_S <= self.clock():
            return None
        return tokens

    def put(self, key: tuple[str, ...], tokens: Tokens) -> None:
        with self._lock:
            self._tokens[key] = tokens

    def forget(self, owner: str) -> None:
        """Drop every token cached for ``owner`` (a connection id)."""
        with self._lock:
            for key in [k for k in self._tokens if k[1] == owner]:
                del self._tokens[key]


CACHE = TokenCache()


def fingerprint(secret: str) -> str:
    """A short digest of a secret for cache keys: a changed secret never reuses a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- PKCE and the redirect


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>smtpgui</title>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p></body>"
)


class _RedirectServer(http.server.ThreadingHTTPServer):
    """Each request on a daemon thread of its own: a slow or idle client never holds the others."""

    daemon_threads = True
    block_on_close = False


class RedirectListener:
    """A one-shot HTTP listener on 127.0.0.1 that catches the provider's redirect.

    It accepts exactly one redirect carrying the expected ``state`` (anything else is answered
    with an error page and ignored), then closes. Requests are served concurrently, each with
    a socket timeout (``REDIRECT_REQUEST_TIMEOUT_S``): a local process that connects and sends
    nothing neither blocks the real redirect nor the deadline nor Cancel.
    """

    def __init__(self) -> None:
        outer = self
        self.result: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = REDIRECT_REQUEST_TIMEOUT_S  # per connection: an idle client is dropped

            def do_GET(self) -> None:
                outer._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = _RedirectServer(("127.0.0.1", 0), Handler)
        self.state = ""

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def _handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        wanted = query.get("state") == self.state and ("code" in query or "error" in query)
        with self._lock:
            first = wanted and self.result is None
            if first:
                self.result = query
        if not first:
            title, text, status = "Not for smtpgui", "This request did not come from the sign-in smtpgui started.", 400
        elif "error" in query:
            title, status = "Sign-in failed", 200
            text = html.escape(query.get("error_description") or query["error"]) + " You can close this tab."
        else:
            title, text, status = "Signed in", "smtpgui has what it needs. You can close this tab.", 200
        page = _DONE_PAGE.format(title=title, text=text).encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(page)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(page)
        finally:
            if first:
                self._arrived.set()

    def wait(self, token: CancelToken, timeout: float) -> dict[str, str]:
        """The redirect's query (``code`` or ``error``); raises ``Cancelled`` or ``OAuthError`` on timeout."""
        deadline = time.monotonic() + timeout
        serving = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="smtpgui-oauth-redirect", daemon=True
        )
        serving.start()
        try:
            while not self._arrived.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
                token.check()
                if time.monotonic() >= deadline:
                    raise OAuthError("timeout", f"no sign-in arrived within {timeout:g} seconds")
        finally:
            self.server.shutdown()
            self.server.server_close()
        assert self.result is not None
        return self.result


# ---------------------------------------------------------------------- flows


@dataclass(frozen=True)
class DeviceCode:
    """What the person must do to approve a device-code sign-in."""

    user_code: str
    verification_uri: str
    device_code: str
    expires_in: float
    interval: float
    message: str = ""
    verification_uri_complete: str = ""


class SignIn:
    """Sign-in and refresh for one connection's OAuth2 settings."""

    def __init__(self, connection: Connection, http: HttpClient, client_secret: str | None = None) -> None:
        self.c = connection
        self.endpoints = endpoints_for(connection)
        self.http = http
        self.client_secret = client_secret or None
        remember(self.client_secret)

    def _client_fields(self) -> dict[str, str]:
        fields = {"client_id": self.c.oauth_client_id}
        if self.client_secret:
            fields["client_secret"] = self.client_secret
        return fields

    def authorization_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        params = {
            "client_id": self.c.oauth_client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": self.endpoints.requested_scopes,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self.endpoints.provider is OAuthProvider.GOOGLE:
            params.update(access_type="offline", prompt="consent")  # or Google sends no refresh token
        if self.c.username:
            params["login_hint"] = self.c.username
        separator = "&" if urlsplit(self.endpoints.authorize_url).query else "?"
        return self.endpoints.authorize_url + separator + urlencode(params)

    def with_browser(
        self, open_browser: Callable[[str], object], token: CancelToken, timeout: float = SIGN_IN_TIMEOUT_S
    ) -> Tokens:
        """Authorization code with PKCE: open the browser, catch the redirect, redeem the code."""
        listener = RedirectListener()
        listener.state = secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        remember(verifier)
        url = self.authorization_url(listener.redirect_uri, listener.state, challenge)
        # Some launchers wait for the browser to finish: open it aside while the listener waits.
        threading.Thread(target=open_browser, args=(url,), name="smtpgui-open-browser", daemon=True).start()
        query = listener.wait(token, timeout)
        if "error" in query:
            raise OAuthError(query["error"], query.get("error_description", ""))
        remember(query["code"])
        fields = {
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": listener.redirect_uri,
            "code_verifier": verifier,
            **self._client_fields(),
        }
        return parse_tokens(self.http.post_form(self.endpoints.token_url, fields))

    def start_device(self) -> DeviceCode:
        """Ask for a device code; the person then enters ``user_code`` at ``verification_uri``."""
        if not self.endpoints.device_url:
            raise SignInSetupError(
                "This provider has no device-code URL; sign in with the browser.", "oauth_device_url"
            )
        fields = {"client_id": self.c.oauth_client_id, "scope": self.endpoints.requested_scopes}
        if self.client_secret and self.endpoints.provider is OAuthProvider.GOOGLE:
            fields["client_secret"] = self.client_secret
        response = self.http.post_form(self.endpoints.device_url, fields)
        data = response.json()
        if response.status != 200 or "error" in data:
            raise provider_error(response)
        try:
            return DeviceCode(
                user_code=str(data["user_code"]),
                verification_uri=str(data.get("verification_uri") or data["verification_url"]),
                device_code=str(data["device_code"]),
                expires_in=float(data.get("expires_in", 900)),
                interval=float(data.get("interval", 5)),
                message=str(data.get("message", "")),
                verification_uri_complete=str(data.get("verification_uri_complete", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise OAuthError("invalid_response", f"the device-code answer lacks {exc}", response.status) from None

    def finish_device(self, device: DeviceCode, token: CancelToken) -> Tokens:
        """Poll the token endpoint until the person approves, declines, or the code expires."""
        remember(device.device_code)
        deadline = time.monotonic() + device.expires_in
        interval = device.interval if device.interval > 0 else 5.0
        fields = {"grant_type": DEVICE_GRANT, "device_code": device.device_code, **self._client_fields()}
        while True:
            response = self.http.post_form(self.endpoints.token_url, fields)
            data = response.json()
            error = data.get("error")
            if error == "authorization_pending":
                pass
            elif error == "slow_down":
                interval += 5
            else:
                return parse_tokens(response)
            if time.monotonic() + interval > deadline:
                raise OAuthError("expired_token", "the code expired before it was entered")
            if token.wait(interval):
                raise Cancelled(token.reason)

    def refresh(self, refresh_token: str) -> Tokens:
        """A new access token from the refresh token (and perhaps a new refresh token)."""
        remember(refresh_token)
        fields = {"grant_type": "refresh_token", "refresh_token": refresh_token, **self._client_fields()}
        if self.endpoints.provider is not OAuthProvider.GOOGLE:
            fields["scope"] = self.endpoints.requested_scopes
        return parse_tokens(self.http.post_form(self.endpoints.token_url, fields))


def _smtp_key(connection: Connection, refresh_token: str) -> tuple[str, ...]:
    return ("smtp", connection.id, fingerprint(refresh_token), connection.oauth_client_id)


def keep_signed_in(connection: Connection, tokens: Tokens) -> None:
    """Cache a sign-in's access token under its refresh token, so the next test need not refresh."""
    if tokens.refresh_token:
        CACHE.put(_smtp_key(connection, tokens.refresh_token), tokens)


def access_token(
    connection: Connection,
    http: HttpClient,
    refresh_token: str,
    client_secret: str | None,
    on_new_refresh_token: Callable[[str], None] | None = None,
) -> tuple[Tokens, bool]:
    """A valid access token for an OAuth2 SMTP connection; (tokens, came from the cache).

    A provider that rotates refresh tokens (Microsoft does) hands back a new one; it goes to
    ``on_new_refresh_token`` so the keyring keeps the one that works.
    """
    key = _smtp_key(connection, refresh_token)
    cached = CACHE.get(key)
    if cached is not None:
        return cached, True
    tokens = SignIn(connection, http, client_secret).refresh(refresh_token)
    if tokens.refresh_token and tokens.refresh_token != refresh_token:
        if on_new_refresh_token is not None:
            on_new_refresh_token(tokens.refresh_token)
        keep_signed_in(connection, tokens)
    CACHE.put(key, tokens)
    return tokens, False


def graph_token(connection: Connection, http: HttpClient, client_secret: str) -> tuple[Tokens, bool]:
    """An app-only Graph token by client credentials; (tokens, came from the cache)."""
    c = connection
    key = ("graph", c.id, c.authority_url, c.tenant_id, c.client_id, c.graph_url, fingerprint(client_secret))
    cached = CACHE.get(key)
    if cached is not None:
        return cached, True
    remember(client_secret)
    url = f"{c.authority_url.rstrip('/')}/{c.tenant_id}/oauth2/v2.0/token"
    fields = {
        "grant_type": "client_credentials",
        "client_id": c.client_id,
        "client_secret": client_secret,
        "scope": f"{c.graph_url.rstrip('/')}/.default",
    }
    tokens = parse_tokens(http.post_form(url, fields))
    CACHE.put(key, tokens)
    return tokens, False


def graph_password_token(
    connection: Connection, http: HttpClient, password: str, client_secret: str | None
) -> tuple[Tokens, bool]:
    """A delegated Graph token for the connection's user by the resource-owner password
    credentials grant (issue 20, item 9); (tokens, came from the cache).

    Microsoft discourages this grant and it fails for accounts that need MFA; the app's client
    secret goes with it when one is stored (a confidential client), else none (a public client).
    """
    c = connection
    scope = f"{c.graph_url.rstrip('/')}/Mail.Send"
    key = (
        "graph-password", c.id, c.authority_url, c.tenant_id, c.client_id, c.graph_url, c.username,
        fingerprint(password), fingerprint(client_secret or ""),
    )  # fmt: skip
    cached = CACHE.get(key)
    if cached is not None:
        return cached, True
    remember(password)
    remember(client_secret)
    url = f"{c.authority_url.rstrip('/')}/{c.tenant_id}/oauth2/v2.0/token"
    fields = {"grant_type": "password", "client_id": c.client_id, "username": c.username, "password": password}
    fields["scope"] = scope
    if client_secret:
        fields["client_secret"] = client_secret
    tokens = parse_tokens(http.post_form(url, fields))
    CACHE.put(key, tokens)
    return tokens, False
