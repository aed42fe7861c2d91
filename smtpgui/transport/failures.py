"""How a session's failure becomes its result: the stage, the kind, the server's words, the
explanation and the fix (DESIGN §4). Mixed into the session, like the TLS side checks.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl

from smtpgui.core.model import Connection
from smtpgui.transport.auth import AuthFailure
from smtpgui.transport.errors import HttpFailure, NetworkError, OAuthError, SignInSetupError
from smtpgui.transport.network import Cancelled, CancelToken
from smtpgui.transport.result import SIGN_IN_STAGES, Stage, TestResult
from smtpgui.transport.tlspolicy import tls_error_kind
from smtpgui.transport.transcript import Transcript

ENHANCED = re.compile(rb"^([245]\.\d{1,3}\.\d{1,3})\b")


class SessionFailure(Exception):
    """A failure the session recognised; carries what the explanation table needs."""

    def __init__(self, kind: str, message: str, code: int | None = None, reply: bytes = b"") -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.reply = reply


class FailureRecorder:
    """Mixed into the session: turns whatever stopped it into the result's failure fields."""

    c: Connection
    token: CancelToken
    result: TestResult
    transcript: Transcript
    timeout: float
    http_stages: bool

    def _fetch_certificate_for_display(self) -> None:
        raise NotImplementedError

    def _diagnose_tls_versions(self) -> str | None:
        raise NotImplementedError

    def _asks_for_certificate(self) -> bool:
        raise NotImplementedError

    def _closed_right_after_tls(self, stage: Stage) -> bool:
        raise NotImplementedError

    def _wants_client_certificate(self) -> bool:
        raise NotImplementedError

    def _record_failure(self, exc: BaseException, deadline: float) -> None:
        r = self.result
        stage = r.stage
        code: int | None = None
        reply = b""
        if isinstance(exc, (Cancelled, KeyboardInterrupt)) or self.token.cancelled:
            # First: whatever a cut connection made the client believe (half a line, a closed
            # socket) is not the server's answer.
            if self.token.reason == "deadline":
                kind, error = "timeout", f"the whole session took longer than {deadline:g} seconds"
                r.timed_out = True
            else:
                kind, error = "cancelled", "the test was cancelled"
                r.cancelled = True
        elif isinstance(exc, SessionFailure):
            kind, error, code, reply = exc.kind, str(exc), exc.code, exc.reply
        elif isinstance(exc, AuthFailure):
            kind, error, code, reply = exc.kind, str(exc), exc.code, exc.reply.encode()
        elif isinstance(exc, HttpFailure):
            kind, error = exc.kind, str(exc)
            if self.http_stages:  # Graph: the HTTP request's own stage; SMTP: still signing in
                r.stage = stage = exc.stage
        elif isinstance(exc, OAuthError):
            kind, error, code = "oauth-token", f"the identity provider refused: {exc}", exc.status
        elif isinstance(exc, SignInSetupError):
            kind, error = "oauth-setup", str(exc)
        elif isinstance(exc, NetworkError):
            kind, error = exc.kind, str(exc)
            r.timed_out = kind == "timeout"
        elif isinstance(exc, (TimeoutError, socket.timeout)):
            kind, error = "timeout", str(exc) or f"no answer within {self.timeout:g} seconds"
            r.timed_out = True
        elif isinstance(exc, ssl.SSLError):
            kind, error = tls_error_kind(exc), ssl_text(exc)
            if kind == "client-cert-required" and self.c.client_cert:
                kind = "client-cert-refused"
            if kind in ("certificate", "hostname"):
                self.transcript.error(error)
                self._fetch_certificate_for_display()
            elif kind == "tls" and not self.token.cancelled:
                versions = self._diagnose_tls_versions()
                if versions:
                    kind, error = "tls-version", f"{error}; {versions}"
                elif "HANDSHAKE_FAILURE" in error.upper() and not self.c.client_cert and self._asks_for_certificate():
                    kind = "client-cert-required"
                    error = f"{error}; the server asks for a client certificate"
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            kind, error = "disconnected", str(exc)
        elif isinstance(exc, smtplib.SMTPResponseException):
            kind, error, code = "protocol", as_bytes(exc.smtp_error).decode("utf-8", "replace"), None
        elif isinstance(exc, (ConnectionError, OSError)):
            kind, error = "disconnected", exc.strerror or str(exc)
        else:
            kind, error = "internal", f"unexpected error ({type(exc).__name__}: {exc})"
        if kind in ("tls", "disconnected") and self._closed_right_after_tls(stage) and self._wants_client_certificate():
            # TLS 1.3 finishes the handshake before the server checks for our certificate: its
            # refusal arrives as an alert at the first read, or is lost when the close resets the link.
            kind = "client-cert-refused" if self.c.client_cert else "client-cert-required"
            error = f"{error}; the server closed the TLS session because it requires a client certificate"
        # One line: a multi-line reply's lines joined, so no server line can stand alone as ours.
        # Its lines are scrubbed together first: a secret wrapped or cut over them is hidden in each.
        parts = [part.strip() for part in re.split(r"[\r\n]+", reply.decode("utf-8", "replace")) if part.strip()]
        server_words = " / ".join(self.transcript.scrub.lines(parts, near_sign_in=stage in SIGN_IN_STAGES))
        match = ENHANCED.match(reply)
        r.failure_kind = kind
        r.reply_code = code if code and code > 0 else None
        r.enhanced_code = match.group(1).decode() if match else None
        r.error = f"{code} {server_words}" if r.reply_code and server_words else (server_words or error)
        if r.reply_code and error and not server_words:
            r.error = f"{code} ({error})"
        words = server_words or error
        if kind == "oauth" and server_words:  # the provider's JSON after 334, decoded, says more than the 535
            r.error = f"{r.error} ({error})"
            words = f"{server_words} {error}"
        from smtpgui.core.explanations import Failure, explain  # only a failure needs the table

        explanation = explain(
            Failure(stage.value, kind, r.reply_code, r.enhanced_code, words, self.c.host, self.c.port)
        )
        r.explanation, r.fix = explanation.cause, explanation.fix
        if kind not in ("certificate", "hostname"):
            self.transcript.error(f"{error}" if not server_words else f"{error}: {server_words}")
        self.transcript.error(f"{r.explanation} {r.fix}")


def as_bytes(value: bytes | str) -> bytes:
    """A reply as bytes, whatever smtplib handed over."""
    return value if isinstance(value, bytes) else str(value).encode()


def ssl_text(exc: ssl.SSLError) -> str:
    """A TLS error in words."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verification failed: {exc.verify_message}"
    reason = getattr(exc, "reason", None)
    return f"TLS handshake failed: {reason or exc}"
