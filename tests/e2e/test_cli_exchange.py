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
