"""What the benchmarks share: timing whole processes, medians, config folders, the result table."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass
class Figure:
    """One budget: our median against the baseline's median, measured side by side."""

    name: str
    ours: float
    baseline: float | None
    unit: str
    budget: float  # a ratio when baseline is set, else an absolute limit in `unit`
    runs: int
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.ours / self.baseline if self.baseline else None

    @property
    def ok(self) -> bool:
        value = self.ratio if self.baseline else self.ours
        return value is not None and value <= self.budget

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name, "ours": round(self.ours, 3), "baseline": None if self.baseline is None else round(self.baseline, 3),
            "unit": self.unit, "ratio": None if self.ratio is None else round(self.ratio, 3), "budget": self.budget,
            "ok": self.ok, "runs": self.runs, **self.notes,
        }  # fmt: skip


def child_env(**extra: str) -> dict[str, str]:
    """The environment for timed child processes.

    PYTHONDONTWRITEBYTECODE is dropped: an installed app runs from bytecode compiled at install
    time (pip and the bundle both do that), so the warm-up run may write it here too; timing a
    compile of every module on each start would measure the benchmark machine, not the app.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMTPGUI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.update(extra)
    return env


# Starts the timed command from a small interpreter and reports its wall time and peak memory.
# Linux carries a process's peak resident memory across fork and exec: a child of this (large)
# benchmark process would report at least this process's size as its own peak. Started from an
# interpreter of ~10 MB, the figure is the command's own.
# It also notes the wall clock at the spawn, for figures that end inside the child (a first paint).
_LAUNCHER = """
import os, sys, time
out, command = sys.argv[1], sys.argv[2:]
spawned_at = time.time()
started = time.perf_counter()
pid = os.posix_spawn(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(out, "w") as f:
    f.write(f"{elapsed} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {spawned_at!r}")
"""


def run_process(command: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, int]:
    """Wall seconds from start to exit, and the child's own peak resident memory in KiB."""
    elapsed, peak, _spawned_at = _run(command, env, stdin)
    return elapsed, peak


def run_to_first_paint(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds from start to the window's first paint, from start to exit, and peak memory (KiB).

    ``command`` must take ``--report FILE`` and write ``painted_at`` there (the wall clock when
    its first paint was done), as ``smtpgui --self-test`` and ``baseline_window.py`` do.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        elapsed, peak, spawned_at = _run([*command, "--report", report.name], env, None)
        painted_at = json.loads(report.read())["painted_at"]
    return painted_at - spawned_at, elapsed, peak


def _run(command: list[str], env: dict[str, str], stdin: str | None) -> tuple[float, int, float]:
    import shutil

    executable = command[0] if os.path.isabs(command[0]) else (shutil.which(command[0]) or command[0])
    with tempfile.TemporaryFile("w+") as errors, tempfile.NamedTemporaryFile("r") as figures:
        process = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, figures.name, executable, *command[1:]], env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=errors, text=True,
        )  # fmt: skip
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        process.wait()
        elapsed, peak, code, spawned_at = figures.read().split()
        if process.returncode or int(code):
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command[:4])} exited {code}: {errors.read()[-500:]}")
    return float(elapsed), int(peak), float(spawned_at)


def smtpgui_command(*args: str) -> list[str]:
    """smtpgui started as users start it: the ``smtpgui`` script calls ``smtpgui.__main__.main``.

    Not ``python -m smtpgui``: runpy and the module search it does cost ~5 ms that no user's
    start pays (the baselines are plain scripts too). ``-c`` runs the script's one call with this
    checkout's code (an installed script could be another version's).
    """
    return [sys.executable, "-c", "from smtpgui.__main__ import main; main()", *args]


def median(values: list[float]) -> float:
    return statistics.median(values)


def make_config(folder: Path, count: int) -> Path:
    """A config folder with `count` connections, written through the app's own store."""
    from smtpgui.core.model import AuthMode, Connection, Security
    from smtpgui.storage.store import ConnectionStore

    connections = [
        Connection(
            name=f"relay {i:05d}", host=f"smtp{i}.example.com", port=587, security=Security.STARTTLS,
            auth_mode=AuthMode.PASSWORD, username=f"user{i}@example.com", from_address=f"app{i}@example.com",
            description=f"notification mail for service {i}",
        )
        for i in range(count)
    ]  # fmt: skip
    ConnectionStore(folder).update(lambda _current: connections)
    return folder


def table(figures: list[Figure]) -> str:
    lines = [f"{'benchmark':44} {'ours':>10} {'baseline':>10} {'ratio':>7} {'budget':>8}  verdict"]
    for f in figures:
        base = f"{f.baseline:10.1f}" if f.baseline is not None else f"{'-':>10}"
        ratio = f"{f.ratio:7.2f}" if f.ratio is not None else f"{'-':>7}"
        budget = f"{f.budget:.2f}×" if f.baseline is not None else f"{f.budget:g} {f.unit}"
        lines.append(f"{f.name:44} {f.ours:10.1f} {base} {ratio} {budget:>8}  {'ok' if f.ok else 'OVER'}")
    return "\n".join(lines)


class ServerProcess:
    """``bench/server_process.py`` running: aiosmtpd with STARTTLS + AUTH, with implicit TLS, in
    plain text, and a server that never answers."""

    def __init__(self, folder: Path, data_delay_s: float = 0.0) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(REPO / "bench" / "server_process.py"), str(folder), str(data_delay_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._process.stdout is not None
        ready = json.loads(self._process.stdout.readline() or "{}")
        if not ready:
            raise RuntimeError("the benchmark's server process did not start")
        self.smtp_port, self.silent_port, self.ca_file = ready["smtp"], ready["silent"], ready["ca_file"]
        self.tls_port, self.plain_port = ready["tls"], ready["plain"]
        # The same servers behind a 20 ms round-trip link (server_process.links).
        self.link_smtp_port, self.link_tls_port, self.link_plain_port = (
            ready["link_smtp"], ready["link_tls"], ready["link_plain"]
        )  # fmt: skip
        self.delivered = 0

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self._process.communicate("", timeout=60)
        self.delivered = json.loads(out.strip().splitlines()[-1])["delivered"] if out.strip() else 0
