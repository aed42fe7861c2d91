"""SOCKS4/4a (user id) and SOCKS5 (RFC 1928, user/password per RFC 1929) over a connected socket.

Our own few lines instead of python-socks: its handshake encodes user names and passwords as
ASCII, so a proxy password with an umlaut ended in "unexpected error (UnicodeEncodeError)".
RFC 1929 allows any octets; we send UTF-8, as curl and Firefox do. Every failure is a
``NetworkError`` with a sentence; nothing the proxy sends is echoed.
"""

from __future__ import annotations

import ipaddress
import socket
import time

from smtpgui.transport.errors import NetworkError

_SOCKS5_REPLIES = {
    1: "general failure",
    2: "the connection is not allowed by its rules",
    3: "the network is unreachable",
    4: "the host is unreachable",
    5: "the mail server refused the connection",
    6: "the time to live expired",
    7: "the command is not supported",
    8: "the address type is not supported",
}
_SOCKS4_REPLIES = {
    0x5B: "the request was rejected or failed",
    0x5C: "it could not reach an identd service on this computer",
    0x5D: "the user id was not accepted",
}


def _field(value: str, what: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > 255:
        raise NetworkError("proxy-auth", f"the proxy {what} is {len(data)} bytes in UTF-8; SOCKS5 allows at most 255")
    return data


def _recv_exactly(sock: socket.socket, n: int, end: float) -> bytes:
    """``n`` bytes, all before ``end`` (monotonic): a proxy that trickles bytes still runs out of time."""
    data = b""
    while len(data) < n:
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise NetworkError("timeout", "the proxy did not finish its answer in time")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(n - len(data))
        except TimeoutError as exc:
            raise NetworkError("timeout", "the proxy did not answer in time") from exc
        if not chunk:
            raise NetworkError("proxy", "the proxy closed the connection during its handshake")
        data += chunk
    return data


def _target_bytes(host: str) -> tuple[int, bytes]:
    """SOCKS5 ATYP and address for ``host`` (an IP literal, or a name the proxy resolves)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        return (1, ip.packed) if ip.version == 4 else (4, ip.packed)
    try:
        name = host.rstrip(".").encode("idna")
    except UnicodeError as exc:
        raise NetworkError("dns", f"cannot send {host!r} to the proxy: not a valid name") from exc
    if len(name) > 255:
        raise NetworkError("dns", "the host name is too long for SOCKS5")
    return 3, bytes([len(name)]) + name


def socks5_handshake(
    sock: socket.socket, host: str, port: int, username: str, password: str | None, *, timeout: float = 30.0
) -> None:
    """Ask the SOCKS5 proxy on ``sock`` to connect to host:port, signing in if a user name is set."""
    end = time.monotonic() + timeout
    credentials = None
    if username:
        credentials = _field(username, "user name"), _field(password or "", "password")
    sock.sendall(b"\x05\x02\x00\x02" if credentials else b"\x05\x01\x00")
    version, method = _recv_exactly(sock, 2, end)
    if version != 5:
        raise NetworkError("proxy", "the proxy did not answer as a SOCKS5 proxy")
    if method == 0xFF or (method == 2 and credentials is None):
        raise NetworkError(
            "proxy-auth",
            "the proxy requires a user name and password" if credentials is None else "the proxy refused our sign-in",
        )
    if method == 2 and credentials is not None:
        user, secret = credentials
        sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(secret)]) + secret)
        _, status = _recv_exactly(sock, 2, end)
        if status != 0:
            raise NetworkError("proxy-auth", "the proxy refused the user name or password")
    elif method != 0:
        raise NetworkError("proxy", f"the proxy chose an authentication method smtpgui does not know ({method})")
    atyp, address = _target_bytes(host)
    sock.sendall(b"\x05\x01\x00" + bytes([atyp]) + address + port.to_bytes(2, "big"))
    version, reply, _, bound = _recv_exactly(sock, 4, end)
    if version != 5:
        raise NetworkError("proxy", "the proxy's answer is not SOCKS5")
    if reply != 0:
        kind = "proxy"
        raise NetworkError(kind, f"the proxy could not connect: {_SOCKS5_REPLIES.get(reply, f'error {reply}')}")
    if bound == 1:
        _recv_exactly(sock, 4 + 2, end)
    elif bound == 4:
        _recv_exactly(sock, 16 + 2, end)
    elif bound == 3:
        _recv_exactly(sock, _recv_exactly(sock, 1, end)[0] + 2, end)
    else:
        raise NetworkError("proxy", "the proxy's answer is not SOCKS5")


def socks4_handshake(sock: socket.socket, host: str, port: int, user_id: str, *, timeout: float = 30.0) -> None:
    """SOCKS4 (an IPv4 address) or SOCKS4a (a name the proxy resolves) CONNECT."""
    end = time.monotonic() + timeout
    user = user_id.encode("utf-8")
    if b"\0" in user:
        raise NetworkError("proxy-auth", "the proxy user id cannot contain a NUL character")
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6:
        raise NetworkError("proxy", "SOCKS4 cannot reach an IPv6 address; use SOCKS5")
    request = b"\x04\x01" + port.to_bytes(2, "big")
    if ip is not None:
        request += ip.packed + user + b"\0"
    else:
        try:
            name = host.rstrip(".").encode("idna")
        except UnicodeError as exc:
            raise NetworkError("dns", f"cannot send {host!r} to the proxy: not a valid name") from exc
        request += b"\0\0\0\x01" + user + b"\0" + name + b"\0"
    sock.sendall(request)
    answer = _recv_exactly(sock, 8, end)
    if answer[1] != 0x5A:
        kind = "proxy-auth" if answer[1] == 0x5D else "proxy"
        raise NetworkError(kind, f"the proxy could not connect: {_SOCKS4_REPLIES.get(answer[1], 'refused')}")
