"""Keyrings that lose secrets or do not answer: a sentence naming the keyring and exit 3."""

from __future__ import annotations

import json

from tests.conftest import CliRunner


def test_a_keyring_that_drops_secrets_is_exit_3_naming_it(cli: CliRunner) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.DropsKeyring"
    r = cli("add", "Work", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
            "--password-stdin", stdin="pw\n")  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert "DropsKeyring" in r.stderr and "added 'Work'" not in r.stderr and "Traceback" not in r.stderr
    assert "Nothing was added." in r.stderr
    assert json.loads(cli("list", "--json").stdout) == []
    assert cli("add", "Work", "--host", "smtp.example.test").returncode == 0
    r = cli("edit", "Work", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 3 and "DropsKeyring" in r.stderr, r.stderr
    assert "saved" not in r.stderr


def test_a_keyring_that_never_answers_is_exit_3_within_the_deadline(cli: CliRunner) -> None:
    cli.extra_env.update(PYTHON_KEYRING_BACKEND="tests.support.keyrings.HangingKeyring", SMTPGUI_KEYRING_TIMEOUT="0.5")
    r = cli("add", "Work", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
            "--password-stdin", stdin="pw\n", timeout=20)  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert "did not answer within 0.5 seconds" in r.stderr and "Traceback" not in r.stderr
    r = cli(
        "add",
        "Work",
        "--host",
        "smtp.example.test",
        "--auth",
        "password",
        "--username",
        "u",
        "--from",
        "a@example.test",
    )
    assert r.returncode == 0, r.stderr
    r = cli("show", "Work", "--json", timeout=20)
    assert r.returncode == 3 and "did not answer" in r.stderr, r.stderr
    r = cli("test", "Work", "--to", "ops@example.test", timeout=20)
    assert r.returncode == 3 and "did not answer" in r.stderr, r.stderr


def test_a_keyring_backend_that_cannot_be_loaded_is_exit_3_naming_it(cli: CliRunner) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "no_such_module.Keyring"
    r = cli("add", "Work", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
            "--password-stdin", stdin="pw\n", timeout=20)  # fmt: skip
    assert r.returncode == 3, r.stderr
    assert "no_such_module.Keyring" in r.stderr and "could not be loaded" in r.stderr and "Traceback" not in r.stderr


def test_the_self_test_report_names_a_keyring_that_cannot_be_used_without_hanging(cli: CliRunner) -> None:
    report = cli.config_dir.parent / "report.json"
    cli.extra_env["SMTPGUI_KEYRING_TIMEOUT"] = "0.5"
    for backend, named in (
        ("tests.support.keyrings.HangingKeyring", "tests.support.keyrings.HangingKeyring"),  # loads, never answers
        ("no_such_module.Keyring", "unavailable ("),
    ):
        cli.extra_env["PYTHON_KEYRING_BACKEND"] = backend
        r = cli("--self-test", "--report", str(report), timeout=60)
        assert "Traceback" not in r.stderr, r.stderr
        assert json.loads(report.read_text())["keyring_backend"].startswith(named), r.stderr
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.FileKeyring"
    assert cli("--self-test", "--report", str(report)).returncode == 0
    assert json.loads(report.read_text())["keyring_backend"] == "tests.support.keyrings.FileKeyring"
