"""``smtpgui export [NAME] --format swaks|msmtprc|curl|env [--output FILE]`` beside the JSON
``export FILE [--names A,B]`` (issue 21, item 3; CLI.md)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import CliRunner

FORMATS = ["swaks", "msmtprc", "curl", "env"]


def _add(cli: CliRunner, name: str = "Work", *extra: str, default: bool = False) -> str:
    r = cli(
        "add", name, "--host", "smtp.example.com", "--port", "587", "--security", "starttls",
        "--auth", "password", "--username", "me@example.com", "--from", "me@example.com",
        "--password-stdin", *(["--default"] if default else []), *extra, stdin="the-secret-password\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return str(json.loads(cli("show", name, "--json").stdout)["id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_goes_to_stdout_and_never_holds_the_password(cli: CliRunner, fmt: str) -> None:
    connection_id = _add(cli)
    r = cli("export", "Work", "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert "smtp.example.com" in r.stdout and "the-secret-password" not in r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    # The test keyring has no command that reads it: the output reads SMTP_PASSWORD and says where it is.
    assert "SMTP_PASSWORD" in r.stdout and f"{connection_id}:password" in r.stdout


def test_no_name_is_the_default_connection_and_stderr_says_which(cli: CliRunner) -> None:
    _add(cli, "First")
    _add(cli, "Second", default=True)
    r = cli("export", "--format", "swaks")
    assert r.returncode == 0, r.stderr
    assert "'Second'" in r.stdout and "default connection 'Second'" in r.stderr


def test_output_writes_a_private_file(cli: CliRunner, tmp_path: Path) -> None:
    _add(cli)
    target = tmp_path / "msmtprc"
    r = cli("export", "Work", "--format", "msmtprc", "--output", str(target))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "account Work" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert str(target) in r.stderr


def test_output_refuses_a_link_and_a_missing_folder(cli: CliRunner, tmp_path: Path) -> None:
    _add(cli)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(victim)
    r = cli("export", "Work", "--format", "env", "--output", str(link))
    assert r.returncode == 2 and victim.read_text() == "keep" and "Traceback" not in r.stderr, r.stderr
    r = cli("export", "Work", "--format", "env", "--output", str(tmp_path / "nowhere" / "x.env"))
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_the_json_export_keeps_working_unchanged(cli: CliRunner, tmp_path: Path) -> None:
    _add(cli, "A")
    _add(cli, "B")
    path = tmp_path / "out.json"
    r = cli("export", str(path), "--names", "B")
    assert r.returncode == 0, r.stderr
    document = json.loads(path.read_text())
    assert document["format"] == "smtpgui-connections" and [c["name"] for c in document["connections"]] == ["B"]
    r = cli("export", "-")
    assert r.returncode == 0 and len(json.loads(r.stdout)["connections"]) == 2
    # A file called like a connection is still a file without --format.
    r = cli("export", "A")
    assert r.returncode == 0, r.stderr
    assert json.loads((cli.config_dir.parent / "A").read_text())["format"] == "smtpgui-connections"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["export"], "FILE"),
        (["export", "Work", "--format", "swaks", "--names", "Work"], "--names"),
        (["export", "out.json", "--output", "x"], "--output"),
        (["export", "Work", "--format", "toml"], "invalid choice"),
        (["export", "Nope", "--format", "swaks"], "Nope"),
    ],
    ids=["nothing", "names with format", "output without format", "unknown format", "unknown name"],
)
def test_usage_mistakes_are_exit_2_with_a_sentence(cli: CliRunner, args: list[str], words: str) -> None:
    _add(cli)
    r = cli(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert words in r.stderr and "Traceback" not in r.stderr and r.stdout == ""


def test_no_connection_at_all_is_exit_2(cli: CliRunner) -> None:
    r = cli("export", "--format", "curl")
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == "", r.stderr


def test_a_graph_connection_is_exit_2_naming_why(cli: CliRunner) -> None:
    cli.extra_env["S"] = "graph-client-secret"
    r = cli(
        "add", "G", "--kind", "graph", "--tenant-id", "t", "--client-id", "c", "--mailbox", "me@example.com",
        "--client-secret-env", "S",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = cli("export", "G", "--format", "swaks")
    assert r.returncode == 2 and "Microsoft Graph" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_connection_on_a_shared_credential_exports_the_credentials_user_and_entry(cli: CliRunner, fmt: str) -> None:
    """The exported settings sign in as the session would: the credential's user name, read from
    the credential's own keyring entry (issue 20 meets issue 21)."""
    cli.extra_env["CORP_PW"] = "corp-secret-pw"
    r = cli("credential", "add", "Corp", "--username", "svc-relay@example.com", "--password-env", "CORP_PW")
    assert r.returncode == 0, r.stderr
    r = cli("add", "Relay", "--host", "smtp.example.com", "--port", "587", "--security", "starttls",
            "--from", "alerts@example.com", "--credential", "Corp")  # fmt: skip
    assert r.returncode == 0, r.stderr
    credential_id = json.loads(cli("credential", "show", "Corp", "--json").stdout)["id"]
    r = cli("export", "Relay", "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert "svc-relay@example.com" in r.stdout and f"credential:{credential_id}:password" in r.stdout
    assert "corp-secret-pw" not in r.stdout + r.stderr
