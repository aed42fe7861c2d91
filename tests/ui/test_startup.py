"""Start-up: what the window and the commands do before their real work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# Runs in a child process: the window's event loop and the collector are process-wide state.
_CHILD = """
import gc, json, sys
from smtpgui import cli, startup

seen = {}
real_end = startup.end_startup

def spy():
    seen["at first paint"] = gc.isenabled()
    real_end()
    seen["after"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count() > 0

startup.end_startup = spy
config = sys.argv[1]
seen["window exit"] = cli.main(["--config-dir", config, "--self-test"])
seen["enabled after the window"] = gc.isenabled()
seen["command exit"] = cli.main(["--config-dir", config, "list"])
seen["enabled after a command"] = gc.isenabled()
gc.disable()
cli.main(["--config-dir", config, "list"])
seen["a caller's choice kept"] = not gc.isenabled()
print(json.dumps(seen))
"""


def test_start_up_pauses_the_cycle_collector_until_the_first_paint(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "config")],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {
        "at first paint": False,  # paused through imports, reading the store and building the window
        "after": True,
        "frozen": True,  # what start-up built is left out of later collections
        "window exit": 0,
        "enabled after the window": True,
        "command exit": 0,
        "enabled after a command": True,
        "a caller's choice kept": True,
    }


def test_self_test_fails_instead_of_waiting_on_a_warning(tmp_path: Path) -> None:
    """A store it cannot read (here: from a newer version) would show a warning dialog; with
    no one there to close it, ``--self-test`` says what it found and exits 3 (CLI.md)."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "connections.json").write_text('{"schema_version": 999, "connections": []}')
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "smtpgui", "--config-dir", str(config), "--self-test", "--report", str(report)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "newer smtpgui" in done.stderr and "Traceback" not in done.stderr
    assert json.loads(report.read_text())["ok"] is False
    assert '"schema_version": 999' in (config / "connections.json").read_text()  # left untouched
