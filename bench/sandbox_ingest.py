"""Ingest into the sandbox: messages per second from 10 concurrent smtplib clients, against the same
clients sending to a bare aiosmtpd handler that discards each message.

Budget (issue 19): the sandbox keeps at least 0.7 × the bare server's rate, although it parses,
checks and commits every message (WAL, synchronous=NORMAL: a killed sandbox loses none) before its 250. Both servers
run in one process of their own (aiosmtpd on a thread, as the sandbox runs), so the clients do not
compete with them for this interpreter's lock; runs alternate between them. The figure is time per
batch (ours / bare, at most 1 / 0.7); the rates are noted beside it, with a third server for the
notes only: the sandbox with its inbox synced to disk at every commit (``synchronous=FULL``), which
shows what surviving a power cut as well would cost.

    python bench/sandbox_ingest.py [--quick]
"""

from __future__ import annotations

import argparse
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import REPO, Figure, median

THROUGHPUT_BUDGET = 0.7
CLIENTS = 10
MESSAGE = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nFrom: Ann <ann@example.com>\r\nTo: bob@example.org\r\n"
    b"Message-ID: <{n}@example.com>\r\nSubject: Ingest {n}\r\n\r\n" + b"A line of a short message body.\r\n" * 60
)

_SERVERS = """
import socket
import sys
from pathlib import Path
from aiosmtpd.controller import Controller
from smtpgui.services.sandbox import SandboxService

class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

with socket.socket() as probe:  # aiosmtpd's Controller cannot take port 0
    probe.bind(("127.0.0.1", 0))
    free = probe.getsockname()[1]
bare = Controller(Discard(), hostname="127.0.0.1", port=free)
bare.start()
sandbox = SandboxService(Path(sys.argv[1]))
status = sandbox.start(port=0)
# For the notes only: the same sandbox with a second inbox synced to disk at every commit, to show
# what surviving a power cut (not only a killed process) would cost.
synced = SandboxService(Path(sys.argv[1]) / "synced-every-commit")
synced_port = synced.start(port=0).port
synced._writer._db.execute("PRAGMA synchronous = FULL")
print(free, status.port, synced_port, flush=True)
sys.stdin.read()  # until the benchmark closes it
synced.stop()
sandbox.stop()
bare.stop()
"""


def _batch(port: int, per_client: int) -> float:
    """Seconds for CLIENTS clients to send per_client messages each, one session per client."""
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS + 1)

    def client(k: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                smtp.ehlo()
                start.wait()
                for n in range(per_client):
                    body = MESSAGE.replace(b"{n}", f"{k}-{n}".encode())
                    smtp.sendmail("ann@example.com", ["bob@example.org"], body)
        except BaseException as exc:
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"a client failed: {errors[0]!r}")
    return elapsed


def measure(per_client: int = 100, runs: int = 5) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        servers = subprocess.Popen(
            [sys.executable, "-c", _SERVERS, folder],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        try:
            assert servers.stdout is not None
            bare_port, sandbox_port, synced_port = (int(p) for p in servers.stdout.readline().split())
            for port in (bare_port, sandbox_port, synced_port):
                _batch(port, 5)  # warm up (the sandbox's first commit creates its tables)
            bare: list[float] = []
            ours: list[float] = []
            synced: list[float] = []
            for _ in range(runs):
                bare.append(_batch(bare_port, per_client))
                ours.append(_batch(sandbox_port, per_client))
                synced.append(_batch(synced_port, per_client))
        finally:
            if servers.stdin is not None:
                servers.stdin.close()
            servers.wait(60)
        kept = _count(Path(folder))
    count = CLIENTS * per_client
    ours_s, bare_s = median(ours), median(bare)
    expected = (
        count * runs + CLIENTS * 5
    )  # the synced inbox's messages (the synced-at-every-commit one has its own file)
    return [
        Figure(
            f"sandbox ingest, {count} messages from {CLIENTS} clients vs bare aiosmtpd (s)",
            ours_s,
            bare_s,
            "s",
            round(1 / THROUGHPUT_BUDGET, 3),
            runs,
            {
                "sandbox_msg_per_s": round(count / ours_s),
                "bare_msg_per_s": round(count / bare_s),
                "throughput_ratio": round(bare_s / ours_s, 3),
                "synced_every_commit_msg_per_s": round(count / median(synced)),
                "stored": f"{kept}/{expected}",
            },
        )
    ]


def _count(folder: Path) -> int:
    import sqlite3

    with sqlite3.connect(folder / "inbox.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for figure in measure(*((20, 2) if args.quick else (100, 5))):
        print(figure.to_json())


if __name__ == "__main__":
    main()
