"""Getting a TCP connection to the server: resolve, connect (or go through a proxy), cancel.

Every blocking step waits in short slices so that ``CancelToken.cancel()`` from another thread
ends it within a fraction of a second.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import ipaddress
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from smtpgui.core.model import Connection, IpFamily, ProxyType
from smtpgui.core.redact import proxy_basic_forms, remember
from smtpgui.transport.errors import NetworkError

T = TypeVar("T")
SLICE = 0.1


class Cancelled(Exception):
    """The session was cancelled (by the user, or by its overall deadline)."""


class CancelToken:
    """Lets another thread stop a session: it closes every socket the session registered."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.reason = ""

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self, reason: str = "cancelled") -> None:
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _force_close(sock)

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            cancelled = self._event.is_set()
        if cancelled:
            _force_close(sock)
            raise Cancelled(self.reason)

    def unregister(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` (polling a provider, say); True when cancelled meanwhile."""
        return self._event.wait(seconds)


def _force_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


def run_cancellable(
    work: Callable[[], T], timeout: float, token: CancelToken, on_late_result: Callable[[T], None] | None = None
) -> T:
    """Run a blocking call that cannot be interrupted in a helper thread, waiting in slices.

    When cancelled or out of time we stop waiting; a result that arrives later is handed to
    ``on_late_result`` (to close a socket nobody will use).
    """
    box: dict[str, object] = {}
    done = threading.Event()
    abandoned = threading.Event()

    def runner() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            box["error"] = exc
        done.set()
        if abandoned.is_set() and "value" in box and on_late_result is not None:
            on_late_result(box["value"])  # type: ignore[arg-type]

    threading.Thread(target=runner, name="smtpgui-blocking-call", daemon=True).start()
    end = time.monotonic() + timeout
    while not done.wait(SLICE):
        if token.cancelled or time.monotonic() >= end:
            abandoned.set()
            if done.is_set() and "value" in box and on_late_result is not None:
                on_late_result(box["value"])  # type: ignore[arg-type]
            token.check()
            raise NetworkError("timeout", f"no answer within {timeout:g} seconds")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[object, ...]]


def resolve(host: str, port: int, family: IpFamily, timeout: float, token: CancelToken) -> list[AddrInfo]:
    """Addresses for host, in the order to try them (the preferred family first)."""
    lookup_host = host[1:-1] if host.startswith("[") else host
    if _is_ip_literal(lookup_host):
        # A literal needs no DNS, so no helper thread either.
        return socket.getaddrinfo(lookup_host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)  # type: ignore[return-value]

    def lookup() -> list[AddrInfo]:
        return socket.getaddrinfo(lookup_host, port, type=socket.SOCK_STREAM)  # type: ignore[return-value]

    try:
        infos = run_cancellable(lookup, timeout, token)
    except socket.gaierror as exc:
        raise NetworkError("dns", f"cannot resolve {host}: {exc.strerror}") from exc
    except UnicodeError as exc:
        raise NetworkError("dns", f"cannot resolve {host}: not a valid name") from exc
    if family is IpFamily.IPV4:
        infos.sort(key=lambda info: info[0] != socket.AF_INET)
    elif family is IpFamily.IPV6:
        infos.sort(key=lambda info: info[0] != socket.AF_INET6)
    return infos


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def connect(
    infos: list[AddrInfo], source_address: str, timeout: float, token: CancelToken, on_attempt: Callable[[str], None]
) -> socket.socket:
    """Connect to the first address that answers; falls back to the next on failure."""
    last: NetworkError | None = None
    for family, kind, proto, _, sockaddr in infos:
        if source_address and (":" in source_address) != (family == socket.AF_INET6):
            continue
        address = str(sockaddr[0])
        on_attempt(f"Trying {address}:{sockaddr[1]}...")
        sock = socket.socket(family, kind, proto)
        token.register(sock)
        try:
            if source_address:
                sock.bind((source_address, 0))
            _connect_in_slices(sock, sockaddr, timeout, token)
        except NetworkError as exc:
            token.unregister(sock)
            _force_close(sock)
            last = exc
            on_attempt(f"{address}: {exc}")
            continue
        except OSError as exc:
            token.unregister(sock)
            _force_close(sock)
            token.check()
            last = NetworkError("unreachable", f"cannot use source address {source_address}: {exc.strerror}")
            continue
        except BaseException:
            token.unregister(sock)
            _force_close(sock)
            raise
        sock.setblocking(True)
        sock.settimeout(timeout)
        return sock
    if last is None:
        raise NetworkError("unreachable", "no address of the server matches the source address's family")
    raise last


def _connect_in_slices(sock: socket.socket, sockaddr: tuple[object, ...], timeout: float, token: CancelToken) -> None:
    sock.setblocking(False)
    code = sock.connect_ex(sockaddr)
    if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
        raise _connect_error(code)
    end = time.monotonic() + timeout
    while True:
        token.check()
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise NetworkError("timeout", f"no answer within {timeout:g} seconds (the port may be filtered)")
        try:
            _, writable, failed = select.select([], [sock], [sock], min(SLICE, remaining))
        except (OSError, ValueError):
            token.check()
            raise
        if writable or failed:
            break
    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code:
        raise _connect_error(code)


def _connect_error(code: int) -> NetworkError:
    text = errno.errorcode.get(code, str(code))
    try:
        import os

        text = os.strerror(code)
    except ValueError:
        pass
    if code == errno.ECONNREFUSED:
        return NetworkError("refused", "the server refused the connection (nothing listens on that port)")
    if code == errno.ETIMEDOUT:
        return NetworkError("timeout", f"connection timed out ({text})")
    return NetworkError("unreachable", text)


def connect_via_proxy(
    connection: Connection, target_host: str, proxy_password: str | None, timeout: float, token: CancelToken
) -> socket.socket:
    """A socket to target through the connection's proxy (SOCKS4, SOCKS5 or HTTP CONNECT)."""
    if connection.proxy_type is ProxyType.HTTP:
        return _http_connect(connection, target_host, proxy_password, timeout, token)
    from smtpgui.transport import socks

    sock = _reach_proxy(connection, timeout, token)
    try:
        if connection.proxy_type is ProxyType.SOCKS4:
            socks.socks4_handshake(sock, target_host, connection.port, connection.proxy_login_name, timeout=timeout)
        else:
            socks.socks5_handshake(
                sock, target_host, connection.port, connection.proxy_login_name, proxy_password, timeout=timeout
            )
    except BaseException as exc:
        token.unregister(sock)
        _force_close(sock)
        token.check()
        if isinstance(exc, TimeoutError):
            raise NetworkError("timeout", "the proxy did not answer in time") from exc
        if isinstance(exc, OSError):
            raise NetworkError("proxy", f"the proxy closed the connection: {exc.strerror or exc}") from exc
        raise
    sock.settimeout(timeout)
    return sock


def _reach_proxy(connection: Connection, timeout: float, token: CancelToken) -> socket.socket:
    """A TCP connection to the proxy itself (registered with ``token``)."""
    try:
        infos = resolve(connection.proxy_host, connection.proxy_port, connection.ip_family, timeout, token)
        return connect(infos, connection.source_address, timeout, token, lambda _line: None)
    except NetworkError as exc:
        if exc.kind == "timeout":
            raise
        raise NetworkError(
            "proxy-connect", f"cannot reach the proxy {connection.proxy_host}:{connection.proxy_port}: {exc}"
        ) from exc


MAX_PROXY_REPLY = 16384


def _http_connect(
    connection: Connection, target_host: str, proxy_password: str | None, timeout: float, token: CancelToken
) -> socket.socket:
    """HTTP CONNECT, reading the proxy's reply exactly up to its blank line.

    SMTP servers speak first: their greeting can arrive in the same packet as the proxy's
    ``200``, so nothing after the reply's headers may be consumed here (python-socks' HTTP
    connector reads a whole buffer and would swallow the greeting).
    """
    sock = _reach_proxy(connection, timeout, token)
    host = f"[{target_host}]" if ":" in target_host else target_host
    request = [f"CONNECT {host}:{connection.port} HTTP/1.1", f"Host: {host}:{connection.port}"]
    if connection.proxy_username:
        credentials = f"{connection.proxy_login_name}:{proxy_password or ''}".encode()
        for form in proxy_basic_forms(connection.proxy_login_name, proxy_password):
            remember(form)  # a 407 may quote it back (raw, base64, hex, URL-encoded): never shown
        request.append("Proxy-Authorization: Basic " + base64.b64encode(credentials).decode("ascii"))
    try:
        sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode("utf-8"))
        head = _read_http_head(sock, timeout)
    except (OSError, NetworkError) as exc:
        token.unregister(sock)
        _force_close(sock)
        token.check()
        if isinstance(exc, NetworkError):
            raise
        if isinstance(exc, TimeoutError):
            raise NetworkError("timeout", "the proxy did not answer in time") from exc
        raise NetworkError("proxy", f"the proxy closed the connection: {exc}") from exc
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    code = parts[1] if len(parts) > 1 else ""
    if code == "200":
        return sock
    token.unregister(sock)
    _force_close(sock)
    kind = "proxy-auth" if code in ("401", "407") else "proxy"  # tinyproxy answers 401
    raise NetworkError(kind, f"the proxy said: {status_line}")


def _read_http_head(sock: socket.socket, timeout: float) -> bytes:
    """Consume exactly the proxy's reply headers (byte by byte), leaving what follows unread.

    The whole head must arrive within ``timeout``: a proxy that trickles a byte at a time does
    not keep the session waiting until its overall deadline.
    """
    head = b""
    end = time.monotonic() + timeout
    while not head.endswith(b"\r\n\r\n"):
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise NetworkError("timeout", f"the proxy's answer did not end within {timeout:g} seconds")
        sock.settimeout(remaining)
        byte = sock.recv(1)
        if not byte:
            raise NetworkError("proxy", "the proxy closed the connection without a complete answer")
        head += byte
        if len(head) > MAX_PROXY_REPLY:
            if head.startswith(b"HTTP/"):
                raise NetworkError("proxy", "the proxy's reply headers never ended (more than 16 KB)")
            raise NetworkError("proxy", "the proxy's reply is not HTTP")
    sock.settimeout(timeout)
    return head
