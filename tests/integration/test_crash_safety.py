"""Nothing is lost: writers killed mid-save, a full disk, an unusable folder, many writers at once."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from smtpgui.cli.parser import main as run_command
from smtpgui.core.model import Connection
from smtpgui.storage import atomic
from smtpgui.storage.store import ConnectionStore
from tests.conftest import REPO, CliRunner

pytestmark = pytest.mark.integration

# A writer that reports each change only after the store says it is saved: what it printed is
# committed and must survive, whatever happens to the process afterwards.
WRITER = """
import sys
from pathlib import Path
from smtpgui.core.model import Connection
from smtpgui.storage.store import ConnectionStore

store = ConnectionStore(Path(sys.argv[1]))
prefix = sys.argv[2]
added = []
for i in range(10_000):
    if i % 3 == 2:
        target = added[i // 2 % len(added)]
        store.modify(target.id, lambda c: c.replace(description=f"rev {i}"))
        print(f"edit {target.name} rev {i}", flush=True)
    else:
        added.append(store.add(Connection(name=f"{prefix}-{i}", host="smtp.example.com")))
        print(f"add {prefix}-{i}", flush=True)
"""


def _start_writer(folder: Path, prefix: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder), prefix], stdout=subprocess.PIPE, text=True, env=env
    )


def test_writers_killed_at_random_moments_never_lose_a_committed_change(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    rng = random.Random(20261121)
    committed_names: set[str] = set()
    committed_edits: dict[str, int] = {}  # name -> the newest revision a writer reported saved
    # A file of realistic size (600 connections), so a kill can land inside any step of a save.
    ConnectionStore(folder).update(
        lambda _: [Connection(name=f"seed-{i}", host=f"smtp{i}.example.com") for i in range(600)]
    )
    saves = 0

    def record(line: str) -> int:
        kind, name, *rest = line.split()
        if kind == "add":
            committed_names.add(name)
        else:
            committed_edits[name] = max(committed_edits.get(name, -1), int(rest[1]))
        return 1

    for round_number in range(30):
        writers = [_start_writer(folder, f"r{round_number}{side}") for side in "ab"]
        # Let one writer commit a random number of changes; the other is wherever it is.
        budget = rng.randint(1, 20)
        for writer in writers:
            for _ in range(budget if writer is writers[0] else rng.randint(0, 3)):
                line = writer.stdout.readline()  # type: ignore[union-attr]
                if not line:
                    break
                saves += record(line)
        # ...then both run on for a random moment, and die wherever they are.
        with contextlib.suppress(subprocess.TimeoutExpired):
            writers[0].wait(timeout=rng.uniform(0, 0.08))
        for writer in writers:
            writer.send_signal(signal.SIGKILL)
        for writer in writers:
            writer.wait(30)
            # Whatever else it printed before dying was committed too.
            for line in writer.stdout:  # type: ignore[union-attr]
                saves += record(line)
            writer.stdout.close()  # type: ignore[union-attr]
        # The file always parses on its own, and holds every committed change.
        document = json.loads((folder / "connections.json").read_text())
        assert isinstance(document["connections"], list)
        store = ConnectionStore(folder)
        stored = {c.name: c for c in store.load()}
        assert store.notices == [], "the file was never found damaged"
        assert committed_names <= set(stored)
        for name, revision in committed_edits.items():
            assert int(stored[name].description.split()[1]) >= revision
        assert sum(c.is_default for c in stored.values()) == 1
    assert saves >= 200, f"only {saves} saves were committed; the test should cover hundreds"
    # Temporary files of killed writers are cleared by the next save.
    ConnectionStore(folder).add(Connection(name="after", host="smtp.example.com"))
    assert not list(folder.glob(".*.tmp"))


def test_concurrent_cli_writers_lose_no_change(cli: CliRunner) -> None:
    assert cli("add", "shared", "--host", "smtp.example.com").returncode == 0
    commands = [["add", f"new-{i}", "--host", f"h{i}.example.com"] for i in range(6)]
    edits = {
        "description": ("--description", "from process A"),
        "timeout_s": ("--timeout", 77),
        "ehlo_name": ("--ehlo-name", "client.example.com"),
        "port": ("--port", 2525),
        "from_name": ("--from-name", "Ops"),
        "signature": ("--signature", "sent by B"),
        "username": ("--username", "robot"),
        "reply_to": ("--reply-to", "help@example.com"),
    }
    commands += [["edit", "shared", option, str(value)] for option, value in edits.values()]
    executable = Path(sys.executable).with_name("smtpgui")
    base = [str(executable)] if executable.exists() else [sys.executable, "-m", "smtpgui"]
    processes = [
        subprocess.Popen([*base, *args], env=cli.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for args in commands
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    shown = {c["name"]: c for c in json.loads(cli("list", "--json").stdout)}
    assert set(shown) == {"shared", *(f"new-{i}" for i in range(6))}
    shared = shown["shared"]
    assert {key: shared[key] for key in edits} == {key: value for key, (_, value) in edits.items()}


def test_disk_full_during_a_cli_save_exits_3_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "config"
    assert run_command(["--config-dir", str(folder), "add", "kept", "--host", "smtp.example.com"]) == 0
    before = (folder / "connections.json").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    capsys.readouterr()
    assert run_command(["--config-dir", str(folder), "add", "lost", "--host", "smtp.example.com"]) == 3
    err = capsys.readouterr().err
    assert "the disk is full" in err and "previous file is unchanged" in err and "Traceback" not in err
    monkeypatch.undo()
    assert (folder / "connections.json").read_bytes() == before
    assert not list(folder.glob(".*.tmp"))
    assert "save failed" in (folder / "logs" / "smtpgui.log").read_text()


def test_a_file_where_the_config_folder_should_be_is_exit_3_and_untouched(cli: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("my notes, not a folder\n")
    cli.extra_env["SMTPGUI_CONFIG_DIR"] = str(blocker)
    for args in (["add", "x", "--host", "smtp.example.com"], ["list"]):
        r = cli(*args)
        assert r.returncode == 3, r.stderr
        assert "it is a file, not a folder" in r.stderr and "Traceback" not in r.stderr
    assert blocker.read_text() == "my notes, not a folder\n"


def test_a_folder_without_permission_is_exit_3_and_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "config"
    assert run_command(["--config-dir", str(folder), "add", "kept", "--host", "smtp.example.com"]) == 0
    before = (folder / "connections.json").read_bytes()
    if os.geteuid() != 0:
        folder.chmod(0o500)  # read-only for its owner: no new file can be made in it
    else:
        # root passes every permission check; refuse the temporary file the way the kernel would.
        def denied(*args: object, **kwargs: object) -> object:
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
        monkeypatch.setattr(atomic.shutil, "copyfile", denied)
    try:
        capsys.readouterr()
        assert run_command(["--config-dir", str(folder), "add", "new", "--host", "smtp.example.com"]) == 3
        err = capsys.readouterr().err
        assert "permission was denied" in err and "Traceback" not in err
    finally:
        folder.chmod(0o700)
    assert (folder / "connections.json").read_bytes() == before
