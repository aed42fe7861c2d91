"""Which ports go with which security mode, and a warning when the two do not fit."""

from __future__ import annotations

from smtpgui.core.model import DEFAULT_PORTS, Security

SECURITY_NAMES = {Security.NONE: "no encryption", Security.STARTTLS: "STARTTLS", Security.TLS: "SSL/TLS"}
# Ports whose usual mode is known: implicit TLS on 465, a plain start (STARTTLS or none) on 25 and 587.
_PLAIN_START = {25, 587, 2525}
_IMPLICIT_TLS = {465}


def port_mismatch(port: int, security: Security) -> str | None:
    """A sentence when ``port`` is one whose usual mode differs from ``security``; None when it fits.

    A warning, never an error: servers on other or unusual ports exist and are left alone.
    """
    if security is Security.TLS and port in _PLAIN_START:
        usual = DEFAULT_PORTS[Security.TLS]
        return f"Port {port} usually starts unencrypted (STARTTLS); SSL/TLS usually uses port {usual}."
    if security is not Security.TLS and port in _IMPLICIT_TLS:
        usual = DEFAULT_PORTS[security]
        mode = SECURITY_NAMES[security]
        return f"Port {port} usually expects SSL/TLS from the first byte; {mode} usually uses port {usual}."
    return None
