"""``smtpgui export`` and ``import`` with hostile and edited files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner

DEEP = '{"format": "smtpgui-connections", "schema_version": 2, "connections": [' + "[" * 50_000 + "]" * 50_000 + "]}"
SURROGATE = '{"format": "smtpgui-connections", "schema_version": 2, "connections": [{"name": "a\\udc80b"}]}'


@pytest.mark.parametrize("text", [DEEP, SURROGATE], ids=["deeply nested", "lone surrogate"])
def test_a_hostile_import_file_is_exit_2_naming_the_file(cli: CliRunner, tmp_path: Path, text: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text)
    r = cli("import", str(path))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and str(path) in r.stderr and r.stderr.startswith("smtpgui: ")
    assert json.loads(cli("list", "--json").stdout) == []


def test_an_import_file_with_a_byte_order_mark_is_imported(cli: CliRunner, tmp_path: Path) -> None:
    assert cli("add", "Work", "--host", "smtp.example.test").returncode == 0
    exported = cli("export", "-").stdout
    assert cli("delete", "Work", "--yes").returncode == 0
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + exported.encode())
    r = cli("import", str(path))
    assert r.returncode == 0, r.stderr
    assert [c["name"] for c in json.loads(cli("list", "--json").stdout)] == ["Work"]


def test_a_hostile_connections_file_is_moved_aside_and_commands_go_on(cli: CliRunner) -> None:
    assert cli("add", "a", "--host", "a.example.test").returncode == 0
    assert cli("add", "b", "--host", "b.example.test").returncode == 0
    (cli.config_dir / "connections.json").write_text(DEEP.replace('"format": "smtpgui-connections", ', ""))
    r = cli("list")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "moved aside" in r.stderr and "restored" in r.stderr
    assert r.stdout.startswith("* a")


def _exported_with(cli: CliRunner, tmp_path: Path, **changes: object) -> Path:
    document = json.loads(cli("export", "-").stdout)
    document["connections"][0].update(changes)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    return path


def _add_work_with_password(cli: CliRunner) -> str:
    r = cli(
        "add", "Work", "--host", "smtp.work.example", "--auth", "password", "--username", "me",
        "--proxy", "socks5://p@proxy.work.example:1080",
        "--password-stdin", stdin="work-pw\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    work_id = json.loads(cli("show", "Work", "--json").stdout)["id"]
    assert f"smtpgui/{work_id}:password" in cli.secrets()
    return str(work_id)


@pytest.mark.parametrize(
    "changes",
    [
        {"host": "evil.example", "security": "none", "mechanism": "plain"},
        {"port": 2525},
        {"username": "someone-else"},
        {"proxy_host": "evil-proxy.example"},
        {"verify": False},
    ],
    ids=["host", "port", "username", "proxy host", "verify off"],
)
def test_an_import_that_moves_a_connection_drops_its_secrets(
    cli: CliRunner, tmp_path: Path, changes: dict[str, object]
) -> None:
    work_id = _add_work_with_password(cli)
    r = cli("import", "--replace", str(_exported_with(cli, tmp_path, **changes)))
    assert r.returncode == 0, r.stderr
    assert not any(key.startswith(f"smtpgui/{work_id}:") for key in cli.secrets())
    notes = [line for line in r.stderr.splitlines() if "'Work'" in line and "secret" in line]
    assert len(notes) == 1 and notes[0].startswith("smtpgui: "), r.stderr
    shown = json.loads(cli("show", "Work", "--json").stdout)
    assert shown["id"] == work_id and shown["password_set"] is False


def test_an_import_that_keeps_the_endpoint_keeps_the_secrets(cli: CliRunner, tmp_path: Path) -> None:
    work_id = _add_work_with_password(cli)
    r = cli("import", "--replace", str(_exported_with(cli, tmp_path, description="restored", HOST=None)))
    assert r.returncode == 0, r.stderr
    assert cli.secrets()[f"smtpgui/{work_id}:password"] == "work-pw"
    assert "secret" not in r.stderr
    assert json.loads(cli("show", "Work", "--json").stdout)["description"] == "restored"


def test_an_import_that_cannot_drop_the_secrets_changes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    _add_work_with_password(cli)
    before = (cli.config_dir / "connections.json").read_bytes()
    path = _exported_with(cli, tmp_path, host="evil.example")
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.LockedFileKeyring"
    r = cli("import", "--replace", str(path))
    assert r.returncode == 3, r.stderr
    assert "locked" in r.stderr and "Traceback" not in r.stderr
    assert (cli.config_dir / "connections.json").read_bytes() == before


def test_export_to_a_folder_that_does_not_exist_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    assert cli("add", "Work", "--host", "smtp.example.test").returncode == 0
    target = tmp_path / "typo" / "deeper" / "out.json"
    r = cli("export", str(target))
    assert r.returncode == 2, r.stderr
    assert str(target.parent) in r.stderr and "does not exist" in r.stderr
    assert not (tmp_path / "typo").exists()


def test_an_import_cannot_choose_an_id_smtpgui_would_not_make(cli: CliRunner, tmp_path: Path) -> None:
    """An id names keyring entries: an upper-case copy of a stored id, a path or a padded one gets a
    new id, so no imported connection can reach another's secrets (a case-insensitive keyring, say)."""
    assert cli("add", "Mine", "--host", "smtp.example.test", "--auth", "password", "--username", "u",
               "--password-stdin", stdin="pw\n").returncode == 0  # fmt: skip
    mine = json.loads(cli("show", "Mine", "--json").stdout)["id"]
    entries = [{"id": mine.upper(), "name": "Upper", "host": "evil.example.test"},
               {"id": "../../etc/passwd", "name": "Path", "host": "evil.example.test"},
               {"id": f" {mine}", "name": "Padded", "host": "evil.example.test"}]  # fmt: skip
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"format": "smtpgui-connections", "schema_version": 2, "connections": entries}))
    r = cli("import", str(path))
    assert r.returncode == 0, r.stderr
    shown = {c["name"]: c for c in json.loads(cli("list", "--json").stdout)}
    for name in ("Upper", "Path", "Padded"):
        assert shown[name]["id"] not in (mine.upper(), "../../etc/passwd", f" {mine}")
        assert shown[name]["password_set"] is False
    assert shown["Mine"]["password_set"] is True
