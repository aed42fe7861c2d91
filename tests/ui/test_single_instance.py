"""One instance per config folder: a second launch raises the first window and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket

from smtpgui.app import _server_name
from tests.conftest import REPO


def test_second_launch_raises_the_first(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SMTPGUI_CONFIG_DIR=str(config),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )
    first = subprocess.Popen(
        [sys.executable, "-m", "smtpgui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        name = _server_name(config)

        def listening() -> bool:
            probe = QLocalSocket()
            probe.connectToServer(name)
            ok = probe.waitForConnected(100)
            probe.abort()
            return ok

        qtbot.waitUntil(listening, timeout=20000)
        second = subprocess.run(
            [sys.executable, "-m", "smtpgui"], env=env, capture_output=True, text=True, timeout=30, check=False
        )
        assert second.returncode == 0
        assert "already running" in second.stderr
        assert first.poll() is None  # the first one is still there
    finally:
        first.terminate()
        first.wait(10)


def test_a_killed_instance_does_not_block_the_next(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window lock of a process that died (SIGKILL: nothing cleaned up) is stale at once."""
    config = tmp_path / "config"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SMTPGUI_CONFIG_DIR=str(config),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )
    name = _server_name(config)

    def listening() -> bool:
        probe = QLocalSocket()
        probe.connectToServer(name)
        ok = probe.waitForConnected(100)
        probe.abort()
        return ok

    first = subprocess.Popen(
        [sys.executable, "-m", "smtpgui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    qtbot.waitUntil(listening, timeout=20000)
    assert (config / "window.lock").exists()
    first.kill()
    first.wait(10)
    assert (config / "window.lock").exists()  # left behind
    second = subprocess.Popen(
        [sys.executable, "-m", "smtpgui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        qtbot.waitUntil(lambda: listening() or second.poll() is not None, timeout=20000)
        assert second.poll() is None, second.stderr.read() if second.stderr else ""
    finally:
        second.terminate()
        second.wait(10)
