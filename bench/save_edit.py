"""Saving one edit with many stored connections: what the window's Save costs (DESIGN.md §6).

Budget: at most 100 ms with 10,000 connections (validate what changed, not everything). Each
run changes one field of one connection through the application layer the window uses
(``ConnectionService.save`` with the conflict check), which reads the file under its lock,
checks the store's rules, and writes it atomically. Figures at 1,000, 10,000 and 50,000.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import Figure, make_config, median

from smtpgui.services.connections import ConnectionService
from smtpgui.services.secrets import SecretService
from smtpgui.storage.secrets import SecretStore
from smtpgui.storage.store import ConnectionStore

BUDGET_MS = 100.0  # with 10,000 connections


def _measure_one(folder: Path, count: int, runs: int) -> float:
    make_config(folder, count)
    store = ConnectionStore(folder)
    service = ConnectionService(store, SecretService(SecretStore()))
    times = []
    for run in range(runs + 1):  # the first run warms up and is not counted
        current = store.load()[count // 2]
        edited = current.replace(description=f"edited {run}")
        started = time.perf_counter()
        service.save(edited, expected=current)
        elapsed = (time.perf_counter() - started) * 1000
        if run:
            times.append(elapsed)
    return median(times)


def measure(counts: tuple[int, ...] = (1000, 10000, 50000), runs: int = 5) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            ms = _measure_one(Path(tmp) / f"config-{count}", count, runs)
            budget = BUDGET_MS * max(1.0, count / 10000)  # the budget is for 10,000; linear beyond
            figures.append(Figure(f"save one edit, {count:,} connections (ms)", ms, None, "ms", budget, runs))
    return figures


if __name__ == "__main__":
    from common import table

    print(table(measure((1000, 10000) if "--quick" in sys.argv else (1000, 10000, 50000))))
