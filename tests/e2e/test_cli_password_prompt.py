"""Issue 20, items 7 and 8: a hidden password prompt on a terminal, never off one; a user name
and a password given without --auth mean password sign-in. Against the real aiosmtpd with AUTH."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.servers import PASSWORD, USER, smtp_server
from tests.support.terminal import TerminalRun, run_on_terminal

pytestmark = pytest.mark.integration

TYPED = "typed-Secret-20"


def on_terminal(cli: CliRunner, *args: str, answers: list[tuple[str, str]] | None = None) -> TerminalRun:
    executable = Path(sys.executable).with_name("smtpgui")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "smtpgui"]
    return run_on_terminal([*command, *args], cli.env(), answers or [], cwd=str(cli.config_dir.parent))


def stored_password(cli: CliRunner, name: str) -> str | None:
    shown = json.loads(cli("show", name, "--json").stdout)
    return cli.secrets().get(f"smtpgui/{shown['id']}:password")


def test_password_prompt_hides_what_is_typed_and_stores_it(cli: CliRunner) -> None:
    run = on_terminal(
        cli, "add", "relay", "--host", "127.0.0.1", "--auth", "password", "--username", USER, "--password-prompt",
        answers=[("Password", TYPED + "\n")],
    )  # fmt: skip
    assert run.returncode == 0, run.screen
    assert "Password" in run.screen
    assert TYPED not in run.screen  # not echoed, not repeated
    assert stored_password(cli, "relay") == TYPED


def test_add_with_password_sign_in_asks_on_a_terminal_and_the_password_works(cli: CliRunner) -> None:
    with smtp_server("plain", auth_require_tls=False) as server:
        run = on_terminal(
            cli, "add", "relay", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
            "--auth", "password", "--username", USER, "--allow-insecure-auth", "--from", "app@example.com",
            answers=[("Password", PASSWORD + "\n")],
        )  # fmt: skip
        assert run.returncode == 0, run.screen
        assert PASSWORD not in run.screen
        r = cli("test", "relay", "--to", "ops@example.com")
        assert r.returncode == 0, r.stderr
        assert server.handler.messages[-1].login == USER


def test_edit_with_password_prompt_replaces_the_password(cli: CliRunner) -> None:
    assert cli("add", "relay", "--host", "h.example", "--auth", "password", "--username", "u",
               "--password-stdin", stdin="old\n").returncode == 0  # fmt: skip
    run = on_terminal(cli, "edit", "relay", "--password-prompt", answers=[("Password", TYPED + "\n")])
    assert run.returncode == 0, run.screen
    assert TYPED not in run.screen
    assert stored_password(cli, "relay") == TYPED


def test_duplicate_on_a_terminal_asks_for_the_copy_s_password(cli: CliRunner) -> None:
    assert cli("add", "a", "--host", "h.example", "--auth", "password", "--username", "u",
               "--password-stdin", stdin="old\n").returncode == 0  # fmt: skip
    run = on_terminal(cli, "duplicate", "a", answers=[("Password", TYPED + "\n")])
    assert run.returncode == 0, run.screen
    assert TYPED not in run.screen
    assert stored_password(cli, "a_copied") == TYPED


def test_an_empty_answer_on_a_terminal_changes_nothing(cli: CliRunner) -> None:
    run = on_terminal(cli, "add", "relay", "--host", "h.example", "--auth", "password", "--username", "u",
                      "--password-prompt", answers=[("Password", "\n")])  # fmt: skip
    assert run.returncode == 2, run.screen
    assert "No password was typed" in run.screen
    assert json.loads(cli("list", "--json").stdout) == []


def test_never_a_prompt_when_stdin_is_not_a_terminal(cli: CliRunner) -> None:
    # Asked for explicitly: a sentence and exit 2, nothing added.
    r = cli("add", "relay", "--host", "h.example", "--auth", "password", "--username", "u", "--password-prompt")
    assert r.returncode == 2
    assert "terminal" in r.stderr and "--password-stdin" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(cli("list", "--json").stdout) == []
    # Not asked for: added without a password (as before), saying how to set one; no waiting.
    r = cli("add", "relay", "--host", "h.example", "--auth", "password", "--username", "u")
    assert r.returncode == 0, r.stderr
    assert "no password is stored yet" in r.stderr
    # A duplicate off a terminal: exit 2 naming the options (item 3)
    r = cli("duplicate", "relay", "--password-prompt")
    assert r.returncode == 2 and "terminal" in r.stderr


def test_username_and_password_without_auth_mean_password_sign_in(cli: CliRunner) -> None:
    cli.extra_env["RELAY_PW"] = PASSWORD
    with smtp_server("plain", auth_require_tls=False) as server:
        r = cli("add", "relay", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
                "--username", USER, "--password-env", "RELAY_PW", "--allow-insecure-auth",
                "--from", "app@example.com")  # fmt: skip
        assert r.returncode == 0, r.stderr
        shown = json.loads(cli("show", "relay", "--json").stdout)
        assert shown["auth_mode"] == "password" and shown["password_set"] is True
        r = cli("test", "relay", "--to", "ops@example.com")
        assert r.returncode == 0, r.stderr
        assert server.handler.messages[-1].login == USER
    # the same with --password-stdin; and an explicit --auth none stays anonymous
    r = cli("add", "b", "--host", "h.example", "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 0 and json.loads(cli("show", "b", "--json").stdout)["auth_mode"] == "password"
    r = cli("add", "c", "--host", "h.example", "--auth", "none", "--username", "u", "--password-env", "RELAY_PW")
    assert r.returncode == 0 and json.loads(cli("show", "c", "--json").stdout)["auth_mode"] == "none"
    # edit: giving a password to an anonymous connection that has a user name turns sign-in on
    assert cli("add", "d", "--host", "h.example", "--username", "u").returncode == 0
    assert json.loads(cli("show", "d", "--json").stdout)["auth_mode"] == "none"
    assert cli("edit", "d", "--password-env", "RELAY_PW").returncode == 0
    assert json.loads(cli("show", "d", "--json").stdout)["auth_mode"] == "password"


def test_no_prompt_for_a_connection_that_cannot_be_saved(cli: CliRunner) -> None:
    run = on_terminal(cli, "add", "relay", "--auth", "password", "--username", USER)  # no --host
    assert run.returncode == 2, run.screen
    assert "Password" not in run.screen and "--host" in run.screen
