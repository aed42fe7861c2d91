"""The Inbox's threads and timer (issue 19, attack): polling only while the Inbox shows, and a window
that closes while its sandbox runs leaves no server thread and no listening port behind."""

from __future__ import annotations

import socket
import threading

from tests.ui.test_inbox import inbox_window, send, started  # noqa: F401 - the fixture

SANDBOX_THREADS = ("smtpgui-sandbox", "smtpgui-inbox-commit", "smtpgui-sandbox-notices")


def test_polling_stops_when_hidden_and_closing_leaves_nothing_running(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    before = set(threading.enumerate())  # other tests' stores may still have their threads
    window = inbox_window()
    port = started(window, qtbot)
    send(port, "before close")
    assert window.inbox.timer.isActive()
    window.inbox.show_connections()
    assert not window.inbox.timer.isActive()  # a hidden Inbox costs nothing
    window.inbox.show_inbox()
    assert window.inbox.timer.isActive()
    window.close()
    assert not window.inbox.timer.isActive()
    qtbot.waitUntil(
        lambda: not [t for t in set(threading.enumerate()) - before if t.name.startswith(SANDBOX_THREADS)],
        timeout=10000,
    )
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens there any more
