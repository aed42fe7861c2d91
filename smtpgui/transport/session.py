"""One SMTP session from connect to QUIT: stages, timings, TLS policy, proxy, auth (DESIGN §4).

:class:`SmtpSession` holds one session's state; :class:`smtpgui.transport.engine.SessionEngine`
makes one per run. What it does after a failure lives beside it: the TLS side checks
(:mod:`~smtpgui.transport.diagnosis`) and the failure's explanation (:mod:`~smtpgui.transport.failures`).
"""

from __future__ import annotations

import contextlib
import logging
import select
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from smtpgui.core.addresses import idna_host, parse_ip
from smtpgui.core.message import OutgoingMessage
from smtpgui.core.model import AuthMode, Connection, ProxyType, Security
from smtpgui.core.numbers import ascii_number
from smtpgui.core.redact import Scrubber, proxy_basic_forms, remember
from smtpgui.transport import network
from smtpgui.transport.auth import AuthFailure, authenticate, choose_mechanism
from smtpgui.transport.client import SmtpClient
from smtpgui.transport.diagnosis import TlsDiagnosis
from smtpgui.transport.errors import NetworkError
from smtpgui.transport.failures import FailureRecorder, SessionFailure, as_bytes
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import SIGN_IN_STAGES, Stage, TestResult, TlsInfo
from smtpgui.transport.tlspolicy import (
    ClientCertificateError,
    build_context,
    certificate_lines,
    describe_certificate,
    fingerprint,
)
from smtpgui.transport.transcript import Transcript

log = logging.getLogger("smtpgui.engine")

MISMATCH_WAIT_S = 3.0


@dataclass(frozen=True)
class SessionSecrets:
    """Secrets for one session, read from the keyring by the caller (never by the engine).

    ``client_secret`` is a Graph connection's (or an OAuth2 app's) client secret;
    ``refresh_token`` gets a fresh access token before the session signs in, and a provider
    that rotates it hands the new one to ``on_refresh_token`` (the caller stores it).
    """

    password: str | None = None
    proxy_password: str | None = None
    bearer_token: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    on_refresh_token: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

    def values(self) -> list[str]:
        return [
            v
            for v in (self.password, self.proxy_password, self.bearer_token, self.client_secret, self.refresh_token)
            if v
        ]


StageListener = Callable[[Stage], None]
LineListener = Callable[[str], None]


class SmtpSession(TlsDiagnosis, FailureRecorder):
    """One session's state and conversation; ``run`` returns its result, never raises."""

    http_stages = False

    def __init__(
        self,
        connection: Connection,
        secrets: SessionSecrets,
        token: CancelToken,
        on_line: LineListener | None,
        on_stage: StageListener | None,
    ) -> None:
        self.c = connection
        self.secrets = secrets
        self.token = token
        self.on_stage = on_stage
        self.scrub = Scrubber(secrets.values())
        for value in [*secrets.values(), *proxy_basic_forms(connection.proxy_login_name, secrets.proxy_password)]:
            remember(value)  # tokens from the environment are not read through the secret store
            self.scrub.add(value)
        self.transcript = Transcript((), on_line, scrubber=self.scrub)
        self.result = TestResult()
        self.timeout = float(connection.timeout_s)
        self.handles: list[socket.socket] = []
        self.client: SmtpClient | None = None

    # ------------------------------------------------------------------ life cycle

    def run(self, message: OutgoingMessage | None, deadline: float) -> TestResult:
        started = time.monotonic()
        try:
            self._converse(message)
            self.result.ok = True
        except BaseException as exc:
            self._record_failure(exc, deadline)
            if isinstance(exc, KeyboardInterrupt):
                self.result.cancelled = True
        finally:
            self._close()
        self.result.timings_ms["total"] = (time.monotonic() - started) * 1000
        self.result.transcript = self.transcript.safe_lines()
        self.result.make_safe(self.scrub, self.scrub.near_sign_in, transcript_safe=True)
        return self.result

    def _quiet(self, connection: Connection) -> SmtpSession:
        """A session that records nothing, for side checks (an SMTP session even inside Graph)."""
        return SmtpSession(connection, self.secrets, self.token, None, None)

    def _close(self) -> None:
        if self.client is not None:
            self.client.close()
        for handle in self.handles:
            self.token.unregister(handle)
            with contextlib.suppress(OSError):
                handle.close()

    @contextlib.contextmanager
    def _stage(self, stage: Stage) -> Iterator[None]:
        self.token.check()
        self.result.stage = stage
        self.transcript.near_sign_in = stage in SIGN_IN_STAGES
        if self.on_stage is not None:
            self.on_stage(stage)
        started = time.monotonic()
        try:
            yield
        finally:
            elapsed = (time.monotonic() - started) * 1000
            self.result.timings_ms[stage.value] = self.result.timings_ms.get(stage.value, 0.0) + elapsed

    # ------------------------------------------------------------------ the conversation

    def _converse(self, message: OutgoingMessage | None) -> None:
        c = self.c
        if c.certificate_unchecked:
            self._warn("certificate verification is off: the server's identity is not checked")
        if c.security is Security.NONE:
            self._warn("this connection is not encrypted")
        sock = self._open_socket(record=True)
        host = self._tls_host()
        if c.security is Security.TLS:
            with self._stage(Stage.TLS):
                sock = self._handshake(sock, host)
        client = SmtpClient(self.transcript, self._ehlo_name(sock), self.timeout)
        self.client = client
        client.attach(sock, host, in_tls=c.security is Security.TLS)
        with self._stage(Stage.GREETING):
            if c.security is not Security.TLS:
                self._await_greeting(sock)
            code, text = client.getreply()
            first = text.decode("utf-8", "replace").split("\n", 1)[0].strip()
            self.result.greeting = first if code != -1 else None
            if code != 220:
                raise SessionFailure(
                    "protocol" if code == -1 else "smtp", "the server did not greet with 220", code, text
                )
        with self._stage(Stage.EHLO):
            self._ehlo(client)
        self.result.capabilities_before_tls = list(self.result.capabilities)
        if c.security is Security.STARTTLS:
            with self._stage(Stage.STARTTLS):
                if not client.has_extn("starttls"):
                    raise SessionFailure(
                        "no-starttls", "the server does not offer STARTTLS (refusing to continue unencrypted)"
                    )
                code, text = client.command("STARTTLS")
                if code != 220:
                    raise SessionFailure("starttls-refused", "the server refused STARTTLS", code, text)
                tls_sock = self._handshake(sock, host)
                client.attach(tls_sock, host, in_tls=True)
            with self._stage(Stage.EHLO):
                self._ehlo(client)
        if c.auth_mode is not AuthMode.NONE:
            with self._stage(Stage.AUTH):
                self._authenticate(client)
        if message is not None:
            self._send(client, message)
        with self._stage(Stage.QUIT):
            try:
                client.command("QUIT")
            except (OSError, smtplib.SMTPException) as exc:
                self.transcript.info(
                    f"the server closed without answering QUIT ({exc}); this does not affect the result"
                )

    def _open_socket(self, record: bool) -> socket.socket:
        """A connected TCP socket to the server, directly or through the proxy."""
        c = self.c
        attempt = self.transcript.info if record else (lambda _line: None)
        if c.proxy_type is not ProxyType.NONE:
            target = c.host
            if not c.proxy_remote_dns and parse_ip(c.host) is None:
                with self._maybe_stage(Stage.RESOLVE, record):
                    infos = network.resolve(c.host, c.port, c.ip_family, self.timeout, self.token)
                    target = str(infos[0][4][0])
            with self._maybe_stage(Stage.PROXY, record):
                attempt(
                    f"Connecting to {c.host}:{c.port} through {c.proxy_type.value} proxy "
                    f"{c.proxy_host}:{c.proxy_port}..."
                )
                sock = network.connect_via_proxy(c, target, self.secrets.proxy_password, self.timeout, self.token)
        else:
            with self._maybe_stage(Stage.RESOLVE, record):
                infos = network.resolve(c.host, c.port, c.ip_family, self.timeout, self.token)
            with self._maybe_stage(Stage.CONNECT, record):
                sock = network.connect(infos, c.source_address, self.timeout, self.token, attempt)
        # A duplicate handle lets cancel() shut the connection down even after TLS wraps it.
        handle = sock.dup()
        self.handles += [handle, sock]
        self.token.register(handle)
        self.token.unregister(sock)
        if record:
            peer = sock.getpeername()
            attempt(
                f"Connected to {peer[0]}:{peer[1]}."
                if c.proxy_type is ProxyType.NONE
                else "Connected through the proxy."
            )
        return sock

    @contextlib.contextmanager
    def _maybe_stage(self, stage: Stage, record: bool) -> Iterator[None]:
        if record:
            with self._stage(stage):
                yield
        else:
            self.token.check()
            yield

    def _tls_host(self) -> str:
        host = self.c.host.strip("[]")
        return host if parse_ip(host) is not None else idna_host(host.rstrip("."))

    def _ehlo_name(self, sock: socket.socket) -> str:
        if self.c.ehlo_name:
            try:
                return idna_host(self.c.ehlo_name)  # an internationalised name goes as punycode
            except ValueError:
                return self.c.ehlo_name  # refused with a sentence at EHLO
        name = socket.gethostname()
        if "." in name.strip("."):
            return name
        if self.c.proxy_type is not ProxyType.NONE:
            return "[127.0.0.1]"
        local = parse_ip(str(sock.getsockname()[0]))
        if local is None:
            return "[127.0.0.1]"
        return f"[IPv6:{local}]" if local.version == 6 else f"[{local}]"

    def _warn(self, text: str) -> None:
        self.result.warnings.append(text)
        self.transcript.info(f"warning: {text}")

    # ------------------------------------------------------------------ TLS

    def _handshake(self, sock: socket.socket, host: str) -> ssl.SSLSocket:
        c = self.c
        try:
            context = build_context(c)
        except ClientCertificateError as exc:
            raise SessionFailure("client-cert", str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            raise SessionFailure("certificate", f"cannot load the CA file {c.ca_file}: {exc}") from exc
        sock.settimeout(self.timeout)
        self.transcript.info("Starting TLS...")
        tls = context.wrap_socket(sock, server_hostname=host)
        self.handles.append(tls)  # closed at the end even if a check below fails
        der = tls.getpeercert(binary_form=True) or b""
        trusted: bool | None = True if context.verify_mode == ssl.CERT_REQUIRED else None
        if c.pinned_sha256:
            trusted = fingerprint(der) == c.pinned_sha256
        info = describe_certificate(der, trusted) if der else None
        cipher = tls.cipher()
        self.result.tls = TlsInfo(tls.version() or "", cipher[0] if cipher else "")
        self.result.certificate = info
        self.transcript.info(f"TLS started: {self.result.tls.version}, {self.result.tls.cipher}")
        if info is not None:
            for line in certificate_lines(info):
                self.transcript.info(line)
        if c.pinned_sha256 and not trusted:
            raise SessionFailure("pin", "the certificate does not match the pinned SHA-256 fingerprint")
        if c.pinned_sha256:
            self.transcript.info("The certificate matches the pinned fingerprint.")
        return tls

    # ------------------------------------------------------------------ port / mode mismatch

    def _await_greeting(self, sock: socket.socket) -> None:
        """Wait for the greeting; if the server stays silent, check whether it speaks TLS."""
        first_wait = min(MISMATCH_WAIT_S, self.timeout / 2)
        if self._readable(sock, first_wait):
            return
        self.transcript.info(f"No greeting after {first_wait:g} s; checking whether this port expects implicit TLS...")
        if self._port_speaks_tls():
            raise SessionFailure(
                "mismatch-implicit", "the server answered a TLS handshake: this port expects implicit TLS"
            )
        if not self._readable(sock, self.timeout - first_wait):
            raise TimeoutError(f"no greeting within {self.timeout:g} seconds")

    def _readable(self, sock: socket.socket, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while True:
            self.token.check()
            remaining = end - time.monotonic()
            if remaining <= 0:
                return False
            try:
                readable, _, _ = select.select([sock], [], [], min(network.SLICE, remaining))
            except (OSError, ValueError):
                self.token.check()
                raise
            if readable:
                return True

    def _port_speaks_tls(self) -> bool:
        probe_conn = self.c.replace(timeout_s=max(1, min(self.c.timeout_s, int(MISMATCH_WAIT_S))))
        probe = SmtpSession(probe_conn, self.secrets, self.token, None, None)
        try:
            sock = probe._open_socket(record=False)
            probe.handles.append(sock)
            tls = build_context(probe_conn, verify=False).wrap_socket(sock, server_hostname=self._tls_host())
            probe.handles.append(tls)
            return True
        except ssl.SSLError:
            return False
        except (OSError, NetworkError, ValueError, ClientCertificateError):
            return False
        finally:
            probe._close()

    # ------------------------------------------------------------------ SMTP steps

    def _ehlo(self, client: SmtpClient) -> None:
        name = client.local_hostname or ""
        if not name.isascii() or any(ch.isspace() or not ch.isprintable() for ch in name):
            raise SessionFailure(
                "ehlo-name", f"the EHLO name {name!r} is not a host name that can be sent to the server"
            )
        code, text = client.ehlo()
        if code == -1 and not text:
            raise smtplib.SMTPServerDisconnected("the server closed the connection")
        if code != 250:
            # HELO only for a server that does not know EHLO; a 421 (or any other answer) is its word.
            if code in (500, 502) and self.c.security is Security.NONE and self.c.auth_mode is AuthMode.NONE:
                code, text = client.helo()
                if code == 250:
                    self.result.capabilities = []
                    return
            raise SessionFailure("smtp", "the server refused EHLO", code, text)
        lines = (client.ehlo_resp or b"").decode("utf-8", "replace").splitlines()[1:]
        self.result.capabilities = [line.strip() for line in lines if line.strip()]
        auth = client.esmtp_features.get("auth", "")
        self.result.auth_mechanisms = auth.upper().split()
        self.result.size_limit = ascii_number(client.esmtp_features.get("size", ""))
        self.result.smtputf8 = client.has_extn("smtputf8")

    def _authenticate(self, client: SmtpClient) -> None:
        c = self.c
        secret = self.secrets.bearer_token if c.auth_mode is AuthMode.OAUTH2 else self.secrets.password
        if c.auth_mode is AuthMode.OAUTH2 and not secret and self.secrets.refresh_token:
            secret = self._fresh_access_token()
        if not secret:
            what = "access token" if c.auth_mode is AuthMode.OAUTH2 else "password"
            raise AuthFailure("missing-secret", f"no {what} is available for this connection")
        if not c.login_name:
            raise AuthFailure("oauth-setup", "the user name is empty: sign in (it is filled in) or set it")
        encrypted = client.in_tls
        mechanism = choose_mechanism(c, self.result.auth_mechanisms, encrypted)
        self.result.auth_mechanism = mechanism.value.upper()
        self.transcript.info(f"Signing in as {c.login_name} with {mechanism.value.upper()}.")
        code, text = authenticate(
            client, connection=c, mechanism=mechanism, secret=secret, host=self._tls_host(), port=c.port
        )
        if code not in (235, 250):
            raise SessionFailure("smtp", "the server refused the sign-in", code, text)

    def _fresh_access_token(self) -> str:
        """The access token for this session: cached while valid, else refreshed at the provider."""
        from smtpgui.transport import oauth
        from smtpgui.transport.http import HttpClient

        assert self.secrets.refresh_token is not None
        http = HttpClient(self.c, self.token, proxy_password=self.secrets.proxy_password, transcript=self.transcript)
        self.transcript.info("Getting an access token with the stored sign-in (refresh token)...")
        tokens, cached = oauth.access_token(
            self.c, http, self.secrets.refresh_token, self.secrets.client_secret, self.secrets.on_refresh_token
        )
        self.transcript.add_secret(tokens.access_token)
        minutes = max(0, int(tokens.seconds_left() // 60))
        which = "the cached" if cached else "a fresh"
        self.transcript.info(f"Using {which} access token (valid for {minutes} more minutes).")
        return tokens.access_token

    def _send(self, client: SmtpClient, message: OutgoingMessage) -> None:
        with self._stage(Stage.MAIL):
            options: list[str] = []
            if message.smtputf8:
                if not client.has_extn("smtputf8"):
                    raise SessionFailure("smtputf8", "the addresses need SMTPUTF8, which the server does not offer")
                options += ["SMTPUTF8", "BODY=8BITMIME"]
                client.command_encoding = "utf-8"
            # RFC 6152: 8-bit data only to a server that offers 8BITMIME, and then declared.
            eight_bit = message.smtputf8 or client.has_extn("8bitmime")
            data = message.as_bytes(eight_bit=eight_bit)
            if eight_bit and not message.smtputf8 and message.needs_8bit:
                options.append("BODY=8BITMIME")
            if client.has_extn("size"):
                options.append(f"SIZE={len(data)}")
            code, text = client.mail(message.envelope_from, options)
            if code != 250:
                raise SessionFailure("smtp", "the server refused the sender", code, text)
        with self._stage(Stage.RCPT):
            accepted = 0
            last = (0, b"")
            for recipient in message.recipients:
                code, text = client.rcpt(recipient)
                if code in (250, 251):
                    accepted += 1
                else:
                    last = (code, text)
                    self.result.refused_recipients[recipient] = {"code": code, "error": text.decode("utf-8", "replace")}
            if not accepted:
                raise SessionFailure("smtp", "the server refused every recipient", last[0], last[1])
        with self._stage(Stage.DATA):
            try:
                code, text = client.data(data)
            except smtplib.SMTPDataError as exc:
                raise SessionFailure(
                    "smtp", "the server refused DATA", exc.smtp_code, as_bytes(exc.smtp_error)
                ) from exc
            if code != 250:
                raise SessionFailure("smtp", "the server refused the message", code, text)
            self.result.message_id = message.message_id
            self.transcript.info(f"The server accepted the message ({message.message_id}).")
