"""The app's secret store against a real Secret Service (gnome-keyring on a private D-Bus).

The commands store, read (a test send signs in with it), rename and delete secrets the way a
desktop user's would; a separate process reads the keyring directly to prove where they are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, CliRunner
from tests.support.desktop import secret_service
from tests.support.proxies import PROXY_PASSWORD
from tests.support.servers import PASSWORD, USER, Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def desktop_cli(cli: CliRunner, tmp_path: Path) -> Iterator[CliRunner]:
    with secret_service(tmp_path / "home") as env:
        cli.extra_env.update(env, PYTHON_KEYRING_BACKEND=SECRET_SERVICE)
        yield cli


def keyring_entry(cli: CliRunner, username: str) -> str | None:
    """Read one smtpgui entry straight from the Secret Service, in a process of its own."""
    code = "import json, sys, keyring; print(json.dumps(keyring.get_password('smtpgui', sys.argv[1])))"
    env = {**cli.env(), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, username], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_store_read_rename_delete_through_a_real_secret_service(desktop_cli: CliRunner, pki: Pki) -> None:
    cli = desktop_cli
    cli.extra_env["PROXY_PW"] = PROXY_PASSWORD
    with smtp_server("starttls", pki) as server:
        added = cli(
            "add", "office", "--host", "127.0.0.1", "--port", str(server.port), "--security", "starttls",
            "--ca-file", str(pki.ca_file), "--auth", "password", "--username", USER, "--from", "t@example.com",
            "--password-stdin", "--proxy", "socks5://p@127.0.0.1:1080", "--proxy-password-env", "PROXY_PW",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        shown = json.loads(cli("show", "office", "--json").stdout)
        assert shown["password_set"] and shown["proxy_password_set"]
        connection_id = shown["id"]
        assert keyring_entry(cli, f"{connection_id}:password") == PASSWORD
        assert keyring_entry(cli, f"{connection_id}:proxy-password") == PROXY_PASSWORD
        assert cli("edit", "office", "--proxy", "none").returncode == 0

        # Renaming keeps the secrets (entries are keyed by id), and a send reads the password.
        assert cli("edit", "office", "--name", "head office").returncode == 0
        sent = cli("test", "head office", "--to", "r@example.com", "--json")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert json.loads(sent.stdout)["auth_mechanism"] is not None
        assert server.handler.messages[-1].login == USER

    # A new password replaces the old one in place.
    assert cli("edit", "head office", "--password-stdin", stdin="a-new-Password-7\n").returncode == 0
    assert keyring_entry(cli, f"{connection_id}:password") == "a-new-Password-7"

    # Deleting the connection deletes its secrets from the keyring.
    assert cli("delete", "head office", "--yes").returncode == 0
    assert keyring_entry(cli, f"{connection_id}:password") is None
    assert keyring_entry(cli, f"{connection_id}:proxy-password") is None
    # Nothing secret went anywhere but the keyring.
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS") != cli.extra_env["DBUS_SESSION_BUS_ADDRESS"]


def test_with_no_backend_chosen_the_platforms_secret_service_is_used_directly(cli: CliRunner, tmp_path: Path) -> None:
    """Issue 18: keyring's discovery (every backend, by entry point) is skipped when the user
    chose none; the Secret Service is asked directly, and secrets land there."""
    with secret_service(tmp_path / "home") as desktop:
        env = {**cli.env(), **desktop}
        env.pop("PYTHON_KEYRING_BACKEND")
        code = (
            "import sys; from smtpgui.storage.secrets import SecretStore, Slot\n"
            "store = SecretStore()\n"
            "store.set('conn-1', Slot.PASSWORD, sys.argv[1])\n"
            "print(store.backend_path()); print(store.get('conn-1', Slot.PASSWORD))\n"
            "print('keyring.backends.macOS' in sys.modules)\n"  # discovery would have loaded it
        )
        done = subprocess.run(
            [sys.executable, "-c", code, PASSWORD], capture_output=True, text=True, env=env, timeout=60, check=True
        )
        backend, stored, discovered = done.stdout.splitlines()
        assert backend == SECRET_SERVICE and stored == PASSWORD
        assert discovered == "False"
        cli.extra_env.update(desktop, PYTHON_KEYRING_BACKEND=SECRET_SERVICE)
        assert keyring_entry(cli, "conn-1:password") == PASSWORD
