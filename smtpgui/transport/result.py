"""What a session found out: stage reached, timings, TLS and certificate, server words, advice."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from smtpgui.core.display import printable


class Stage(str, enum.Enum):
    """The stages of a session, in the order they happen."""

    RESOLVE = "resolve"
    PROXY = "proxy"
    CONNECT = "connect"
    TLS = "tls"
    GREETING = "greeting"
    EHLO = "ehlo"
    STARTTLS = "starttls"
    AUTH = "auth"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"
    QUIT = "quit"


# Where a peer is handed credentials, and may echo them: short secrets are hidden here too (core/redact.py).
SIGN_IN_STAGES = frozenset({Stage.PROXY, Stage.AUTH})

# CLI.md exit codes
EXIT_CONNECT, EXIT_TLS, EXIT_GREETING, EXIT_AUTH, EXIT_MESSAGE, EXIT_TIMEOUT = 10, 11, 12, 13, 14, 15
EXIT_CANCELLED = 130
_STAGE_EXIT = {
    Stage.RESOLVE: EXIT_CONNECT,
    Stage.PROXY: EXIT_CONNECT,
    Stage.CONNECT: EXIT_CONNECT,
    Stage.TLS: EXIT_TLS,
    Stage.STARTTLS: EXIT_TLS,
    Stage.GREETING: EXIT_GREETING,
    Stage.EHLO: EXIT_GREETING,
    Stage.AUTH: EXIT_AUTH,
    Stage.MAIL: EXIT_MESSAGE,
    Stage.RCPT: EXIT_MESSAGE,
    Stage.DATA: EXIT_MESSAGE,
    Stage.QUIT: EXIT_MESSAGE,
}
TLS_KINDS = {
    "mismatch-implicit",
    "mismatch-plain",
    "certificate",
    "hostname",
    "pin",
    "tls-version",
    "tls",
    "no-starttls",
    "client-cert",
    "client-cert-required",
    "client-cert-refused",
    "starttls-refused",
}


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str


@dataclass(frozen=True)
class CertificateInfo:
    """The server's certificate as people compare it: names, dates and fingerprint."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    sha256: str
    names: tuple[str, ...] = ()
    trusted: bool | None = None  # None: not checked (verification off)


@dataclass
class TestResult:
    """The outcome of one session (a test send, a verify-only run, or one probe combination)."""

    __test__ = False  # not a pytest class

    ok: bool = False
    stage: Stage = Stage.RESOLVE
    failure_kind: str | None = None
    reply_code: int | None = None
    enhanced_code: str | None = None
    error: str | None = None
    explanation: str | None = None
    fix: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    tls: TlsInfo | None = None
    certificate: CertificateInfo | None = None
    capabilities: list[str] = field(default_factory=list)
    capabilities_before_tls: list[str] = field(default_factory=list)
    auth_mechanisms: list[str] = field(default_factory=list)
    auth_mechanism: str | None = None
    size_limit: int | None = None
    smtputf8: bool = False
    refused_recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    message_id: str | None = None
    transcript: list[str] = field(default_factory=list)
    cancelled: bool = False
    timed_out: bool = False
    warnings: list[str] = field(default_factory=list)
    warnings_for_probe: list[str] = field(default_factory=list)
    greeting: str | None = None  # the first line of the server's greeting, after the code

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        if self.cancelled:
            return EXIT_CANCELLED
        if self.timed_out:
            return EXIT_TIMEOUT
        if self.failure_kind in TLS_KINDS:
            return EXIT_TLS
        return _STAGE_EXIT[self.stage]

    @property
    def temporary(self) -> bool:
        """A 4xx reply: the server deferred, and the same attempt may work later (RFC 5321 4.2.1)."""
        return self.reply_code is not None and 400 <= self.reply_code < 500

    def make_safe(
        self,
        scrub: Callable[[str], str],
        near_sign_in: Callable[[str], str] | None = None,
        *,
        transcript_safe: bool = False,
    ) -> None:
        """Hide the session's secrets in, and escape the control characters of, every text from outside.

        Called once where a result is finished, so every output (the CLI's lines, ``--json``, the
        window, the log) shows the same safe form: a server that echoes a password or sends
        terminal escapes reaches no one. ``near_sign_in`` (the scrubber's stricter form, which
        also hides secrets too short to hide everywhere) is used for the error and its
        explanation when the session stopped at the proxy or at the sign-in.
        """

        def safe(text: str | None, hide: Callable[[str], str] = scrub) -> str | None:
            return None if text is None else printable(hide(text))

        strict = near_sign_in if near_sign_in is not None and self.stage in SIGN_IN_STAGES else scrub
        self.error = safe(self.error, strict)
        self.explanation = safe(self.explanation, strict)
        self.fix = safe(self.fix)
        self.warnings = [printable(scrub(w)) for w in self.warnings]
        self.warnings_for_probe = [printable(scrub(w)) for w in self.warnings_for_probe]
        self.capabilities = [printable(scrub(c)) for c in self.capabilities]
        self.capabilities_before_tls = [printable(scrub(c)) for c in self.capabilities_before_tls]
        self.auth_mechanisms = [printable(m) for m in self.auth_mechanisms]
        self.refused_recipients = {
            printable(address): {**reply, "error": printable(scrub(str(reply.get("error", ""))))}
            for address, reply in self.refused_recipients.items()
        }
        if self.message_id is not None:
            self.message_id = printable(self.message_id)
        if self.greeting is not None:
            self.greeting = printable(scrub(self.greeting))
        if self.tls is not None:
            self.tls = TlsInfo(printable(self.tls.version), printable(self.tls.cipher))
        if self.certificate is not None:
            cert = self.certificate
            self.certificate = replace(
                cert,
                subject=printable(cert.subject),
                issuer=printable(cert.issuer),
                names=tuple(printable(n) for n in cert.names),
            )
        if not transcript_safe:  # a session's own transcript comes scrubbed (Transcript.safe_lines)
            self.transcript = [printable(scrub(line)) for line in self.transcript]

    def to_json(self, with_transcript: bool = False) -> dict[str, Any]:
        """The keys of CLI.md's ``test --json`` (plus a few extra ones, listed in the changelog)."""
        data: dict[str, Any] = {
            "ok": self.ok,
            "stage": self.stage.value,
            "reply_code": self.reply_code,
            "enhanced_code": self.enhanced_code,
            "error": self.error,
            "explanation": self.explanation,
            "fix": self.fix,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "tls": asdict(self.tls) if self.tls else None,
            "certificate": _certificate_json(self.certificate),
            "capabilities": list(self.capabilities),
            "auth_mechanism": self.auth_mechanism,
            "refused_recipients": dict(self.refused_recipients),
            "message_id": self.message_id,
            "failure_kind": self.failure_kind,
            "cancelled": self.cancelled,
            "timed_out": self.timed_out,
            "warnings": list(self.warnings),
            "temporary": self.temporary,
        }
        if with_transcript:
            data["transcript"] = list(self.transcript)
        return data


def _certificate_json(cert: CertificateInfo | None) -> dict[str, Any] | None:
    if cert is None:
        return None
    data = asdict(cert)
    data["names"] = list(cert.names)
    return data
