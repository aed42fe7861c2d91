"""smtplib, with a transcript, bounded replies and hidden secrets.

``SmtpClient`` keeps smtplib's EHLO parsing, MAIL/RCPT/DATA and dot-stuffing, but sends and
reads through methods that write every line to the transcript (a secret line is written in
the form the caller chose to show) and refuse replies that would never end.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import time

from smtpgui.core.redact import remember
from smtpgui.transport.transcript import Transcript

MAX_LINE = 8192  # as smtplib
MAX_REPLY_LINES = 500
MESSAGE_LINES_SHOWN = 100


class SmtpClient(smtplib.SMTP):
    """One SMTP conversation on a socket the engine connected (and maybe wrapped in TLS)."""

    def __init__(self, transcript: Transcript, local_hostname: str, timeout: float) -> None:
        super().__init__(local_hostname=local_hostname, timeout=timeout)
        self.transcript = transcript
        self.in_tls = False
        self._shown: str | None = None
        self._buffer = b""
        self._reply_lines: list[str] = []  # the lines of the reply being read, shown once it is complete
        self.ehlo_msg = "EHLO"

    def putcmd(self, cmd: str, args: str = "") -> None:
        """Commands in upper case, as servers' logs and RFC 5321's examples write them."""
        super().putcmd(cmd.upper(), args)

    def attach(self, sock: socket.socket, host: str, in_tls: bool) -> None:
        """Talk over ``sock`` from now on (after connecting, or after STARTTLS)."""
        self.sock = sock
        self.file = None
        self._buffer = b""  # nothing read before STARTTLS may count as said inside TLS
        self._host = host
        self.in_tls = in_tls

    def hide(self, *values: str) -> None:
        """Hide these values (AUTH payloads in every form) in the transcript, the result and the log."""
        for value in values:
            self.transcript.add_secret(value)
            remember(value)

    def hide_in_session(self, *values: str) -> None:
        """Hide values that exist in this session only (a CRAM-MD5 response to this server's
        challenge) in every form a server may echo them in (hex, base64, …), in this session's
        text. Not kept process-wide: a new value each session would grow what every later log
        line is searched for, without end."""
        for value in values:
            self.transcript.add_secret(value, session_only=True)

    def command(self, line: str, shown: str | None = None) -> tuple[int, bytes]:
        """Send one command line and read the reply; ``shown`` replaces it in the transcript."""
        self._shown = shown
        try:
            self.send(line + "\r\n")
        finally:
            self._shown = None
        return self.getreply()

    def send(self, s: str | bytes) -> None:  # type: ignore[override]
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        if self._shown is not None:
            self.transcript.sent(self._shown, self.in_tls)
        else:
            self._log_sent(data)
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        self.sock.sendall(data)

    def _log_sent(self, data: bytes) -> None:
        lines = data.decode("utf-8", "replace").split("\r\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines[:MESSAGE_LINES_SHOWN]:
            self.transcript.sent(line, self.in_tls)
        if len(lines) > MESSAGE_LINES_SHOWN:
            self.transcript.info(f"({len(lines) - MESSAGE_LINES_SHOWN} more lines of the message not shown)")

    def getreply(self) -> tuple[int, bytes]:
        """Read one (multi-line) reply; bounded in line length, number of lines and time.

        A line counts only once it has ended (CRLF, or at least LF): a server that closes in the
        middle of a line said nothing, and one that never ends its line runs out of time.
        """
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        end = time.monotonic() + self.timeout
        lines: list[bytes] = []
        try:
            while True:
                line = self._readline(end)
                self._reply_lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                lines.append(line[4:].strip(b" \t\r\n"))
                try:
                    code = int(line[:3])
                except ValueError:
                    return -1, line.strip()
                if line[3:4] != b"-":
                    break
                if len(lines) >= MAX_REPLY_LINES:
                    raise smtplib.SMTPResponseException(-1, b"more than 500 reply lines")
        finally:
            self._show_reply()
            with contextlib.suppress(OSError):
                self.sock.settimeout(self.timeout)
        message = b"\n".join(lines)
        if not 200 <= code <= 599:
            return -1, message
        return code, message

    def _show_reply(self) -> None:
        """The reply's lines so far to the transcript, together: a secret split over them is hidden."""
        if self._reply_lines:
            lines, self._reply_lines = self._reply_lines, []
            self.transcript.received_reply(lines, self.in_tls)

    def _readline(self, end: float) -> bytes:
        """One line ending in LF, read before ``end`` (monotonic); what follows stays buffered."""
        assert self.sock is not None
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_LINE:
                self._show_reply()
                self.transcript.received(self._buffer[:200].decode("utf-8", "replace") + "...", self.in_tls)
                raise smtplib.SMTPResponseException(-1, b"reply line longer than 8192 bytes")
            remaining = end - time.monotonic()
            if remaining <= 0:
                self._show_partial("no line end")
                raise TimeoutError(f"no complete reply line within {self.timeout:g} seconds")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(MAX_LINE + 1)
            except TimeoutError:
                self._show_partial("no line end")
                raise TimeoutError(f"no complete reply line within {self.timeout:g} seconds") from None
            if not chunk:
                if self._buffer:
                    self._show_partial("the server closed the connection before the line end")
                    raise smtplib.SMTPServerDisconnected(
                        "the server closed the connection in the middle of a reply (no line end); it does not count"
                    )
                raise smtplib.SMTPServerDisconnected("the server closed the connection")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if len(line) > MAX_LINE:
            raise smtplib.SMTPResponseException(-1, b"reply line longer than 8192 bytes")
        return line + b"\n"

    def _show_partial(self, why: str) -> None:
        self._show_reply()
        if self._buffer:
            text = self._buffer[:200].decode("utf-8", "replace")
            self.transcript.received(f"{text} [{why}]", self.in_tls)
            self._buffer = b""

    def close(self) -> None:
        with contextlib.suppress(OSError):
            super().close()
