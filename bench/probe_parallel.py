"""Probing four port/mode combinations in parallel vs the slowest of them probed alone.

Budget (DESIGN.md §6): at most 1.2 ×. The four combinations go to aiosmtpd servers in a
process of their own: STARTTLS, implicit TLS, plain text, and plain text on the STARTTLS port.
Each run probes the four together with ``probe(combinations=...)`` and then each alone; the
figure compares the median of the parallel runs with the median of each run's slowest single.

The budget figure is measured through a 20 ms round-trip link in front of the servers
(``server_process.links``): a probe asks a remote server, and what parallel probing has to
prove is that four sessions' round trips overlap instead of adding up. The same measurement on
bare loopback is reported beside it (``loopback_*``): there nothing waits on the network, the
four sessions only compete for this machine's two cores with the single-process test servers,
and the ratio says how much CPU a session costs, not whether the probe runs in parallel.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import Figure, ServerProcess, median

from smtpgui.core.model import Connection, Security
from smtpgui.transport.engine import SessionEngine
from smtpgui.transport.probe import probe

BUDGET = 1.2


def _measure(base: Connection, combinations: list[tuple[int, Security]], runs: int) -> tuple[float, float]:
    """Medians of the parallel probe and of each run's slowest single combination (ms)."""
    engine = SessionEngine()
    together: list[float] = []
    slowest: list[float] = []
    for run in range(runs + 1):  # the first run warms up and is not counted
        started = time.perf_counter()
        report = probe(base, engine=engine, combinations=combinations)
        parallel = (time.perf_counter() - started) * 1000
        if not all(outcome.ok for outcome in report.outcomes):
            failed = [(o.port, o.security.value, o.result.error) for o in report.outcomes if not o.ok]
            raise RuntimeError(f"a probe combination failed: {failed}")
        singles = []
        for combination in combinations:
            started = time.perf_counter()
            probe(base, engine=engine, combinations=[combination])
            singles.append((time.perf_counter() - started) * 1000)
        if run:
            together.append(parallel)
            slowest.append(max(singles))
    return median(together), median(slowest)


def measure(runs: int = 9) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki") as servers:
        base = Connection(name="probe", host="127.0.0.1", ca_file=servers.ca_file)
        linked = [
            (servers.link_smtp_port, Security.STARTTLS),
            (servers.link_tls_port, Security.TLS),
            (servers.link_plain_port, Security.NONE),
            (servers.link_smtp_port, Security.NONE),
        ]
        loopback = [
            (servers.smtp_port, Security.STARTTLS),
            (servers.tls_port, Security.TLS),
            (servers.plain_port, Security.NONE),
            (servers.smtp_port, Security.NONE),
        ]
        together, slowest = _measure(base, linked, runs)
        loop_together, loop_slowest = _measure(base, loopback, runs)
    notes: dict[str, object] = {
        "link_rtt_ms": 20,
        "loopback_ms": round(loop_together, 2),
        "loopback_slowest_single_ms": round(loop_slowest, 2),
        "loopback_ratio": round(loop_together / loop_slowest, 2),
    }
    return [
        Figure("probe 4 combinations vs slowest single (ms)", together, slowest, "ms", BUDGET, runs, notes)
    ]  # fmt: skip


if __name__ == "__main__":
    from common import table

    results = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
    print(table(results))
    print(results[0].notes)
