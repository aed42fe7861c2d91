"""Engine send vs raw smtplib doing the same STARTTLS + AUTH session on loopback.

Budget (DESIGN.md §6): the engine at most 1.15 × raw smtplib. Both run against the same
aiosmtpd server in this process, interleaved run by run, and the median per-send time of each
is compared. ``--quick`` does a short run that only proves the benchmark still works.

    python bench/send_overhead.py [--runs 7] [--sends 20] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import smtplib
import ssl
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Connection, Mechanism, Security
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from tests.support.servers import PASSWORD, USER, make_pki, smtp_server

BUDGET = 1.15


def raw_send(host: str, port: int, ca_file: str) -> None:
    context = ssl.create_default_context(cafile=ca_file)
    msg = EmailMessage()
    # The same headers the engine's test message carries, so both send the same session.
    msg["From"], msg["To"], msg["Subject"] = "sender@example.com", "r@example.com", "TEST MESSAGE!"
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="example.com")
    msg["X-Mailer"] = "smtpgui test"
    msg.set_content(
        "ATTENTION: THIS IS A TEST MESSAGE!\n\nThis test was sent through:\nHost: 127.0.0.1\n"
        "Port: 0\nSecurity: starttls\nKind: smtp\nUsername: " + USER + "\n"
    )
    with smtplib.SMTP(host, port, local_hostname="[127.0.0.1]", timeout=30) as client:
        client.starttls(context=context)
        client.ehlo("[127.0.0.1]")
        client.login(USER, PASSWORD)
        client.send_message(msg)


def engine_send(engine: SessionEngine, connection: Connection) -> None:
    message = build_test_message(connection, TestRequest(to=("r@example.com",)))
    result = engine.run(connection, SessionSecrets(password=PASSWORD), message)
    if not result.ok:
        raise RuntimeError(f"engine send failed: {result.error}")


def measure(runs: int, sends: int) -> dict[str, object]:
    pki = make_pki(Path(tempfile.mkdtemp(prefix="smtpgui-bench-")))
    engine = SessionEngine()
    raw_times: list[float] = []
    engine_times: list[float] = []
    with smtp_server("starttls", pki) as server:
        connection = Connection(
            name="bench",
            host="127.0.0.1",
            port=server.port,
            security=Security.STARTTLS,
            ca_file=str(pki.ca_file),
            auth_mode=AuthMode.PASSWORD,
            username=USER,
            mechanism=Mechanism.CRAM_MD5,
            from_address="sender@example.com",
            ehlo_name="[127.0.0.1]",
        )
        raw_send(server.host, server.port, str(pki.ca_file))  # warm both paths up
        engine_send(engine, connection)
        for _ in range(runs):
            start = time.perf_counter()
            for _ in range(sends):
                raw_send(server.host, server.port, str(pki.ca_file))
            raw_times.append((time.perf_counter() - start) / sends * 1000)
            start = time.perf_counter()
            for _ in range(sends):
                engine_send(engine, connection)
            engine_times.append((time.perf_counter() - start) / sends * 1000)
    raw_ms, engine_ms = statistics.median(raw_times), statistics.median(engine_times)
    ratio = engine_ms / raw_ms
    return {
        "name": "engine send vs raw smtplib (STARTTLS + AUTH, loopback)",
        "baseline_ms": round(raw_ms, 2),
        "measured_ms": round(engine_ms, 2),
        "ratio": round(ratio, 3),
        "budget": BUDGET,
        "within_budget": ratio <= BUDGET,
        "runs": runs,
        "sends_per_run": sends,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    runs, sends = (2, 3) if args.quick else (args.runs, args.sends)
    figure = measure(runs, sends)
    print(
        f"{figure['name']}: raw {figure['baseline_ms']} ms, engine {figure['measured_ms']} ms, "
        f"ratio {figure['ratio']} (budget {BUDGET}) {'OK' if figure['within_budget'] else 'OVER BUDGET'}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figure, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
