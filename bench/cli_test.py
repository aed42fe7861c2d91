"""``smtpgui test`` as a whole process vs a minimal smtplib script doing the same, and swaks.

Budget (DESIGN.md §6): at most 1.3 × the smtplib script. Beside it: the same script reading the
password from the keyring as smtpgui does (``script_with_keyring``), the floor any program that
keeps its passwords in the keyring through the ``keyring`` library starts from. Each run is a fresh process against
the same aiosmtpd (STARTTLS + AUTH, in a process of its own): ``python -m smtpgui test NAME
--to ADDR --json`` (config on disk, password from a keyring backend) against
``bench/smtplib_send.py``, interleaved; swaks (Debian's ``swaks``) runs beside them for
reference when it is installed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from common import REPO, Figure, ServerProcess, child_env, median, run_process

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.servers import PASSWORD, USER

BUDGET = 1.3


def measure(runs: int = 9) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "pki") as servers:
        config = Path(tmp) / "config"
        ConnectionStore(config).add(
            Connection(
                name="bench", host="127.0.0.1", port=servers.smtp_port, security=Security.STARTTLS,
                ca_file=servers.ca_file, auth_mode=AuthMode.PASSWORD, username=USER,
                from_address="bench@example.com",
            )
        )  # fmt: skip
        env = child_env(
            PYTHON_KEYRING_BACKEND="env_keyring.EnvKeyring",
            PYTHONPATH=str(REPO / "bench"),
            SMTPGUI_BENCH_PASSWORD=PASSWORD,
        )
        ours = [sys.executable, "-m", "smtpgui", "--config-dir", str(config), "test", "bench", "--to", "ops@example.com", "--json"]  # fmt: skip
        script = [sys.executable, str(REPO / "bench" / "smtplib_send.py"), "127.0.0.1", str(servers.smtp_port), servers.ca_file, USER, PASSWORD]  # fmt: skip
        # The same script reading the password from the keyring, as smtpgui must: what Python,
        # smtplib, the keyring library and the session cost before any of smtpgui's own work.
        floor = [*script[:-1], "--keyring", "any-id:password"]
        swaks_path = shutil.which("swaks")
        swaks = [
            swaks_path or "swaks", "--server", f"127.0.0.1:{servers.smtp_port}", "--tls", "--tls-verify",
            "--tls-ca-path", servers.ca_file, "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
            "--from", "bench@example.com", "--to", "ops@example.com", "--silent", "2",
        ]  # fmt: skip
        commands = {"ours": ours, "script": script, "floor": floor} | ({"swaks": swaks} if swaks_path else {})
        for command in commands.values():
            run_process(command, env)  # warm caches (and write bytecode)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(run_process(command, env)[0] * 1000)
    notes: dict[str, object] = {
        "delivered": servers.delivered,
        "script_with_keyring_ms": round(median(times["floor"]), 1),
        "script_with_keyring_ratio": round(median(times["floor"]) / median(times["script"]), 2),
    }
    if swaks_path:
        notes["swaks_ms"] = round(median(times["swaks"]), 1)
    else:
        notes["swaks_ms"] = None
        notes["swaks"] = (
            "not installed (apt-get install swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl)"
        )
    return [
        Figure("`smtpgui test` process vs smtplib script (ms)", median(times["ours"]), median(times["script"]), "ms", BUDGET, runs, notes)
    ]  # fmt: skip


if __name__ == "__main__":
    from common import table

    results = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
    print(table(results))
    print(results[0].notes)
