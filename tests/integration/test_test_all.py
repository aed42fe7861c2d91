"""Testing every connection at once: bounded concurrency, results in order, cancel stops all."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.services.testall import TestAllItem, TestAllRun
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from tests.support.servers import ScriptedServer, free_port, smtp_server


def _plain(name: str, port: int, **changes: object) -> Connection:
    return Connection(
        name=name,
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        auth_mode=AuthMode.NONE,
        timeout_s=5,
        from_address="sender@example.com",
    ).replace(**changes)


class _Silent:
    """Accepts connections and never speaks; counts how many are open at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.most = 0
        self.arrived = threading.Event()

    def __call__(self, conn) -> None:  # type: ignore[no-untyped-def]
        with self.lock:
            self.open += 1
            self.most = max(self.most, self.open)
        self.arrived.set()
        try:
            while conn.recv(4096):  # idle until the client hangs up
                pass
        except OSError:
            pass
        finally:
            with self.lock:
                self.open -= 1


def test_results_come_in_list_order_with_each_outcome(tmp_path: Path) -> None:
    with smtp_server("plain", auth=False) as good:
        connections = [
            _plain("one", good.port),
            _plain("two", free_port()),  # a free port of our own: nothing listens
            _plain("three", good.port),
            _plain("four", good.port),
        ]
        heard: list[TestAllItem] = []
        run = TestAllRun(SessionEngine(), connections, lambda c: SessionSecrets(), lambda c: None, concurrency=2)
        items = run.run(heard.append)
    assert [item.connection.name for item in items] == ["one", "two", "three", "four"]
    assert [item.ok for item in items] == [True, False, True, True]
    assert items[1].result is not None and items[1].result.stage.value == "connect"
    assert sorted(item.index for item in heard) == [0, 1, 2, 3]


def test_no_more_than_the_concurrency_run_at_once_and_cancel_stops_them() -> None:
    silent = _Silent()
    with ScriptedServer(silent) as listening:
        connections = [_plain(f"c{i}", listening.port, timeout_s=60) for i in range(12)]
        run = TestAllRun(SessionEngine(), connections, lambda c: SessionSecrets(), lambda c: None, concurrency=3)
        outcome: list[list[TestAllItem]] = []
        worker = threading.Thread(target=lambda: outcome.append(run.run()))
        worker.start()
        assert silent.arrived.wait(10)
        deadline = time.monotonic() + 10
        while silent.most < 3 and time.monotonic() < deadline:
            silent.arrived.clear()
            silent.arrived.wait(0.5)
        started = time.monotonic()
        run.cancel()
        worker.join(10)
        assert not worker.is_alive()
        assert time.monotonic() - started < 5
    assert silent.most == 3
    items = outcome[0]
    assert len(items) == 12
    assert not any(item.ok for item in items)
    assert all(item.problem == "cancelled before it started" or item.result.cancelled for item in items)  # type: ignore[union-attr]


def test_a_connection_that_cannot_run_says_why_and_the_others_go_on() -> None:
    from smtpgui.core.errors import SecretStoreUnavailable

    def secrets_for(connection: Connection) -> SessionSecrets:
        if connection.name == "locked":
            raise SecretStoreUnavailable("The keyring is locked.")
        return SessionSecrets()

    with smtp_server("plain", auth=False) as good:
        connections = [_plain("locked", good.port), _plain("fine", good.port)]
        items = TestAllRun(SessionEngine(), connections, secrets_for, lambda c: None).run()
    assert items[0].problem == "The keyring is locked." and items[0].result is None
    assert items[1].ok


def test_the_concurrency_is_bounded() -> None:
    with pytest.raises(ValueError, match="from 1 to 64"):
        TestAllRun(SessionEngine(), [], lambda c: SessionSecrets(), lambda c: None, concurrency=0)
