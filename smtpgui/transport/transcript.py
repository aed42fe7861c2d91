"""A session transcript in swaks' notation, with secrets scrubbed before a line is kept.

``===`` information, ``***`` errors, ``->``/``<-`` plaintext sent/received, ``~>``/``<~``
inside TLS. Secret values (and their base64 forms) are also scrubbed from every line as a
second line of defence: the engine already hides AUTH payloads where it produces them.
Every line is then made ``printable`` (core/display.py): a server's control characters are
shown escaped, and only real line ends (CR/LF) start a new transcript line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence

from smtpgui.core.display import printable, printable_lines
from smtpgui.core.redact import REDACTED, Scrubber

MAX_LINES = 5000
_REPLY_CODE = re.compile(r"\d{3}[ -]?")
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
        self._versions: list[int] = []  # the scrubber's version each line was scrubbed at
        self._lock = threading.Lock()
        self._listener = listener
        self.scrub = scrubber if scrubber is not None else Scrubber()
        # Set by the session during the proxy and auth stages: secrets too short to hide everywhere
        # are hidden too (as whole words), since there a peer's echo is likely (core/redact.py).
        self.near_sign_in = False
        for secret in secrets:
            self.scrub.add(secret)

    def add_secret(self, secret: str, *, session_only: bool = False) -> None:
        self.scrub.add(secret, session_only=session_only)

    def _add(self, prefix: str, text: str) -> None:
        version = self.scrub.version  # read first: a secret added meanwhile scrubs the line again
        safe = self.scrub.near_sign_in(text) if self.near_sign_in else self.scrub(text)
        for part in printable_lines(safe):
            line = f"{prefix} {part}" if part else prefix
            with self._lock:
                if len(self._lines) >= MAX_LINES:
                    return
                self._lines.append(line)
                self._versions.append(version)
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

    def received_reply(self, lines: Sequence[str], tls: bool) -> None:
        """The lines of one SMTP reply, scrubbed together (their text after the code, joined).

        A server may wrap a secret's base64 over several ``535-`` lines, or cut a password in
        two: each line holding a piece of it shows ``[hidden]`` for that piece.
        """
        codes = [m.group(0) if (m := _REPLY_CODE.match(line)) else "" for line in lines]
        texts = [line[len(code) :] for code, line in zip(codes, lines, strict=True)]
        texts = self.scrub.lines(texts, self.near_sign_in)
        for code, text in zip(codes, texts, strict=True):
            self.received(code + text, tls)

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def safe_lines(self) -> list[str]:
        """The lines with every secret known now hidden: a line recorded before a secret became
        known (a token fetched mid-session, say) is scrubbed again; the others already were."""
        current = self.scrub.version
        with self._lock:
            recorded = list(zip(self._lines, self._versions, strict=True))
        return [line if version == current else printable(self.scrub(line)) for line, version in recorded]
