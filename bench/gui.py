"""GUI responsiveness: filtering 10,000 cards per keystroke, and the GUI thread's longest stall
while 50 test sends run (10 of them to a server that never answers).

Budgets (DESIGN.md §6): under 30 ms per keystroke; no stall over 50 ms, the first Send of the
session included. Both run in this process with real widgets (offscreen): typing goes through
the search field's textChanged into the filter model and the view's relayout; sends go through
the test dialog, SendJob and the window's thread pool to aiosmtpd (STARTTLS + AUTH) on loopback.
The window is built the way the app starts it (:func:`_start_like_the_app`): the cycle collector
paused until the first paint, then everything start-up made frozen out of later collections.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import Figure, ServerProcess, make_config, median

from smtpgui.app import application, build_main_window
from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from smtpgui.transport.result import TestResult
from tests.support.keyrings import MemoryKeyring
from tests.support.prompts import ScriptedPrompts
from tests.support.servers import PASSWORD, USER

STALL_BUDGET_MS = 50.0
KEYSTROKE_BUDGET_MS = 30.0


def _start_like_the_app(config: Path, keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """The window as ``smtpgui`` starts it: PySide's import check made cheap, collector paused,
    shown, painted, the editor built after the paint, heap frozen."""
    from smtpgui import startup
    from smtpgui.ui import pysidehook

    pysidehook.install()  # the launcher does it before the window's modules load
    app = application()
    startup.pause_collector()
    window = build_main_window(config, ScriptedPrompts(), keyring)
    window.resize(1100, 700)
    window.show()
    app.processEvents()
    window.finish_startup()  # as app.run does right after the first paint: the editor is built
    startup.end_startup()
    return app, window


def _window_for(servers: ServerProcess, config: Path, keyring: MemoryKeyring, total: int, silent: int):  # type: ignore[no-untyped-def]
    """The app's window over ``total`` connections to the benchmark servers (``silent`` of them to
    the one that never answers), each with its password in ``keyring``."""
    connections = [
        Connection(
            name=f"relay {i:02d}", host="127.0.0.1", port=servers.silent_port if i < silent else servers.smtp_port,
            security=Security.STARTTLS, ca_file=servers.ca_file, auth_mode=AuthMode.PASSWORD,
            username=USER, from_address="bench@example.com", timeout_s=30,
        )
        for i in range(total)
    ]  # fmt: skip
    store = ConnectionStore(config)
    store.update(lambda _c: connections)
    for c in store.load():
        keyring.set_password("smtpgui", f"{c.id}:password", PASSWORD)
    return _start_like_the_app(config, keyring)


def filter_keystrokes(runs: int = 5) -> Figure:
    """Type searches into the search field of a window holding 10,000 connections."""
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(Path(tmp) / "config", 10000)
        app, window = _start_like_the_app(config, MemoryKeyring())
        samples: list[float] = []
        for _ in range(runs):
            for query in ("relay 0421", "smtp99", "user5@", "notification mail for service 77"):
                window.search.clear()
                app.processEvents()
                for i in range(1, len(query) + 1):
                    started = time.perf_counter()
                    window.search.setText(query[:i])
                    window.list.viewport().update()  # the keystroke counts until the cards are drawn
                    app.processEvents()
                    samples.append((time.perf_counter() - started) * 1000)
        window.close()
    samples.sort()
    return Figure(
        "filter 10,000 cards, per keystroke (ms)", median(samples), None, "ms", KEYSTROKE_BUDGET_MS, runs,
        {"p95_ms": round(samples[int(len(samples) * 0.95)], 2), "max_ms": round(samples[-1], 2), "keystrokes": len(samples)},
    )  # fmt: skip


def stall_during_sends(total: int = 50, silent: int = 10) -> Figure:
    """The longest gap between 5 ms timer ticks on the GUI thread while the sends start and run.

    The servers run in a process of their own (a mail server never shares the app's GIL), and the
    answering one holds each message for 1.5 s before accepting it, as a slow link does, so the
    sessions overlap and their results arrive in bursts.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLineEdit, QPushButton

    keyring = MemoryKeyring()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki", 1.5) as servers:
        app, window = _window_for(servers, Path(tmp) / "config", keyring, total, silent)
        # A person needs more than a second to open a test dialog and press Send; by then the
        # window has loaded the engine on a worker (its warm-up, 300 ms after the first paint).
        settle = time.perf_counter() + 2
        while "smtpgui.transport.engine" not in sys.modules and time.perf_counter() < settle:
            app.processEvents()
        gaps: list[float] = []
        phases: list[str] = []
        phase = ["starting the sends"]
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            phases.append(phase[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        finished: list[TestResult] = []
        dialogs = []
        timer.start()
        for row in range(total):
            window.list.setCurrentIndex(window.filter.index(row, 0))
            dialog = window.tests.open_dialog()
            assert dialog is not None
            dialog.result_ready.connect(finished.append)
            dialog.findChild(QLineEdit, "toEdit").setText("ops@example.com")
            dialog.findChild(QPushButton, "sendButton").click()
            dialogs.append(dialog)
            app.processEvents()
        phase[0] = "sends running"
        deadline = time.perf_counter() + 120
        while len(finished) < total - silent and time.perf_counter() < deadline:
            app.processEvents()
        timer.stop()
        for job in list(window.jobs):
            job.cancel()
        window.pool.waitForDone(30000)
        window.close()
    if sum(r.ok for r in finished) != total - silent or servers.delivered != total - silent:
        raise RuntimeError(f"only {servers.delivered} of {total - silent} test messages arrived")
    # Every gap counts, the first too: it holds the first Send (loading the test dialog and the
    # engine), which a person clicking Send feels like any other.
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    return Figure(
        "GUI thread's longest stall, 50 sends (ms)", gaps[worst], None, "ms", STALL_BUDGET_MS, 1,
        {"delivered": servers.delivered, "worst_while": phases[worst],
         "worst_while_running_ms": round(max((g for g, p in zip(gaps, phases, strict=True) if p == "sends running"), default=0.0), 1),
         "median_tick_ms": round(median(gaps), 2), "ticks": len(gaps)},
    )  # fmt: skip


def stall_during_test_all(total: int = 50, silent: int = 10) -> Figure:
    """The longest gap between 5 ms timer ticks while Test all verifies ``total`` connections
    (``silent`` of them to a server that never answers, cancelled at the end): results arrive on
    the GUI thread as queued signals and land on the cards."""
    from PySide6.QtCore import QTimer

    keyring = MemoryKeyring()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki") as servers:
        app, window = _window_for(servers, Path(tmp) / "config", keyring, total, silent)
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        done: list[int] = []
        window.tests.test_all_running.connect(lambda running: None if running else done.append(1))
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        timer.start()
        window.test_all_action.trigger()
        deadline = time.perf_counter() + 120
        while window.tests.test_all is not None and window.tests.test_all.done < total - silent:
            app.processEvents()
            if time.perf_counter() > deadline:
                break
        window.tests.cancel_all()  # the silent ones: Cancel, as a person would
        while not done and time.perf_counter() < deadline:
            app.processEvents()
        timer.stop()
        window.close()
    return Figure(
        f"GUI thread's longest stall, Test all over {total} (ms)", max(gaps), None, "ms", STALL_BUDGET_MS, 1,
        {"median_tick_ms": round(median(gaps), 2), "ticks": len(gaps)},
    )  # fmt: skip


if __name__ == "__main__":
    from common import table

    print(table([filter_keystrokes(2), stall_during_sends()]))
