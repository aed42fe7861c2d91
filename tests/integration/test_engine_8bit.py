"""8-bit bodies and the envelope on the wire (issue 17, items 4 and 5).

A server that does not offer 8BITMIME gets a 7-bit-clean message (quoted-printable); one that
offers it gets ``BODY=8BITMIME`` on MAIL FROM (RFC 6152). MAIL FROM and RCPT TO carry only the
address, never a display name.
"""

from __future__ import annotations

import email.policy
import socket
import threading
from email.parser import BytesParser

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Security
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from tests.integration.conftest import connection_for
from tests.support.servers import ScriptedServer, read_line, smtp_server

BODY = "Grüße aus Köln – naïve café"


class _SevenBitServer:
    """An SMTP server that offers no 8BITMIME and records the commands and the DATA it got."""

    def __init__(self) -> None:
        self.commands: list[bytes] = []
        self.data = b""
        self.done = threading.Event()

    def __call__(self, conn: socket.socket) -> None:
        conn.sendall(b"220 seven.example ESMTP\r\n")
        while True:
            line = read_line(conn)
            if not line:
                return
            self.commands.append(line.rstrip(b"\r\n"))
            verb = line[:4].upper()
            if verb == b"EHLO":
                conn.sendall(b"250-seven.example\r\n250 SIZE 1000000\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.data = data
                conn.sendall(b"250 queued\r\n")
                self.done.set()
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")


def _plain(port: int, **changes: object):  # type: ignore[no-untyped-def]
    return connection_for(port, None, Security.NONE, auth_mode=AuthMode.NONE, **changes)


def test_a_server_without_8bitmime_gets_a_seven_bit_message() -> None:
    script = _SevenBitServer()
    with ScriptedServer(script) as server:
        conn = _plain(server.port, from_name="Support – Acme <ceo@bank.example>")
        message = build_test_message(conn, TestRequest(to=("rcpt@example.com",), body=BODY))
        result = SessionEngine().run(conn, SessionSecrets(), message)
        assert result.ok, result.error
    assert script.data.isascii(), "8-bit bytes sent to a server that did not offer 8BITMIME"
    mail = next(c for c in script.commands if c.upper().startswith(b"MAIL FROM"))
    assert b"8BITMIME" not in mail.upper()
    assert mail.startswith(b"MAIL FROM:<sender@example.com>")
    assert [c for c in script.commands if c.upper().startswith(b"RCPT")] == [b"RCPT TO:<rcpt@example.com>"]
    parsed = BytesParser(policy=email.policy.default).parsebytes(script.data[: -len(b".\r\n")])
    assert parsed["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert BODY in parsed.get_content()  # type: ignore[attr-defined]
    assert [(a.display_name, a.addr_spec) for a in parsed["From"].addresses] == [
        ("Support – Acme <ceo@bank.example>", "sender@example.com")
    ]


@pytest.mark.parametrize("body", [BODY, "plain ascii"])
def test_a_server_with_8bitmime_gets_body_8bitmime_only_when_needed(body: str) -> None:
    with smtp_server("plain", auth=False) as server:
        conn = _plain(server.port)
        result = SessionEngine().run(
            conn, SessionSecrets(), build_test_message(conn, TestRequest(("r@example.com",), body=body))
        )
        assert result.ok, result.error
        received = server.handler.messages[0]
    assert ("BODY=8BITMIME" in received.mail_options) == (not body.isascii())
    assert received.mail_from == "sender@example.com"
    assert received.rcpt_tos == ["r@example.com"]
