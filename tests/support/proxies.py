"""Real proxies on loopback: microsocks (SOCKS5 with a password) and tinyproxy (HTTP CONNECT)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

PROXY_USER, PROXY_PASSWORD = "proxyuser", "proxy-pass-Quokka-77"


@dataclass
class RunningProxy:
    host: str
    port: int
    username: str
    password: str


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], within: float = 10.0) -> None:
    """Poll until the proxy accepts connections (a condition, not a fixed sleep)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"the proxy exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        threading.Event().wait(0.02)  # poll the condition again shortly
    raise RuntimeError(f"the proxy did not listen on port {port} within {within} s")


def _require(binary: str) -> str:
    path = shutil.which(binary) or (f"/usr/bin/{binary}" if Path(f"/usr/bin/{binary}").exists() else None)
    if path is None:
        raise RuntimeError(f"{binary} is not installed: run .ci/run (it installs Debian's {binary} package)")
    return path


@contextlib.contextmanager
def _running(command: list[str], port: int, with_auth: bool) -> Iterator[RunningProxy]:
    """Start a proxy process, wait until it listens, stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield RunningProxy("127.0.0.1", port, PROXY_USER if with_auth else "", PROXY_PASSWORD if with_auth else "")
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def microsocks(with_auth: bool = True) -> Iterator[RunningProxy]:
    port = free_port()
    command = [_require("microsocks"), "-i", "127.0.0.1", "-p", str(port)]
    if with_auth:
        command += ["-u", PROXY_USER, "-P", PROXY_PASSWORD]
    with _running(command, port, with_auth) as proxy:
        yield proxy


@contextlib.contextmanager
def microsocks_with(username: str, password: str) -> Iterator[RunningProxy]:
    """microsocks with these credentials (any bytes: RFC 1929 does not restrict them)."""
    port = free_port()
    command = [_require("microsocks"), "-i", "127.0.0.1", "-p", str(port), "-u", username, "-P", password]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        yield RunningProxy("127.0.0.1", port, username, password)
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def tinyproxy(folder: Path, with_auth: bool = False) -> Iterator[RunningProxy]:
    port = free_port()
    config = folder / f"tinyproxy-{port}.conf"
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        "Timeout 30",
        "Allow 127.0.0.1",
        "LogLevel Error",
        f'PidFile "{folder / f"tinyproxy-{port}.pid"}"',
        "MaxClients 20",
    ]
    if with_auth:
        lines.append(f"BasicAuth {PROXY_USER} {PROXY_PASSWORD}")
    config.write_text("\n".join(lines) + "\n")
    command = [_require("tinyproxy"), "-d", "-c", str(config)]
    with _running(command, port, with_auth) as proxy:
        yield proxy
