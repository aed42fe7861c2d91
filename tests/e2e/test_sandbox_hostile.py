"""`smtpgui sandbox` and `smtpgui inbox` against hostile clients and hostile input (issue 19, attack):
what a client sends never acts on the sandbox's terminal, and odd ids get a sentence."""

from __future__ import annotations

import socket
from typing import BinaryIO

import pytest

from tests.conftest import CliRunner
from tests.e2e.conftest import Sandbox

pytestmark = pytest.mark.integration


def _reply(reader: BinaryIO) -> bytes:
    lines = [reader.readline()]
    while lines[-1][3:4] == b"-":
        lines.append(reader.readline())
    return b"".join(lines)


def _talk(port: int, *lines: bytes) -> list[bytes]:
    """Send each line and read its (whole) reply."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        reader = sock.makefile("rb")
        _reply(reader)
        for line in lines:
            sock.sendall(line + b"\r\n")
            replies.append(_reply(reader))
    return replies


def test_a_hostile_command_never_reaches_the_terminal_raw(running: Sandbox) -> None:
    """aiosmtpd logs an unknown command as it came ("unrecognised: …"): escapes must not reach stderr raw."""
    hostile = b"\x1b]0;PWNED\x07\x1b[2J\x1b[31mEVIL"
    replies = _talk(running.port, b"EHLO client", hostile, b"QUIT")
    assert replies[1].startswith(b"500")
    code, out, err = running.stop()
    assert code == 130, err
    for raw in ("\x1b", "\x07"):
        assert raw not in out + err, repr(err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99999999999999999999999"),
        ("show", "-99999999999999999999999", "--json"),
        ("show", "9223372036854775808", "--raw"),
        ("delete", "1", "99999999999999999999999"),
    ],
)
def test_an_id_beyond_any_message_gets_a_sentence(seeded: CliRunner, args: tuple[str, ...]) -> None:
    """SQLite's integers end at 2**63 - 1: a larger id raised OverflowError ("a bug, please report it")."""
    result = seeded("inbox", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("smtpgui: There ") and "in the inbox" in result.stderr
    assert "bug" not in result.stderr and "Traceback" not in result.stderr


def test_a_client_that_fails_its_starttls_handshake_prints_no_traceback(running: Sandbox) -> None:
    """A client that says STARTTLS and then sends no TLS (or hangs up) is ordinary on a test server:
    aiosmtpd and asyncio logged it as a session exception with two tracebacks on the terminal."""
    for garbage in (b"", b"this is not a TLS ClientHello\r\n"):
        with socket.create_connection(("127.0.0.1", running.port), timeout=30) as sock:
            reader = sock.makefile("rb")
            _reply(reader)
            for line in (b"EHLO client", b"STARTTLS"):
                sock.sendall(line + b"\r\n")
                _reply(reader)
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            reader.read()  # until the server hangs up
    assert _talk(running.port, b"EHLO after", b"QUIT")[0].startswith(b"250")  # it still serves
    code, _out, err = running.stop()
    assert code == 130, err
    assert "Traceback" not in err and "Error" not in err, err


def test_an_empty_password_variable_is_refused(seeded: CliRunner) -> None:
    """`--password-env P` with P set to nothing (an `export P=` gone wrong) made AUTH accept the user
    with an empty password: the sandbox was "protected" by nothing."""
    seeded.extra_env["SANDBOX_PASSWORD"] = ""
    r = seeded("sandbox", "--port", "0", "--user", "sam", "--password-env", "SANDBOX_PASSWORD")
    assert r.returncode == 2, r.stderr
    assert "SANDBOX_PASSWORD" in r.stderr and "empty" in r.stderr and "Traceback" not in r.stderr
