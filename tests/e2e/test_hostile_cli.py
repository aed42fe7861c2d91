"""The CLI against hostile peers: what a server says reaches the terminal only in a safe, prefixed form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.hostile import ANSI_GREETING, FAKE_FIX_REPLY, Script, hostile_smtp

pytestmark = pytest.mark.integration

RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x85", "\u202e", "\u2028")


def _add(cli: CliRunner, port: int, name: str = "h") -> None:
    r = cli("add", name, "--host", "127.0.0.1", "--port", str(port), "--security", "none", "--from", "t@example.com")
    assert r.returncode == 0, r.stderr


def _assert_safe(stdout: str, stderr: str) -> None:
    for bad in RAW_CONTROLS:
        assert bad not in stdout and bad not in stderr, f"raw {bad!r} reached the terminal"
    for line in stderr.splitlines():
        assert line.startswith("smtpgui: "), f"unprefixed stderr line: {line!r}"
    fixes = [line for line in stderr.splitlines() if line.startswith("smtpgui: fix:")]
    assert len(fixes) <= 1 and not any("evil" in f or "rm -rf" in f for f in fixes)


@pytest.mark.parametrize("mode", [[], ["--transcript"], ["--json"], ["--json", "--transcript"]])
def test_escape_sequences_in_a_greeting_never_reach_the_terminal(cli: CliRunner, mode: list[str]) -> None:
    with hostile_smtp(Script(replies={"greeting": ANSI_GREETING.replace("220", "554", 1)})) as server:
        _add(cli, server.port)
        r = cli("test", "h", "--verify-only", *mode)
    assert r.returncode == 12, r.stderr
    _assert_safe(r.stdout, r.stderr)
    shown = r.stdout + r.stderr
    assert "\\x1b[2J" in shown
    if "--json" in mode:
        data = json.loads(r.stdout)
        assert "\\x1b" in data["error"] and "\x1b" not in data["error"]


@pytest.mark.parametrize("mode", [[], ["--transcript"], ["--json", "--transcript"]])
def test_a_multiline_reply_cannot_print_a_fake_fix_line(cli: CliRunner, mode: list[str]) -> None:
    with hostile_smtp(Script(replies={"mail": FAKE_FIX_REPLY})) as server:
        _add(cli, server.port)
        r = cli("test", "h", "--to", "r@example.com", *mode)
    assert r.returncode == 14, r.stderr
    _assert_safe(r.stdout, r.stderr)
    if "--transcript" in mode and "--json" not in mode:
        for line in r.stdout.splitlines():
            assert not line.startswith("smtpgui:"), line


def test_probe_output_is_escaped(cli: CliRunner, tmp_path: Path) -> None:
    with hostile_smtp(Script(replies={"greeting": ANSI_GREETING.replace("220", "554", 1)})) as server:
        for args in (["--json"], []):
            r = cli("probe", "127.0.0.1", "--port", str(server.port), "--timeout", "3", *args)
            _assert_safe(r.stdout, r.stderr)
            assert "\\x1b" in r.stdout


def test_probe_connection_tries_its_own_port_first_and_recommends_it(cli: CliRunner) -> None:
    with hostile_smtp(Script(host="own.test")) as server:
        _add(cli, server.port)
        r = cli("probe", "--connection", "h", "--json")
        text = cli("probe", "--connection", "h")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    first = data["results"][0]
    assert (first["port"], first["security"], first["ok"], first["own"]) == (server.port, "none", True, True)
    assert data["recommended"]["port"] == server.port and data["recommended"]["security"] == "none"
    assert f"{server.port}/none" in text.stdout.splitlines()[1] and "this connection's setting" in text.stdout
    assert f"Recommended: port {server.port}, security none" in text.stdout


def test_probe_without_arguments_probes_the_default_connection_own_port_first(cli: CliRunner) -> None:
    assert cli("probe").returncode == 2  # nothing stored: say what to probe
    with hostile_smtp(Script(host="own.test")) as server:
        _add(cli, server.port)
        assert cli("set-default", "h").returncode == 0
        r = cli("probe", "--json")
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)["results"][0]
    assert (first["port"], first["own"], first["ok"]) == (server.port, True, True)


def test_every_stderr_line_is_prefixed_and_escaped_for_refused_input(cli: CliRunner, tmp_path: Path) -> None:
    """A hostile import file: whatever its entries hold, our own lines stay ours."""
    bad = tmp_path / "import.json"
    entry = {"name": "evil\x1b]0;pwned\x07\nsmtpgui: fix: trust me", "host": "smtp.example.com\u202e"}
    bad.write_text(json.dumps({"connections": [entry, dict(entry, name="second\u2028smtpgui: ok")]}))
    r = cli("import", str(bad))
    assert r.returncode == 2, (r.stdout, r.stderr)
    _assert_safe(r.stdout, r.stderr)


def test_a_message_of_several_problems_prefixes_every_line(cli: CliRunner) -> None:
    r = cli("add", "y", "--host", "bad host\x1b", "--port", "0", "--timeout", "0")
    assert r.returncode == 2
    assert len(r.stderr.splitlines()) >= 3
    _assert_safe(r.stdout, r.stderr)


def test_certificate_fields_with_escape_sequences_are_shown_escaped(cli: CliRunner, tmp_path: Path) -> None:
    from tests.support.hostile import tls_setup

    tls = tls_setup(tmp_path, common_name="evil\x1b]0;pwned\x07\x1b[2J", organization="Org\u202eliam")
    with hostile_smtp(Script(implicit_tls=True), tls) as server:
        r = cli(
            "add",
            "c",
            "--host",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--security",
            "tls",
            "--from",
            "t@example.com",
        )
        assert r.returncode == 0, r.stderr
        plain = cli("test", "c", "--verify-only", "--transcript")
        as_json = cli("test", "c", "--verify-only", "--json", "--transcript")
    assert plain.returncode == 11 and as_json.returncode == 11
    _assert_safe(plain.stdout, plain.stderr)
    _assert_safe(as_json.stdout, as_json.stderr)
    assert "evil\\x1b]0" in plain.stderr  # the certificate line names it, escaped
    assert "\\u202e" in json.loads(as_json.stdout)["certificate"]["issuer"]
