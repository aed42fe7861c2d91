"""What the user types on the command line: the single-line rule, charsets, recipient lists.

Issue 17, items 8 (line breaks beyond CR/LF), 11 (charsets), 19 (odd addresses): bad input is
exit 2 with a sentence naming the field, never a traceback or an internal error (exit 1).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import CliRunner
from tests.support.servers import Pki, free_port, make_pki, smtp_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


# Every str.splitlines() break (NUL cannot be in argv; the unit tests cover it), other C0/C1 controls, and Unicode line/paragraph separators.
BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x1b", "\x7f", "\t"]
IDS = [f"U+{ord(ch):04X}" for ch in BREAKS]


def _add(cli: CliRunner, name: str = "c", *extra: str) -> None:
    r = cli(
        "add",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        "--security",
        "none",
        "--from",
        "a@example.test",
        *extra,
    )
    assert r.returncode == 0, r.stderr


def _refused(r, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.startswith("smtpgui: ") and "Traceback" not in r.stderr and "internal error" not in r.stderr
    for word in words:
        assert word in r.stderr, r.stderr


@pytest.mark.parametrize("ch", BREAKS, ids=IDS)
def test_settings_refuse_a_default_sender_with_a_break(cli: CliRunner, ch: str) -> None:
    _refused(cli("settings", "--default-from", f"a{ch}b@example.test"), "--default-from")
    _refused(cli("settings", "--default-from-name", f"Name{ch}Bcc: x@evil.example"), "--default-from-name")
    assert not (cli.config_dir / "settings.json").exists()


@pytest.mark.parametrize("ch", ["\u2028", "\x85", "\x1c", "\x0b"], ids=["U+2028", "U+0085", "U+001C", "U+000B"])
def test_a_stored_bad_default_sender_is_a_sentence_not_a_crash(cli: CliRunner, ch: str) -> None:
    _add(cli, "c", "--from", "")
    (cli.config_dir / "settings.json").write_text(
        json.dumps({"schema_version": 1, "default_from_address": f"a{ch}b@example.test", "default_from_name": ""})
    )
    _refused(cli("test", "c", "--to", "r@example.test"), "default", "single line")
    (cli.config_dir / "settings.json").write_text(
        json.dumps({"schema_version": 1, "default_from_address": "a@example.test", "default_from_name": f"N{ch}x"})
    )
    _refused(cli("test", "c", "--to", "r@example.test"), "default", "single line")


@pytest.mark.parametrize("ch", BREAKS, ids=IDS)
def test_a_recipient_with_a_break_is_exit_2(cli: CliRunner, ch: str) -> None:
    _add(cli)
    _refused(cli("test", "c", "--to", f"r{ch}x@example.test"), "--to")
    _refused(cli("test", "c", "--to", "r@example.test", "--subject", f"S{ch}Bcc: x@evil.example"), "--subject")


@pytest.mark.parametrize("ch", BREAKS, ids=IDS)
def test_names_and_fields_with_a_break_are_refused(cli: CliRunner, ch: str) -> None:
    _refused(cli("add", f"n{ch}m", "--host", "smtp.example.com"), "NAME")
    _refused(cli("add", "n", "--host", "smtp.example.com", "--from-name", f"A{ch}B"), "--from-name")
    _refused(cli("add", "n", "--host", "smtp.example.com", "--ehlo-name", f"a{ch}.example.com"), "--ehlo-name")
    assert json.loads(cli("list", "--json").stdout or "[]") == []


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "uu", "bz2", "quopri", "utf-16"])
def test_a_charset_that_is_not_text_is_refused(cli: CliRunner, charset: str) -> None:
    _refused(cli("add", "n", "--host", "smtp.example.com", "--charset", charset), "--charset")


def test_a_body_the_charset_cannot_encode_is_exit_2(cli: CliRunner) -> None:
    _add(cli, "c", "--charset", "ascii")
    _refused(cli("test", "c", "--to", "r@example.test", "--body", "Grüße"), "ü", "ascii")


@pytest.mark.parametrize("address", ["a@example.com.", "a@[IPv6:::1"])
def test_odd_sender_addresses_are_refused(cli: CliRunner, address: str) -> None:
    _refused(cli("add", "n", "--host", "smtp.example.com", "--from", address), "--from")


def test_recipients_are_split_only_outside_quotes(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "c", "--port", str(server.port))
        r = cli("test", "c", "--to", '"smith,john"@example.test, b@example.test', "--to", "c@example.test")
        assert r.returncode == 0, r.stderr
        assert server.handler.messages[0].rcpt_tos == ['"smith,john"@example.test', "b@example.test", "c@example.test"]


# --- item 18: local files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "path"),
    [("--ca-file", "/nonexistent.pem"), ("--ca-file", "/etc/passwd"), ("--client-cert", "/etc/passwd")],
)
def test_a_tls_file_that_is_not_one_is_refused_at_add_and_edit(cli: CliRunner, option: str, path: str) -> None:
    _refused(cli("add", "n", "--host", "smtp.example.com", option, path), option, path)
    _add(cli, "c", "--security", "starttls")
    _refused(cli("edit", "c", option, path), option, path)
    assert path not in cli("show", "c", "--json").stdout


def test_a_ca_file_removed_after_add_is_blamed_on_the_file_not_the_server(cli: CliRunner, pki: Pki) -> None:
    ca = cli.config_dir.parent / "ca.pem"
    ca.write_bytes(pki.ca_file.read_bytes())
    _add(cli, "c", "--security", "starttls", "--ca-file", str(ca))
    ca.unlink()
    _refused(cli("test", "c", "--to", "r@example.test"), "--ca-file", str(ca), "does not exist")


def test_export_to_a_folder_that_does_not_exist_is_refused(cli: CliRunner) -> None:
    _add(cli)
    target = cli.config_dir.parent / "no-such-folder" / "out.json"
    _refused(cli("export", str(target)), "does not exist")
    assert not target.parent.exists()
    assert cli("export", str(cli.config_dir.parent / "out.json")).returncode == 0


@pytest.mark.parametrize(
    ("args", "help_for"),
    [
        (("sandbox", "--prot", "5"), "smtpgui sandbox --help"),  # an unknown option, found by the top level
        (("add",), "smtpgui add --help"),
        (("inbox", "show"), "smtpgui inbox show --help"),
        (("bogus",), "smtpgui --help"),
    ],
)
def test_a_usage_mistake_is_one_sentence_pointing_at_the_right_help(cli: CliRunner, args: tuple[str, ...],
                                                                    help_for: str) -> None:  # fmt: skip
    r = cli(*args)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("smtpgui: ") and f"(see '{help_for}')" in lines[0], r.stderr
