"""``smtpgui test --all`` against the ideal schedule.

Budget (DESIGN.md §6): 500 connections on loopback, 100 of them to a server that never answers
(5 s timeout), finish within 1.2 × the ideal schedule: the sessions' total time divided by the
concurrency (8), which is what perfect packing of the same sessions onto 8 workers would take.
The 400 others verify against a plain-text server behind the 20 ms round-trip link
(``server_process.links``), so they wait on the network as real servers make them.

The whole ``smtpgui test --all --verify-only --json`` process is timed; each session's own time
comes from its ``timings_ms.total`` in the JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Figure, ServerProcess, child_env, smtpgui_command

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore

BUDGET = 1.2
CONCURRENCY = 8


def _config(folder: Path, servers: ServerProcess, count: int, silent_every: int, timeout_s: int) -> Path:
    connections = [
        Connection(
            name=f"relay {i:04d}", host="127.0.0.1",
            port=servers.silent_port if i % silent_every == silent_every - 1 else servers.link_plain_port,
            security=Security.NONE, auth_mode=AuthMode.NONE, timeout_s=timeout_s, from_address="app@example.com",
        )
        for i in range(count)
    ]  # fmt: skip
    ConnectionStore(folder).update(lambda _current: connections)
    return folder


def measure(count: int = 500, silent_every: int = 5, timeout_s: int = 5) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki") as servers:
        config = _config(Path(tmp) / "config", servers, count, silent_every, timeout_s)
        command = [*smtpgui_command("--config-dir", str(config)), "test", "--all", "--verify-only",
                   "--json", "--concurrency", str(CONCURRENCY)]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, env=child_env(), capture_output=True, text=True, check=False)
        wall_ms = (time.perf_counter() - started) * 1000
        items = json.loads(done.stdout or "[]")
        if len(items) != count:
            raise RuntimeError(f"test --all reported {len(items)} of {count} connections: {done.stderr[-500:]}")
        passed = sum(1 for item in items if item["ok"])
        expected = count - count // silent_every
        if passed != expected:
            raise RuntimeError(f"{passed} connections passed, {expected} should have: {done.stderr[-500:]}")
        ideal_ms = sum(float(item["timings_ms"].get("total", 0.0)) for item in items) / CONCURRENCY
    return [
        Figure(
            f"test --all, {count} connections vs ideal (ms)", wall_ms, ideal_ms, "ms", BUDGET, 1,
            {"silent": count // silent_every, "timeout_s": timeout_s, "concurrency": CONCURRENCY},
        )
    ]  # fmt: skip


if __name__ == "__main__":
    from common import table

    quick = "--quick" in sys.argv
    print(table(measure(80, 5, 1) if quick else measure()))
