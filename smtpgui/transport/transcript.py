"""A session transcript in swaks' notation, with secrets scrubbed before a line is kept.

``===`` information, ``***`` errors, ``->``/``<-`` plaintext sent/received, ``~>``/``<~``
inside TLS. Secret values (and their base64 forms) are also scrubbed from every line as a
second line of defence: the engine already hides AUTH payloads where it produces them.
Every line is then made ``printable`` (core/display.py): a server's control characters are
shown escaped, and only real line ends (CR/LF) start a new transcript line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from smtpgui.core.display import printable_lines
from smtpgui.core.redact import REDACTED, Scrubber

MAX_LINES = 5000
__all__ = ["MAX_LINES", "REDACTED", "Transcript"]


class Transcript:
    """Collects lines; ``listener`` (if any) sees each line as it is added, from any thread."""

    def __init__(
        self,
        secrets: Iterable[str] = (),
        listener: Callable[[str], None] | None = None,
        scrubber: Scrubber | None = None,
    ) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._listener = listener
        self.scrub = scrubber if scrubber is not None else Scrubber()
        for secret in secrets:
            self.scrub.add(secret)

    def add_secret(self, secret: str) -> None:
        self.scrub.add(secret)

    def _add(self, prefix: str, text: str) -> None:
        for part in printable_lines(self.scrub(text)):
            line = f"{prefix} {part}" if part else prefix
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
