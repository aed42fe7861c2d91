"""``smtpgui test`` and ``smtpgui probe`` as scripts use them: JSON keys and exit codes."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.processes import smtpgui_command, start_with_default_sigint
from tests.support.servers import PASSWORD, TOKEN, USER, Pki, ScriptedServer, make_pki, smtp_server

pytestmark = pytest.mark.integration

TEST_KEYS = {
    "ok",
    "stage",
    "reply_code",
    "enhanced_code",
    "error",
    "explanation",
    "fix",
    "timings_ms",
    "tls",
    "certificate",
    "capabilities",
    "auth_mechanism",
    "refused_recipients",
    "message_id",
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def add(cli: CliRunner, port: int, pki: Pki, *extra: str, password: str = PASSWORD) -> None:
    r = cli(
        "add",
        "mail",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--security",
        "starttls",
        "--port",
        str(port),
        "--ca-file",
        str(pki.ca_file),
        "--auth",
        "password",
        "--username",
        USER,
        "--from",
        "Tester <t@example.com>",
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )
    assert r.returncode == 0, r.stderr


def test_send_json_and_transcript(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki)
        r = cli("test", "mail", "--to", "r@example.com", "--json", "--transcript")
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert set(data) >= TEST_KEYS and "transcript" in data
        assert data["ok"] is True and data["stage"] == "quit" and data["tls"]["version"].startswith("TLSv1")
        assert data["message_id"] and data["auth_mechanism"] == "CRAM-MD5"
        assert PASSWORD not in r.stdout and PASSWORD not in r.stderr
        assert len(server.handler.messages) == 1
        without = json.loads(cli("test", "mail", "--verify-only", "--json").stdout)
        assert "transcript" not in without and without["ok"] is True and without["message_id"] is None


def test_wrong_password_exit_13(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki, "--mechanism", "plain", password="not-the-password")
        r = cli("test", "mail", "--to", "r@example.com")
        assert r.returncode == 13
        assert "user name or password" in r.stderr and "Traceback" not in r.stderr


def test_refused_recipient_exit_14(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki)
        r = cli("test", "mail", "--to", "x@refused.example", "--json")
        assert r.returncode == 14
        assert json.loads(r.stdout)["refused_recipients"]["x@refused.example"]["code"] == 550


def test_untrusted_certificate_exit_11_offers_the_pin(cli: CliRunner, pki: Pki, tmp_path: Path) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki, "--ca-file", "")
        r = cli("test", "mail", "--verify-only")
        assert r.returncode == 11
        assert pki.server_sha256 in r.stderr and "--pin-sha256" in r.stderr
        assert cli("edit", "mail", "--pin-sha256", pki.server_sha256).returncode == 0
        assert cli("test", "mail", "--verify-only").returncode == 0


def test_connection_refused_exit_10_and_bad_usage_exit_2(cli: CliRunner, pki: Pki) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    add(cli, port, pki)
    assert cli("test", "mail", "--to", "r@example.com").returncode == 10
    assert cli("test", "mail").returncode == 2  # no --to
    assert cli("test", "mail", "--to", "not an address").returncode == 2
    assert cli("test", "ghost", "--to", "r@example.com").returncode == 2


def test_silent_server_exit_15(cli: CliRunner, pki: Pki) -> None:
    with ScriptedServer(lambda c: ScriptedServer.wait_closed(None, c)) as server:  # type: ignore[arg-type]
        add(cli, server.port, pki, "--timeout", "2", "--security", "none", "--auth", "none")
        r = cli("test", "mail", "--verify-only", "--json")
        assert r.returncode == 15 and json.loads(r.stdout)["stage"] == "greeting"


def test_oauth_token_from_environment(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki)
        assert cli("edit", "mail", "--auth", "oauth2", "--mechanism", "xoauth2").returncode == 0
        cli.extra_env["SMTP_TOKEN"] = TOKEN
        r = cli("test", "mail", "--verify-only", "--access-token-env", "SMTP_TOKEN", "--json", "--transcript")
        assert r.returncode == 0, r.stderr
        assert TOKEN not in r.stdout
        assert cli("test", "mail", "--verify-only").returncode == 13  # no token given


def test_ctrl_c_cancels_cleanly_with_130(cli: CliRunner, pki: Pki) -> None:
    with ScriptedServer(lambda c: ScriptedServer.wait_closed(None, c)) as server:  # type: ignore[arg-type]
        add(cli, server.port, pki, "--timeout", "60", "--security", "none", "--auth", "none")
        process = start_with_default_sigint(
            [*smtpgui_command(), "test", "mail", "--verify-only", "--transcript"], cli.env()
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("=== Connected"):
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 130, err
        assert "cancelled" in err and "Traceback" not in err


def test_probe_cli_json(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        r = cli("probe", "127.0.0.1", "--port", str(server.port), "--json", "--timeout", "5")
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["host"] == "127.0.0.1" and data["recommended"]["security"] == "tls"
        assert {res["security"] for res in data["results"]} == {"tls", "starttls", "none"}
        text = cli("probe", "127.0.0.1", "--port", str(server.port), "--timeout", "5")
        assert "Recommended: port" in text.stdout
        assert cli("probe").returncode == 2


def test_verify_off_is_warned_by_list_show_and_test(cli: CliRunner, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        add(cli, server.port, pki, "--no-verify")
        assert "(certificate not verified)" in cli("list").stdout
        assert "warning: certificate verification is off" in cli("show", "mail").stdout
        r = cli("test", "mail", "--to", "r@example.com")
        assert r.returncode == 0 and "warning: certificate verification is off" in r.stderr
        # Pinning the server's certificate checks it again: the warnings go.
        assert cli("edit", "mail", "--pin-sha256", pki.server_sha256).returncode == 0
        assert "not verified" not in cli("list").stdout
        r = cli("test", "mail", "--to", "r@example.com")
        assert r.returncode == 0 and "warning" not in r.stderr
