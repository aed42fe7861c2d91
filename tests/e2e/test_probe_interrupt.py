"""Ctrl-C during a probe stops its sessions at once: exit 130 without waiting for their timeouts."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from tests.conftest import CliRunner
from tests.support.processes import smtpgui_command, start_with_default_sigint
from tests.support.servers import ScriptedServer

pytestmark = pytest.mark.integration


def test_ctrl_c_during_a_probe_of_silent_servers_exits_130_at_once(cli: CliRunner) -> None:
    arrived = threading.Event()

    def silent(conn) -> None:  # type: ignore[no-untyped-def]
        arrived.set()
        while conn.recv(4096):
            pass

    with ScriptedServer(silent) as server:
        process = start_with_default_sigint(
            [*smtpgui_command(), "probe", "127.0.0.1", "--port", str(server.port), "--timeout", "60"], cli.env()
        )
        assert arrived.wait(30), "the probe never connected"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
        waited = time.monotonic() - sent
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert waited < 5, f"the probe took {waited:.1f} s to stop"
