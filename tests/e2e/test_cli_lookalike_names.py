"""Names a person cannot tell apart: an invisible character, or the same letters composed another
way (NFC 'Córp' and NFD 'Córp'). A hostile import could add a credential that looks exactly like
the user's own, without a password, for its own server: the user would type the password into it."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.conftest import CliRunner

INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e", "\U000e0041", "\u2061"]


def _credential(cli: CliRunner, name: str) -> int:
    return cli("credential", "add", name, "--username", "u", "--password-stdin", stdin="pw\n").returncode


@pytest.mark.parametrize("mark", INVISIBLE, ids=[f"U+{ord(m):04X}" for m in INVISIBLE])
def test_an_invisible_character_in_a_name_is_refused(cli: CliRunner, mark: str) -> None:
    r = cli("credential", "add", f"Co{mark}rp", "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 2 and "invisible" in r.stderr, r.stderr
    r = cli("connector", "add", f"{mark}Office", "--proxy", "socks5://p.example:1080")
    assert r.returncode == 2 and "invisible" in r.stderr, r.stderr
    r = cli("add", f"Work{mark}", "--host", "h.example")
    assert r.returncode == 2 and "invisible" in r.stderr, r.stderr
    assert cli("credential", "list", "--json").stdout.strip() == "[]"


def test_a_name_composed_another_way_is_the_same_name(cli: CliRunner) -> None:
    composed = "Córp"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert _credential(cli, composed) == 0
    r = cli("credential", "add", decomposed, "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 2 and "already called" in r.stderr, r.stderr
    assert cli("add", composed, "--host", "h.example").returncode == 0
    r = cli("add", decomposed, "--host", "h.example")
    assert r.returncode == 2 and "already called" in r.stderr, r.stderr


def test_emoji_and_joiners_in_names_still_work(cli: CliRunner) -> None:
    """What must keep working: a zero-width joiner in an emoji, a non-joiner in Persian."""
    assert _credential(cli, "Family \U0001f468\u200d\U0001f469\u200d\U0001f467") == 0
    assert _credential(cli, "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == 0


def test_an_import_cannot_add_a_lookalike_of_a_stored_credential(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The file's full-width 'Ｃorp' with another user is the stored 'Corp': refused without
    --replace (as any clash), never a second credential that looks the same."""
    assert _credential(cli, "Corp") == 0
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            {
                "format": "smtpgui-connections",
                "schema_version": 3,
                "connections": [
                    {"name": "Mail", "host": "evil.example", "auth_mode": "password", "credential": "Ｃorp"}
                ],
                "credentials": [{"name": "Ｃorp", "username": "mallory"}],
            }
        )
    )
    r = cli("import", str(path))
    assert r.returncode == 2 and "Corp" in r.stderr, r.stderr
    assert [c["name"] for c in json.loads(cli("credential", "list", "--json").stdout)] == ["Corp"]


def test_foreign_names_lose_invisible_characters_and_stay_apart(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "msmtprc"
    path.write_text("account Co\u2060rp\nhost a.example\n\naccount Ｃorp\nhost b.example\n")
    r = cli("import", str(path))
    assert r.returncode == 0, r.stderr
    names = sorted(c["name"] for c in json.loads(cli("list", "--json").stdout))
    assert names == ["Corp", "Ｃorp 2"], names


@pytest.mark.parametrize("name", ["none", "None", "NONE", "ｎｏｎｅ"])
def test_none_cannot_name_a_credential_or_connector(cli: CliRunner, name: str) -> None:
    """`--credential none` means "its own": a credential called so could never be chosen."""
    r = cli("credential", "add", name, "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 2 and "none" in r.stderr.lower(), r.stderr
    r = cli("connector", "add", name, "--proxy", "socks5://p.example:1080")
    assert r.returncode == 2, r.stderr
    assert cli.secrets() == {}
