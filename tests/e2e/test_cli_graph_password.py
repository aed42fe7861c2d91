"""Issue 20, item 9 on the command line: a Graph connection that signs in with a user's password
(the password grant), against the local fake provider and Graph; `add` says Microsoft discourages it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CliRunner
from tests.support.identity import GRAPH_CLIENT_ID, TENANT, FakeIdentity
from tests.support.servers import PASSWORD, USER

pytestmark = pytest.mark.integration


def add_graph_user(cli: CliRunner, idp: FakeIdentity) -> None:
    cli.extra_env["GRAPH_USER_PW"] = PASSWORD
    r = cli("add", "graph", "--kind", "graph", "--tenant-id", TENANT, "--client-id", GRAPH_CLIENT_ID,
            "--authority-url", idp.url, "--graph-url", idp.url, "--auth", "password", "--username", USER,
            "--password-env", "GRAPH_USER_PW")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "discourages" in r.stderr and "MFA" in r.stderr


def test_graph_with_a_user_password_sends_from_the_command_line(cli: CliRunner, idp: FakeIdentity) -> None:
    add_graph_user(cli, idp)
    shown = json.loads(cli("show", "graph", "--json").stdout)
    assert shown["auth_mode"] == "password" and shown["password_set"] is True and shown["mailbox"] == ""
    assert PASSWORD not in (cli.config_dir / "connections.json").read_text()  # in the keyring only
    assert cli.secrets()[f"smtpgui/{shown['id']}:password"] == PASSWORD
    r = cli("test", "graph", "--to", "r@example.com", "--json", "--transcript")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["ok"] and result["auth_mechanism"] == "OAUTH2-PASSWORD"
    assert PASSWORD not in r.stdout + r.stderr
    assert USER in r.stderr  # says who sent it
    assert idp.sent[0]["mailbox"] == USER


def test_mfa_required_is_explained_with_exit_13(cli: CliRunner, idp: FakeIdentity) -> None:
    add_graph_user(cli, idp)
    idp.mfa_required[USER] = "50079"
    r = cli("test", "graph", "--to", "r@example.com", "--json")
    assert r.returncode == 13
    result = json.loads(r.stdout)
    assert "AADSTS50079" in result["error"] and "multi-factor" in result["explanation"]
    assert "client secret" in result["fix"]


def test_a_graph_user_connection_is_duplicated_only_with_the_password(cli: CliRunner, idp: FakeIdentity) -> None:
    add_graph_user(cli, idp)
    r = cli("duplicate", "graph")
    assert r.returncode == 2 and "--password-stdin" in r.stderr
    assert cli("duplicate", "graph", "--password-env", "GRAPH_USER_PW").returncode == 0


def test_oauth2_sign_in_is_refused_for_graph(cli: CliRunner, idp: FakeIdentity) -> None:
    r = cli("add", "g", "--kind", "graph", "--tenant-id", TENANT, "--client-id", GRAPH_CLIENT_ID,
            "--mailbox", "m@example.com", "--auth", "oauth2")  # fmt: skip
    assert r.returncode == 2 and "--auth" in r.stderr
