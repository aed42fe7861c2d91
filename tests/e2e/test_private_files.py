"""Every folder smtpgui creates is 0700 and every file it writes 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smtpgui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.umask(0),  # the widest umask there is
    )


def _modes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): oct(stat.S_IMODE(p.stat().st_mode)) for p in sorted(root.rglob("*"))}


def test_folders_and_files_are_private_under_umask_000(tmp_path: Path) -> None:
    top = tmp_path / "new"  # missing, with missing parents below it
    config = top / "a" / "b" / "config"
    env = dict(os.environ)
    env.update(
        SMTPGUI_CONFIG_DIR=str(config),
        SMTPGUI_TEST_KEYRING=str(tmp_path / "keyring.json"),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        PYTHONPATH=str(REPO),
    )
    env.pop("SMTPGUI_LOG_DIR", None)
    assert _run(env, "add", "Work", "--host", "smtp.example.test").returncode == 0
    assert _run(env, "edit", "Work", "--port", "2525").returncode == 0  # leaves connections.json.bak
    assert _run(env, "settings", "--default-from", "me@example.test").returncode == 0
    assert _run(env, "settings", "--default-from", "me2@example.test").returncode == 0
    exports = top / "exports"
    exports.mkdir(mode=0o700)
    r = _run(env, "export", str(exports / "all.json"))
    assert r.returncode == 0, r.stderr
    (config / "connections.json").write_text("{ damaged")
    (config / "connections.json").chmod(0o644)  # as an editor might leave it
    assert _run(env, "list").returncode == 0  # moves the damaged file aside
    modes = _modes(top)
    names = {Path(p).name for p in modes}
    assert {
        "connections.json",
        "connections.json.bak",
        "connections.json.lock",
        "settings.json",
        "smtpgui.log",
    } <= names
    assert any(n.startswith("connections.json.corrupt-") for n in names)
    wrong = {p: m for p, m in modes.items() if m != ("0o700" if (top / p).is_dir() else "0o600") and p != "exports"}
    assert wrong == {}


def test_the_window_keeps_its_files_private_under_umask_000(tmp_path: Path) -> None:
    config = tmp_path / "new" / "config"
    env = dict(os.environ)
    env.update(
        SMTPGUI_CONFIG_DIR=str(config),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        SMTPGUI_TEST_KEYRING=str(tmp_path / "keyring.json"),
        PYTHONPATH=str(REPO),
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("SMTPGUI_LOG_DIR", None)
    r = _run(env, "--self-test")
    assert r.returncode == 0, r.stderr
    modes = _modes(tmp_path / "new")
    assert "config/ui-state.ini" in modes
    wrong = {p: m for p, m in modes.items() if m != ("0o700" if (tmp_path / "new" / p).is_dir() else "0o600")}
    assert wrong == {}
