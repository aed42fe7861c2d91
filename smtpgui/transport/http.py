"""A small HTTPS client for the identity provider and Microsoft Graph, on the engine's network layer.

Requests go through the connection's proxy when it has one, honour its timeout, and stop at
once when the session's ``CancelToken`` is cancelled. Each request is one TCP connection
(``Connection: close``): sign-in and a test send make two or three requests, so keeping
connections alive would buy nothing and cost a pool to get right. Failures to reach the host
raise ``HttpFailure`` with the stage (resolve, proxy, connect, tls) and a kind the explanation
table knows; any HTTP answer, error statuses included, is returned for the caller to read.

What is sent and received goes to an optional transcript in swaks' notation, with form fields
and JSON members that carry secrets shown as ``[hidden]``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from smtpgui.core.addresses import is_loopback_host
from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import Connection, ProxyType
from smtpgui.core.redact import REDACTED
from smtpgui.transport import network
from smtpgui.transport.errors import HttpFailure, NetworkError
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import Stage
from smtpgui.transport.tlspolicy import tls_error_kind
from smtpgui.transport.transcript import Transcript

MAX_BODY = 4 * 1024 * 1024
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "refresh_token",
        "access_token",
        "id_token",
        "code",
        "code_verifier",
        "device_code",
        "assertion",
        "password",  # the password grant (Graph with a user's password)
    }
)
USER_AGENT = "smtpgui"

StageHook = Callable[[Stage], "contextlib.AbstractContextManager[None]"]


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP answer: status, headers (lower-case names) and body."""

    status: int
    reason: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or an empty one when it is not one."""
        try:
            data = parse_json(self.body)
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def text(self, limit: int = 300) -> str:
        words = self.body.decode("utf-8", "replace").strip()
        return words if len(words) <= limit else words[:limit] + "…"


def hide_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a form or JSON object with secret-bearing members shown as ``[hidden]``."""
    return {k: (REDACTED if k in SECRET_FIELDS and v else v) for k, v in data.items()}


@contextlib.contextmanager
def _no_stage(_stage: Stage) -> Iterator[None]:
    yield


class HttpClient:
    """Makes requests on behalf of one connection (its proxy, timeout, CA file and source address)."""

    def __init__(
        self,
        connection: Connection,
        token: CancelToken,
        *,
        proxy_password: str | None = None,
        transcript: Transcript | None = None,
        stage: StageHook | None = None,
    ) -> None:
        self.c = connection
        self.token = token
        self.timeout = float(connection.timeout_s)
        self.proxy_password = proxy_password
        self.transcript = transcript
        self.stage: StageHook = stage or _no_stage

    # ------------------------------------------------------------------ requests

    def post_form(self, url: str, fields: Mapping[str, str], exchange: Stage = Stage.AUTH) -> HttpResponse:
        """POST a form (token endpoints); ``exchange`` is the stage the request and answer count as."""
        body = urlencode(fields).encode("ascii")
        shown = urlencode(hide_fields(fields), safe="[]")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", url, body, headers, shown_body=shown, exchange=exchange)

    def post_json(self, url: str, data: Mapping[str, Any], bearer: str, exchange: Stage = Stage.DATA) -> HttpResponse:
        """POST JSON with a bearer token (Graph); the token never reaches the transcript."""
        text = json.dumps(data, ensure_ascii=False)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"}
        pretty = json.dumps(data, ensure_ascii=False, indent=1)  # a line per member reads like DATA in swaks
        shown = pretty if len(pretty) <= 4000 else pretty[:4000] + "…"
        return self.request("POST", url, text.encode("utf-8"), headers, shown_body=shown, exchange=exchange)

    def request(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        shown_body: str = "",
        exchange: Stage = Stage.DATA,
    ) -> HttpResponse:
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https"
        if not host or parts.scheme not in ("http", "https") or (not secure and not is_loopback_host(host)):
            raise HttpFailure(Stage.CONNECT, "insecure-url", f"{url} is not an https:// address")
        port = parts.port or (443 if secure else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sock = self._open(host, port)
        try:
            if secure:
                with self.stage(Stage.TLS):
                    sock = self._handshake(sock, host)
            with self.stage(exchange):
                target = f"{parts.scheme}://{host}:{port}"
                return self._exchange(sock, target, f"{method} {path}", body, headers=headers, shown=shown_body)
        finally:
            self.token.unregister(sock)
            with contextlib.suppress(OSError):
                sock.close()

    # ------------------------------------------------------------------ the steps

    def _note(self, text: str) -> None:
        if self.transcript is not None:
            self.transcript.info(text)

    def _open(self, host: str, port: int) -> socket.socket:
        target = self.c.replace(host=host, port=port)
        if self.c.proxy_type is not ProxyType.NONE:
            with self.stage(Stage.PROXY):
                self._note(f"Connecting to {host}:{port} through {self.c.proxy_type.value} proxy...")
                sock = network.connect_via_proxy(target, host, self.proxy_password, self.timeout, self.token)
        else:
            with self.stage(Stage.RESOLVE):
                infos = network.resolve(host, port, self.c.ip_family, self.timeout, self.token)
            with self.stage(Stage.CONNECT):
                sock = network.connect(infos, self.c.source_address, self.timeout, self.token, self._note)
        self.token.register(sock)
        sock.settimeout(self.timeout)
        return sock

    def _handshake(self, sock: socket.socket, host: str) -> socket.socket:
        try:
            context = ssl.create_default_context(cafile=self.c.ca_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise HttpFailure(Stage.TLS, "certificate", f"cannot load the CA file {self.c.ca_file}: {exc}") from exc
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            tls = context.wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            raise HttpFailure(Stage.TLS, tls_error_kind(exc), f"{host}: {exc.verify_message}") from exc
        except ssl.SSLError as exc:
            raise HttpFailure(Stage.TLS, "tls", f"TLS with {host} failed: {exc.reason or exc}") from exc
        self.token.unregister(sock)
        self.token.register(tls)
        self._note(f"TLS with {host}: {tls.version()}")
        return tls

    def _exchange(
        self, sock: socket.socket, target: str, line: str, body: bytes, *, headers: Mapping[str, str], shown: str
    ) -> HttpResponse:
        parts = urlsplit(target)
        host, port, secure = parts.hostname or "", parts.port or 0, parts.scheme == "https"
        method, _, path = line.partition(" ")
        conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        conn.sock = sock  # already connected (and through the proxy, and TLS) by us
        sent_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Connection": "close", **headers}
        if self.transcript is not None:
            self.transcript.sent(f"{method} {target}{path}", secure)
            if shown:
                self.transcript.sent(shown, secure)
        try:
            conn.request(method, path, body=body, headers=sent_headers)
            response = conn.getresponse()
            data = response.read(MAX_BODY)
        except TimeoutError as exc:
            raise NetworkError("timeout", f"{host} did not answer within {self.timeout:g} seconds") from exc
        except (http.client.HTTPException, ConnectionError) as exc:
            self.token.check()
            raise HttpFailure(Stage.CONNECT, "disconnected", f"{host} closed the connection ({exc})") from exc
        answer = HttpResponse(response.status, response.reason, {k.lower(): v for k, v in response.getheaders()}, data)
        if self.transcript is not None:
            self.transcript.received(f"HTTP {answer.status} {answer.reason}", secure)
            members = answer.json()
            if members:
                self.transcript.received(json.dumps(hide_fields(members), ensure_ascii=False)[:2000], secure)
            elif data:
                self.transcript.received(answer.text(), secure)
        return answer
