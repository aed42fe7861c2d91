"""Names and hosts from a hand-edited connections file never act on the terminal: `test --all`
lines and every JSON output show control, C1, bidi and line-separator characters escaped."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import CliRunner
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

HOSTILE = "e\x1b]0;TITLE\x07\x1b[2Jx \x9b2J \u202eevil\u2028smtpgui: fix: fake"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028")


def _hand_edited(cli: CliRunner) -> None:
    """A connections file someone edited by hand, with a hostile name (it bypasses validation)."""
    document = {
        "schema_version": 2,
        "connections": [
            {"id": str(uuid.uuid4()), "name": HOSTILE, "host": "127.0.0.1", "port": free_port(),
             "security": "none", "auth_mode": "none", "from_address": "a@example.com", "is_default": True}
        ],
    }  # fmt: skip
    (cli.config_dir / "connections.json").write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("args", [("list", "--json"), ("test", "--all", "--verify-only"),
                                  ("test", "--all", "--verify-only", "--json"), ("export", "-")])  # fmt: skip
def test_a_hostile_stored_name_is_shown_escaped(cli: CliRunner, args: tuple[str, ...]) -> None:
    _hand_edited(cli)
    r = cli(*args)
    assert "Traceback" not in r.stderr
    for raw in RAW:
        assert raw not in r.stdout and raw not in r.stderr, (args, repr(raw))
    if "--json" in args or args[0] == "export":
        text = json.dumps(json.loads(r.stdout))
        assert "\\u202e" in text  # the name is there, escaped, and reads back whole


@pytest.mark.parametrize(
    "args",
    [("add", "bi\u202edi", "--host", "smtp.example.com"),
     ("add", "ok", "--host", "smtp.example.com", "--from-name", "Evil\u202e")],
)  # fmt: skip
def test_bidi_controls_are_refused_in_names_and_display_names(cli: CliRunner, args: tuple[str, ...]) -> None:
    r = cli(*args)
    assert r.returncode == 2, r.stderr
    assert "\u202e" not in r.stderr
    assert json.loads(cli("list", "--json").stdout) == []


def test_an_option_typed_with_escape_sequences_is_quoted_escaped(cli: CliRunner) -> None:
    r = cli("list", "--security", "\x1b[2J")
    assert r.returncode == 2
    assert "\x1b" not in r.stderr and "\\x1b[2J" in r.stderr
