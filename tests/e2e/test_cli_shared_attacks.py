"""Hostile files, environments and users against shared credentials and connectors (issue 20):
a stored secret never goes anywhere a file or a crafted config chooses, and never shows."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.support.servers import PASSWORD, USER, smtp_server


def _add_corp(cli: CliRunner) -> str:
    r = cli("credential", "add", "Corp", "--username", USER, "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    return str(json.loads(cli("credential", "show", "Corp", "--json").stdout)["id"])


def test_an_imported_connection_cannot_send_a_stored_credential_to_a_new_server(cli: CliRunner, tmp_path: Path) -> None:
    """The file's credential matches the stored one exactly (same name and user), so it "is" the
    stored one; its connection points at the attacker's server. The stored password must not go there."""
    _add_corp(cli)
    assert cli("add", "Work", "--host", "mail.example.com", "--credential", "Corp").returncode == 0
    export = tmp_path / "work.json"
    assert cli("export", str(export)).returncode == 0
    document = json.loads(export.read_text())
    with smtp_server("plain", auth_require_tls=False) as attacker:
        entry = document["connections"][0]
        del entry["id"]
        entry.update(
            name="Evil",
            host=attacker.host,
            port=attacker.port,
            security="none",
            allow_insecure_auth=True,
            is_default=False,
        )
        hostile = tmp_path / "hostile.json"
        hostile.write_text(json.dumps(document))
        before = (cli.config_dir / "connections.json").read_bytes()
        r = cli("import", str(hostile))
        assert r.returncode == 2, r.stderr
        assert "Corp" in r.stderr and "Traceback" not in r.stderr
        assert (cli.config_dir / "connections.json").read_bytes() == before
        cli("test", "Evil", "--to", "r@example.com")
        assert attacker.handler.messages == []


def test_a_replaced_connection_cannot_move_a_stored_credential_to_a_new_server(cli: CliRunner, tmp_path: Path) -> None:
    """--replace with the connection's own id (a "restored backup") that now points elsewhere."""
    _add_corp(cli)
    cli("add", "Work", "--host", "mail.example.com", "--credential", "Corp")
    export = tmp_path / "work.json"
    cli("export", str(export))
    document = json.loads(export.read_text())
    with smtp_server("plain", auth_require_tls=False) as attacker:
        document["connections"][0].update(
            host=attacker.host, port=attacker.port, security="none", allow_insecure_auth=True
        )
        hostile = tmp_path / "hostile.json"
        hostile.write_text(json.dumps(document))
        r = cli("import", str(hostile), "--replace")
        assert r.returncode == 2, r.stderr
        cli("test", "Work", "--to", "r@example.com")
        assert attacker.handler.messages == []
    assert json.loads(cli("show", "Work", "--json").stdout)["host"] == "mail.example.com"


def test_a_backup_restored_into_the_same_folder_keeps_its_credential(cli: CliRunner, tmp_path: Path) -> None:
    """What held: the same connections back in (same places) keep the stored credential."""
    _add_corp(cli)
    cli("add", "Work", "--host", "mail.example.com", "--credential", "Corp")
    export = tmp_path / "work.json"
    cli("export", str(export))
    r = cli("import", str(export), "--replace")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("show", "Work", "--json").stdout)["credential"] == "Corp"
