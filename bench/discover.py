"""Discovery: every source in parallel vs the slowest source alone, and the deadline with one silent.

Budgets (issue 21): with all sources answering, ``discover`` takes at most 1.2 × the slowest
single source (they run in parallel); with one source silent, it returns within the deadline +
0.2 s. Everything is local: the test DNS server (dnspython) and HTTPS server (a trustme CA) of
tests/support, each source delayed by a known amount so the parallelism is what is measured:

    autoconfig 300 ms, .well-known 250 ms, ISPDB 400 ms, SRV _submissions 200 ms, MX 350 ms

(the probe finds no ``smtp.``/``mail.`` host and ends at once; the http last resort is not asked
because the others answered). The baseline is each source run alone, the slowest of them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from common import Figure, median

from smtpgui.transport.discover import _Discovery, discover
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab
from tests.support.webserver import Route

BUDGET = 1.2
DEADLINE_SLACK_S = 0.2
DOMAIN = "example.test"
ADDRESS = f"bench@{DOMAIN}"
DELAYS = {"autoconfig": 0.30, "autoconfig-wellknown": 0.25, "ispdb": 0.40, "srv": 0.20, "mx": 0.35}


def _serve(lab: DiscoveryLab, ispdb_silent: bool = False) -> None:
    xml = autoconfig_xml().encode()
    lab.web.route(f"autoconfig.{DOMAIN}", "/mail/config-v1.1.xml", Route(xml, delay=DELAYS["autoconfig"]))
    lab.web.route(
        DOMAIN, "/.well-known/autoconfig/mail/config-v1.1.xml", Route(xml, delay=DELAYS["autoconfig-wellknown"])
    )
    lab.web.route("ispdb.test", f"/v1.1/{DOMAIN}", Route(xml, delay=3600 if ispdb_silent else DELAYS["ispdb"]))
    lab.dns.add(f"_submissions._tcp.{DOMAIN}", "SRV", f"0 1 465 smtp.{DOMAIN}.")
    lab.dns.delays[f"_submissions._tcp.{DOMAIN}/SRV"] = DELAYS["srv"]
    lab.dns.add(DOMAIN, "MX", "10 mx.provider.test.")
    lab.dns.delays[f"{DOMAIN}/MX"] = DELAYS["mx"]
    lab.serve_ispdb("provider.test", autoconfig_xml(host="smtp.provider.test"))


def _singles(lab: DiscoveryLab) -> float:
    """The slowest source, each run alone (seconds)."""
    settings = lab.settings(deadline_s=10)
    times = []
    for name in ("presets", "autoconfig", "autoconfig_wellknown", "ispdb", "srv", "mx", "probe"):
        run = _Discovery(ADDRESS, DOMAIN, settings, time.monotonic() + 10)
        started = time.perf_counter()
        found = getattr(run, name)()
        times.append(time.perf_counter() - started)
        if name != "probe" and name != "presets" and not found:
            raise RuntimeError(f"the source {name} found nothing")
    return max(times)


def measure(runs: int = 7) -> list[Figure]:
    together: list[float] = []
    slowest: list[float] = []
    silent: list[float] = []
    deadline = 2.0
    with tempfile.TemporaryDirectory() as tmp, discovery_lab(Path(tmp)) as lab:
        os.environ["SSL_CERT_FILE"] = str(lab.ca.file)
        _serve(lab)
        for run in range(runs + 1):  # the first run warms up and is not counted
            started = time.perf_counter()
            report = discover(ADDRESS, lab.settings(deadline_s=10))
            elapsed = time.perf_counter() - started
            if [o.name for o in report.sources if o.error and o.name not in ("autoconfig-http",)]:
                raise RuntimeError(f"a source failed: {[(o.name, o.error) for o in report.sources if o.error]}")
            single = _singles(lab)
            if run:
                together.append(elapsed)
                slowest.append(single)
        _serve(lab, ispdb_silent=True)
        for _run in range(max(2, runs // 2)):
            started = time.perf_counter()
            report = discover(ADDRESS, lab.settings(deadline_s=deadline))
            silent.append(time.perf_counter() - started)
            if not report.suggestions:
                raise RuntimeError("nothing found with one source silent")
    worst_silent = max(silent)
    return [
        Figure(
            "discover, all sources vs slowest alone (ms)",
            median(together) * 1000,
            median(slowest) * 1000,
            "ms",
            BUDGET,
            runs,
            {"delays_ms": {k: int(v * 1000) for k, v in DELAYS.items()}},
        ),
        Figure(
            f"discover, one source silent, deadline {deadline:g} s (s)",
            worst_silent,
            None,
            "s",
            deadline + DEADLINE_SLACK_S,
            len(silent),
            {"over_deadline_s": round(worst_silent - deadline, 3)},
        ),
    ]


if __name__ == "__main__":
    from common import table

    results = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    print(table(results))
    for figure in results:
        print(figure.name, "ratio" if figure.ratio else "value", round(figure.ratio or figure.ours, 3), figure.notes)
