"""A real Secret Service that stops answering (gnome-keyring on a private D-Bus, then frozen with
SIGSTOP): every command that needs the keyring ends within the deadline with exit 3."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.desktop import secret_service

pytestmark = pytest.mark.integration


def _owner_pid(env: dict[str, str]) -> int:
    """The process that owns org.freedesktop.secrets on the test's own bus."""
    reply = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
         "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=10, check=True,
    )  # fmt: skip
    return int(reply.stdout.split()[-1])


def test_a_secret_service_that_stops_answering_is_exit_3_within_the_deadline(cli: CliRunner, tmp_path: Path) -> None:
    with secret_service(tmp_path / "home") as env:
        cli.extra_env.update(env, PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
        r = cli("add", "Work", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
                "--from", "a@example.test", "--password-stdin", stdin="pw\n")  # fmt: skip
        assert r.returncode == 0, r.stderr
        daemon = _owner_pid(env)
        os.kill(daemon, signal.SIGSTOP)
        try:
            cli.extra_env["SMTPGUI_KEYRING_TIMEOUT"] = "1"
            shown = cli("show", "Work", "--json", timeout=30)
            assert shown.returncode == 3 and "did not answer within 1 seconds" in shown.stderr, shown.stderr
            tested = cli("test", "Work", "--to", "ops@example.test", timeout=30)
            assert tested.returncode == 3 and "did not answer" in tested.stderr, tested.stderr
            assert "Traceback" not in shown.stderr + tested.stderr
            listed = cli("list", timeout=30)  # the keyring is not needed to list
            assert listed.returncode == 0 and listed.stdout.startswith("* Work")
        finally:
            os.kill(daemon, signal.SIGCONT)
        del cli.extra_env["SMTPGUI_KEYRING_TIMEOUT"]
        assert json.loads(cli("show", "Work", "--json").stdout)["password_set"] is True
