"""``smtpgui import FILE [--from auto|smtpgui|thunderbird|msmtprc|swaks] [--store-passwords]``
(issue 21, item 4; CLI.md): each sample file, standard input, secrets, clashes, hostile files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import CliRunner

DATA = Path(__file__).resolve().parents[1] / "data" / "settingsin"
MSMTP_SECRET = "s3cret with spaces"
SWAKS_SECRET = "p4ss w0rd"


def _names(cli: CliRunner) -> list[str]:
    return [c["name"] for c in json.loads(cli("list", "--json").stdout)]


def _everything_written(cli: CliRunner) -> str:
    """Every file smtpgui wrote in its config folder (the connections, the log...)."""
    return "".join(p.read_text(errors="replace") for p in cli.config_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("sample", "fmt", "names", "default"),
    [
        ("thunderbird-prefs.js", "thunderbird", ['Work "submission"', "smtp.gmail.com", "mail.isp.example",
                                                 "relay.lan.example"], "smtp.gmail.com"),
        ("msmtprc-user", "msmtprc", ["freemail", "freemail2", "company", "lan"], "freemail"),
        ("swaks-command.txt", "swaks", ["mail.example.com"], "mail.example.com"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("named", [False, True], ids=["auto", "--from"])
def test_each_sample_imports(
    cli: CliRunner, sample: str, fmt: str, names: list[str], default: str, named: bool
) -> None:
    r = cli("import", str(DATA / sample), *(["--from", fmt] if named else []))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert _names(cli) == names
    shown = json.loads(cli("list", "--json").stdout)
    assert [c["name"] for c in shown if c["is_default"]] == [default]
    assert all(not c["password_set"] for c in shown)


def test_an_msmtp_password_is_offered_not_copied(cli: CliRunner) -> None:
    r = cli("import", str(DATA / "msmtprc-user"))
    assert r.returncode == 0, r.stderr
    assert "holds a password for 'company'" in r.stderr and "--store-passwords" in r.stderr
    assert "passwordeval" in r.stderr and "'logfile'" in r.stderr
    assert MSMTP_SECRET not in r.stderr + r.stdout + _everything_written(cli)
    assert cli.secrets() == {}


def test_store_passwords_puts_them_in_the_keyring_only(cli: CliRunner) -> None:
    r = cli("import", str(DATA / "msmtprc-user"), "--store-passwords")
    assert r.returncode == 0, r.stderr
    company = json.loads(cli("show", "company", "--json").stdout)
    assert company["password_set"] is True
    assert cli.secrets() == {f"smtpgui/{company['id']}:password": MSMTP_SECRET}
    assert MSMTP_SECRET not in r.stderr + r.stdout + _everything_written(cli)


def test_the_password_hint_names_only_the_connections_that_came_without_one(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "msmtprc"
    source.write_text(
        "account work\nhost smtp.example.com\nport 587\ntls on\ntls_starttls on\nauth on\n"
        "user me@example.com\npassword s3cret-work\nfrom me@example.com\n\n"
        "account other\nhost smtp.example.org\nport 587\ntls on\ntls_starttls on\nauth on\n"
        "user you@example.org\nfrom you@example.org\n"
    )
    r = cli("import", str(source), "--store-passwords")
    assert r.returncode == 0, r.stderr
    hint = [line for line in r.stderr.splitlines() if "set one with" in line]
    assert hint == ["smtpgui: no password came with 'other'; set one with 'smtpgui edit NAME --password-stdin'."]


def test_a_swaks_command_from_standard_input(cli: CliRunner) -> None:
    r = cli("import", "--from", "swaks", "-", "--store-passwords", stdin=(DATA / "swaks-command.txt").read_text())
    assert r.returncode == 0, r.stderr
    shown = json.loads(cli("show", "mail.example.com", "--json").stdout)
    assert (shown["port"], shown["security"], shown["mechanism"]) == (587, "starttls", "cram-md5")
    assert cli.secrets() == {f"smtpgui/{shown['id']}:password": SWAKS_SECRET}
    assert SWAKS_SECRET not in r.stderr + _everything_written(cli)
    assert "--header-X-Test" in r.stderr and "test email" not in r.stderr


def test_our_own_exports_go_back_in(cli: CliRunner, tmp_path: Path) -> None:
    r = cli(
        "add", "Work", "--host", "smtp.example.com", "--security", "tls", "--auth", "password",
        "--username", "me@example.com", "--mechanism", "plain", "--from", "me@example.com",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    for fmt in ("swaks", "msmtprc"):
        exported = cli("export", "Work", "--format", fmt).stdout
        assert cli("delete", "Work", "--yes").returncode == 0
        r = cli("import", "-", stdin=exported)
        assert r.returncode == 0, r.stderr
        [name] = _names(cli)
        shown = json.loads(cli("show", name, "--json").stdout)
        assert (shown["host"], shown["port"], shown["security"], shown["username"], shown["mechanism"]) == (
            "smtp.example.com", 465, "tls", "me@example.com", "plain"
        )  # fmt: skip
        assert cli("edit", name, "--name", "Work").returncode == 0


def test_a_name_clash_is_exit_2_unless_replace(cli: CliRunner) -> None:
    assert cli("add", "freemail", "--host", "old.example").returncode == 0
    r = cli("import", str(DATA / "msmtprc-user"))
    assert r.returncode == 2 and "freemail" in r.stderr and "--replace" in r.stderr
    assert _names(cli) == ["freemail"]
    r = cli("import", str(DATA / "msmtprc-user"), "--replace")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("show", "freemail", "--json").stdout)["host"] == "smtp.freemail.example"


def test_an_invalid_connection_in_the_file_is_exit_2_naming_it(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "msmtprc"
    path.write_text("account good\nhost good.example\naccount bad\nhost -not a host-\n")
    r = cli("import", str(path))
    assert r.returncode == 2 and "bad" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert _names(cli) == []


@pytest.mark.parametrize(
    ("content", "fmt", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "auto", "not text"),
        (b"account a\nhost h.example\nuser \xff\xfe\n", "auto", "not UTF-8"),
        (b"hello, world\n", "auto", "not settings smtpgui recognises"),
        (b"account a\nhost h.example\n", "thunderbird", "Thunderbird's prefs.js"),
        (b"swaks --server 'h.example", "swaks", "not a complete shell command"),
        (b'{"format": "smtpgui-connections", "connections": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "auto",
         "cannot be imported"),
        (b"account a : " + b"a," * 500_000 + b"\nhost h.example\n", "auto", None),
    ],
    ids=["binary", "invalid utf-8", "unknown", "wrong --from", "unclosed quote", "deep nesting", "long line"],
)  # fmt: skip
def test_a_hostile_file_gets_a_sentence_never_a_traceback(
    cli: CliRunner, tmp_path: Path, content: bytes, fmt: str, words: str | None
) -> None:
    path = tmp_path / "hostile"
    path.write_bytes(content)
    r = cli("import", str(path), "--from", fmt)
    assert "Traceback" not in r.stderr and r.stderr.startswith("smtpgui: "), r.stderr
    if words is None:
        assert r.returncode == 0, r.stderr
    else:
        assert r.returncode == 2 and words in r.stderr, r.stderr


def test_a_huge_file_is_refused_unread(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "huge"
    with path.open("wb") as handle:
        handle.write(b"account a\nhost h.example\n")
        handle.truncate(40 * 1024 * 1024)
    r = cli("import", str(path))
    assert r.returncode == 2 and "too large" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_folder_and_a_missing_file_are_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    for target in (tmp_path, tmp_path / "missing"):
        r = cli("import", str(target))
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr


def test_a_hundred_thousand_accounts_import_in_seconds(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "msmtprc"
    path.write_text("defaults\ntls on\n" + "".join(f"account a{i}\nhost h{i}.example\n" for i in range(100_000)))
    started = time.perf_counter()
    r = cli("import", str(path), timeout=300)
    elapsed = time.perf_counter() - started
    assert r.returncode == 0, r.stderr
    assert "imported 100000 connection(s)" in r.stderr
    assert elapsed < 120, elapsed  # linear: a few seconds here; quadratic would not finish


def test_store_passwords_with_a_locked_keyring_is_exit_3_and_imports_nothing(cli: CliRunner) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.LockedFileKeyring"
    r = cli("import", str(DATA / "msmtprc-user"), "--store-passwords")
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert "Nothing was imported" in r.stderr and MSMTP_SECRET not in r.stderr
    cli.extra_env.pop("PYTHON_KEYRING_BACKEND")
    assert _names(cli) == []


@pytest.mark.parametrize("fmt", ["smtpgui", "auto"])
def test_an_smtpgui_export_from_standard_input(cli: CliRunner, fmt: str) -> None:
    assert cli("add", "Work", "--host", "smtp.example.com").returncode == 0
    exported = cli("export", "-").stdout
    assert cli("delete", "Work", "--yes").returncode == 0
    r = cli("import", "--from", fmt, "-", stdin=exported)
    assert r.returncode == 0, r.stderr
    assert _names(cli) == ["Work"]
