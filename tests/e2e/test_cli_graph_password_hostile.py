"""A hostile identity provider against Graph with a user's password (issue 20, item 9): an error
description that echoes the password and carries terminal escapes never reaches the terminal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.e2e.test_cli_graph_password import add_graph_user
from tests.support.identity import FakeIdentity
from tests.support.servers import PASSWORD

pytestmark = pytest.mark.integration

HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[31m\u202e\u2028\x85\x9b31m"


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_an_error_echoing_the_password_with_escapes_shows_neither(
    cli: CliRunner, idp: FakeIdentity, json_output: bool
) -> None:
    add_graph_user(cli, idp)

    def echoing_grant(form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        said = f"AADSTS50126: Error validating credentials: {form.get('password')} for {form.get('username')}"
        return 400, {"error": "invalid_grant", "error_description": said + HOSTILE, "error_codes": [50126]}

    idp._password_grant = echoing_grant  # type: ignore[method-assign]  # the provider turns hostile
    extra = ("--json",) if json_output else ()
    r = cli("test", "graph", "--to", "r@example.com", "--transcript", *extra)
    assert r.returncode == 13, r.stdout + r.stderr
    shown = r.stdout + r.stderr
    assert "AADSTS50126" in shown
    assert PASSWORD not in shown
    if json_output:
        shown = r.stderr + json.dumps(json.loads(r.stdout), ensure_ascii=False)
    for raw in ("\x1b", "\x07", "\u202e", "\u2028", "\x85", "\x9b"):
        assert raw not in shown, (raw, shown)
    for path in cli.config_dir.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
