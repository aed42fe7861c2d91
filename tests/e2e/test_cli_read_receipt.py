"""Issue 20, item 6: read confirmation on and off apart from its address, from the command line,
as the real aiosmtpd server receives the message."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.conftest import CliRunner
from tests.support.servers import smtp_server

pytestmark = pytest.mark.integration


def _receipt_header(cli: CliRunner, port: int, server) -> str | None:  # type: ignore[no-untyped-def]
    assert cli("edit", "relay", "--port", str(port)).returncode == 0
    r = cli("test", "relay", "--to", "ops@example.com")
    assert r.returncode == 0, r.stderr
    message = message_from_bytes(server.handler.messages[-1].content, policy=default_policy)
    value = message["Disposition-Notification-To"]
    return None if value is None else str(value)


def test_read_receipt_switch_and_address(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        r = cli("add", "relay", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
                "--from", "app@example.com", "--read-receipt")  # fmt: skip
        assert r.returncode == 0, r.stderr
        shown = json.loads(cli("show", "relay", "--json").stdout)
        assert shown["send_read_receipt"] is True and shown["read_receipt_to"] == ""
        assert _receipt_header(cli, server.port, server) == "app@example.com"  # the From
        assert cli("edit", "relay", "--read-receipt-to", "dnt@example.com").returncode == 0
        assert _receipt_header(cli, server.port, server) == "dnt@example.com"
        assert cli("edit", "relay", "--no-read-receipt").returncode == 0
        shown = json.loads(cli("show", "relay", "--json").stdout)
        assert shown["send_read_receipt"] is False and shown["read_receipt_to"] == "dnt@example.com"
        assert _receipt_header(cli, server.port, server) is None  # the address is kept, nothing asked


def test_an_address_alone_switches_read_confirmation_on(cli: CliRunner) -> None:
    # As before schema 3: a script that gives --read-receipt-to still gets confirmations.
    assert cli("add", "a", "--host", "h.example", "--read-receipt-to", "dnt@example.com").returncode == 0
    assert json.loads(cli("show", "a", "--json").stdout)["send_read_receipt"] is True
    r = cli("add", "b", "--host", "h.example", "--read-receipt-to", "dnt@example.com", "--no-read-receipt")
    assert r.returncode == 0 and json.loads(cli("show", "b", "--json").stdout)["send_read_receipt"] is False
    r = cli("add", "c", "--host", "h.example", "--read-receipt-to", "not an address")
    assert r.returncode == 2 and "--read-receipt-to" in r.stderr
