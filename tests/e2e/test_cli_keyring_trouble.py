"""Keyrings that lose secrets or do not answer: a sentence naming the keyring and exit 3."""

from __future__ import annotations

import json

from tests.conftest import CliRunner


def test_a_keyring_that_drops_secrets_is_exit_3_naming_it(cli: CliRunner) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.DropsKeyring"
    r = cli("add", "Work", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
            "--password-stdin", stdin="pw\n")  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert "DropsKeyring" in r.stderr and "added" not in r.stderr and "Traceback" not in r.stderr
    assert json.loads(cli("list", "--json").stdout) == []
    assert cli("add", "Work", "--host", "smtp.example.test").returncode == 0
    r = cli("edit", "Work", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 3 and "DropsKeyring" in r.stderr, r.stderr
    assert "saved" not in r.stderr
