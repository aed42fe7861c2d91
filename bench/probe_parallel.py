"""Probing four port/mode combinations in parallel vs the slowest of them probed alone.

Budget (DESIGN.md §6): at most 1.2 ×. The four combinations go to aiosmtpd servers in a
process of their own: STARTTLS, implicit TLS, plain text, and plain text on the STARTTLS port.
Each run probes the four together with ``probe(combinations=...)`` and then each alone; the
figure compares the median of the parallel runs with the median of each run's slowest single.
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


def measure(runs: int = 9) -> list[Figure]:
    engine = SessionEngine()
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki") as servers:
        base = Connection(name="probe", host="127.0.0.1", ca_file=servers.ca_file)
        combinations = [
            (servers.smtp_port, Security.STARTTLS),
            (servers.tls_port, Security.TLS),
            (servers.plain_port, Security.NONE),
            (servers.smtp_port, Security.NONE),
        ]
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
    return [
        Figure("probe 4 combinations vs slowest single (ms)", median(together), median(slowest), "ms", BUDGET, runs)
    ]


if __name__ == "__main__":
    from common import table

    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9)))
