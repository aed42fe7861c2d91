"""A real HTTPS (or plain HTTP) server on loopback for tests: autoconfig files and an ISPDB.

One server answers for many host names (virtual hosts by the ``Host`` header, one certificate
from a test CA naming them all), so ``autoconfig.example.test`` and ``example.test`` are both
this server once the test DNS server points them at 127.0.0.1. Each route gives a status, a
body and headers; it can wait first (a slow or silent site) or stream a body of any size
without holding it in memory. Every request is recorded (host, path with query, headers).
"""

from __future__ import annotations

import contextlib
import http.server
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import trustme


@dataclass
class Route:
    """What one host and path answer."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml"})
    delay: float = 0.0  # seconds before answering
    stream: int = 0  # when set: send this many bytes of filler instead of ``body``
    drip: float = 0.0  # when set: send the whole answer (status line first) one byte every ``drip`` seconds


@dataclass(frozen=True)
class Request:
    host: str
    path: str  # with the query
    headers: dict[str, str]


@dataclass
class WebServer:
    """The server's routes and the requests it saw."""

    port: int
    secure: bool
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def route(self, host: str, path: str, route: Route | bytes | str) -> None:
        """Answer ``host`` + ``path`` (without the query) with ``route`` (or a 200 with this body)."""
        if isinstance(route, str):
            route = route.encode()
        if isinstance(route, bytes):
            route = Route(route)
        self.routes[(host.lower(), path)] = route

    def base(self, host: str) -> str:
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}"

    def asked(self, host: str, path_start: str = "") -> list[Request]:
        return [r for r in self.requests if r.host == host.lower() and r.path.startswith(path_start)]


def _handler(server: WebServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            server.requests.append(Request(host, self.path, dict(self.headers.items())))
            route = server.routes.get((host, self.path.split("?", 1)[0]))
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            if route.delay and server.stop.wait(route.delay):
                return
            if route.drip:
                self._drip(route)
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in route.headers:  # a route may give its own (a lie, a bad number)
                self.send_header("Content-Length", str(route.stream or len(route.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                if route.stream:
                    chunk = b"a" * 65536
                    sent = 0
                    while sent < route.stream and not server.stop.is_set():
                        piece = chunk[: route.stream - sent]
                        self.wfile.write(piece)
                        sent += len(piece)
                else:
                    self.wfile.write(route.body)
            except OSError:
                return

        def _drip(self, route: Route) -> None:
            """A slowloris answer: one byte every ``route.drip`` seconds until the client leaves."""
            head = f"HTTP/1.1 {route.status} OK\r\nContent-Length: {len(route.body)}\r\n\r\n".encode()
            for i in range(len(head + route.body)):
                if server.stop.wait(route.drip):
                    return
                try:
                    self.wfile.write((head + route.body)[i : i + 1])
                    self.wfile.flush()
                except OSError:
                    return

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextlib.contextmanager
def web_server(ca: trustme.CA | None = None, names: tuple[str, ...] = ()) -> Iterator[WebServer]:
    """An HTTPS server (a certificate from ``ca`` for ``names``) or, without ``ca``, plain HTTP."""
    httpd = _Server(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server = WebServer(httpd.server_address[1], secure=ca is not None)
    httpd.RequestHandlerClass = _handler(server)
    if ca is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(*names).configure_cert(context)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@dataclass
class TestCa:
    """A test CA and the file SSL_CERT_FILE names for it."""

    __test__ = False
    ca: trustme.CA
    file: Path


def make_test_ca(folder: Path) -> TestCa:
    ca = trustme.CA()
    path = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return TestCa(ca, path)
