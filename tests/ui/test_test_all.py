"""Test all in the window: results on the cards as they come in, cancellable, the GUI free."""

from __future__ import annotations

import threading
from pathlib import Path

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.models import LastResultRole
from tests.support.servers import ScriptedServer, free_port, smtp_server


def _plain(name: str, port: int, **changes: object) -> Connection:
    return Connection(
        name=name, host="127.0.0.1", port=port, security=Security.NONE, auth_mode=AuthMode.NONE,
        timeout_s=5, from_address="sender@example.com",
    ).replace(**changes)  # fmt: skip


def _result_of(window, name: str):  # type: ignore[no-untyped-def]
    row = next(i for i, c in enumerate(window.model.connections()) if c.name == name)
    return window.model.data(window.model.index(row, 0), LastResultRole)


def test_test_all_puts_each_result_on_its_card(qtbot, make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("plain", auth=False) as server:
        store = ConnectionStore(config_dir)
        for connection in (
            _plain("good", server.port),
            _plain("nothing-there", free_port()),
            _plain("off", free_port(), enabled=False),
        ):
            store.add(connection)
        window = make_window()
        assert window.test_all_action.text() == "Test &all"
        with qtbot.waitSignal(window.tests.test_all_running, timeout=5000) as started:
            window.test_all_action.trigger()
        assert started.args == [True]
        assert window.test_all_action.text() == "Cancel test &all"
        with qtbot.waitSignal(window.tests.test_all_running, timeout=30000) as ended:
            pass
        assert ended.args == [False]
    good, bad = _result_of(window, "good"), _result_of(window, "nothing-there")
    assert good is not None and good.ok
    assert bad is not None and not bad.ok and bad.stage == "connect"
    assert _result_of(window, "off") is None  # disabled connections are not tested
    assert "1 of 2 connection(s) passed" in window.statusBar().currentMessage()
    assert window.test_all_action.text() == "Test &all"
    # The results are kept (in one write, on a worker) and survive a restart.
    from smtpgui.storage.results import ResultStore

    kept = ResultStore(config_dir)
    qtbot.waitUntil(lambda: len(kept.load()) == 2, timeout=5000)


def test_test_all_again_cancels_the_run(qtbot, make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    arrived = threading.Event()

    def silent(conn) -> None:  # type: ignore[no-untyped-def]
        arrived.set()
        while conn.recv(4096):
            pass

    with ScriptedServer(silent) as server:
        ConnectionStore(config_dir).add(_plain("silent", server.port, timeout_s=60))
        window = make_window()
        window.test_all_action.trigger()
        assert arrived.wait(10)
        with qtbot.waitSignal(window.tests.test_all_running, timeout=10000) as ended:
            window.test_all_action.trigger()  # the action now cancels
        assert ended.args == [False]
    assert _result_of(window, "silent") is None  # a cancelled test leaves no result behind
