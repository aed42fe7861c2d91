"""The hidden password prompt (cli/secretinput.py) on a real terminal that ends early: Ctrl-D
(end of input) and Ctrl-C. A sentence or exit 130, never a traceback, and nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CliRunner
from tests.e2e.test_cli_password_prompt import on_terminal

COMMANDS = {
    "add": ("add", "relay", "--host", "h.example", "--auth", "password", "--username", "u", "--password-prompt"),
    "credential add": ("credential", "add", "Corp", "--username", "u", "--password-prompt"),
    "duplicate": ("duplicate", "relay", "--password-prompt"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("key", "code"), [("\x04", 2), ("half\x03", 130)], ids=["ctrl-d", "ctrl-c"])
def test_a_prompt_ended_early_stores_nothing(cli: CliRunner, command: str, key: str, code: int) -> None:
    if command == "duplicate":  # a connection with a password to copy (its own, so the copy asks)
        cli("add", "relay", "--host", "h.example", "--auth", "password", "--username", "u", "--password-stdin",
            stdin="pw\n")  # fmt: skip
    before = (cli.config_dir / "connections.json").read_bytes() if command == "duplicate" else None
    stored = cli.secrets()
    run = on_terminal(cli, *COMMANDS[command], answers=[("assword", key)])
    assert run.returncode == code, run.screen
    assert "Traceback" not in run.screen and "Error" not in run.screen, run.screen
    if code == 2:
        assert "smtpgui: " in run.screen
    if before is not None:
        assert (cli.config_dir / "connections.json").read_bytes() == before
    else:
        assert json.loads(cli("list", "--json").stdout) == []
        assert json.loads(cli("credential", "list", "--json").stdout) == []
    assert cli.secrets() == stored


@pytest.mark.parametrize(("key", "code"), [("\x04", 0), ("y\x03", 130)], ids=["ctrl-d", "ctrl-c"])
def test_a_delete_question_ended_early_deletes_nothing(cli: CliRunner, key: str, code: int) -> None:
    cli(
        "add", "relay", "--host", "h.example", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw\n"
    )
    before, stored = (cli.config_dir / "connections.json").read_bytes(), cli.secrets()
    run = on_terminal(cli, "delete", "relay", answers=[("[y/N]", key)])
    assert run.returncode == code, run.screen
    assert "Traceback" not in run.screen and "Error" not in run.screen, run.screen
    assert (cli.config_dir / "connections.json").read_bytes() == before
    assert cli.secrets() == stored
