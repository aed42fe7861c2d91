"""The sandbox server against hostile clients (issue 19, attack): bytes that are not UTF-8 in the
envelope, a client whose message is slow to read, and what one client may not cost the others."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from smtpgui.core.inboxmodel import Envelope
from smtpgui.services.sandbox import SandboxService

MESSAGE = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nFrom: ann@example.com\r\nTo: bob@example.org\r\n"
    b"Message-ID: <1@example.com>\r\nSubject: hello\r\n\r\nHello.\r\n"
)


def _reply(reader: BinaryIO) -> bytes:
    lines = [reader.readline()]
    while lines[-1][3:4] == b"-":
        lines.append(reader.readline())
    return b"".join(lines)


class Client:
    """A raw SMTP client: sends exactly the bytes it is given."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = self.sock.makefile("rb")
        self.greeting = _reply(self.reader)

    def __call__(self, line: bytes) -> bytes:
        self.sock.sendall(line + b"\r\n")
        return _reply(self.reader)

    def data(self, body: bytes) -> bytes:
        assert self(b"DATA").startswith(b"354")
        self.sock.sendall(body + b"\r\n.\r\n")
        return _reply(self.reader)

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def test_bytes_that_are_not_utf8_in_the_envelope_are_stored(sandbox: SandboxService) -> None:
    """aiosmtpd hands such bytes on as lone surrogates, which SQLite cannot store: the message got 451."""
    client = Client(int(sandbox.status().port or 0))
    try:
        assert client(b"EHLO host\xff\xfe").startswith(b"250")
        assert client(b"MAIL FROM:<ann\xff@example.com>").startswith(b"250")
        assert client(b"RCPT TO:<bob\xfe@example.org>").startswith(b"250")
        reply = client.data(b"Subject: no header From\r\n\r\nHello.")
    finally:
        client.close()
    assert reply.startswith(b"250"), reply
    (summary,) = sandbox.store().summaries()
    stored = sandbox.store().message(summary.id)
    assert stored is not None
    envelope = stored.envelope
    for text in (envelope.mail_from, *envelope.rcpt_to, envelope.ehlo_name, summary.sender):
        text.encode("utf-8")  # no lone surrogate left: every front end can show and store it
    assert envelope.mail_from == "ann\ufffd@example.com" and envelope.rcpt_to == ("bob\ufffd@example.org",)
    assert envelope.ehlo_name == "host\ufffd\ufffd"
    assert sandbox.store().summaries("ann\ufffd") == [summary]


def test_a_message_slow_to_read_does_not_stop_the_other_clients(sandbox_dir: Path) -> None:
    """The sandbox reads each message (headers, checks) before its 250. That reading must not run on
    the server's loop: while one message is being read, another client is still answered."""
    from smtpgui.services.sandbox import CERT_FILE, KEY_FILE
    from smtpgui.transport.sandboxserver import SandboxServer

    reading, release = threading.Event(), threading.Event()

    def deliver(raw: bytes, envelope: Envelope, stored: Callable[[int, BaseException | None], None]) -> None:
        reading.set()
        release.wait(60)  # a message that takes long to read
        stored(1, None)

    server = SandboxServer(deliver, cert_file=sandbox_dir / CERT_FILE, key_file=sandbox_dir / KEY_FILE, port=0)
    server.start()
    slow, other = Client(int(server.port or 0)), None
    try:
        for line in (b"EHLO slow", b"MAIL FROM:<a@example.com>", b"RCPT TO:<b@example.org>", b"DATA"):
            slow.sock.sendall(line + b"\r\n")
            _reply(slow.reader)
        slow.sock.sendall(MESSAGE + (b"x" * 70 + b"\r\n") * 1000 + b".\r\n")  # a message of 72 kB
        assert reading.wait(30)
        other = Client(int(server.port or 0), timeout=10)  # the slow message is held for 60 s
        assert other.greeting.startswith(b"220")
        assert other(b"EHLO other").startswith(b"250")
        release.set()
        assert _reply(slow.reader).startswith(b"250")
    finally:
        release.set()
        slow.close()
        if other is not None:
            other.close()
        server.stop()


def test_a_stale_state_file_naming_this_process_is_not_a_running_sandbox(sandbox_dir: Path) -> None:
    """sandbox.json left by a sandbox that was killed names its pid; when this process got that pid
    later (containers reuse small pids all the time), it must not read as a sandbox running here."""
    (sandbox_dir / "sandbox.json").write_text(json.dumps({"pid": os.getpid(), "port": 2525, "tls_port": None}))
    service = SandboxService(sandbox_dir)
    assert not service.status().running
    service.start(port=0)
    try:
        status = service.status()
        assert status.running and status.here and status.port != 2525
        assert SandboxService(sandbox_dir).status() == status  # another service of this process sees it
    finally:
        service.stop()
    assert not SandboxService(sandbox_dir).status().running


def test_a_key_left_readable_by_others_is_made_private_again(sandbox_dir: Path) -> None:
    """The sandbox key (0600 when made) found wider — a copy, a backup restore, a chmod — was used as it was."""
    from smtpgui.services.sandbox import CERT_FILE, KEY_FILE

    for name in (KEY_FILE, CERT_FILE):
        (sandbox_dir / name).chmod(0o644)
    before = (sandbox_dir / KEY_FILE).read_bytes()
    SandboxService(sandbox_dir).certificate_files()
    for name in (KEY_FILE, CERT_FILE):
        assert stat.S_IMODE((sandbox_dir / name).stat().st_mode) == 0o600, name
    assert (sandbox_dir / KEY_FILE).read_bytes() == before  # the same key: the pins still match


def test_a_key_that_is_a_symbolic_link_is_not_used(sandbox_dir: Path, tmp_path: Path) -> None:
    """A key file that is a link (to any file, perhaps a real key elsewhere) is replaced, not read."""
    from smtpgui.services.sandbox import CERT_FILE, KEY_FILE

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in (KEY_FILE, CERT_FILE):
        (sandbox_dir / name).rename(elsewhere / name)
        (sandbox_dir / name).symlink_to(elsewhere / name)
    cert, key = SandboxService(sandbox_dir).certificate_files()
    assert not key.is_symlink() and not cert.is_symlink()
    assert (elsewhere / KEY_FILE).read_bytes() != key.read_bytes()


def test_connections_beyond_the_limit_get_421_and_the_others_go_on(sandbox_dir: Path) -> None:
    """Each client may hold up to 25 MB of DATA in memory: without a limit on open connections, local
    clients could make the sandbox (the window's process, when it runs there) hold any amount."""
    from smtpgui.services.sandbox import CERT_FILE, KEY_FILE
    from smtpgui.storage.inbox import InboxStore
    from smtpgui.transport.sandboxserver import SandboxLimits, SandboxServer

    store = InboxStore(sandbox_dir / "inbox.sqlite3")
    server = SandboxServer(
        store.submit,
        cert_file=sandbox_dir / CERT_FILE,
        key_file=sandbox_dir / KEY_FILE,
        port=0,
        limits=SandboxLimits(max_sessions=3),
    )
    server.start()
    port = int(server.port or 0)
    held = [Client(port) for _ in range(3)]
    try:
        assert all(c.greeting.startswith(b"220") for c in held)
        extra = Client(port, timeout=10)
        assert extra.greeting.startswith(b"421"), extra.greeting
        assert extra.reader.read() == b""  # and the server hung up
        extra.close()
        assert held[0](b"EHLO still-served").startswith(b"250")
        assert held[0](b"QUIT").startswith(b"221")
        held.pop(0).close()
        for _attempt in range(500):  # the server frees the place once it has seen the hang-up
            again = Client(port, timeout=10)
            if again.greeting.startswith(b"220"):
                break
            again.close()
        assert again.greeting.startswith(b"220")
        assert again(b"EHLO again").startswith(b"250")
        assert again(b"MAIL FROM:<a@example.com>").startswith(b"250")
        assert again(b"RCPT TO:<b@example.org>").startswith(b"250")
        assert again.data(MESSAGE).startswith(b"250")
        again.close()
    finally:
        for client in held:
            client.close()
        server.stop()
        store.close()


def test_failed_starttls_handshakes_give_their_places_back(sandbox_dir: Path) -> None:
    """A connection that said STARTTLS and hung up must free its place (or the limit fills for good)."""
    from smtpgui.services.sandbox import CERT_FILE, KEY_FILE
    from smtpgui.transport.sandboxserver import SandboxLimits, SandboxServer

    def deliver(raw: bytes, envelope: Envelope, stored: Callable[[int, BaseException | None], None]) -> None:
        stored(1, None)

    server = SandboxServer(
        deliver,
        cert_file=sandbox_dir / CERT_FILE,
        key_file=sandbox_dir / KEY_FILE,
        port=0,
        limits=SandboxLimits(max_sessions=2),
    )
    server.start()
    port = int(server.port or 0)
    try:
        for garbage in (b"", b"not TLS\r\n") * 3:
            client = Client(port)
            assert client(b"EHLO x").startswith(b"250") and client(b"STARTTLS").startswith(b"220")
            client.sock.sendall(garbage)
            client.sock.shutdown(socket.SHUT_WR)
            client.reader.read()
            client.close()
        for _attempt in range(500):  # the places come back once the server has seen the hang-ups
            pair = [Client(port, timeout=10), Client(port, timeout=10)]
            if all(c.greeting.startswith(b"220") for c in pair):
                break
            for c in pair:
                c.close()
        assert [c.greeting[:3] for c in pair] == [b"220", b"220"]
        assert server._sessions.open == 2  # counted once each: none taken off twice
        for c in pair:
            c.close()
    finally:
        server.stop()
