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


_HOOK_CHILD = """
import json, sys, types
from smtpgui import cli
from smtpgui.ui import pysidehook

feature = sys.modules.get("shibokensupport.feature")
before = feature._mod_uses_pyside if feature else None
cli.main(["--config-dir", sys.argv[1], "--self-test"])
feature = sys.modules["shibokensupport.feature"]
after = feature._mod_uses_pyside
original = after.__closure__[0].cell_contents
answers = {}
for name in ("smtpgui.ui.mainwindow", "smtpgui.core.model", "json", "sys", "PySide6.QtCore"):
    module = sys.modules[name]
    answers[name] = [after(module), original(module)]
answers["unreadable"] = [after(types.ModuleType("gone")), original(types.ModuleType("gone"))]
print(json.dumps({"installed by the window's start": before is None and after is not original, "answers": answers}))
"""


def test_pysides_import_check_is_answered_from_the_files_bytes_with_the_same_answers(tmp_path: Path) -> None:
    """PySide asks of every module imported after it whether its source mentions PySide6; the
    window's start answers from the file's bytes (no tokenizer) and every answer is PySide's own."""
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", _HOOK_CHILD, str(tmp_path / "config")],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["installed by the window's start"] is True
    assert seen["answers"]["smtpgui.ui.mainwindow"] == [True, True]
    assert seen["answers"]["smtpgui.core.model"] == [False, False]
    for name, (ours, pysides) in seen["answers"].items():
        assert ours == pysides, name


def test_the_self_test_report_says_when_the_first_paint_was_done(tmp_path: Path) -> None:
    """``painted_at`` (the wall clock) lets a caller time start to first paint on its own clock."""
    import time

    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )  # fmt: skip
    report = tmp_path / "report.json"
    started = time.time()
    subprocess.run(
        [sys.executable, "-m", "smtpgui", "--config-dir", str(tmp_path / "c"), "--self-test", "--report", str(report)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    ended = time.time()
    data = json.loads(report.read_text())
    assert started < data["painted_at"] < ended
    assert set(data) == {"ok", "startup_ms", "connections", "qt_version", "keyring_backend", "painted_at"}


_LATER_CHILD = """
import json, sys
from smtpgui import cli
from smtpgui.ui import mainwindow

seen = {}
real_finish = mainwindow.MainWindow.finish_startup

def spy(self):
    if "at first paint" not in seen:
        seen["at first paint"] = sorted(m for m in sys.modules if m.startswith("smtpgui.ui."))
        seen["editor built"] = self.findChild(mainwindow.QWidget, "connectionEditor") is not None
    real_finish(self)
    seen["shown after"] = self.editor.original.name if self.editor.original else None

mainwindow.MainWindow.finish_startup = spy
seen["exit"] = cli.main(["--config-dir", sys.argv[1], "--self-test"])
print(json.dumps(seen))
"""


def test_the_editor_and_the_flows_wait_for_the_first_paint(tmp_path: Path) -> None:
    """The first paint shows the cards without the editor's and the flows' modules; the editor
    is built right after it and shows the connection that was selected."""
    from smtpgui.core.model import Connection
    from smtpgui.storage.store import ConnectionStore

    config = tmp_path / "config"
    ConnectionStore(config).update(lambda _c: [Connection(name="Relay", host="relay.example.com")])
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", _LATER_CHILD, str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    later = {"editor", "tabs", "forms", "connectionflow", "testflow", "signinflow", "probeflow", "exchangeflow"}
    assert not later & {m.rsplit(".", 1)[1] for m in seen["at first paint"]}
    assert seen["editor built"] is False
    assert seen["shown after"] == "Relay" and seen["exit"] == 0


def test_a_headless_self_test_says_nothing_on_standard_error(tmp_path: Path) -> None:
    """The offscreen platform's note that it cannot pass size hints on is not a user's business."""
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(REPO),
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "smtpgui", "--config-dir", str(tmp_path / "c"), "--self-test"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
