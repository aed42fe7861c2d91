"""The command line against named pipes (FIFOs), devices and symbolic links where its files are.

Every command here returns within its timeout (``subprocess.TimeoutExpired`` fails the test
instead of hanging it) and runs with its address space capped at 1 GB, so a regression that
reads ``/dev/zero`` without end fails fast instead of eating the machine's memory. Only FIFOs and
links made under ``tmp_path`` are used; links to ``/dev/zero`` are only ever read.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import CliRunner

MEMORY_CAP = 1024 * 1024 * 1024


def _run(cli: CliRunner, *args: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "smtpgui", *args],
        capture_output=True,
        text=True,
        env=cli.env(),
        timeout=30,
        check=False,
        cwd=cli.config_dir.parent,
        preexec_fn=limit,
    )


def _is_fifo(path: Path) -> bool:
    return stat.S_ISFIFO(os.lstat(path).st_mode)


def _refused(r: subprocess.CompletedProcess[str], code: int, path: Path) -> None:
    assert r.returncode == code, r.stderr
    assert r.stderr.startswith("smtpgui: ") and str(path) in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr


def test_a_connections_file_linked_to_dev_zero_is_refused_at_once(cli: CliRunner) -> None:
    path = cli.config_dir / "connections.json"
    path.symlink_to("/dev/zero")
    _refused(_run(cli, "list"), 3, path)
    _refused(_run(cli, "add", "q", "--host", "q.example.test"), 3, path)
    assert os.readlink(path) == "/dev/zero"  # neither moved aside nor replaced


def test_a_fifo_as_the_connections_or_settings_file_is_refused_without_hanging(cli: CliRunner) -> None:
    connections = cli.config_dir / "connections.json"
    os.mkfifo(connections)
    _refused(_run(cli, "list"), 3, connections)
    _refused(_run(cli, "add", "q", "--host", "q.example.test"), 3, connections)
    connections.unlink()
    settings = cli.config_dir / "settings.json"
    os.mkfifo(settings)
    _refused(_run(cli, "settings"), 3, settings)
    _refused(_run(cli, "settings", "--default-from", "a@example.test"), 3, settings)
    assert _is_fifo(settings)


def test_a_fifo_as_the_log_file_is_reported_once_and_the_command_goes_on(cli: CliRunner) -> None:
    log = cli.config_dir / "logs" / "smtpgui.log"
    log.parent.mkdir()
    os.mkfifo(log)
    r = _run(cli, "list")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("without writing its log") == 1 and str(log) in r.stderr, r.stderr
    assert _is_fifo(log)


def test_a_lock_file_that_is_a_symlink_loop_is_exit_3_with_a_sentence(cli: CliRunner) -> None:
    lock = cli.config_dir / "connections.json.lock"
    lock.symlink_to(lock)
    for args in (("list",), ("add", "q", "--host", "q.example.test")):
        _refused(_run(cli, *args), 3, lock)


def test_importing_a_fifo_or_dev_zero_is_exit_2_naming_the_file(cli: CliRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        _refused(_run(cli, "import", str(path)), 2, path)
    assert json.loads(_run(cli, "list", "--json").stdout) == []


def test_export_refuses_a_symlink_or_a_fifo_and_leaves_both(cli: CliRunner, tmp_path: Path) -> None:
    assert cli("add", "a", "--host", "a.example.test").returncode == 0
    target = tmp_path / "target.json"
    target.write_text('{"orig": 1}')
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (link, fifo):
        r = _run(cli, "export", str(path))
        _refused(r, 2, path)
        assert "exported" not in r.stdout + r.stderr
    assert link.is_symlink() and target.read_text() == '{"orig": 1}' and _is_fifo(fifo)


def test_a_settings_file_from_a_newer_smtpgui_is_never_overwritten(cli: CliRunner) -> None:
    path = cli.config_dir / "settings.json"
    newer = {"schema_version": 99, "default_from_address": "old@example.test", "theme": "dark"}
    path.write_text(json.dumps(newer))
    r = _run(cli, "settings", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["default_from_address"] == "old@example.test", r.stderr
    r = _run(cli, "settings", "--default-from", "new@example.test")
    assert r.returncode == 3, r.stderr
    assert r.stderr.startswith("smtpgui: settings.json is from a newer smtpgui") and "Traceback" not in r.stderr
    assert json.loads(path.read_text()) == newer


def test_the_self_test_report_is_private_under_umask_000(cli: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    r = _run(cli, "--self-test", "--report", str(report), umask=0)
    assert r.returncode == 0, r.stderr
    assert json.loads(report.read_text())["ok"] is True
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_the_self_test_refuses_a_report_path_that_is_a_fifo_or_a_symlink(cli: CliRunner, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    target = tmp_path / "target.json"
    target.write_text("keep")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    for path in (fifo, link):
        _refused(_run(cli, "--self-test", "--report", str(path)), 2, path)
    assert _is_fifo(fifo) and link.is_symlink() and target.read_text() == "keep"


def test_the_window_refuses_a_fifo_as_its_state_or_lock_file_without_hanging(cli: CliRunner) -> None:
    for name in ("ui-state.ini", "window.lock"):
        path = cli.config_dir / name
        os.mkfifo(path)
        _refused(_run(cli, "--self-test"), 3, path)
        assert _is_fifo(path)
        path.unlink()
