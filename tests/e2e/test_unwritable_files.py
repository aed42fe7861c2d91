"""A config folder or log that smtpgui cannot write: commands still work and say so once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, CliRunner
from tests.support.servers import free_port

NOBODY = 65534


def test_a_log_path_that_is_a_folder_does_not_stop_a_command(cli: CliRunner) -> None:
    assert cli("add", "Work", "--host", "smtp.example.test").returncode == 0
    log_file = cli.config_dir / "logs" / "smtpgui.log"
    log_file.unlink()
    log_file.mkdir()  # open() fails with EISDIR, like any file smtpgui cannot write
    r = cli("list")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout.startswith("* Work")
    problems = [line for line in r.stderr.splitlines() if "log" in line]
    assert len(problems) == 1 and problems[0].startswith("smtpgui: ") and str(log_file) in problems[0]


def test_a_log_under_a_regular_file_does_not_stop_a_command(cli: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    cli.extra_env["SMTPGUI_LOG_DIR"] = str(blocker / "logs")
    r = cli("add", "Work", "--host", "smtp.example.test")
    assert r.returncode == 0, r.stderr
    assert [line for line in r.stderr.splitlines() if "log" in line and "smtpgui: " in line]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="smtpgui-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)  # a test may have made it read-only to its owner
        shutil.rmtree(folder, ignore_errors=True)


def _as_nobody(config_dir: Path, keyring_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(config_dir.parent),
        "SMTPGUI_CONFIG_DIR": str(config_dir),
        "SMTPGUI_TEST_KEYRING": str(keyring_file),
        "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.FileKeyring",
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # As root, the folder belongs to "another user" by running as nobody; as anyone else, the
    # folder is read-only to its owner too (see the test), so the user runs it as itself.
    become = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if os.geteuid() == 0 else []
    command = [*become, sys.executable, "-m", "smtpgui"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_a_read_only_config_folder_still_lists_shows_and_exports(cli: CliRunner, shared_dir: Path) -> None:
    """A config folder (and log) owned by another user, as one ``sudo smtpgui`` leaves behind."""
    config = shared_dir / "config"
    cli.config_dir = config
    assert cli("add", "Work", "--host", "127.0.0.1", "--port", str(free_port()), "--security", "none").returncode == 0
    # Readable by nobody, writable by root only; not being root, read-only to its owner as well.
    folder_mode, file_mode = (0o755, 0o644) if os.geteuid() == 0 else (0o555, 0o444)
    for path in sorted([config, *config.rglob("*")], key=lambda p: len(p.parts), reverse=True):
        path.chmod(folder_mode if path.is_dir() else file_mode)
    keyring = shared_dir / "keyring" / "k.json"
    keyring.parent.mkdir()
    keyring.parent.chmod(0o777)
    out = shared_dir / "out"
    out.mkdir()
    out.chmod(0o777)
    listed = _as_nobody(config, keyring, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("* Work") and "Traceback" not in listed.stderr
    notes = [line for line in listed.stderr.splitlines() if "log" in line]
    assert len(notes) == 1 and notes[0].startswith("smtpgui: "), listed.stderr
    shown = _as_nobody(config, keyring, "show", "Work", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["host"] == "127.0.0.1"
    exported = _as_nobody(config, keyring, "export", str(out / "e.json"))
    assert exported.returncode == 0, exported.stderr
    assert json.loads((out / "e.json").read_text())["connections"][0]["name"] == "Work"
    tested = _as_nobody(config, keyring, "test", "Work", "--to", "ops@example.test", "--from", "me@example.test")
    assert tested.returncode not in (0, 1, 3) and "Traceback" not in tested.stderr, tested.stderr  # refused: 1x
    # a change cannot be saved: a sentence and exit 3, not a traceback
    edited = _as_nobody(config, keyring, "edit", "Work", "--port", "25")
    assert edited.returncode == 3 and "Traceback" not in edited.stderr, edited.stderr
