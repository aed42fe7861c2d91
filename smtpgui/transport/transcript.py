"""A session transcript in swaks' notation, with secrets scrubbed before a line is kept.

``===`` information, ``***`` errors, ``->``/``<-`` plaintext sent/received, ``~>``/``<~``
inside TLS. Secret values (and their base64 forms) are also scrubbed from every line as a
second line of defence: the engine already hides AUTH payloads where it produces them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from smtpgui.core.redact import REDACTED, secret_variants

MAX_LINES = 5000
__all__ = ["MAX_LINES", "REDACTED", "Transcript"]


class Transcript:
    """Collects lines; ``listener`` (if any) sees each line as it is added, from any thread."""

    def __init__(self, secrets: Iterable[str] = (), listener: Callable[[str], None] | None = None) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._listener = listener
        self._scrub: list[str] = sorted({v for s in secrets if s for v in secret_variants(s)}, key=len, reverse=True)

    def add_secret(self, secret: str) -> None:
        if secret:
            self._scrub = sorted(set(self._scrub) | secret_variants(secret), key=len, reverse=True)

    def _add(self, prefix: str, text: str) -> None:
        for part in text.splitlines() or [""]:
            line = f"{prefix} {part}" if part else prefix
            for secret in self._scrub:
                if secret in line:
                    line = line.replace(secret, REDACTED)
            with self._lock:
                if len(self._lines) >= MAX_LINES:
                    return
                self._lines.append(line)
            if self._listener is not None:
                self._listener(line)

    def info(self, text: str) -> None:
        self._add("===", text)

    def error(self, text: str) -> None:
        self._add("***", text)

    def sent(self, text: str, tls: bool) -> None:
        self._add("~>" if tls else "->", text)

    def received(self, text: str, tls: bool) -> None:
        self._add("<~" if tls else "<-", text)

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)
