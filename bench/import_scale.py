"""Import at scale: ``import`` of 10,000 and 100,000 entries vs just loading them.

Budget (DESIGN.md §6): import is linear, 100,000 entries in seconds. Ours is the whole import
as ``smtpgui import`` does it in-process (read and parse the file, check every entry, merge into
a store that already holds 1,000 connections, half of the file replacing some of them by name,
write the connections file atomically); the baseline is what no import can skip: ``json.loads``
of the same file and building its connections. Ours and the baseline alternate run by run;
the figure is the ratio of medians, so a quadratic step shows as a ratio that grows with the
count.

    python bench/import_scale.py [--counts 10000 100000] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, median, table

from smtpgui.core.model import AuthMode, Connection, Security, connection_from_dict
from smtpgui.storage import exchange
from smtpgui.storage.store import ConnectionStore

BUDGET = 5.0  # the import also validates every entry (about half its time) and writes the file
EXISTING = 1000


def _entry(i: int) -> Connection:
    return Connection(
        name=f"relay {i:06d}", host=f"smtp{i}.example.com", port=587, security=Security.STARTTLS,
        auth_mode=AuthMode.PASSWORD, username=f"user{i}@example.com", from_address=f"app{i}@example.com",
        description=f"notification mail for service {i}",
    )  # fmt: skip


def _fixture(folder: Path, count: int) -> tuple[Path, Path]:
    """An export file of ``count`` entries and a store of EXISTING connections, half of whose
    names the file holds too (with --replace they are replaced)."""
    export = folder / f"export-{count}.json"
    exchange.write_export(export, [_entry(i) for i in range(count)])
    store_dir = folder / f"store-{count}"
    existing = [_entry(i).replace(host="old.example.com") for i in range(0, 2 * EXISTING, 2)]
    ConnectionStore(store_dir).update(lambda _current: existing)
    return export, store_dir


def _import(export: Path, store_dir: Path, scratch: Path) -> float:
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(store_dir, scratch)
    started = time.perf_counter()
    incoming = exchange.read_import(export)
    exchange.import_connections(ConnectionStore(scratch), incoming, replace=True)
    return time.perf_counter() - started


def _load(export: Path) -> float:
    started = time.perf_counter()
    document = json.loads(export.read_bytes())
    [connection_from_dict(item) for item in document["connections"]]
    return time.perf_counter() - started


def measure(counts: tuple[int, ...] = (10_000, 100_000), runs: int = 3) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="smtpgui-bench-import-") as tmp:
        folder = Path(tmp)
        for count in counts:
            export, store_dir = _fixture(folder, count)
            _load(export)  # warm the file cache
            ours, base = [], []
            gc.disable()  # as ``smtpgui`` runs every command (smtpgui.cli.main)
            try:
                for _ in range(runs):
                    base.append(_load(export))
                    ours.append(_import(export, store_dir, folder / "scratch"))
            finally:
                gc.enable()
            figures.append(
                Figure(
                    f"import {count:,} entries vs loading them (s)", median(ours), median(base), "s", BUDGET, runs,
                    {"existing": EXISTING, "replaced": EXISTING, "us_per_entry": round(median(ours) / count * 1e6, 1)},
                )
            )  # fmt: skip
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 entries, one run: proves the benchmark works")
    args = parser.parse_args(argv)
    counts, runs = ((2_000,), 1) if args.quick else (tuple(args.counts), args.runs)
    figures = measure(counts, runs)
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
