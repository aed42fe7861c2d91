"""Fetch one small document over HTTPS for discovery (an autoconfig file, an ISPDB entry).

The host is looked up through discovery's own resolver (:class:`~smtpgui.transport.dnsquery.DnsClient`,
the one ``--dns-server`` chooses), then reached with the right server name (SNI) and ``Host``
header. Certificates are checked against the system's store (``SSL_CERT_FILE`` honoured). The
answer is read up to :data:`MAX_BYTES` and refused beyond; at most :data:`MAX_REDIRECTS`
redirects are followed, never from https to plain http, and only to host names (never to an
address or a single label a server names). Plain http is used only when the caller asks for it
(a last resort, marked as such). Everything stops at the caller's deadline: the connection is shut
at that moment, so a server sending one byte at a time cannot hold a request (or its thread) past it.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

from smtpgui.core.addresses import is_loopback_host, parse_ip
from smtpgui.core.numbers import ascii_number
from smtpgui.transport.dnsquery import DnsClient, DnsFailure, checked_name

MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
MAX_ADDRESSES = 4  # tried per host: a name with dozens of (internal) addresses is not a port scanner
USER_AGENT = "smtpgui (settings discovery)"


class FetchFailure(Exception):
    """The document could not be fetched (a sentence says why)."""


class NotFound(FetchFailure):
    """Nothing there (HTTP 404/410, a host without an address): the source does not know the
    domain, which is no failure to report, unlike an untrusted certificate or a refused file."""


@dataclass(frozen=True)
class Fetched:
    """A document fetched: the address it came from at last, and its bytes."""

    url: str
    body: bytes
    secure: bool


def _addresses(host: str, dns: DnsClient) -> list[str]:
    literal = parse_ip(host)
    if literal is not None:
        return [str(literal)]
    if is_loopback_host(host):
        return ["127.0.0.1"]
    name = checked_name(host)
    if name is None:
        raise FetchFailure(f"{host!r} is not a host name")
    try:
        found = dns.addresses(name)
    except DnsFailure as exc:
        raise FetchFailure(str(exc)) from exc
    if not found:
        raise NotFound(f"{name} has no address in DNS")
    return found


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchFailure("no answer in time")
    return left


def _connect(addresses: list[str], port: int, deadline: float) -> socket.socket:
    last: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(_remaining(deadline))
        try:
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise FetchFailure(f"cannot connect ({last})")


class _ShutAtDeadline:
    """Shuts a connection down at the deadline from a timer thread, whatever the reading thread is
    waiting for (a TLS handshake, a header line, the body): per-read timeouts alone let a server
    that sends one byte a second hold the request for ever."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._lock = threading.Lock()
        self._sock = sock
        self.expired = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            # socket.socket's own shutdown: for a TLS socket it shuts the descriptor underneath
            # without unwrapping the TLS object the reading thread is using.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def follow(self, sock: socket.socket) -> None:
        """The connection is now ``sock`` (wrapped in TLS); the deadline may have passed meanwhile."""
        with self._lock:
            self._sock = sock
            if self.expired:
                raise FetchFailure("no answer in time")

    def stop(self) -> None:
        self._timer.cancel()


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is None:
        return 443 if parts.scheme == "https" else 80
    if not 1 <= port <= 65535:
        raise FetchFailure(f"{parts.netloc!r} has no valid port")
    return port


def _get_once(url: str, dns: DnsClient, deadline: float) -> tuple[int, str | None, bytes]:
    """One GET: (status, Location, body)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = _port(parts)
    sock = _connect(_addresses(host, dns)[:MAX_ADDRESSES], port, deadline)
    guard = _ShutAtDeadline(sock, deadline)
    try:
        if secure:
            context = ssl.create_default_context()  # the system store; SSL_CERT_FILE honoured
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            try:
                sock = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
                guard.follow(sock)
                sock.do_handshake()
            except ssl.SSLCertVerificationError as exc:
                raise FetchFailure(f"the certificate of {host} is not trusted ({exc.verify_message})") from exc
            except (ssl.SSLError, OSError) as exc:
                if guard.expired:
                    raise FetchFailure("no answer in time") from exc
                raise FetchFailure(f"TLS with {host} failed ({exc})") from exc
        conn = http.client.HTTPConnection(host, port, timeout=_remaining(deadline))
        conn.sock = sock
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/xml", "Connection": "close"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                return response.status, response.getheader("Location"), b""
            length = ascii_number(response.getheader("Content-Length") or "")
            if length is not None and length > MAX_BYTES:
                raise FetchFailure(f"the answer is too large ({length} bytes; at most {MAX_BYTES} are read)")
            body = b""
            while True:
                _remaining(deadline)  # each read waits at most the time that was left when connecting
                chunk = response.read(65536)
                if not chunk:
                    break
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchFailure(f"the answer is too large (more than {MAX_BYTES} bytes)")
            if guard.expired:  # shut at the deadline: what came so far is not the whole answer
                raise FetchFailure("no answer in time")
            return response.status, None, body
        except (http.client.HTTPException, OSError) as exc:
            if guard.expired:
                raise FetchFailure("no answer in time") from exc
            raise FetchFailure(f"{host} did not answer properly ({exc or type(exc).__name__})") from exc
    finally:
        guard.stop()
        with contextlib.suppress(OSError):
            sock.close()


def _check_redirect_target(target: str) -> None:
    """A server may send us on only to a host name on a valid port: never to an address or a
    single label (``localhost``, this computer's or the local network's services)."""
    parts = urlsplit(target)
    try:
        _port(parts)
    except FetchFailure:
        raise FetchFailure("a redirect to an address whose port is not a number from 1 to 65535 (refused)") from None
    if checked_name(parts.hostname or "") is None or is_loopback_host(parts.hostname or ""):
        raise FetchFailure("a redirect to an address or to a name that is not a full host name (refused)")


def fetch(url: str, dns: DnsClient, deadline: float, *, allow_http: bool = False) -> Fetched:
    """GET ``url`` (https, or plain http only with ``allow_http``) and return a 200's body."""
    secure_start = url.startswith("https://")
    if not secure_start and not (allow_http and url.startswith("http://")):
        raise FetchFailure(f"{url} is not an https:// address")
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        status, location, body = _get_once(current, dns, deadline)
        if location is None:
            if status in (404, 410):
                raise NotFound(f"HTTP {status}")
            if status != 200:
                raise FetchFailure(f"HTTP {status}")
            return Fetched(current, body, current.startswith("https://"))
        target = urljoin(current, location.strip())
        scheme = urlsplit(target).scheme
        if scheme not in ("http", "https"):
            raise FetchFailure("a redirect to something that is not a web address")
        if scheme == "http" and (current.startswith("https://") or not allow_http):
            raise FetchFailure("a redirect from https to plain http (refused)")
        _check_redirect_target(target)
        current = target
    raise FetchFailure(f"more than {MAX_REDIRECTS} redirects")
