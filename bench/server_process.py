"""Loopback test servers in a process of their own, for benchmarks that time the app's own process.

An aiosmtpd server in the benchmark's process would take the GIL from the GUI thread it measures;
a real mail server never does. Started by ``common.servers_in_process``: prints one JSON line with
the ports, serves until its stdin closes, then prints how many messages it received.

    python bench/server_process.py PKI_FOLDER [DATA_DELAY_S]

DATA_DELAY_S holds each message that long before the final reply, as a slow link or a busy
server does, so that many sessions are in flight at once.

Each server is also reachable through a *link* (``link_*`` ports): a relay that delivers every
chunk of bytes, both ways, ``LINK_DELAY_S`` after it was sent (20 ms round trip), in order, as a
network path between a client and a mail server does. On bare loopback nothing waits on the
network, so parallel sessions only compete for the CPU; through the link, a benchmark sees what
running sessions side by side buys over a real path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path

from tests.support.servers import ScriptedServer, make_pki, smtp_server

LINK_DELAY_S = 0.010  # one way: a 20 ms round trip


async def _pump(source: asyncio.StreamReader, target: asyncio.StreamWriter, delay_s: float) -> None:
    """Copy ``source`` to ``target``, each chunk ``delay_s`` late, order and end kept."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not data:
                with contextlib.suppress(OSError):
                    target.close()
                return
            target.write(data)
            with contextlib.suppress(OSError):
                await target.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await source.read(65536):
            queue.put_nowait((loop.time() + delay_s, data))
    except OSError:
        pass
    queue.put_nowait((loop.time() + delay_s, b""))
    await delivering


@contextlib.contextmanager
def links(ports: dict[str, int], delay_s: float) -> Iterator[dict[str, int]]:
    """For each server port, a relay port in front of it that adds ``delay_s`` each way."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="link", daemon=True)
    thread.start()

    async def open_link(port: int) -> asyncio.Server:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(_pump(reader, up_writer, delay_s), _pump(up_reader, writer, delay_s))

        return await asyncio.start_server(handle, "127.0.0.1", 0)

    servers = {name: asyncio.run_coroutine_threadsafe(open_link(port), loop).result() for name, port in ports.items()}
    try:
        yield {f"link_{name}": server.sockets[0].getsockname()[1] for name, server in servers.items()}
    finally:
        for server in servers.values():
            loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


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
        with links({"smtp": server.port, "tls": implicit.port, "plain": plain.port}, LINK_DELAY_S) as linked:
            print(json.dumps({**ports, **linked, "ca_file": str(pki.ca_file)}), flush=True)
            sys.stdin.read()
        print(json.dumps({"delivered": len(server.handler.messages)}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
