"""One invalid connection in the file (hand-edited) does not block the others, and problems
name the connection or file entry they belong to, not an option the user did not type."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner


def _break_host(cli: CliRunner, name: str, host: str) -> None:
    path = cli.config_dir / "connections.json"
    document = json.loads(path.read_text())
    for item in document["connections"]:
        if item["name"] == name:
            item["host"] = host
    path.write_text(json.dumps(document))


def test_an_invalid_stored_connection_does_not_block_adding_or_editing_others(cli: CliRunner) -> None:
    assert cli("add", "Broken", "--host", "ok.example.test").returncode == 0
    assert cli("add", "Good", "--host", "good.example.test").returncode == 0
    _break_host(cli, "Broken", "bad host name")
    r = cli("add", "Third", "--host", "third.example.test")
    assert r.returncode == 0, r.stderr
    r = cli("edit", "Good", "--port", "2525")
    assert r.returncode == 0, r.stderr
    assert cli("set-default", "Third").returncode == 0
    listed = {c["name"]: c for c in json.loads(cli("list", "--json").stdout)}
    assert listed["Good"]["port"] == 2525 and listed["Broken"]["host"] == "bad host name"


def test_a_bad_import_entry_is_named_by_index_and_name_not_by_option(cli: CliRunner, tmp_path: Path) -> None:
    assert cli("add", "A", "--host", "a.example.test").returncode == 0
    assert cli("add", "B", "--host", "b.example.test").returncode == 0
    document = json.loads(cli("export", "-").stdout)
    for item in document["connections"]:
        item.pop("id")
        item["name"] += " copy"
    document["connections"][1]["host"] = "bad host"
    path = tmp_path / "in.json"
    path.write_text(json.dumps(document))
    r = cli("import", str(path))
    assert r.returncode == 2, r.stderr
    assert "--host" not in r.stderr
    assert "#2" in r.stderr and "'B copy'" in r.stderr and "host" in r.stderr and str(path) in r.stderr
    assert [c["name"] for c in json.loads(cli("list", "--json").stdout)] == ["A", "B"]
