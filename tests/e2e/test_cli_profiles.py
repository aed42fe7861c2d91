"""The installed ``smtpgui`` command, run as scripts run it: files, output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import CliRunner


def test_importing_the_cli_loads_no_qt() -> None:
    code = "import sys, smtpgui.cli, smtpgui.cli.parser, smtpgui.cli.profiles, smtpgui.cli.fields, smtpgui.cli.send, smtpgui.cli.login, smtpgui.cli.settings, smtpgui.services; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version(cli: CliRunner) -> None:
    from smtpgui import __version__

    result = cli("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"smtpgui {__version__}")


def test_add_list_show_with_password(cli: CliRunner) -> None:
    r = cli(
        "add",
        "Work",
        "--preset",
        "gmail",
        "--username",
        "me@example.com",
        "--from",
        '"Me Myself" <me@example.com>',
        "--password-stdin",
        stdin="s3cret-pw\n",
    )
    assert r.returncode == 0, r.stderr
    shown = json.loads(cli("show", "work", "--json").stdout)
    assert shown["host"] == "smtp.gmail.com" and shown["port"] == 587
    assert shown["from_name"] == "Me Myself" and shown["from_address"] == "me@example.com"
    assert shown["password_set"] is True and shown["proxy_password_set"] is False
    assert shown["is_default"] is True
    listed = json.loads(cli("list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Work"]
    assert cli("list").stdout.startswith("* Work")
    # the secret is in the keyring under the id, and nowhere in the config folder
    assert cli.secrets() == {f"smtpgui/{shown['id']}:password": "s3cret-pw"}
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes()


def test_validation_errors_exit_2_and_save_nothing(cli: CliRunner) -> None:
    r = cli("add", "bad", "--host", "smtp example", "--port", "0", "--timeout", "900")
    assert r.returncode == 2
    assert "--host" in r.stderr and "--port" in r.stderr and "--timeout" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (cli.config_dir / "connections.json").exists()
    assert cli("add", "x", "--port", "abc").returncode == 2
    assert cli("show", "ghost").returncode == 2


def test_name_clash_ignoring_case(cli: CliRunner) -> None:
    assert cli("add", "Work", "--host", "a.example").returncode == 0
    r = cli("add", "WORK", "--host", "b.example")
    assert r.returncode == 2 and "already called" in r.stderr


def test_edit_rename_keeps_secrets(cli: CliRunner) -> None:
    cli("add", "a", "--host", "a.example", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw1\n")
    before = json.loads(cli("show", "a", "--json").stdout)
    r = cli(
        "edit",
        "a",
        "--name",
        "b",
        "--security",
        "tls",
        "--proxy",
        "socks5://bob@127.0.0.1:1080",
        "--pin-sha256",
        "AB:" * 31 + "AB",
    )
    assert r.returncode == 0, r.stderr
    after = json.loads(cli("show", "b", "--json").stdout)
    assert after["id"] == before["id"] and after["password_set"] is True
    assert (after["security"], after["port"]) == ("tls", 465)  # port follows the mode
    assert (after["proxy_type"], after["proxy_host"], after["proxy_port"], after["proxy_username"]) == (
        "socks5",
        "127.0.0.1",
        1080,
        "bob",
    )
    assert after["pinned_sha256"] == "ab" * 32


def test_duplicate_copies_no_secrets(cli: CliRunner) -> None:
    cli("add", "a", "--host", "a.example", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw1\n")
    cli.extra_env["PROXY_PW"] = "proxy-pw"
    assert (
        cli("edit", "a", "--proxy", "socks5://pu@proxy.example:1080", "--proxy-password-env", "PROXY_PW").returncode
        == 0
    )
    assert json.loads(cli("show", "a", "--json").stdout)["proxy_password_set"] is True
    # Issue 20, item 3: a password connection is copied only with its password given.
    assert cli("duplicate", "a", "--password-stdin", stdin="pw2\n").returncode == 0
    assert cli("duplicate", "a", "--password-stdin", stdin="pw2\n").returncode == 0
    copy = json.loads(cli("show", "a_copied", "--json").stdout)
    assert copy["password_set"] is True and copy["is_default"] is False and copy["host"] == "a.example"
    assert copy["proxy_password_set"] is False  # no other secret goes with the copy
    assert json.loads(cli("show", "a_copied2", "--json").stdout)["id"] != copy["id"]
    assert cli("duplicate", "a", "--as", "third", "--password-stdin", stdin="pw3\n").returncode == 0
    assert json.loads(cli("show", "third", "--json").stdout)["password_set"] is True


def test_delete_default_needs_new_default_and_removes_secrets(cli: CliRunner) -> None:
    cli("add", "a", "--host", "a.example", "--auth", "password", "--username", "u", "--password-stdin", stdin="pw\n")
    cli("add", "b", "--host", "b.example")
    r = cli("delete", "a", "--yes")
    assert r.returncode == 2 and "--new-default" in r.stderr
    assert cli("delete", "b").returncode == 2  # no --yes and no terminal to ask
    done = cli("delete", "a", "--yes", "--new-default", "b")
    assert done.returncode == 0
    assert done.stderr.splitlines() == ["smtpgui: deleted 'a'.", "smtpgui: 'b' is now the default connection."]
    assert json.loads(cli("show", "b", "--json").stdout)["is_default"] is True
    assert cli.secrets() == {}
    assert cli("set-default", "b").returncode == 0


def test_export_import_never_carry_secrets(cli: CliRunner, make_cli) -> None:  # type: ignore[no-untyped-def]
    cli(
        "add",
        "a",
        "--host",
        "a.example",
        "--auth",
        "password",
        "--username",
        "u",
        "--password-stdin",
        stdin="topsecret\n",
    )
    cli("add", "b", "--host", "b.example", "--proxy", "http://p.example:3128", "--proxy-password-env", "PW")
    export = cli.config_dir.parent / "out.json"
    r = cli("export", str(export), "--names", "a")
    assert r.returncode == 0, r.stderr
    text = export.read_text()
    assert "topsecret" not in text
    document = json.loads(text)
    assert document["format"] == "smtpgui-connections" and [c["name"] for c in document["connections"]] == ["a"]
    assert "password_set" not in document["connections"][0]
    other = make_cli("other")
    assert other("import", str(export)).returncode == 0
    assert json.loads(other("show", "a", "--json").stdout)["password_set"] is False
    clash = other("import", str(export))
    assert clash.returncode == 2 and "--replace" in clash.stderr
    assert other("import", str(export), "--replace").returncode == 0


def test_import_fills_defaults_and_rejects_bad_files(cli: CliRunner) -> None:
    folder = cli.config_dir.parent
    minimal = folder / "min.json"
    minimal.write_text(
        json.dumps(
            {"format": "smtpgui-connections", "schema_version": 1, "connections": [{"name": "m", "host": "m.example"}]}
        )
    )
    assert cli("import", str(minimal)).returncode == 0
    shown = json.loads(cli("show", "m", "--json").stdout)
    assert shown["port"] == 587 and shown["timeout_s"] == 30 and shown["verify"] is True
    for content in [
        "{not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "smtpgui-connections", "connections": [{"name": "x", "port": "no"}]}),
    ]:
        bad = folder / "bad.json"
        bad.write_text(content)
        r = cli("import", str(bad))
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.strip()


def test_newer_file_exit_3_untouched(cli: CliRunner) -> None:
    path = cli.config_dir / "connections.json"
    path.write_text(json.dumps({"schema_version": 99, "connections": []}))
    r = cli("list")
    assert r.returncode == 3 and "newer smtpgui" in r.stderr
    assert json.loads(path.read_text())["schema_version"] == 99


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        ("keyring.backends.fail.Keyring", "No system keyring is available"),
        ("tests.support.keyrings.LockedFileKeyring", "is locked; unlock it and try again"),
        ("tests.support.keyrings.SetFailsKeyring", "Prompt dismissed"),
        ("tests.support.keyrings.OsErrorKeyring", "Input/output error"),
    ],
)
def test_keyring_unavailable_is_exit_3_and_nothing_half_saved(cli: CliRunner, backend: str, words: str) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = backend
    r = cli(
        "add", "a", "--host", "a.example", "--auth", "password", "--username", "u", "--password-stdin",
        stdin="pw-never-on-disk\n",
    )  # fmt: skip
    assert r.returncode == 3 and "keyring" in r.stderr.lower() and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert b"pw-never-on-disk" not in path.read_bytes(), path
    assert cli("list", "--json").stdout.strip() == "[]"
    # without a secret to store, the keyring is not needed
    assert cli("add", "b", "--host", "b.example").returncode == 0


def test_config_dir_option_wins(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    assert cli("--config-dir", str(elsewhere), "add", "z", "--host", "z.example").returncode == 0
    assert (elsewhere / "connections.json").exists()
    assert not (cli.config_dir / "connections.json").exists()


def test_presets_and_settings(cli: CliRunner) -> None:
    presets = json.loads(cli("presets", "--json").stdout)
    assert any(p["id"] == "ses-eu-west-1" for p in presets)
    r = cli("settings", "--default-from", "Ops Team <ops@example.com>", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "default_from_address": "ops@example.com", "default_from_name": "Ops Team",
        "default_to": "", "default_subject": "", "default_body": "", "sandbox_autostart": False,
    }  # fmt: skip
    assert cli("settings", "--default-from", "broken").returncode == 2


def test_self_test_opens_the_window_and_reports(cli: CliRunner) -> None:
    cli("add", "a", "--host", "a.example")
    report = cli.config_dir.parent / "report.json"
    r = cli("--self-test", "--report", str(report))
    assert r.returncode == 0, r.stderr
    data = json.loads(report.read_text())
    assert data["ok"] is True and data["connections"] == 1 and data["startup_ms"] > 0
    assert data["qt_version"].startswith("6.") and data["keyring_backend"]


def test_window_options_go_straight_to_the_window_and_anything_else_to_the_parser() -> None:
    from smtpgui.cli import window_options

    opened = window_options(["--config-dir", "/tmp/x", "--self-test", "--report=r.json"])
    assert opened is not None
    assert (opened.config_dir, opened.self_test, opened.report, opened.command) == ("/tmp/x", True, "r.json", None)
    assert window_options([]) is not None
    for other in (["list"], ["--version"], ["-h"], ["--config-dir"], ["--config-dir", "--self-test"], ["--bogus"]):
        assert window_options(other) is None, other


def test_the_window_refuses_an_unusable_config_folder_with_exit_3(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "blocker"
    blocker.write_text("my notes\n")
    r = cli("--config-dir", str(blocker), "--self-test")
    assert r.returncode == 3 and "it is a file, not a folder" in r.stderr and "Traceback" not in r.stderr
    assert blocker.read_text() == "my notes\n"


def test_the_process_ends_with_output_log_and_exit_code_complete(cli: CliRunner) -> None:
    """The process ends without the interpreter's teardown (``cli.end_process``): standard
    output, the log file and the exit code must be complete all the same."""
    env = {k: v for k, v in cli.env().items() if k != "PYTHONUNBUFFERED"}  # output stays in buffers
    listed = subprocess.run(
        [sys.executable, "-m", "smtpgui", "list", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert (listed.returncode, json.loads(listed.stdout or "null")) == (0, [])
    presets = cli("presets", "--json")
    assert presets.returncode == 0 and len(json.loads(presets.stdout)) > 3
    missing = cli("show", "nobody")
    assert missing.returncode != 0 and missing.stderr.startswith("smtpgui: ")
    log = (cli.config_dir / "logs" / "smtpgui.log").read_text()
    assert "command presets finished: exit 0" in log
    assert f"command show refused (exit {missing.returncode})" in log or "command show failed" in log


def test_a_reader_that_goes_away_gets_no_traceback(cli: CliRunner) -> None:
    executable = [sys.executable, "-m", "smtpgui"]
    reader = subprocess.Popen(
        [*executable, "presets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env(), text=True
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # like `smtpgui presets | head -c0`
    errors = reader.stderr.read()
    assert reader.wait(timeout=60) in (0, 1, 120) and "Traceback" not in errors


def test_edit_says_the_port_a_new_security_mode_set(cli: CliRunner) -> None:
    cli("add", "a", "--host", "a.example")
    said = cli("edit", "a", "--security", "tls")
    assert said.stderr.strip() == "smtpgui: saved 'a'; the port is now 465, the usual one for tls."
    chosen = cli("edit", "a", "--security", "starttls", "--port", "2525")
    assert chosen.stderr.strip() == "smtpgui: saved 'a'."  # the user chose the port: nothing to say
