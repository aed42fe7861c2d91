"""Detect settings: try each port and security mode in parallel and say what the server supports.

With ``own_first`` (a stored connection's Detect settings, ``probe --connection``) the
connection's own port and security come first, and every other port is compared with it: a
port that greets with another host name and shows another certificate is another server, and
is never recommended without saying so. A combination whose certificate is not trusted is
reachable, but never "ok".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.transport.auth import PASSWORD_PREFERENCE
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import Stage, TestResult

STANDARD_COMBINATIONS: tuple[tuple[int, Security], ...] = (
    (465, Security.TLS),
    (587, Security.STARTTLS),
    (25, Security.STARTTLS),
    (25, Security.NONE),
)
_ORDER = list(Stage)


@dataclass
class ProbeOutcome:
    """What one port/mode combination showed."""

    port: int
    security: Security
    result: TestResult
    own: bool = False  # the connection's own port and security
    same_server: bool | None = None  # compared with the own port's greeting and certificate; None: unknown

    @property
    def reachable(self) -> bool:
        """The session got through (possibly only with the certificate unchecked)."""
        return self.result.ok

    @property
    def ok(self) -> bool:
        """Works as a connection would use it: reachable, and its certificate trusted where there is TLS."""
        return self.result.ok and (self.security is Security.NONE or self.trusted)

    @property
    def greeting_host(self) -> str | None:
        return greeting_host(self.result.greeting)

    @property
    def identity(self) -> str:
        """How this port presents itself, for notes: its greeting's host name, else its certificate."""
        if self.greeting_host:
            return self.greeting_host
        cert = self.result.certificate
        return cert.subject if cert is not None else "an unknown server"

    @property
    def trusted(self) -> bool:
        cert = self.result.certificate
        return cert is not None and cert.trusted is True

    def to_json(self) -> dict[str, Any]:
        r = self.result
        cert = asdict(r.certificate) if r.certificate else None
        if cert is not None:
            cert["names"] = list(r.certificate.names) if r.certificate else []
        return {
            "port": self.port,
            "security": self.security.value,
            "ok": self.ok,
            "reachable": self.reachable,
            "certificate_trusted": None if self.security is Security.NONE or not r.certificate else self.trusted,
            "own": self.own,
            "same_server": self.same_server,
            "greeting": r.greeting,
            "error": None
            if r.ok and not r.warnings_for_probe
            else (r.error or "; ".join(r.warnings_for_probe) or None),
            "explanation": r.explanation,
            "tls": asdict(r.tls) if r.tls else None,
            "certificate": cert,
            "capabilities_before_tls": r.capabilities_before_tls,
            "capabilities": r.capabilities,
            "auth_mechanisms": r.auth_mechanisms,
            "size_limit": r.size_limit,
            "smtputf8": r.smtputf8,
            "timings_ms": {k: round(v, 1) for k, v in r.timings_ms.items()},
        }


@dataclass
class ProbeReport:
    host: str
    outcomes: list[ProbeOutcome]

    def recommended(self) -> dict[str, Any] | None:
        """The connection's own setting when it works; else encrypted and trusted first, plain text last.

        Another server (``same_server`` False) comes after every port of the same server, and the
        recommendation then says so in ``note``; so does an untrusted certificate.
        """

        def rank(o: ProbeOutcome) -> tuple[int, int, int, int, int]:
            order = list(STANDARD_COMBINATIONS)
            position = order.index((o.port, o.security)) if (o.port, o.security) in order else 10
            return (
                0 if o.own and o.ok else 1,
                1 if o.same_server is False else 0,
                0 if o.security is not Security.NONE else 1,
                0 if o.ok else 1,
                position,
            )

        usable = sorted((o for o in self.outcomes if o.reachable), key=rank)
        if not usable:
            return None
        best = usable[0]
        offered = set(best.result.auth_mechanisms)
        mechanism = next((m.value for m in PASSWORD_PREFERENCE if m.value.upper() in offered), None)
        notes = []
        own = next((o for o in self.outcomes if o.own), None)
        if best.same_server is False and own is not None:
            notes.append(
                f"port {best.port} answers as another server ({best.identity}), not as the connection's own "
                f"port {own.port} ({own.identity})"
            )
        elif own is not None and best is not own and best.same_server is None:
            notes.append(
                f"could not check that port {best.port} is the same server as the connection's port {own.port}"
            )
        if best.security is not Security.NONE and not best.trusted:
            notes.append("its certificate is not trusted")
        return {
            "port": best.port,
            "security": best.security.value,
            "mechanism": mechanism,
            "certificate_trusted": best.trusted if best.security is not Security.NONE else None,
            "same_server": best.same_server,
            "note": "; ".join(notes) or None,
        }

    @property
    def exit_code(self) -> int:
        if any(o.ok for o in self.outcomes):
            return 0
        furthest = max(self.outcomes, key=lambda o: _ORDER.index(o.result.stage))
        return furthest.result.exit_code

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "results": [o.to_json() for o in self.outcomes], "recommended": self.recommended()}


def combinations_for(port: int | None) -> list[tuple[int, Security]]:
    if port is None:
        return list(STANDARD_COMBINATIONS)
    return [(port, Security.TLS), (port, Security.STARTTLS), (port, Security.NONE)]


def greeting_host(greeting: str | None) -> str | None:
    """The host name a greeting announces (its first word, when it looks like a name), lower case."""
    if not greeting:
        return None
    first = greeting.split()[0] if greeting.split() else ""
    if re.fullmatch(r"\d\.\d{1,3}\.\d{1,3}", first) or not re.fullmatch(r"[\w.-]+\.[\w.-]+|\[[^\]]+\]", first):
        return None
    return first.lower().rstrip(".")


def _same_server(own: ProbeOutcome, other: ProbeOutcome) -> bool | None:
    """Whether ``other`` presents itself as the same server as ``own``; None when it cannot be told."""
    a, b = own.greeting_host, other.greeting_host
    cert_a, cert_b = own.result.certificate, other.result.certificate
    certs_match = None
    if cert_a is not None and cert_b is not None:
        certs_match = cert_a.sha256 == cert_b.sha256 or bool(set(cert_a.names) & set(cert_b.names))
    if a and b:
        return a == b or certs_match is True
    return certs_match


def probe(
    base: Connection,
    port: int | None = None,
    secrets: SessionSecrets | None = None,
    token: CancelToken | None = None,
    engine: SessionEngine | None = None,
    *,
    combinations: Sequence[tuple[int, Security]] | None = None,
    own_first: bool = False,
) -> ProbeReport:
    """Try every combination in parallel (no sign-in, no message) and report each.

    ``combinations`` (port, security) replaces the standard ones (or those for ``port``). With
    ``own_first`` the connection's own port and security are tried too, listed first, and every
    other combination is compared with them.
    """
    engine = engine or SessionEngine()
    token = token or CancelToken()
    secrets = SessionSecrets(proxy_password=(secrets or SessionSecrets()).proxy_password)

    def one(combination: tuple[int, Security]) -> ProbeOutcome:
        port_, security = combination
        conn = base.replace(port=port_, security=security, auth_mode=AuthMode.NONE, verify=True)
        result = engine.run(conn, secrets, None, token=token)
        if not result.ok and result.failure_kind in ("certificate", "hostname"):
            # Not trusted, but still worth knowing what the server offers behind it.
            untrusted = engine.run(conn.replace(verify=False), secrets, None, token=token)
            if untrusted.ok:
                untrusted.certificate = result.certificate or untrusted.certificate
                untrusted.warnings_for_probe.append(f"certificate not trusted: {result.error}")
                result = untrusted
        return ProbeOutcome(port_, security, result)

    combos = list(combinations) if combinations is not None else combinations_for(port)
    own_combo = (base.port, base.security)
    if own_first:
        combos = [own_combo, *(c for c in combos if c != own_combo)]
    with ThreadPoolExecutor(max_workers=max(1, len(combos)), thread_name_prefix="smtpgui-probe") as pool:
        try:
            outcomes = list(pool.map(one, combos))
        except KeyboardInterrupt:
            # Ctrl-C: stop every running session now, so leaving the pool does not wait for
            # each one's timeout; the command then reports the interrupt (exit 130).
            token.cancel()
            raise
    if own_first:
        own = outcomes[0]
        own.own = True
        own.same_server = True
        for outcome in outcomes[1:]:
            outcome.same_server = _same_server(own, outcome)
    return ProbeReport(base.host, outcomes)
