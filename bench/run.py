"""The benchmark suite: every budget of DESIGN.md §6 measured against its baseline in one run.

    python bench/run.py [--quick] [--json bench/results/latest.json] [--only NAME ...]

Prints a table (ours, baseline, ratio, budget, verdict) and writes the figures as JSON.
Each figure is a median over several runs, ours and the baseline interleaved. ``--quick`` uses
few runs and small counts: it proves the suite still works, its figures mean little.
Benchmarks are not tests: the exit code is 0 unless a benchmark could not run at all.

Measured: cold start (1,000 / 10,000 connections vs a bare QMainWindow, with peak memory),
engine send vs raw smtplib, ``smtpgui test`` as a process vs a minimal smtplib script (swaks
beside it), four probe combinations in parallel vs the slowest alone, filtering 10,000 cards
per keystroke, the GUI thread's longest stall during 50 sends, saving one edit among 1,000 /
10,000 / 50,000 connections, import of 10,000 and 100,000 entries vs loading them, ``test --all``
over 500 connections vs the ideal schedule, frozen vs source start (when a bundle is built in
dist/), discovery's sources in parallel vs the slowest alone and its deadline with one source
silent, ingest into the local sandbox from 10 smtplib clients vs a bare aiosmtpd server, and
opening the Inbox over 10,000 messages and searching it per keystroke.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import REPO, Figure, table


def _cold_start(quick: bool) -> list[Figure]:
    import cold_start

    return cold_start.measure((1000, 10000), runs=2 if quick else 7)  # the budgets' own counts, even quick


def _send(quick: bool) -> list[Figure]:
    import send_overhead

    raw = send_overhead.measure(*((2, 3) if quick else (7, 20)))
    return [
        Figure("engine send vs raw smtplib (ms)", float(raw["measured_ms"]), float(raw["baseline_ms"]), "ms",  # type: ignore[arg-type]
               send_overhead.BUDGET, int(raw["runs"]))  # type: ignore[call-overload]
    ]  # fmt: skip


def _cli(quick: bool) -> list[Figure]:
    import cli_test

    return cli_test.measure(runs=2 if quick else 9)


def _probe(quick: bool) -> list[Figure]:
    import probe_parallel

    return probe_parallel.measure(runs=2 if quick else 9)


def _gui(quick: bool) -> list[Figure]:
    import gui

    return [
        gui.filter_keystrokes(1 if quick else 5),
        gui.stall_during_sends(10 if quick else 50, 2 if quick else 10),
        gui.stall_during_test_all(10 if quick else 50, 2 if quick else 10),
    ]


def _save(quick: bool) -> list[Figure]:
    import save_edit

    return save_edit.measure((1000, 10000) if quick else (1000, 10000, 50000), runs=2 if quick else 5)


def _test_all(quick: bool) -> list[Figure]:
    import test_all

    return test_all.measure(80, 5, 1) if quick else test_all.measure()


def _frozen(quick: bool) -> list[Figure]:
    import frozen_start

    bundle = REPO / "dist" / "smtpgui"
    if not (bundle / "smtpgui").exists():
        print("frozen start: skipped, no bundle (python resources/packaging/build_bundle.py)")
        return []
    out = REPO / "bench" / "results" / "frozen.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    frozen_start.main(["--bundle", str(bundle), "--json", str(out), *(["--quick"] if quick else [])])
    data = json.loads(out.read_text())
    return [
        Figure(
            "frozen start vs from source (ms)", data["frozen_ms"], data["source_ms"], "ms", data["budget"], data["runs"]
        )
    ]


def _inbox(quick: bool) -> list[Figure]:
    import inbox_view

    return inbox_view.measure(runs=2 if quick else 7)  # 10,000 messages, the budget's count, even quick


def _import(quick: bool) -> list[Figure]:
    import import_scale

    return import_scale.measure((2_000,) if quick else (10_000, 100_000), runs=1 if quick else 3)


def _discover(quick: bool) -> list[Figure]:
    import discover

    return discover.measure(runs=2 if quick else 7)


def _sandbox(quick: bool) -> list[Figure]:
    import sandbox_ingest

    return sandbox_ingest.measure(*((20, 2) if quick else (100, 5)))


SUITE: dict[str, Callable[[bool], list[Figure]]] = {
    "cold_start": _cold_start,
    "send": _send,
    "cli": _cli,
    "probe": _probe,
    "gui": _gui,
    "save": _save,
    "import": _import,
    "inbox": _inbox,
    "test_all": _test_all,
    "frozen": _frozen,
    "discover": _discover,
    "sandbox": _sandbox,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the smtpgui benchmark suite.")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "latest.json")
    parser.add_argument("--only", nargs="*", choices=sorted(SUITE))
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    broken = []
    for name, bench in SUITE.items():
        if args.only and name not in args.only:
            continue
        try:
            figures.extend(bench(args.quick))
        except Exception:
            traceback.print_exc()
            broken.append(name)
    print()
    print(table(figures))
    for figure in figures:  # what stands beside each figure (references, peaks, loopback)
        if figure.notes:
            print(f"  {figure.name}: " + ", ".join(f"{k} {v}" for k, v in figure.notes.items()))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"quick": args.quick, "figures": [f.to_json() for f in figures]}, indent=2) + "\n")
    print(f"\nwritten to {args.json}" + (f"; could not run: {', '.join(broken)}" if broken else ""))
    sys.stdout.flush()
    # PySide6 can crash while the interpreter tears widgets down at exit; the figures are written.
    os._exit(1 if broken else 0)


if __name__ == "__main__":
    main()
