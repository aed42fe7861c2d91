"""One instance per config folder: a second launch raises the first window and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket

from smtpgui.app import _server_name
from tests.conftest import REPO


def _launch(config: Path, **output: object) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SMTPGUI_CONFIG_DIR=str(config),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )
    return subprocess.Popen([sys.executable, "-m", "smtpgui"], env=env, text=True, **output)  # type: ignore[call-overload,no-any-return]


def _listening(config: Path) -> bool:
    """Whether a window on ``config`` answers on its local socket."""
    probe = QLocalSocket()
    probe.connectToServer(_server_name(config))
    ok = probe.waitForConnected(100)
    probe.abort()
    return ok


def test_second_launch_raises_the_first(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    first = _launch(config, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qtbot.waitUntil(lambda: _listening(config), timeout=20000)
        second = _launch(config, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, errors = second.communicate(timeout=30)
        assert second.returncode == 0
        assert "already running" in errors
        assert first.poll() is None  # the first one is still there
    finally:
        first.terminate()
        first.wait(10)


def test_a_killed_instance_does_not_block_the_next(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The window lock of a process that died (SIGKILL: nothing cleaned up) is stale at once."""
    config = tmp_path / "config"
    first = _launch(config, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    qtbot.waitUntil(lambda: _listening(config), timeout=20000)
    assert (config / "window.lock").exists()
    first.kill()
    first.wait(10)
    assert (config / "window.lock").exists()  # left behind
    second = _launch(config, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: _listening(config) or second.poll() is not None, timeout=20000)
        assert second.poll() is None, second.stderr.read() if second.stderr else ""
    finally:
        second.terminate()
        second.wait(10)
