"""Cold start to the first painted window with 1,000 and 10,000 connections vs a bare QMainWindow.

Budgets (DESIGN.md §6): 1.5 × the baseline with 1,000 connections, 2 × with 10,000. Each run is a
fresh interpreter (``smtpgui --self-test`` as the installed script starts it, offscreen), interleaved with the baseline
(``bench/baseline_window.py``); the figure is the median wall time from process start to the
end of the window's first paint pass (each writes the wall clock then into its ``--report``; the
benchmark notes the clock when it starts the process). The time to exit and peak memory (max RSS)
are reported beside it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import REPO, Figure, child_env, make_config, median, run_to_first_paint, smtpgui_command

BUDGETS = {1000: 1.5, 10000: 2.0}


def measure(counts: tuple[int, ...] = (1000, 10000), runs: int = 7) -> list[Figure]:
    env = child_env()
    baseline_cmd = [sys.executable, str(REPO / "bench" / "baseline_window.py")]
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            config = make_config(Path(tmp) / f"config-{count}", count)
            ours_cmd = smtpgui_command("--config-dir", str(config), "--self-test")
            run_to_first_paint(baseline_cmd, env)  # warm the page cache for both
            run_to_first_paint(ours_cmd, env)
            base_t, base_x, base_m, ours_t, ours_x, ours_m = [], [], [], [], [], []
            for _ in range(runs):
                t, x, m = run_to_first_paint(baseline_cmd, env)
                base_t.append(t), base_x.append(x), base_m.append(m)
                t, x, m = run_to_first_paint(ours_cmd, env)
                ours_t.append(t), ours_x.append(x), ours_m.append(m)
            figures.append(
                Figure(
                    f"cold start, {count:,} connections (ms)", median(ours_t) * 1000, median(base_t) * 1000, "ms",
                    BUDGETS.get(count, 2.0), runs,
                    {
                        "to_exit_ms": round(median(ours_x) * 1000, 1), "baseline_to_exit_ms": round(median(base_x) * 1000, 1),
                        "peak_rss_mb": round(median(ours_m) / 1024, 1), "baseline_peak_rss_mb": round(median(base_m) / 1024, 1),
                    },
                )
            )  # fmt: skip
    return figures


if __name__ == "__main__":
    from common import table

    results = measure(runs=int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(table(results))
    for f in results:
        print(f.name, f.notes)
