"""Real servers on loopback for tests: aiosmtpd with STARTTLS/TLS/AUTH, and scripted misfits."""

from __future__ import annotations

import base64
import contextlib
import hmac
import logging
import secrets
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USER, PASSWORD, TOKEN = "alice@example.com", "correct horse battery staple", "ya29.valid-token-xyz"


class _NoLoginDataNotice(logging.Filter):
    """aiosmtpd 1.4 sets its own deprecated ``Session.login_data`` after every successful AUTH and
    logs a warning about it each time: noise in every test and benchmark run, not our doing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_NoLoginDataNotice())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pki:
    """A test CA and a certificate for localhost / 127.0.0.1 signed by it."""

    ca: trustme.CA
    server: trustme.LeafCert
    ca_file: Path

    def server_context(
        self, minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None
    ) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.configure_cert(ctx)
        if minimum:
            ctx.minimum_version = minimum
        if maximum:
            ctx.maximum_version = maximum
        return ctx

    @property
    def server_sha256(self) -> str:
        import hashlib

        pem = self.server.cert_chain_pems[0].bytes()
        der = ssl.PEM_cert_to_DER_cert(pem.decode())
        return hashlib.sha256(der).hexdigest()


def make_pki(folder: Path, names: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")) -> Pki:
    ca = trustme.CA()
    server = ca.issue_cert(*names)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Pki(ca, server, ca_file)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]
    login: str | None


class RecordingHandler:
    """Accepts mail and keeps it; refuses recipients at refused.example; validates tokens."""

    def __init__(self, tokens: set[str]) -> None:
        self.messages: list[Received] = []
        self.tokens = tokens
        self.delivered = threading.Event()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = session.auth_data
        login = data.login.decode() if isinstance(data, LoginPassword) else None
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or b"",
                list(envelope.mail_options),
                login,
            )
        )
        self.delivered.set()
        return "250 2.0.0 Message accepted for delivery"

    async def auth_CRAM__MD5(self, server: SMTP, args: list[str]) -> AuthResult:
        challenge = f"<{secrets.token_hex(8)}@localhost>".encode()
        response = await server.challenge_auth(challenge)
        if not isinstance(response, bytes):
            return AuthResult(success=False, handled=True)
        user, _, digest = response.decode().rpartition(" ")
        expected = hmac.new(PASSWORD.encode(), challenge, "md5").hexdigest()
        if user == USER and hmac.compare_digest(digest, expected):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        raw = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        fields = dict(part.split("=", 1) for part in raw.decode().split("\x01") if "=" in part)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        if user == USER and token in self.tokens:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        error = b'{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'
        await server.challenge_auth(error)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")

    async def auth_OAUTHBEARER(self, server: SMTP, args: list[str]) -> AuthResult:
        raw = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        gs2, _, rest = raw.decode().partition("\x01")
        user = gs2.split("a=", 1)[1].rstrip(",") if "a=" in gs2 else ""
        fields = dict(part.split("=", 1) for part in rest.split("\x01") if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if user == USER and token in self.tokens and fields.get("host"):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        await server.challenge_auth(b'{"status":"invalid_token","scope":"SMTP.Send"}')
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication failed")


def check_password(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object) -> AuthResult:
    if (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    ):
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    controller: Controller = field(repr=False)


@contextlib.contextmanager
def smtp_server(
    mode: str = "starttls",
    pki: Pki | None = None,
    *,
    auth: bool = True,
    auth_require_tls: bool = True,
    require_starttls: bool = True,
    tokens: set[str] | None = None,
    tls_min: ssl.TLSVersion | None = None,
    host: str = "127.0.0.1",
) -> Iterator[SmtpServer]:
    """aiosmtpd on loopback: mode 'plain', 'starttls' (required by default) or 'tls' (implicit)."""
    handler = RecordingHandler(tokens if tokens is not None else {TOKEN})
    kwargs: dict[str, object] = {"hostname": host, "port": free_port(), "server_hostname": "mx.test.example"}
    if auth:
        # aiosmtpd counts only STARTTLS as TLS; on an implicit-TLS port the link is encrypted anyway.
        kwargs.update(authenticator=check_password, auth_require_tls=auth_require_tls and mode != "tls")
    else:
        kwargs.update(auth_exclude_mechanism=["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"])
    if mode == "starttls":
        assert pki is not None
        kwargs.update(tls_context=pki.server_context(tls_min), require_starttls=require_starttls)
    elif mode == "tls":
        assert pki is not None
        kwargs.update(ssl_context=pki.server_context(tls_min))
    controller = Controller(handler, **kwargs)  # type: ignore[arg-type]
    controller.start()
    try:
        yield SmtpServer(host, controller.port, handler, controller)
    finally:
        controller.stop()


class ScriptedServer:
    """A TCP server on loopback whose every connection is handled by ``script(conn)``.

    For servers that misbehave on purpose: silent, garbage, closing early, stripping STARTTLS.
    """

    def __init__(self, script: Callable[[socket.socket], None], host: str = "127.0.0.1") -> None:
        self.script = script
        self.listener = socket.create_server((host, 0))
        self.host = host
        self.port = int(self.listener.getsockname()[1])
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.script(conn)

    def wait_closed(self, conn: socket.socket) -> None:
        """Block until the peer closes (or the server stops); a silent server's way to idle."""
        with contextlib.suppress(OSError):
            while conn.recv(4096):
                pass


def read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            return data
        data += chunk
    return data
