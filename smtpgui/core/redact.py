"""Hiding secrets in text: a secret, its base64 forms, and a process-wide list for the log.

Transcripts scrub the secrets of their own session. The log scrubs every secret this process has
read or written (``remember`` is called by the secret store and by whoever takes a secret from
the environment), as a second line of defence behind "never log a secret".
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable

REDACTED = "[hidden]"
_MIN_LENGTH = 4  # shorter strings would hide ordinary words, and are no secret worth the name


def proxy_basic_forms(user: str, password: str | None) -> list[str]:
    """What an HTTP proxy's ``Proxy-Authorization: Basic`` carries, raw and encoded."""
    if not password:
        return []
    raw = f"{user}:{password}"
    return [raw, base64.b64encode(raw.encode("utf-8")).decode("ascii")]


def secret_variants(secret: str) -> set[str]:
    """The secret and the stable part of its base64 form at each of the three byte alignments.

    A secret inside a longer base64 payload (AUTH PLAIN's ``\\0user\\0password``) encodes
    differently depending on where it starts; the middle of each alignment's encoding is the
    same wherever the secret stands, so scrubbing those catches it in any payload.
    """
    raw = secret.encode("utf-8")
    found = {secret, base64.b64encode(raw).decode("ascii")}
    for offset in (0, 1, 2):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        found.add(encoded[4 if offset else 0 : -4])
    return {v for v in found if len(v) >= _MIN_LENGTH}


class Scrubber:
    """Replaces known secrets (and their base64 forms) in text; safe to share between threads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._patterns: tuple[str, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret or secret in self._known:
            return
        with self._lock:
            self._known.add(secret)
            patterns = set(self._patterns) | secret_variants(secret)
            self._patterns = tuple(sorted(patterns, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for pattern in self._patterns:
            if pattern in text:
                text = text.replace(pattern, REDACTED)
        return text


_PROCESS = Scrubber()


def remember(secret: str | None) -> None:
    """Note a secret this process holds, so the log can never show it."""
    _PROCESS.add(secret)


def scrub(text: str) -> str:
    """``text`` with every remembered secret hidden."""
    return _PROCESS(text)
