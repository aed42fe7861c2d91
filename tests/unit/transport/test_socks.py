"""transport/socks.py against a scripted peer on a socket pair: UTF-8 credentials, SOCKS4a, refusals."""

from __future__ import annotations

import socket
import threading

import pytest

from smtpgui.transport.errors import NetworkError
from smtpgui.transport.socks import socks4_handshake, socks5_handshake


def _peer(answers: list[bytes]) -> tuple[socket.socket, list[bytes], threading.Thread]:
    ours, theirs = socket.socketpair()
    ours.settimeout(5)
    theirs.settimeout(5)
    received: list[bytes] = []

    def run() -> None:
        with theirs:
            for answer in answers:
                received.append(theirs.recv(4096))
                theirs.sendall(answer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return ours, received, thread


def test_socks4a_sends_the_user_id_as_utf8_and_the_name_for_the_proxy() -> None:
    sock, received, thread = _peer([b"\x00\x5a\x00\x00\x00\x00\x00\x00"])
    with sock:
        socks4_handshake(sock, "smtp.example.com", 587, "Jürgen")
    thread.join(5)
    assert received[0] == b"\x04\x01\x02\x4b\x00\x00\x00\x01" + "Jürgen".encode() + b"\0smtp.example.com\0"


def test_socks4_user_id_refused_is_a_proxy_auth_failure() -> None:
    sock, _, thread = _peer([b"\x00\x5d\x00\x00\x00\x00\x00\x00"])
    with sock, pytest.raises(NetworkError) as caught:
        socks4_handshake(sock, "127.0.0.1", 25, "ü")
    thread.join(5)
    assert caught.value.kind == "proxy-auth"


def test_socks5_refused_connection_is_a_sentence() -> None:
    sock, _, thread = _peer([b"\x05\x00", b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"])
    with sock, pytest.raises(NetworkError) as caught:
        socks5_handshake(sock, "127.0.0.1", 25, "", None)
    thread.join(5)
    assert caught.value.kind == "proxy" and "refused" in str(caught.value)
