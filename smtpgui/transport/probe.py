"""Detect settings: try each port and security mode in parallel and say what the server supports."""

from __future__ import annotations

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

    @property
    def ok(self) -> bool:
        return self.result.ok

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
            "ok": r.ok,
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
        """Encrypted and trusted first (465, then 587, then 25), plain text last."""

        def rank(o: ProbeOutcome) -> tuple[int, int, int]:
            order = list(STANDARD_COMBINATIONS)
            position = order.index((o.port, o.security)) if (o.port, o.security) in order else 10
            return (0 if o.security is not Security.NONE else 1, 0 if o.trusted else 1, position)

        usable = sorted((o for o in self.outcomes if o.ok), key=rank)
        if not usable:
            return None
        best = usable[0]
        offered = set(best.result.auth_mechanisms)
        mechanism = next((m.value for m in PASSWORD_PREFERENCE if m.value.upper() in offered), None)
        return {
            "port": best.port,
            "security": best.security.value,
            "mechanism": mechanism,
            "certificate_trusted": best.trusted if best.security is not Security.NONE else None,
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


def probe(
    base: Connection,
    port: int | None = None,
    secrets: SessionSecrets | None = None,
    token: CancelToken | None = None,
    engine: SessionEngine | None = None,
    *,
    combinations: Sequence[tuple[int, Security]] | None = None,
) -> ProbeReport:
    """Try every combination in parallel (no sign-in, no message) and report each.

    ``combinations`` (port, security) replaces the standard ones (or those for ``port``).
    """
    engine = engine or SessionEngine()
    token = token or CancelToken()
    secrets = SessionSecrets(proxy_password=(secrets or SessionSecrets()).proxy_password)

    def one(combination: tuple[int, Security]) -> ProbeOutcome:
        port_, security = combination
        conn = base.replace(port=port_, security=security, auth_mode=AuthMode.NONE, verify=True, pinned_sha256="")
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
    with ThreadPoolExecutor(max_workers=len(combos), thread_name_prefix="smtpgui-probe") as pool:
        outcomes = list(pool.map(one, combos))
    return ProbeReport(base.host, outcomes)
