"""``smtpgui credential …`` and ``smtpgui connector …`` (CLI.md), and ``--credential`` /
``--connector`` on add and edit: exit codes, JSON keys, secrets only in the keyring."""

from __future__ import annotations

import json

from tests.conftest import CliRunner


def _add_corp(cli: CliRunner, password: str = "corp-pw-1") -> None:
    r = cli(
        "credential",
        "add",
        "Corp",
        "--username",
        "alice",
        "--domain",
        "ACME",
        "--mechanism",
        "plain",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert r.returncode == 0, r.stderr


def test_credential_add_list_show_keeps_the_password_in_the_keyring_only(cli: CliRunner) -> None:
    _add_corp(cli)
    shown = json.loads(cli("credential", "show", "corp", "--json").stdout)
    assert shown["name"] == "Corp" and shown["username"] == "alice" and shown["domain"] == "ACME"
    assert shown["mechanism"] == "plain" and shown["password_set"] is True and shown["used_by"] == []
    assert cli.secrets() == {f"smtpgui/credential:{shown['id']}:password": "corp-pw-1"}
    listed = json.loads(cli("credential", "list", "--json").stdout)
    assert [c["name"] for c in listed] == ["Corp"]
    assert "Corp" in cli("credential", "list").stdout
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert b"corp-pw-1" not in path.read_bytes()


def test_credential_add_needs_a_username_and_a_password(cli: CliRunner) -> None:
    r = cli("credential", "add", "Corp", "--password-env", "NOPE_NOT_SET")
    assert r.returncode == 2 and "--username" in r.stderr
    r = cli("credential", "add", "Corp", "--username", "u")
    assert r.returncode == 2 and "password" in r.stderr
    r = cli("credential", "add", "Corp", "--username", "u", "--password-env", "NOPE_NOT_SET")
    assert r.returncode == 2 and "NOPE_NOT_SET" in r.stderr
    r = cli("credential", "add", "Corp", "--username", "u", "--password-prompt", stdin="")
    assert r.returncode == 2 and "terminal" in r.stderr
    r = cli("credential", "add", "Corp", "--username", "u", "--password-stdin", "--password-env", "X", stdin="p\n")
    assert r.returncode == 2
    assert json.loads(cli("credential", "list", "--json").stdout) == []
    assert cli.secrets() == {}


def test_credential_names_follow_the_connection_name_rule(cli: CliRunner) -> None:
    _add_corp(cli)
    r = cli("credential", "add", "CORP", "--username", "u", "--password-stdin", stdin="p\n")
    assert r.returncode == 2 and "already called" in r.stderr
    for bad in ("x" * 51, "line\u2028break", "nel\x85", " lead"):
        r = cli("credential", "add", bad, "--username", "u", "--password-stdin", stdin="p\n")
        assert r.returncode == 2, bad
        assert "Traceback" not in r.stderr
    assert cli("credential", "show", "ghost").returncode == 2


def test_connections_use_a_credential_changed_once_for_all(cli: CliRunner) -> None:
    _add_corp(cli)
    assert cli("add", "A", "--host", "a.example", "--credential", "corp").returncode == 0
    assert cli("add", "B", "--host", "b.example", "--credential", "Corp").returncode == 0
    a = json.loads(cli("show", "A", "--json").stdout)
    assert a["credential"] == "Corp" and a["auth_mode"] == "password" and a["connector"] is None
    users = json.loads(cli("credential", "show", "Corp", "--json").stdout)["used_by"]
    assert users == ["A", "B"]
    r = cli("credential", "edit", "Corp", "--password-env", "NEWPW", stdin="")
    assert r.returncode == 2  # not set yet
    cli.extra_env["NEWPW"] = "corp-pw-2"
    r = cli("credential", "edit", "Corp", "--password-env", "NEWPW")
    assert r.returncode == 0, r.stderr
    assert "2 connection(s)" in r.stderr
    cred_id = json.loads(cli("credential", "show", "Corp", "--json").stdout)["id"]
    assert cli.secrets()[f"smtpgui/credential:{cred_id}:password"] == "corp-pw-2"
    # back to its own user name and password
    r = cli("edit", "B", "--credential", "none", "--username", "bob")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("show", "B", "--json").stdout)["credential"] is None
    r = cli("add", "C", "--host", "c.example", "--credential", "ghost")
    assert r.returncode == 2 and "--credential" in r.stderr and "ghost" in r.stderr


def test_deleting_a_credential_in_use_is_refused_naming_the_users(cli: CliRunner) -> None:
    _add_corp(cli)
    cli("add", "A", "--host", "a.example", "--credential", "Corp")
    cli("add", "B", "--host", "b.example", "--credential", "Corp")
    r = cli("credential", "delete", "Corp")
    assert r.returncode == 2
    assert "'A'" in r.stderr and "'B'" in r.stderr and "Traceback" not in r.stderr
    assert len(cli.secrets()) == 1
    cli("edit", "A", "--credential", "none", "--username", "a")
    cli("edit", "B", "--credential", "none", "--username", "b")
    r = cli("credential", "delete", "Corp")
    assert r.returncode == 0, r.stderr
    assert cli.secrets() == {}
    assert cli("credential", "delete", "Corp").returncode == 2


def test_rename_keeps_every_reference_and_the_password(cli: CliRunner) -> None:
    _add_corp(cli)
    cli("add", "A", "--host", "a.example", "--credential", "Corp")
    before = cli.secrets()
    r = cli("credential", "rename", "Corp", "Head office")
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("show", "A", "--json").stdout)["credential"] == "Head office"
    assert cli.secrets() == before
    assert cli("credential", "rename", "Head office", "bad\nname").returncode == 2
    cli("credential", "add", "Other", "--username", "o", "--password-stdin", stdin="p\n")
    r = cli("credential", "rename", "Other", "head OFFICE")
    assert r.returncode == 2 and "already called" in r.stderr
    assert cli("credential", "rename", "ghost", "x").returncode == 2


def test_connector_add_show_use_delete(cli: CliRunner) -> None:
    cli.extra_env["PROXYPW"] = "proxy-pw-1"
    r = cli(
        "connector",
        "add",
        "Office",
        "--proxy",
        "socks5://pu@proxy.example:1081",
        "--proxy-password-env",
        "PROXYPW",
        "--proxy-domain",
        "CORP",
        "--no-proxy-remote-dns",
    )
    assert r.returncode == 0, r.stderr
    shown = json.loads(cli("connector", "show", "office", "--json").stdout)
    assert (shown["proxy_type"], shown["host"], shown["port"], shown["username"]) == (
        "socks5",
        "proxy.example",
        1081,
        "pu",
    )
    assert shown["domain"] == "CORP" and shown["remote_dns"] is False and shown["proxy_password_set"] is True
    assert cli.secrets() == {f"smtpgui/connector:{shown['id']}:proxy-password": "proxy-pw-1"}
    assert cli("add", "A", "--host", "a.example", "--connector", "Office").returncode == 0
    assert json.loads(cli("show", "A", "--json").stdout)["connector"] == "Office"
    r = cli("connector", "delete", "Office")
    assert r.returncode == 2 and "'A'" in r.stderr
    assert cli("connector", "rename", "Office", "HQ").returncode == 0
    assert json.loads(cli("show", "A", "--json").stdout)["connector"] == "HQ"
    assert cli("edit", "A", "--connector", "none").returncode == 0
    assert cli("connector", "delete", "HQ").returncode == 0
    assert cli.secrets() == {}
    r = cli("connector", "add", "Bad", "--proxy", "none")
    assert r.returncode == 2
    r = cli("connector", "add", "Bad", "--proxy", "socks5://proxy.example:99999")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert cli("connector", "list").returncode == 0


def test_duplicate_keeps_the_reference_without_a_password(cli: CliRunner) -> None:
    _add_corp(cli)
    cli("add", "A", "--host", "a.example", "--credential", "Corp")
    r = cli("duplicate", "A")
    assert r.returncode == 0, r.stderr
    assert "has no password" not in r.stderr
    assert json.loads(cli("show", "A_copied", "--json").stdout)["credential"] == "Corp"


def test_export_import_keeps_references_by_name_never_secrets(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _add_corp(cli, "very-secret-corp")
    cli.extra_env["PROXYPW"] = "very-secret-proxy"
    cli("connector", "add", "Office", "--proxy", "http://pu@proxy.example:3128", "--proxy-password-env", "PROXYPW")
    cli("add", "A", "--host", "a.example", "--credential", "Corp", "--connector", "Office")
    export = tmp_path / "out.json"
    assert cli("export", str(export)).returncode == 0
    raw = export.read_bytes()
    assert b"very-secret" not in raw
    document = json.loads(raw)
    entry = document["connections"][0]
    assert entry["credential"] == "Corp" and entry["connector"] == "Office"
    assert "credential_id" not in entry and "connector_id" not in entry
    assert [c["name"] for c in document["credentials"]] == ["Corp"]
    assert [c["name"] for c in document["connectors"]] == ["Office"]

    # into another config folder: the credential and connector come along without passwords
    other = CliRunner(tmp_path / "other", tmp_path / "other-keyring.json", {})
    other.config_dir.mkdir()
    r = other("import", str(export))
    assert r.returncode == 0, r.stderr
    assert "Corp" in r.stderr and "no password" in r.stderr
    shown = json.loads(other("show", "A", "--json").stdout)
    assert shown["credential"] == "Corp" and shown["connector"] == "Office"
    assert json.loads(other("credential", "show", "Corp", "--json").stdout)["password_set"] is False
    assert other.secrets() == {}

    # back into the first folder with --replace: same settings, so the stored passwords stay
    r = cli("import", str(export), "--replace")
    assert r.returncode == 0, r.stderr
    assert sorted(cli.secrets().values()) == ["very-secret-corp", "very-secret-proxy"]


def test_import_moving_a_credential_drops_its_password(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _add_corp(cli)
    cli("add", "A", "--host", "a.example", "--credential", "Corp")
    export = tmp_path / "out.json"
    cli("export", str(export))
    document = json.loads(export.read_text())
    document["credentials"][0]["username"] = "mallory"
    export.write_text(json.dumps(document))
    r = cli("import", str(export))
    assert r.returncode == 2 and "Corp" in r.stderr  # a clash with other settings needs --replace
    assert len(cli.secrets()) == 1
    r = cli("import", str(export), "--replace")
    assert r.returncode == 0, r.stderr
    assert "Corp" in r.stderr and "removed" in r.stderr
    assert cli.secrets() == {}
    assert json.loads(cli("credential", "show", "Corp", "--json").stdout)["username"] == "mallory"


def test_import_naming_an_unknown_credential_is_refused_and_changes_nothing(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Keep", "--host", "k.example")
    before = (cli.config_dir / "connections.json").read_bytes()
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            {
                "format": "smtpgui-connections",
                "schema_version": 3,
                "connections": [{"name": "A", "host": "a.example", "auth_mode": "password", "credential": "Ghost"}],
            }
        )
    )
    r = cli("import", str(path))
    assert r.returncode == 2
    assert "Ghost" in r.stderr and "Traceback" not in r.stderr
    assert (cli.config_dir / "connections.json").read_bytes() == before


def test_an_import_cannot_name_a_stored_credential_by_id(cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _add_corp(cli)
    cred_id = json.loads(cli("credential", "show", "Corp", "--json").stdout)["id"]
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            {
                "format": "smtpgui-connections",
                "schema_version": 3,
                "connections": [
                    {
                        "name": "Evil",
                        "host": "evil.example",
                        "auth_mode": "password",
                        "username": "x",
                        "credential_id": cred_id,
                    }
                ],
            }
        )
    )
    r = cli("import", str(path))
    assert r.returncode == 0, r.stderr
    assert json.loads(cli("show", "Evil", "--json").stdout)["credential"] is None


def test_connector_edit_changes_the_route_for_every_user_and_show_prints_it(cli: CliRunner) -> None:
    cli("connector", "add", "Office", "--proxy", "socks5://proxy.example:1080")
    cli("add", "A", "--host", "a.example", "--connector", "Office")
    cli.extra_env["PROXYPW"] = "proxy-pw-2"
    r = cli("connector", "edit", "Office", "--proxy", "http://pu@other.example:3128", "--proxy-password-env", "PROXYPW")
    assert r.returncode == 0, r.stderr
    assert "1 connection(s)" in r.stderr
    text = cli("connector", "show", "Office").stdout
    assert "other.example" in text and "stored" in text and "A" in text
    assert "proxy-pw-2" not in text
    r = cli("connector", "edit", "Office", "--name", "HQ")
    assert r.returncode == 0 and json.loads(cli("show", "A", "--json").stdout)["connector"] == "HQ"
    assert cli("connector", "edit", "ghost", "--proxy-domain", "x").returncode == 2
    shown = cli("show", "A").stdout
    assert "HQ" in shown


def test_credential_show_text_never_prints_the_password(cli: CliRunner) -> None:
    _add_corp(cli, "never-printed-pw")
    r = cli("credential", "show", "Corp")
    assert r.returncode == 0
    assert "alice" in r.stdout and "stored" in r.stdout and "never-printed-pw" not in r.stdout + r.stderr
    assert "never-printed-pw" not in cli("credential", "list").stdout


def test_a_keyring_that_cannot_store_the_password_exits_3_and_adds_nothing(cli: CliRunner) -> None:
    cli.extra_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    r = cli("credential", "add", "Corp", "--username", "u", "--password-stdin", stdin="pw\n")
    assert r.returncode == 3, r.stderr
    assert "Nothing was added" in r.stderr and "Traceback" not in r.stderr
    del cli.extra_env["PYTHON_KEYRING_BACKEND"]
    assert json.loads(cli("credential", "list", "--json").stdout) == []


def test_a_hand_edited_name_with_control_characters_is_shown_escaped(cli: CliRunner) -> None:
    document = {
        "schema_version": 3,
        "connections": [],
        "credentials": [{"id": "6f1c7d0e-6c1e-4a43-9d39-5c2d1e0a9b11", "name": "Evil\x1b[31m\u202e", "username": "u"}],
        "connectors": [{"id": "0b7a8a8c-3f55-4c3e-8f0d-1a2b3c4d5e6f", "name": "Route\x07", "host": "p.example"}],
    }
    (cli.config_dir / "connections.json").write_text(json.dumps(document))
    for kind in ("credential", "connector"):
        r = cli(kind, "list")
        assert r.returncode == 0, r.stderr
        assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
