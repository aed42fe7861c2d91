"""Hostile files, environments and users against shared credentials and connectors (issue 20):
a stored secret never goes anywhere a file or a crafted config chooses, and never shows."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import CliRunner
from tests.support.hostile_proxies import HostileHttpProxy
from tests.support.servers import PASSWORD, USER, ScriptedServer, read_line, smtp_server


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


def _echoing_server(conn: socket.socket) -> None:
    """Says every command back in its replies, AUTH's decoded password included, then refuses."""
    conn.sendall(b"220 echo.example ESMTP\r\n")
    while True:
        line = read_line(conn)
        if not line:
            return
        verb = line[:4].upper()
        if verb in {b"EHLO", b"HELO"}:
            conn.sendall(b"250-echo.example\r\n250 AUTH PLAIN LOGIN\r\n")
        elif verb == b"AUTH":
            raw = line.split()[-1]
            decoded = base64.b64decode(raw + b"==")
            echoed = decoded.replace(b"\0", b" ")
            conn.sendall(b"535-5.7.8 you said " + echoed + b"\r\n535 5.7.8 also " + base64.b64encode(decoded) + b"\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"502 5.5.2 " + line.strip() + b"\r\n")


def test_a_server_echoing_the_credential_s_password_never_shows_it(cli: CliRunner) -> None:
    _add_corp(cli)
    with ScriptedServer(_echoing_server) as server:
        cli(
            "add", "Work", "--host", server.host, "--port", str(server.port), "--security", "none",
            "--allow-insecure-auth", "--credential", "Corp", "--mechanism", "plain",
        )  # fmt: skip
        for extra in ((), ("--json",)):
            r = cli("test", "Work", "--to", "r@example.com", "--transcript", *extra)
            assert r.returncode != 0
            shown = r.stdout + r.stderr
            assert "you said" in shown or extra == ()
            assert PASSWORD not in shown, shown
            assert base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode() not in shown
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_a_crafted_connection_id_cannot_name_a_credential_s_keyring_entry(cli: CliRunner) -> None:
    """Keyring entries are ``<owner>:<slot>``; a connection whose id is ``credential:<id>`` would read,
    overwrite and delete the credential's password as its own."""
    credential_id = _add_corp(cli)
    cli("add", "Work", "--host", "mail.example.com", "--credential", "Corp")
    path = cli.config_dir / "connections.json"
    with smtp_server("plain", auth_require_tls=False) as attacker:
        document = json.loads(path.read_text())
        document["connections"].append(
            {
                "name": "Evil",
                "id": f"credential:{credential_id}",
                "host": attacker.host,
                "port": attacker.port,
                "security": "none",
                "allow_insecure_auth": True,
                "auth_mode": "password",
                "username": USER,
            }
        )
        path.write_text(json.dumps(document))
        crafted = path.read_bytes()
        r = cli("test", "Evil", "--to", "r@example.com")
        assert attacker.handler.messages == []
        assert r.returncode != 0 and "Traceback" not in r.stderr
        assert "id" in r.stderr and "connections.json" in r.stderr
        cli("delete", "Evil")
        cli("edit", "Evil", "--password-stdin", stdin="overwritten\n")
    assert cli.secrets() == {f"smtpgui/credential:{credential_id}:password": PASSWORD}
    assert path.read_bytes() == crafted


@pytest.mark.parametrize("mode", ["echo-407", "echo-hex", "echo-url", "echo-spaced"])
def test_a_proxy_echoing_the_connector_s_password_never_shows_it(cli: CliRunner, mode: str) -> None:
    secret = "conn-ector pw:%/+"
    cli.extra_env["PROXYPW"] = secret
    with HostileHttpProxy(mode) as proxy:
        r = cli("connector", "add", "Office", "--proxy", f"http://proxyuser@127.0.0.1:{proxy.port}",
                "--proxy-password-env", "PROXYPW")  # fmt: skip
        assert r.returncode == 0, r.stderr
        cli("add", "A", "--host", "mail.example.com", "--from", "a@example.com", "--connector", "Office")
        r = cli("test", "A", "--to", "r@example.com", "--json", "--transcript")
        assert proxy.requests and b"Proxy-Authorization" in proxy.requests[0]
    shown = r.stdout + r.stderr
    assert r.returncode != 0
    basic = base64.b64encode(f"proxyuser:{secret}".encode()).decode()
    for form in (secret, basic, secret.encode().hex(), quote(secret, safe=""), quote(f"proxyuser:{secret}", safe="")):
        assert form not in shown, (form, shown)
    assert " ".join(basic[i : i + 6] for i in range(0, len(basic), 6)) not in shown


@pytest.mark.parametrize(
    ("kind", "bad_id"),
    [
        ("connections", "a\nb"),
        ("connections", "connector:x"),
        ("credentials", 'x\nhost evil.example\npasswordeval "id"'),
        ("connectors", "x\x1b[2J"),
        ("credentials", "a:b"),
    ],
)
def test_a_crafted_id_in_connections_json_is_refused_with_a_sentence(cli: CliRunner, kind: str, bad_id: str) -> None:
    """Ids name keyring entries and are written into exported settings: one smtpgui could not have
    made (a line break, a control character, ':') is refused on reading, the file left untouched."""
    _add_corp(cli)
    cli("connector", "add", "Office", "--proxy", "socks5://p.example:1080")
    cli("add", "Work", "--host", "mail.example.com", "--credential", "Corp", "--connector", "Office")
    path = cli.config_dir / "connections.json"
    document = json.loads(path.read_text())
    old_id = document[kind][0]["id"]
    document[kind][0]["id"] = bad_id
    for connection in document["connections"]:  # references follow, so only the id itself is wrong
        for key in ("credential_id", "connector_id"):
            if connection.get(key) == old_id:
                connection[key] = bad_id
    path.write_text(json.dumps(document))
    crafted = path.read_bytes()
    for command in (("list",), ("export", "Work", "--format", "msmtprc"), ("credential", "list")):
        r = cli(*command)
        assert r.returncode == 3, (command, r.stdout, r.stderr)
        assert "connections.json" in r.stderr and "Traceback" not in r.stderr
        assert "\x1b" not in r.stderr and "\nhost evil" not in r.stdout + r.stderr
    assert path.read_bytes() == crafted
