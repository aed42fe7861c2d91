"""``smtpgui test`` as a whole process vs a minimal smtplib script doing the same, and swaks.

Budget (DESIGN.md §6): at most 1.3 × a minimal smtplib script doing the same session and reading
its password through the ``keyring`` library from the same backend (both must read a secret).
Each run is a fresh process against the same aiosmtpd (STARTTLS + AUTH, in a process of its
own): ``smtpgui test NAME --to ADDR --json`` (config on disk) against
``bench/smtplib_send.py --keyring``, interleaved. Measured twice:

- with a pinned backend (``PYTHON_KEYRING_BACKEND=env_keyring.EnvKeyring``): the code's own cost;
- on a real user's path: a real Secret Service (gnome-keyring on a private D-Bus, as the tests
  start it) and no backend pinned, so keyring's backend choice is part of both figures.

Beside them: the plain script with the password on its command line, and swaks (Debian's
``swaks``) when it is installed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from common import REPO, Figure, ServerProcess, child_env, median, run_process, smtpgui_command

from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.servers import PASSWORD, USER

BUDGET = 1.3


def _time(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, list[float]]:
    for command in commands.values():
        run_process(command, env)  # warm caches (and write bytecode)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run_process(command, env)[0] * 1000)
    return times


def _real_secret_service(tmp: Path, ours: list[str], floor: list[str], config: Path, runs: int) -> Figure | None:
    """The same two commands with gnome-keyring answering and no backend pinned."""
    from smtpgui.storage.store import ConnectionStore
    from tests.support.desktop import secret_service

    if shutil.which("gnome-keyring-daemon") is None or shutil.which("dbus-daemon") is None:
        print("cli (real Secret Service): skipped, gnome-keyring or dbus not installed")
        return None
    connection_id = ConnectionStore(config).load()[0].id
    with secret_service(tmp / "home") as desktop:
        env = child_env(**desktop)
        env.pop("PYTHON_KEYRING_BACKEND", None)
        store = [sys.executable, "-c", "import keyring, sys; keyring.set_password('smtpgui', sys.argv[1], sys.argv[2])",
                 f"{connection_id}:password", PASSWORD]  # fmt: skip
        run_process(store, env)
        unpinned_floor = [*floor[:-1], f"{connection_id}:password"]
        times = _time({"ours": ours, "floor": unpinned_floor}, env, runs)
    return Figure(
        "`smtpgui test` vs script, real Secret Service (ms)", median(times["ours"]), median(times["floor"]), "ms",
        BUDGET, runs, {"backend": "not pinned (keyring's own choice)"},
    )  # fmt: skip


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
        ours = smtpgui_command("--config-dir", str(config), "test", "bench", "--to", "ops@example.com", "--json")  # fmt: skip
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
        times = _time(commands, env, runs)
        real = _real_secret_service(Path(tmp), ours, floor, config, runs)
    notes: dict[str, object] = {
        "delivered": servers.delivered,
        "script_without_keyring_ms": round(median(times["script"]), 1),
        "ours_vs_script_without_keyring": round(median(times["ours"]) / median(times["script"]), 2),
    }
    if swaks_path:
        notes["swaks_ms"] = round(median(times["swaks"]), 1)
    else:
        notes["swaks_ms"] = None
        notes["swaks"] = (
            "not installed (apt-get install swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl)"
        )
    figures = [
        Figure("`smtpgui test` vs script reading keyring (ms)", median(times["ours"]), median(times["floor"]), "ms", BUDGET, runs, notes)
    ]  # fmt: skip
    return figures + ([real] if real is not None else [])


if __name__ == "__main__":
    from common import table

    results = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
    print(table(results))
    for figure in results:
        print(figure.name, figure.notes)
