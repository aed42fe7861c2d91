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
