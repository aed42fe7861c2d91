"""Settings in at scale (issue 21): importing an msmtprc and a Thunderbird prefs.js of 10,000 and
100,000 accounts against importing the same connections from smtpgui's own JSON export.

Both sides are the whole import as ``smtpgui import`` runs it in-process (read, parse, validate
every entry, write the connections file) into an empty store; they alternate run by run and the
figure is the ratio of medians. Linear readers keep the ratio flat from 10,000 to 100,000.

    python bench/import_foreign.py [--counts 10000 100000] [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, median, table

from smtpgui.core.formats.msmtprc import from_msmtprc
from smtpgui.core.formats.thunderbird import from_prefs_js
from smtpgui.services.settingsin import read_settings
from smtpgui.storage import exchange
from smtpgui.storage.store import ConnectionStore

BUDGET = 1.5  # parsing another tool's text may cost half again what reading our JSON does


def _msmtprc(count: int) -> str:
    return "defaults\nport 587\ntls on\nauth on\n" + "".join(
        f"account relay-{i:06d}\nhost smtp{i}.example.com\nuser user{i}@example.com\nfrom app{i}@example.com\n"
        for i in range(count)
    )


def _prefs(count: int) -> str:
    lines = [f'user_pref("mail.smtpservers", "{",".join(f"smtp{i}" for i in range(count))}");\n']
    for i in range(count):
        lines.append(f'user_pref("mail.smtpserver.smtp{i}.hostname", "smtp{i}.example.com");\n')
        lines.append(f'user_pref("mail.smtpserver.smtp{i}.port", 587);\n')
        lines.append(f'user_pref("mail.smtpserver.smtp{i}.try_ssl", 2);\n')
        lines.append(f'user_pref("mail.smtpserver.smtp{i}.username", "user{i}@example.com");\n')
        lines.append(f'user_pref("mail.smtpserver.smtp{i}.description", "relay-{i:06d}");\n')
    return "".join(lines)


def _timed_import(data: bytes, fmt: str, scratch: Path) -> float:
    shutil.rmtree(scratch, ignore_errors=True)
    started = time.perf_counter()
    read = read_settings(data, "bench", fmt)
    exchange.import_connections(ConnectionStore(scratch), read.connections)
    return time.perf_counter() - started


def measure(counts: tuple[int, ...] = (10_000, 100_000), runs: int = 3) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="smtpgui-bench-foreign-") as tmp:
        folder = Path(tmp)
        for count in counts:
            for fmt, text, reader in (
                ("msmtprc", _msmtprc(count), from_msmtprc),
                ("thunderbird", _prefs(count), from_prefs_js),
            ):
                data = text.encode()
                export = folder / f"{fmt}-{count}.json"
                exchange.write_export(export, reader(text).connections)
                json_data = export.read_bytes()
                ours, base = [], []
                gc.disable()  # as ``smtpgui`` runs every command
                try:
                    for _ in range(runs):
                        base.append(_timed_import(json_data, "smtpgui", folder / "scratch"))
                        ours.append(_timed_import(data, fmt, folder / "scratch"))
                finally:
                    gc.enable()
                figures.append(
                    Figure(
                        f"import {count:,} {fmt} accounts vs the same as JSON (s)", median(ours), median(base), "s",
                        BUDGET, runs, {"us_per_entry": round(median(ours) / count * 1e6, 1)},
                    )
                )  # fmt: skip
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 accounts, one run: proves the benchmark works")
    args = parser.parse_args(argv)
    counts, runs = ((2_000,), 1) if args.quick else (tuple(args.counts), args.runs)
    print(table(measure(counts, runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
