"""Frozen start vs start from source: the bundle's ``--self-test`` against ``smtpgui --self-test`` from source.

Budget (DESIGN.md §6): the frozen app starts in at most 1.2 × the time the app takes from source.
Both run as whole processes, offscreen, on the same config folder (100 connections), interleaved
run by run; each figure is the median wall time from process start to exit after the first
paint. ``--quick`` does a short run that only proves the benchmark still works.

    python bench/frozen_start.py [--bundle dist/smtpgui] [--runs 11] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, make_config, smtpgui_command

BUDGET = 1.2


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    # A bundle built from older code may not read this config (a newer schema) and wait on a
    # dialog: fail after a minute instead of hanging the suite.
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "smtpgui")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    runs = 2 if args.quick else args.runs
    frozen = args.bundle / ("smtpgui.exe" if sys.platform == "win32" else "smtpgui")
    if not frozen.exists():
        print(f"frozen_start: no bundle at {args.bundle}; build it with resources/packaging/build_bundle.py")
        return 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMTPGUI_")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        make_config(config, args.connections)
        commands = {
            "source": smtpgui_command("--config-dir", str(config), "--self-test"),
            "frozen": [str(frozen), "--config-dir", str(config), "--self-test"],
        }
        for command in commands.values():  # warm the page cache for both before measuring
            timed(command, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(timed(command, env))
    source, frozen_s = statistics.median(samples["source"]), statistics.median(samples["frozen"])
    ratio = frozen_s / source
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"start to first paint, {args.connections} connections, median of {runs}:")
    print(f"  from source {source * 1000:7.1f} ms")
    print(f"  frozen      {frozen_s * 1000:7.1f} ms   ratio {ratio:.2f} (budget {BUDGET}: {verdict})")
    if args.json:
        args.json.write_text(json.dumps({"source_ms": source * 1000, "frozen_ms": frozen_s * 1000, "ratio": ratio,
                                         "budget": BUDGET, "runs": runs}, indent=2) + "\n")  # fmt: skip
    return 0 if ratio <= BUDGET or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
