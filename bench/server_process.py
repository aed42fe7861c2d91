"""Loopback test servers in a process of their own, for benchmarks that time the app's own process.

An aiosmtpd server in the benchmark's process would take the GIL from the GUI thread it measures;
a real mail server never does. Started by ``common.servers_in_process``: prints one JSON line with
the ports, serves until its stdin closes, then prints how many messages it received.

    python bench/server_process.py PKI_FOLDER [DATA_DELAY_S]

DATA_DELAY_S holds each message that long before the final reply, as a slow link or a busy
server does, so that many sessions are in flight at once.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path

from tests.support.servers import ScriptedServer, make_pki, smtp_server


def main(folder: Path, data_delay_s: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pki = make_pki(folder)
    with (
        smtp_server("starttls", pki) as server,
        smtp_server("tls", pki) as implicit,
        smtp_server("plain", pki, auth=False) as plain,
        ScriptedServer(lambda c: ScriptedServer.wait_closed(None, c)) as silent,  # type: ignore[arg-type]
    ):
        accept = server.handler.handle_DATA

        async def slow_accept(*args: object) -> str:
            await asyncio.sleep(data_delay_s)
            return await accept(*args)  # type: ignore[arg-type]

        server.handler.handle_DATA = slow_accept  # type: ignore[method-assign]
        ports = {"smtp": server.port, "tls": implicit.port, "plain": plain.port, "silent": silent.port}
        print(json.dumps({**ports, "ca_file": str(pki.ca_file)}), flush=True)
        sys.stdin.read()
        print(json.dumps({"delivered": len(server.handler.messages)}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
