"""The test message's defaults in the app settings: used by ``smtpgui test`` when not given."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.conftest import CliRunner
from tests.support.servers import smtp_server

pytestmark = pytest.mark.integration


def test_a_test_without_to_uses_the_default_recipient_subject_and_body(cli: CliRunner) -> None:
    r = cli("settings", "--default-to", "ops@example.com, \"smith,john\"@example.test",
            "--default-subject", "Weekly relay check", "--default-body", "Line one\nLine two", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["default_to"] == 'ops@example.com, "smith,john"@example.test'
    with smtp_server("plain", auth=False) as server:
        added = cli("add", "relay", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
                    "--auth", "none", "--from", "app@example.com")  # fmt: skip
        assert added.returncode == 0, added.stderr
        r = cli("test", "relay", "--json")
        assert r.returncode == 0, r.stderr
        received = server.handler.messages[-1]
    assert received.rcpt_tos == ["ops@example.com", '"smith,john"@example.test']
    message = message_from_bytes(received.content, policy=default_policy)
    assert message["Subject"] == "Weekly relay check"
    assert "Line one" in message.get_body().get_content()  # type: ignore[union-attr]
    # Given on the command line, the options win.
    with smtp_server("plain", auth=False) as server:
        assert cli("edit", "relay", "--port", str(server.port)).returncode == 0
        r = cli("test", "relay", "--to", "else@example.com", "--subject", "Mine")
        assert r.returncode == 0, r.stderr
        assert server.handler.messages[-1].rcpt_tos == ["else@example.com"]


def test_without_a_default_recipient_the_test_asks_for_one(cli: CliRunner) -> None:
    assert cli("add", "relay", "--host", "smtp.example.com").returncode == 0
    r = cli("test", "relay")
    assert r.returncode == 2
    assert "--to" in r.stderr and "--default-to" in r.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [("--default-to", "not an address"), ("--default-to", "a@example.com\u2028b@example.com"),
     ("--default-subject", "Hi\nBcc: x@evil.example"), ("--default-body", "ok\x1b[2J")],
)  # fmt: skip
def test_bad_test_defaults_are_refused_naming_the_option(cli: CliRunner, option: str, value: str) -> None:
    r = cli("settings", option, value)
    assert r.returncode == 2, r.stderr
    assert option in r.stderr and "Traceback" not in r.stderr
    assert json.loads(cli("settings", "--json").stdout)["default_to"] == ""
