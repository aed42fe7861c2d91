"""Real desktop services for tests: an Xvfb display and a Secret Service (gnome-keyring on its own D-Bus).

Both are started as child processes that report readiness themselves (Xvfb writes its display
number to a pipe, dbus-daemon prints its address, gnome-keyring-daemon --daemonize returns once
it serves), so nothing here waits on a clock.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

KEYRING_PASSWORD = "login-keyring-test-password"


def require(*commands: str) -> None:
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found: .ci/run installs them (see README)")


@contextlib.contextmanager
def xvfb_display() -> Iterator[str]:
    """A fresh Xvfb server; yields its DISPLAY value."""
    require("Xvfb")
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def secret_service(home: Path) -> Iterator[dict[str, str]]:
    """gnome-keyring's Secret Service on a private session bus, its login keyring unlocked.

    Yields the environment variables a child process needs to use it (HOME, XDG folders and
    DBUS_SESSION_BUS_ADDRESS). Everything lives under ``home`` and ends with the block.
    """
    require("dbus-daemon", "gnome-keyring-daemon")
    runtime = home / "run"
    runtime.mkdir(parents=True, mode=0o700)
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    env.pop("DISPLAY", None)  # no prompts on a screen: the keyring is unlocked by password below
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", f"--address=unix:path={runtime / 'bus'}"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        # --daemonize returns once the daemon has claimed its bus names and unlocked "login".
        subprocess.run(
            ["gnome-keyring-daemon", "--daemonize", "--unlock", "--components=secrets"],
            input=KEYRING_PASSWORD,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=True,
        )
        yield {
            k: env[k]
            for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")
        }
    finally:
        # The daemon forks away from us and outlives its bus; it is found by the HOME it inherited.
        for pid in _processes_with_home(home):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        bus.terminate()
        bus.wait(10)


def _processes_with_home(home: Path) -> list[int]:
    marker = f"HOME={home}".encode() + b"\0"
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
    return pids
