"""Hostile proxies on loopback: an HTTP CONNECT proxy that misbehaves, and a recording SOCKS5 proxy.

``HostileHttpProxy`` answers CONNECT with a 407 that quotes the request (Proxy-Authorization
included; or only its credentials, in hex, percent-encoded, or as base64 with spaces inserted), with headers that never end, one byte every 0.5 s, or a status line full of escape
sequences; ``RecordingSocks5`` accepts RFC 1929 user/password auth, records the raw bytes, and
refuses or relays.
"""

from __future__ import annotations

import base64
import contextlib
import select
import socket
import threading
from urllib.parse import quote


class _LoopbackListener:
    """A listener on 127.0.0.1 (a free port) whose accept loop runs on a thread of its own while
    the ``with`` block lasts; each connection goes to ``_handle`` (on the loop's thread unless the
    subclass starts one)."""

    name = "hostile-listener"

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def __enter__(self):  # type: ignore[no-untyped-def]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(5)
        self._listener.close()


class HostileHttpProxy(_LoopbackListener):
    """An HTTP proxy that never connects: a 407 quoting the request, or headers without end."""

    name = "hostile-proxy"

    def __init__(self, mode: str = "echo-407") -> None:
        self.mode = mode  # echo-407, echo-hex, echo-url, echo-spaced, endless-headers, trickle, ansi-status
        self.requests: list[bytes] = []
        super().__init__()

    def _handle(self, conn: socket.socket) -> None:  # one connection at a time, on the loop's thread
        with contextlib.suppress(OSError), conn:
            conn.settimeout(10)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                request += chunk
            self.requests.append(request)
            if self.mode == "trickle":
                for byte in b"HTTP/1.1 200 Connection established, but never ending":
                    conn.sendall(bytes([byte]))
                    if self.stop.wait(0.5):
                        break
            elif self.mode == "endless-headers":
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n")
                while not self.stop.is_set():
                    conn.sendall(b"X-Padding: " + b"a" * 100 + b"\r\n")
            elif self.mode == "ansi-status":
                conn.sendall(b"HTTP/1.1 403 \x1b[2J\x1b]0;pwned\x07Forbidden\r\n\r\n")
            elif self.mode in ("echo-hex", "echo-url", "echo-spaced"):
                conn.sendall(_encoded_407(request, self.mode).encode("latin-1"))
            else:
                quoted = request.decode("latin-1").replace("\r\n", " | ")
                conn.sendall(f"HTTP/1.1 407 Proxy Authentication Required ({quoted})\r\n\r\n".encode("latin-1"))


def _encoded_407(request: bytes, mode: str) -> str:
    """A 407 quoting the Basic credentials: decoded in hex, decoded and percent-encoded, or spaced base64."""
    basic = b""
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"proxy-authorization: basic "):
            basic = line.split(None, 2)[2].strip()
    raw = base64.b64decode(basic) if basic else b""
    if mode == "echo-hex":
        quoted = raw.hex()
    elif mode == "echo-url":
        quoted = quote(raw, safe="")
    else:
        quoted = " ".join(basic.decode()[i : i + 6] for i in range(0, len(basic), 6))
    return f'HTTP/1.1 407 Denied {quoted}\r\nProxy-Authenticate: Basic realm="{quoted}"\r\n\r\n'


class RecordingSocks5(_LoopbackListener):
    """A SOCKS5 proxy that records the RFC 1929 user/password bytes, then relays (or refuses)."""

    def __init__(self, username: bytes, password: bytes) -> None:
        self.username = username
        self.password = password
        self.offered: list[tuple[bytes, bytes]] = []
        super().__init__()

    name = "recording-socks5"

    def _handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(10)
            head = _exactly(conn, 2)
            _exactly(conn, head[1])
            conn.sendall(b"\x05\x02")
            version_ulen = _exactly(conn, 2)
            user = _exactly(conn, version_ulen[1])
            password = _exactly(conn, _exactly(conn, 1)[0])
            self.offered.append((user, password))
            if (user, password) != (self.username, self.password):
                conn.sendall(b"\x01\x01")
                return
            conn.sendall(b"\x01\x00")
            request = _exactly(conn, 4)
            if request[3] == 1:
                host = socket.inet_ntoa(_exactly(conn, 4))
            elif request[3] == 3:
                host = _exactly(conn, _exactly(conn, 1)[0]).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, _exactly(conn, 16))
            port = int.from_bytes(_exactly(conn, 2), "big")
            upstream = socket.create_connection((host, port), timeout=10)
            conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            _relay(conn, upstream, self.stop)


def _exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _relay(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
    with b:
        while not stop.is_set():
            readable, _, _ = select.select([a, b], [], [], 0.2)
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)
