"""Issue 20, item 3: a connection with a password is duplicated only with the password given."""

from __future__ import annotations

import json

from tests.conftest import CliRunner


def _add_password_connection(cli: CliRunner) -> None:
    r = cli("add", "a", "--host", "a.example", "--auth", "password", "--username", "u", "--password-stdin",
            stdin="pw1\n")  # fmt: skip
    assert r.returncode == 0, r.stderr


def _names(cli: CliRunner) -> list[str]:
    return [c["name"] for c in json.loads(cli("list", "--json").stdout)]


def test_without_the_password_nothing_is_copied_and_the_options_are_named(cli: CliRunner) -> None:
    _add_password_connection(cli)
    r = cli("duplicate", "a")
    assert r.returncode == 2
    first = r.stderr.splitlines()[0]
    assert first.startswith("smtpgui: ")
    for option in ("--password-stdin", "--password-env", "--password-prompt"):
        assert option in r.stderr
    assert "Traceback" not in r.stderr
    assert _names(cli) == ["a"]


def test_the_password_from_a_variable_goes_with_the_copy(cli: CliRunner) -> None:
    _add_password_connection(cli)
    cli.extra_env["COPY_PW"] = "pw-copy"
    r = cli("duplicate", "a", "--password-env", "COPY_PW")
    assert r.returncode == 0, r.stderr
    copy = json.loads(cli("show", "a_copied", "--json").stdout)
    assert copy["password_set"] is True
    assert cli.secrets()[f"smtpgui/{copy['id']}:password"] == "pw-copy"


def test_an_unset_variable_or_an_empty_line_copies_nothing(cli: CliRunner) -> None:
    _add_password_connection(cli)
    r = cli("duplicate", "a", "--password-env", "NOT_SET_ANYWHERE_20")
    assert r.returncode == 2 and "NOT_SET_ANYWHERE_20" in r.stderr
    r = cli("duplicate", "a", "--password-stdin", stdin="\n")
    assert r.returncode == 2 and "standard input" in r.stderr
    assert _names(cli) == ["a"]


def test_a_connection_without_a_password_duplicates_without_asking(cli: CliRunner) -> None:
    assert cli("add", "anon", "--host", "anon.example", "--auth", "none").returncode == 0
    assert cli("add", "oauth", "--host", "smtp.gmail.com", "--auth", "oauth2", "--username", "u@gmail.com",
               "--oauth-provider", "google", "--oauth-client-id", "cid").returncode == 0  # fmt: skip
    assert cli("duplicate", "anon").returncode == 0
    r = cli("duplicate", "oauth")
    assert r.returncode == 0, r.stderr
    assert {"anon_copied", "oauth_copied"} <= set(_names(cli))
