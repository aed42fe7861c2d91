"""A local fake identity provider and a fake Microsoft Graph, faithful to the documented protocol.

One HTTP server on 127.0.0.1 plays both parts (plain http, which smtpgui allows for loopback):

- ``/{tenant}/oauth2/v2.0/authorize``: the browser step of the authorization-code flow. It
  checks the client, the loopback redirect URI and the PKCE challenge (S256), "signs in" the
  configured user, and redirects to ``redirect_uri`` with ``code`` and ``state`` (or ``error``).
- ``/{tenant}/oauth2/v2.0/token``: the grants ``authorization_code`` (PKCE verified),
  ``refresh_token`` (rotated: the old one stops working), the device-code grant,
  ``client_credentials`` and ``password`` (the resource-owner password credentials grant: a
  delegated Graph token for a user, refused as Microsoft refuses it: AADSTS50126 for a wrong
  password, AADSTS50076/50079 when the account needs MFA, AADSTS7000218 when public client
  flows are off and no secret is sent, AADSTS65001 when nobody consented to Mail.Send). Errors are Microsoft's: ``{"error", "error_description": "AADSTS…"}``
  with the documented status codes.
- ``/{tenant}/oauth2/v2.0/devicecode`` and ``/device/approve``: the device-code flow; the test
  approves a code as the person would after typing it in.
- ``/v1.0/me/sendMail``: Graph for a delegated (password-grant) token: the signed-in user's
  mailbox; an app-only token is refused there, as Graph refuses it.
- ``/v1.0/users/{mailbox}/sendMail``: Graph. Bearer token checked (issued here, not expired,
  for Graph, with the ``Mail.Send`` role), mailbox known, application access policy, throttling
  (429 with ``Retry-After``), the JSON body's shape; 202 when accepted.

Access tokens are unsigned JWTs (header.claims.signature) so smtpgui can read their claims, as
it can read Microsoft's. ``clock`` can be moved forward to expire tokens without waiting.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from smtpgui.core.model import AuthMode, Connection, Kind, Mechanism, OAuthProvider, Security
from tests.support.servers import PASSWORD, USER

TENANT = "contoso-tenant"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "s3cr3t~Value.For-Tests_0123456789"
GRAPH_CLIENT_ID = "99999999-8888-7777-6666-555555555555"
MAILBOX = "sender@contoso.example"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(claims: dict[str, Any]) -> str:
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64url(json.dumps(claims).encode())}.{_b64url(secrets.token_bytes(16))}"


@dataclass
class Issued:
    audience: str  # "smtp" or "graph"
    expires_at: float
    roles: list[str] = field(default_factory=list)
    user: str = ""  # a delegated token's user (the password grant); "" for an app-only token
    scopes: list[str] = field(default_factory=list)  # a delegated token's scp


class ValidSmtpTokens:
    """What the SMTP test server accepts: access tokens issued here for SMTP and not expired."""

    def __init__(self, idp: FakeIdentity) -> None:
        self.idp = idp

    def __contains__(self, token: object) -> bool:
        issued = self.idp.access_tokens.get(str(token))
        return issued is not None and issued.audience == "smtp" and issued.expires_at > self.idp.clock()


class FakeIdentity:
    """State of the fake provider and Graph; tests change the knobs between steps."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.lifetime = 3600
        self.user = USER
        self.confidential = False  # a confidential app must send its client secret
        self.graph_roles = ["Mail.Send"]
        self.mailboxes = {MAILBOX}
        self.policy_blocked: set[str] = set()
        self.throttle_seconds = 0
        self.deny_sign_in = False
        self.echo_secrets = False  # a hostile provider: its errors quote the secret it was sent
        # the password grant (ROPC) for Graph
        self.passwords = {USER: PASSWORD}  # user -> password
        self.mfa_required: dict[str, str] = {}  # user -> "50076" or "50079"
        self.public_client_flows = True  # off: the grant needs the app's client secret (AADSTS7000218)
        self.delegated_consent = True  # off: nobody consented to delegated Mail.Send (AADSTS65001)
        self.codes: dict[str, dict[str, str]] = {}
        self.refresh_tokens: dict[str, str] = {}  # token -> user
        self.access_tokens: dict[str, Issued] = {}
        self.devices: dict[str, dict[str, Any]] = {}  # device_code -> state
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, form) as received
        self.sent: list[dict[str, Any]] = []
        self.smtp_tokens = ValidSmtpTokens(self)
        self._server: http.server.ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ knobs

    def clock(self) -> float:
        return time.time() + self.offset

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def grants(self, grant_type: str) -> list[dict[str, str]]:
        return [form for _m, _p, form in self.requests if form.get("grant_type") == grant_type]

    def approve_device(self, user_code: str, approve: bool = True) -> None:
        """What the person does on the verification page after typing ``user_code``."""
        for state in self.devices.values():
            if state["user_code"] == user_code:
                state["status"] = "approved" if approve else "declined"
                return
        raise KeyError(user_code)

    # ------------------------------------------------------------------ issuing

    def _issue(self, audience: str, scope: str, roles: list[str] | None = None) -> dict[str, Any]:
        now = self.clock()
        claims: dict[str, Any] = {"iss": f"{self.url}/{TENANT}/v2.0", "exp": int(now + self.lifetime)}
        if audience == "graph":
            claims.update(aud="https://graph.microsoft.com", roles=list(roles or []), app_displayname="smtpgui tests")
        else:
            claims.update(aud="https://outlook.office.com", scp="SMTP.Send", upn=self.user)
        access = _jwt(claims)
        self.access_tokens[access] = Issued(audience, now + self.lifetime, list(roles or []))
        body: dict[str, Any] = {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": access}
        body["scope"] = scope
        if audience == "smtp":
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = self.user
            body["refresh_token"] = refresh
            if "openid" in scope.split():
                body["id_token"] = _jwt({"email": self.user, "preferred_username": self.user, "aud": CLIENT_ID})
        return body

    # ------------------------------------------------------------------ the endpoints

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect = query.get("redirect_uri", "")
        target = urlsplit(redirect)
        if target.scheme != "http" or target.hostname not in ("127.0.0.1", "localhost"):
            return 400, {}, b"AADSTS50011: The redirect URI specified in the request does not match."
        state = query.get("state", "")

        def back(**params: str) -> tuple[int, dict[str, str], bytes]:
            return 302, {"Location": f"{redirect}?{urlencode({**params, 'state': state})}"}, b""

        if query.get("client_id") != CLIENT_ID:
            return back(
                error="unauthorized_client",
                error_description=f"AADSTS700016: Application with identifier '{query.get('client_id')}' was not found",
            )
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="AADSTS9002325: PKCE (S256) is required.")
        if self.deny_sign_in:
            return back(error="access_denied", error_description="AADSTS65004: User declined to consent.")
        code = "code-" + secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query.get("code_challenge", ""),
            "redirect_uri": redirect,
            "scope": query.get("scope", ""),
        }
        return back(code=code)

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return self._client_credentials(form)
        if grant == "password":
            return self._password_grant(form)
        client_error = self._check_client(form, CLIENT_ID, self.confidential)
        if client_error:
            return client_error
        if grant == "authorization_code":
            entry = self.codes.pop(form.get("code", ""), None)
            if entry is None:
                return 400, _error("invalid_grant", "AADSTS70008: The provided authorization code has expired.")
            if form.get("redirect_uri") != entry["redirect_uri"]:
                return 400, _error("invalid_grant", "AADSTS50011: The redirect URI does not match.")
            digest = _b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
            if digest != entry["challenge"]:
                return 400, _error(
                    "invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge."
                )
            return 200, self._issue("smtp", entry["scope"])
        if grant == "refresh_token":
            user = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if user is None:
                return 400, _error(
                    "invalid_grant",
                    "AADSTS700082: The refresh token has expired due to inactivity.",
                )
            return 200, self._issue("smtp", form.get("scope", "https://outlook.office.com/SMTP.Send"))
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            state = self.devices.get(form.get("device_code", ""))
            if state is None or state["expires_at"] < self.clock():
                return 400, _error("expired_token", "AADSTS70020: The provided value for device_code has expired.")
            if state["status"] == "pending":
                return 400, _error("authorization_pending", "AADSTS70016: Pending end-user authorization.")
            if state["status"] == "declined":
                return 400, _error("authorization_declined", "AADSTS70000: The user declined the sign-in.")
            del self.devices[form["device_code"]]
            return 200, self._issue("smtp", state["scope"])
        return 400, _error("unsupported_grant_type", f"AADSTS70003: grant type {grant!r} is not supported.")

    def devicecode(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") != CLIENT_ID:
            return 400, _error("unauthorized_client", "AADSTS700016: Application was not found in the directory.")
        device_code = "dc-" + secrets.token_urlsafe(16)
        user_code = secrets.token_hex(4).upper()
        self.devices[device_code] = {
            "user_code": user_code,
            "status": "pending",
            "scope": form.get("scope", ""),
            "expires_at": self.clock() + 900,
        }
        uri = f"{self.url}/device"
        return 200, {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": uri,
            "expires_in": 900,
            "interval": 0.05,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code}.",
        }

    def _check_client(
        self, form: dict[str, str], client_id: str, confidential: bool
    ) -> tuple[int, dict[str, Any]] | None:
        if form.get("client_id") != client_id:
            return 400, _error(
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not found in the directory "
                f"'{TENANT}'.",
            )
        secret = form.get("client_secret")
        if confidential and secret is None:
            return 401, _error(
                "invalid_client",
                "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        if secret is not None and secret != CLIENT_SECRET:
            echoed = (
                f" You sent '{secret}' (base64 {base64.b64encode(secret.encode()).decode()},"
                f" hex {secret.encode().hex()}). Body: {urlencode(form)}"
                if self.echo_secrets
                else ""
            )
            return 401, _error(
                "invalid_client",
                f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                f"in the request is the client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.{echoed}",
            )
        return None

    def _client_credentials(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        error = self._check_client(form, GRAPH_CLIENT_ID, True)
        if error:
            return error
        if not form.get("scope", "").endswith("/.default"):
            return 400, _error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        return 200, self._issue("graph", form["scope"], self.graph_roles)

    def _password_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The resource-owner password credentials grant, as Microsoft's v2.0 endpoint answers it."""
        error = self._check_client(form, GRAPH_CLIENT_ID, not self.public_client_flows)
        if error:
            return error
        user, password = form.get("username", ""), form.get("password", "")
        if self.passwords.get(user) is None or self.passwords[user] != password:
            return 400, _error(
                "invalid_grant", "AADSTS50126: Error validating credentials due to invalid username or password."
            )
        scopes = form.get("scope", "").split()
        if not any(s.endswith("/Mail.Send") for s in scopes):
            return 400, _error(
                "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid."
            )
        if user in self.mfa_required:
            number = self.mfa_required[user]
            words = {
                "50076": "Due to a configuration change made by your administrator, or because you moved to a new "
                "location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
                "50079": "Due to a configuration change made by your administrator, or because you moved to a new "
                "location, you must enroll in multi-factor authentication to access "
                "'00000003-0000-0000-c000-000000000000'.",
            }[number]
            return 400, _error("invalid_grant", f"AADSTS{number}: {words}")
        if not self.delegated_consent:
            return 400, _error(
                "invalid_grant",
                f"AADSTS65001: The user or administrator has not consented to use the application with ID "
                f"'{GRAPH_CLIENT_ID}'. Send an interactive authorization request for this user and resource.",
            )
        now = self.clock()
        claims = {
            "iss": f"{self.url}/{TENANT}/v2.0", "exp": int(now + self.lifetime), "aud": "https://graph.microsoft.com",
            "scp": "Mail.Send", "upn": user, "app_displayname": "smtpgui tests",
        }  # fmt: skip
        access = _jwt(claims)
        self.access_tokens[access] = Issued("graph", now + self.lifetime, [], user=user, scopes=["Mail.Send"])
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "access_token": access,
                     "scope": " ".join(scopes)}  # fmt: skip

    def send_mail(
        self, mailbox: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        auth = headers.get("authorization", "")
        issued = self.access_tokens.get(auth.removeprefix("Bearer "))
        if mailbox == "me":
            # /me is the signed-in user: only a delegated token has one.
            if issued is not None and issued.audience == "graph" and not issued.user:
                return (
                    400,
                    {},
                    _graph_error("BadRequest", "/me request is only valid with delegated authentication flow."),
                )
            if issued is not None and issued.user:
                if "Mail.Send" not in issued.scopes:
                    return (
                        403,
                        {},
                        _graph_error("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
                    )
                mailbox = issued.user
                issued = Issued(issued.audience, issued.expires_at, ["Mail.Send"], issued.user, issued.scopes)
                self.mailboxes.add(mailbox)
        if not auth.startswith("Bearer ") or issued is None or issued.audience != "graph":
            return (
                401,
                {},
                _graph_error("InvalidAuthenticationToken", "Access token validation failure. Invalid audience."),
            )
        if issued.expires_at <= self.clock():
            return (
                401,
                {},
                _graph_error("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."),
            )
        if self.throttle_seconds:
            return (
                429,
                {"Retry-After": str(self.throttle_seconds)},
                _graph_error("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
            )
        if "Mail.Send" not in issued.roles:
            return 403, {}, _graph_error("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        if mailbox.lower() not in {m.lower() for m in self.mailboxes}:
            return 404, {}, _graph_error("ErrorInvalidUser", f"The requested user '{mailbox}' is invalid.")
        if mailbox.lower() in self.policy_blocked:
            return (
                403,
                {},
                _graph_error(
                    "ErrorAccessDenied",
                    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
                ),
            )
        try:
            data = json.loads(body)
            message = data["message"]
            assert isinstance(message["subject"], str)
            assert message["body"]["contentType"] in ("Text", "HTML")
            recipients = [r["emailAddress"]["address"] for r in message["toRecipients"]]
        except (ValueError, KeyError, TypeError, AssertionError):
            return 400, {}, _graph_error("ErrorInvalidRequest", "The request body is not a valid sendMail request.")
        if not recipients or any("@" not in r or r.endswith("@refused.example") for r in recipients):
            return 400, {}, _graph_error("ErrorInvalidRecipients", "At least one recipient is not valid.")
        self.sent.append({"mailbox": mailbox, **data})
        return 202, {}, {}


def _error(error: str, description: str) -> dict[str, Any]:
    return {
        "error": error,
        "error_description": f"{description}\r\nTrace ID: {secrets.token_hex(8)}\r\nTimestamp: 2026-11-21 10:00:00Z",
        "error_codes": [int(description.split(":", maxsplit=1)[0].removeprefix("AADSTS"))]
        if description.startswith("AADSTS")
        else [],
    }


def _graph_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "innerError": {"request-id": secrets.token_hex(8)}}}


class _Handler(http.server.BaseHTTPRequestHandler):
    idp: FakeIdentity
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, headers: dict[str, str], body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.idp.requests.append(("GET", parts.path, query))
        if parts.path == f"/{TENANT}/oauth2/v2.0/authorize":
            status, headers, body = self.idp.authorize(query)
            self._reply(status, headers, body, "text/plain")
        else:
            self._reply(404, {}, b"not found", "text/plain")

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        is_form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()} if is_form else {}
        self.idp.requests.append(("POST", parts.path, form))
        if parts.path.startswith(f"/{TENANT}/oauth2/v2.0/"):
            if not is_form:
                self._reply(
                    400, {}, json.dumps(_error("invalid_request", "AADSTS900144: body must be a form")).encode()
                )
                return
            endpoint = parts.path.rsplit("/", 1)[1]
            status, data = self.idp.token(form) if endpoint == "token" else self.idp.devicecode(form)
            self._reply(status, {}, json.dumps(data).encode())
        elif parts.path.startswith("/common/") or parts.path.startswith("/oauth2/"):
            self._reply(400, {}, json.dumps(_error("invalid_request", "AADSTS90002: Tenant not found.")).encode())
        elif parts.path == "/v1.0/me/sendMail":
            status, headers, data = self.idp.send_mail("me", {k.lower(): v for k, v in self.headers.items()}, raw)
            self._reply(status, headers, json.dumps(data).encode() if data else b"")
        elif parts.path.split("/")[1:3] == ["v1.0", "users"] and parts.path.endswith("/sendMail"):
            mailbox = parts.path.split("/")[3]
            status, headers, data = self.idp.send_mail(mailbox, {k.lower(): v for k, v in self.headers.items()}, raw)
            self._reply(status, headers, json.dumps(data).encode() if data else b"")
        elif parts.path.count("/") >= 3 and parts.path.endswith("/oauth2/v2.0/token"):
            tenant = parts.path.split("/")[1]
            self._reply(
                400,
                {},
                json.dumps(_error("invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")).encode(),
            )
        else:
            self._reply(404, {}, b"{}")


def graph_connection(idp: FakeIdentity, **changes: object) -> Connection:
    """A Graph connection that sends through the fake Graph as ``MAILBOX``."""
    base = Connection(
        name="graph",
        kind=Kind.GRAPH,
        tenant_id=TENANT,
        client_id=GRAPH_CLIENT_ID,
        mailbox=MAILBOX,
        authority_url=idp.url,
        graph_url=idp.url,
        timeout_s=10,
    )
    return base.replace(**changes)


def oauth_connection(idp: FakeIdentity, port: int, ca_file: str, **changes: object) -> Connection:
    """An OAuth2 SMTP connection (STARTTLS on loopback ``port``) whose tokens come from the fake provider."""
    base = f"{idp.url}/{TENANT}/oauth2/v2.0"
    return Connection(
        name="oauth",
        host="127.0.0.1",
        port=port,
        security=Security.STARTTLS,
        ca_file=ca_file,
        timeout_s=10,
        from_address="sender@example.com",
        auth_mode=AuthMode.OAUTH2,
        mechanism=Mechanism.AUTO,
        oauth_provider=OAuthProvider.CUSTOM,
        oauth_client_id=CLIENT_ID,
        oauth_authorize_url=f"{base}/authorize",
        oauth_token_url=f"{base}/token",
        oauth_device_url=f"{base}/devicecode",
        oauth_scopes="https://outlook.office.com/SMTP.Send offline_access openid email",
    ).replace(**changes)


@contextlib.contextmanager
def fake_identity() -> Iterator[FakeIdentity]:
    """The fake provider and Graph, serving on 127.0.0.1 for the duration of the block."""
    idp = FakeIdentity()
    handler = type("Handler", (_Handler,), {"idp": idp})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    idp._server = server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
