"""Misbehaving servers, timeouts, deadlines and cancellation from another thread."""

from __future__ import annotations

import json
import socket
import threading
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Security, TlsVersion
from smtpgui.transport import network
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.errors import NetworkError
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import Stage
from tests.integration.conftest import connection_for
from tests.support.servers import ScriptedServer, read_line

engine = SessionEngine()


def _conn(port: int, **changes: object):  # type: ignore[no-untyped-def]
    return connection_for(port, None, security=Security.NONE, **changes).replace(auth_mode=AuthMode.NONE)


def silent(conn: socket.socket) -> None:
    ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]


def test_silent_server_times_out_with_the_stage() -> None:
    with ScriptedServer(silent) as server:
        started = time.monotonic()
        result = engine.run(_conn(server.port, timeout_s=2), SessionSecrets(), None)
        assert not result.ok and result.timed_out and result.exit_code == 15
        assert result.stage is Stage.GREETING
        assert time.monotonic() - started < 8
        assert "time limit" in (result.explanation or "")


def test_garbage_greeting() -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]

    with ScriptedServer(script) as server:
        result = engine.run(_conn(server.port), SessionSecrets(), None)
        assert not result.ok and result.stage is Stage.GREETING and result.exit_code == 12
        assert result.failure_kind == "protocol" and "not be a mail server" in (result.explanation or "")


def _smtp_until(conn: socket.socket, on_data: bytes) -> None:
    conn.sendall(b"220 ready\r\n")
    while line := read_line(conn):
        verb = line[:4].upper()
        if verb == b"EHLO":
            conn.sendall(b"250-hi\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            conn.sendall(on_data)
            if not on_data.startswith(b"354"):
                return
            while read_line(conn) not in (b".\r\n", b""):
                pass
            conn.close()
            return
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def test_server_closing_after_data() -> None:
    with ScriptedServer(lambda c: _smtp_until(c, b"354 go ahead\r\n")) as server:
        conn = _conn(server.port)
        msg = build_test_message(conn, TestRequest(to=("r@example.com",)))
        result = engine.run(conn, SessionSecrets(), msg)
        assert not result.ok and result.stage is Stage.DATA and result.exit_code == 14
        assert result.failure_kind == "disconnected"


def test_over_long_reply_line_and_continuation_flood_end_cleanly() -> None:
    def long_line(conn: socket.socket) -> None:
        conn.sendall(b"220 " + b"x" * 20000 + b"\r\n")
        ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]

    def flood(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        read_line(conn)
        conn.sendall(b"250-more\r\n" * 2000 + b"250 end\r\n")
        ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]

    for script, stage in ((long_line, Stage.GREETING), (flood, Stage.EHLO)):
        with ScriptedServer(script) as server:
            started = time.monotonic()
            result = engine.run(_conn(server.port), SessionSecrets(), None)
            assert not result.ok and result.stage is stage and result.failure_kind == "protocol"
            assert time.monotonic() - started < 5


def test_non_utf8_reply_is_shown_not_crashed() -> None:
    def script(conn: socket.socket) -> None:
        conn.sendall(b"554 \xff\xfe refused \xc3\r\n")
        ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]

    with ScriptedServer(script) as server:
        result = engine.run(_conn(server.port), SessionSecrets(), None)
        assert result.reply_code == 554 and "refused" in (result.error or "")


def test_cancel_from_another_thread_returns_within_a_second() -> None:
    with ScriptedServer(silent) as server:
        token = CancelToken()
        reached = threading.Event()
        outcome: dict[str, object] = {}

        def on_stage(stage: Stage) -> None:
            if stage is Stage.GREETING:
                reached.set()

        def run() -> None:
            outcome["result"] = engine.run(
                _conn(server.port, timeout_s=60), SessionSecrets(), None, token=token, on_stage=on_stage
            )
            outcome["done"] = time.monotonic()

        worker = threading.Thread(target=run)
        worker.start()
        assert reached.wait(10)
        cancelled_at = time.monotonic()
        token.cancel()
        worker.join(5)
        assert not worker.is_alive()
        assert float(outcome["done"]) - cancelled_at < 1.0  # type: ignore[arg-type]
        result = outcome["result"]
        assert result.cancelled and result.exit_code == 130  # type: ignore[attr-defined]


def test_overall_deadline() -> None:
    def drip(conn: socket.socket) -> None:
        conn.sendall(b"220-slow\r\n")
        ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]

    with ScriptedServer(drip) as server:
        result = engine.run(_conn(server.port, timeout_s=30), SessionSecrets(), None, deadline_s=1.5)
        assert result.timed_out and result.exit_code == 15 and "longer than" in (result.error or "")


def test_refused_port_and_unknown_host() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = engine.run(_conn(port), SessionSecrets(), None)
    assert result.failure_kind == "refused" and result.stage is Stage.CONNECT and result.exit_code == 10
    unknown = engine.run(_conn(25).replace(host="no-such-host.invalid"), SessionSecrets(), None)
    assert unknown.failure_kind == "dns" and unknown.stage is Stage.RESOLVE and unknown.exit_code == 10
    assert "full DNS name" in (unknown.fix or "")


def test_fallback_to_the_next_address() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    with ScriptedServer(silent) as server:
        infos = [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", dead_port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", server.port)),
        ]
        lines: list[str] = []
        sock = network.connect(infos, "", 5, CancelToken(), lines.append)  # type: ignore[arg-type]
        assert sock.getpeername()[1] == server.port
        sock.close()
        assert any(str(dead_port) in line for line in lines)


def test_source_address_is_used() -> None:
    peers: list[str] = []

    def script(conn: socket.socket) -> None:
        peers.append(conn.getpeername()[0])
        conn.sendall(b"220 hi\r\n")
        while line := read_line(conn):
            conn.sendall(b"221 bye\r\n" if line.upper().startswith(b"QUIT") else b"250 ok\r\n")

    with ScriptedServer(script) as server:
        result = engine.run(_conn(server.port, source_address="127.0.0.2"), SessionSecrets(), None)
        assert result.ok, result.error
        assert peers == ["127.0.0.2"]


def test_ehlo_name_is_sent() -> None:
    with ScriptedServer(lambda c: _smtp_until(c, b"554 no\r\n")) as server:
        result = engine.run(_conn(server.port, ehlo_name="client.example.org"), SessionSecrets(), None)
        assert "-> EHLO client.example.org" in result.transcript


def test_network_error_is_typed() -> None:
    error = NetworkError("dns", "cannot resolve x")
    assert str(error) == "cannot resolve x" and error.kind == "dns"


# --------------------------------------------------------------------- any reply, any time

_reply_line = st.one_of(
    st.builds(
        lambda code, sep, text: f"{code}".encode() + sep + text + b"\r\n",
        st.integers(0, 1000),
        st.sampled_from([b" ", b"-", b"", b"\t", b"  "]),
        st.binary(max_size=40),
    ),
    st.binary(max_size=60),  # anything at all, including bytes that are not UTF-8 and bare CRs
    st.just(b"250-" + b"x" * 9000 + b"\r\n"),  # over-long
    st.just(b"250-continued\r\n" * 300),  # a flood of continuation lines
)


@settings(max_examples=60, deadline=None)
@given(replies=st.lists(_reply_line, min_size=1, max_size=8), send=st.booleans())
def test_any_server_replies_end_in_a_result_never_a_traceback_or_a_hang(replies: list[bytes], send: bool) -> None:
    """The server answers each line we send with the next scripted reply, then hangs up."""

    def script(conn: socket.socket) -> None:
        # A client waiting for the rest of a reply sends nothing: then the server hangs up too.
        conn.settimeout(0.3)
        try:
            conn.sendall(replies[0])
            for reply in replies[1:]:
                if not read_line(conn):
                    return
                conn.sendall(reply)
        finally:
            conn.shutdown(socket.SHUT_RDWR)

    connection = _conn(0, timeout_s=3)
    message = build_test_message(connection, TestRequest(to=("r@example.com",))) if send else None
    with ScriptedServer(script) as server:
        started = time.monotonic()
        result = engine.run(connection.replace(port=server.port), SessionSecrets(), message)
    assert time.monotonic() - started < 12
    if not result.ok:
        assert result.explanation and result.fix, result
        assert result.error is None or isinstance(result.error, str)
        assert result.exit_code in (10, 11, 12, 13, 14, 15)
    json.dumps(result.to_json(with_transcript=True))  # the CLI can always print it


def test_tls_below_the_connections_minimum_is_refused(pki) -> None:  # type: ignore[no-untyped-def]
    """A server that speaks at most TLS 1.2 and a connection that insists on 1.3."""
    import ssl

    for mode, security in (("tls", Security.TLS), ("starttls", Security.STARTTLS)):
        ctx = pki.server_context(maximum=ssl.TLSVersion.TLSv1_2)
        from aiosmtpd.controller import Controller

        from tests.support.servers import RecordingHandler, free_port

        kwargs: dict[str, object] = {"hostname": "127.0.0.1", "port": free_port()}
        kwargs.update({"ssl_context": ctx} if mode == "tls" else {"tls_context": ctx, "require_starttls": True})
        controller = Controller(RecordingHandler(set()), **kwargs)  # type: ignore[arg-type]
        controller.start()
        try:
            connection = connection_for(controller.port, pki, security=security, tls_min=TlsVersion.V1_3)
            result = engine.run(connection.replace(auth_mode=AuthMode.NONE), SessionSecrets(), None)
        finally:
            controller.stop()
        assert not result.ok and result.exit_code == 11, result
        assert result.failure_kind == "tls-version" and "TLS version" in (result.explanation or "")
        assert not any(line.startswith(("~>", "<~")) and "EHLO" in line for line in result.transcript)
