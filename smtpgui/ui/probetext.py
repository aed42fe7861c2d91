"""What Detect settings found, in the words the window shows (no Qt here: plain strings).

Each port and security mode gets one line in human words ("Port 587, STARTTLS: works, but the
certificate is NOT trusted"); the recommendation comes first and says when its certificate is
not trusted. Server words (errors) are kept as they are: the window shows them as plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smtpgui.core.model import Security

if TYPE_CHECKING:
    from smtpgui.transport.probe import ProbeOutcome, ProbeReport

SECURITY_WORDS = {
    Security.TLS: "SSL/TLS",
    Security.STARTTLS: "STARTTLS",
    Security.NONE: "no encryption",
}


def security_words(security: Security | str) -> str:
    return SECURITY_WORDS[Security(security)]


def _error(text: str | None) -> str:
    # One sentence, without a trailing full stop or wrapping parentheses of its own.
    words = " ".join((text or "no answer").split()).rstrip(".")
    if words.startswith("(") and words.endswith(")"):
        words = words[1:-1]
    return words


def outcome_line(outcome: ProbeOutcome) -> str:
    """``Port 465, SSL/TLS: works, certificate trusted`` and the like."""
    head = f"Port {outcome.port}, {security_words(outcome.security)}"
    result = outcome.result
    if not result.ok:
        return f"{head}: does not work: {_error(result.error)}"
    if outcome.security is Security.NONE:
        return f"{head}: works, but unencrypted: mail and passwords can be read on the way"
    if outcome.trusted:
        return f"{head}: works, certificate trusted"
    return f"{head}: works, but the certificate is NOT trusted"


def recommendation_line(best: dict[str, Any]) -> str:
    mechanism = best.get("mechanism") or "automatic"
    text = f"Recommended: port {best['port']} with {security_words(best['security'])}, sign-in mechanism {mechanism}."
    if best.get("certificate_trusted") is False:
        text += (
            " Its certificate is not trusted: smtpgui will refuse it until you trust (pin) it after checking"
            " its fingerprint, or give the CA file that signed it."
        )
    elif Security(best["security"]) is Security.NONE:
        text += " Nothing encrypted works: mail and passwords would be readable on the way."
    return text


def probe_summary(report: ProbeReport) -> tuple[str, dict[str, Any] | None]:
    """The text for the user and the recommendation (None when nothing worked)."""
    lines = [outcome_line(o) for o in report.outcomes]
    best = report.recommended()
    if best is None:
        return "No port and security mode worked:\n" + "\n".join(lines), None
    return recommendation_line(best) + "\n\n" + "\n".join(lines), best
