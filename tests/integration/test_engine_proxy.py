"""Sessions through real proxies: microsocks (SOCKS5 with a password) and tinyproxy (HTTP CONNECT)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import ProxyType
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import Stage
from tests.integration.conftest import connection_for
from tests.support.proxies import microsocks, tinyproxy
from tests.support.servers import PASSWORD, Pki, smtp_server

engine = SessionEngine()


def via(proxy, port, pki, proxy_type, **changes):  # type: ignore[no-untyped-def]
    return connection_for(
        port,
        pki,
        proxy_type=proxy_type,
        proxy_host=proxy.host,
        proxy_port=proxy.port,
        proxy_username=proxy.username,
        **changes,
    )


@pytest.mark.parametrize("remote_dns", [True, False])
def test_send_through_socks5_with_password(pki: Pki, remote_dns: bool) -> None:
    with smtp_server("starttls", pki) as server, microsocks() as proxy:
        conn = via(proxy, server.port, pki, ProxyType.SOCKS5, proxy_remote_dns=remote_dns, host="localhost")
        msg = build_test_message(conn, TestRequest(to=("r@example.com",)))
        result = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password=proxy.password), msg)
        assert result.ok, result.error
        assert "proxy" in result.timings_ms and ("resolve" in result.timings_ms) is (not remote_dns)
        assert len(server.handler.messages) == 1
        assert proxy.password not in "\n".join(result.transcript)


def test_wrong_socks_password(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server, microsocks() as proxy:
        conn = via(proxy, server.port, pki, ProxyType.SOCKS5)
        result = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password="nope"), None)
        assert not result.ok and result.stage is Stage.PROXY and result.exit_code == 10
        assert result.failure_kind == "proxy-auth" and "proxy user name" in (result.fix or "")


def test_send_through_http_connect(pki: Pki, tmp_path: Path) -> None:
    with smtp_server("starttls", pki) as server, tinyproxy(tmp_path) as proxy:
        conn = via(proxy, server.port, pki, ProxyType.HTTP)
        msg = build_test_message(conn, TestRequest(to=("r@example.com",)))
        result = engine.run(conn, SessionSecrets(password=PASSWORD), msg)
        assert result.ok, result.error
        assert len(server.handler.messages) == 1


def test_http_proxy_with_basic_auth(pki: Pki, tmp_path: Path) -> None:
    with smtp_server("starttls", pki) as server, tinyproxy(tmp_path, with_auth=True) as proxy:
        conn = via(proxy, server.port, pki, ProxyType.HTTP)
        good = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password=proxy.password), None)
        assert good.ok, good.error
        bad = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password="wrong"), None)
        assert bad.failure_kind == "proxy-auth" and bad.exit_code == 10


def test_proxy_not_running() -> None:
    from tests.support.servers import free_port

    conn = connection_for(25, None, proxy_type=ProxyType.SOCKS5, proxy_host="127.0.0.1", proxy_port=free_port())
    result = engine.run(conn, SessionSecrets(), None)
    assert result.stage is Stage.PROXY and result.failure_kind == "proxy-connect" and result.exit_code == 10


def test_greeting_in_the_same_packet_as_the_proxy_reply_is_not_lost() -> None:
    """A proxy that sends its 200 and the server's greeting together (as fast links do)."""
    from smtpgui.core.model import AuthMode, Security
    from tests.support.servers import ScriptedServer, read_line

    def proxy_and_server(conn) -> None:  # type: ignore[no-untyped-def]
        while read_line(conn) not in (b"\r\n", b""):
            pass
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n220 glued greeting\r\n")
        while line := read_line(conn):
            conn.sendall(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"250 ok\r\n")

    with ScriptedServer(proxy_and_server) as proxy:
        conn = connection_for(
            2525, None, security=Security.NONE, proxy_type=ProxyType.HTTP, proxy_host="127.0.0.1", proxy_port=proxy.port
        ).replace(auth_mode=AuthMode.NONE)
        result = engine.run(conn, SessionSecrets(), None)
        assert result.ok, result.error
        assert "<- 220 glued greeting" in result.transcript


# ---------------------------------------------------------------------- issue 17 item 14: non-ASCII proxy credentials

NON_ASCII_PASSWORD = "Pässwört-日本-✓"


def test_socks5_with_a_non_ascii_password_through_microsocks(pki: Pki) -> None:
    from tests.support.proxies import PROXY_USER, microsocks_with

    with smtp_server("starttls", pki) as server, microsocks_with(PROXY_USER, NON_ASCII_PASSWORD) as proxy:
        conn = via(proxy, server.port, pki, ProxyType.SOCKS5)
        result = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password=NON_ASCII_PASSWORD), None)
        assert result.ok, result.error
        wrong = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password="Pässwört-falsch"), None)
        assert wrong.failure_kind == "proxy-auth" and wrong.exit_code == 10, wrong.error


def test_socks5_sends_user_and_password_as_utf8(pki: Pki) -> None:
    from tests.support.hostile_proxies import RecordingSocks5

    user = "Jürgen"
    with smtp_server("starttls", pki) as server, RecordingSocks5(user.encode(), NON_ASCII_PASSWORD.encode()) as proxy:
        conn = connection_for(
            server.port,
            pki,
            proxy_type=ProxyType.SOCKS5,
            proxy_host="127.0.0.1",
            proxy_port=proxy.port,
            proxy_username=user,
        )
        result = engine.run(conn, SessionSecrets(password=PASSWORD, proxy_password=NON_ASCII_PASSWORD), None)
        assert result.ok, result.error
        assert proxy.offered == [(user.encode(), NON_ASCII_PASSWORD.encode())]


def test_http_connect_basic_auth_is_utf8() -> None:
    import base64

    from tests.support.hostile_proxies import HostileHttpProxy

    with HostileHttpProxy("echo-407") as proxy:
        conn = connection_for(
            9, None, proxy_type=ProxyType.HTTP, proxy_host="127.0.0.1", proxy_port=proxy.port, proxy_username="Jürgen"
        )
        result = engine.run(conn, SessionSecrets(proxy_password=NON_ASCII_PASSWORD), None)
    assert result.failure_kind == "proxy-auth", result.error
    expected = base64.b64encode(f"Jürgen:{NON_ASCII_PASSWORD}".encode()).decode()
    assert f"Proxy-Authorization: Basic {expected}".encode() in proxy.requests[0]


def test_a_socks5_password_longer_than_255_bytes_is_a_sentence() -> None:
    conn = connection_for(
        9, None, proxy_type=ProxyType.SOCKS5, proxy_host="127.0.0.1", proxy_port=9, proxy_username="u"
    )
    from tests.support.hostile_proxies import RecordingSocks5

    with RecordingSocks5(b"u", b"x") as proxy:
        result = engine.run(conn.replace(proxy_port=proxy.port), SessionSecrets(proxy_password="ä" * 200), None)
    assert result.exit_code == 10 and result.failure_kind == "proxy-auth", result.error
    assert "255" in (result.error or "") and "unexpected" not in (result.error or "")
