"""Issue 20, items 4 and 5 on the command line against the real aiosmtpd server: `test --from`
sends as another From unless the connection forces its own; with no NAME the default is used."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.conftest import CliRunner
from tests.support.servers import smtp_server

pytestmark = pytest.mark.integration


def _add(cli: CliRunner, name: str, port: int, *extra: str) -> None:
    r = cli("add", name, "--host", "127.0.0.1", "--port", str(port), "--security", "none", "--auth", "none",
            "--from", "Own <own@example.com>", *extra)  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_test_from_sets_another_from(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "relay", server.port)
        r = cli("test", "relay", "--to", "ops@example.com", "--from", '"Other, Name" <other@example.com>')
        assert r.returncode == 0, r.stderr
        received = server.handler.messages[-1]
        message = message_from_bytes(received.content, policy=default_policy)
        (sender,) = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == ("Other, Name", "other@example.com")
        assert received.mail_from == "other@example.com"
        # the stored From is unchanged
        assert json.loads(cli("show", "relay", "--json").stdout)["from_address"] == "own@example.com"


@pytest.mark.parametrize(
    "bad", ["not an address", "a@example.com, b@example.com", "x <a@example.com>\nBcc: c@evil.example"]
)
def test_test_from_must_be_one_address(cli: CliRunner, bad: str) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "relay", server.port)
        r = cli("test", "relay", "--to", "ops@example.com", "--from", bad)
        assert r.returncode == 2, r.stderr
        assert "--from" in r.stderr and "Traceback" not in r.stderr
        assert server.handler.messages == []


def test_test_from_is_refused_when_the_sender_is_forced(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "relay", server.port, "--force-sender")
        r = cli("test", "relay", "--to", "ops@example.com", "--from", "other@example.com")
        assert r.returncode == 2
        assert r.stderr.startswith("smtpgui: ") and "forces its From" in r.stderr and "own@example.com" in r.stderr
        assert server.handler.messages == []
        # without --from the forced From is sent
        r = cli("test", "relay", "--to", "ops@example.com")
        assert r.returncode == 0, r.stderr
        message = message_from_bytes(server.handler.messages[-1].content, policy=default_policy)
        assert message["From"].addresses[0].addr_spec == "own@example.com"


def test_test_from_with_verify_only_is_a_usage_error(cli: CliRunner) -> None:
    assert cli("add", "relay", "--host", "h.example").returncode == 0
    r = cli("test", "relay", "--verify-only", "--from", "other@example.com")
    assert r.returncode == 2 and "--verify-only" in r.stderr


# Issue 20, item 4: the default connection when none is named.


def test_test_without_a_name_tests_the_default_and_says_which(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server, smtp_server("plain", auth=False) as other:
        _add(cli, "first", other.port)
        _add(cli, "second", server.port, "--default")
        r = cli("test", "--to", "ops@example.com")
        assert r.returncode == 0, r.stderr
        assert "using the default connection 'second'" in r.stderr
        assert len(server.handler.messages) == 1 and other.handler.messages == []


def test_test_without_a_name_or_a_default(cli: CliRunner) -> None:
    r = cli("test", "--to", "ops@example.com")
    assert r.returncode == 2 and "no connections yet" in r.stderr.lower()


def test_probe_without_host_probes_the_default_own_port_first(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "relay", server.port)
        r = cli("probe", "--json", "--timeout", "3")
        assert "using the default connection 'relay'" in r.stderr
        report = json.loads(r.stdout)
        assert report["host"] == "127.0.0.1"
        first = report["results"][0]
        assert (first["port"], first["security"], first["ok"]) == (server.port, "none", True)


def test_probe_without_host_or_default(cli: CliRunner) -> None:
    r = cli("probe")
    assert r.returncode == 2 and "HOST" in r.stderr and "--connection" in r.stderr


def test_test_from_does_not_go_with_all(cli: CliRunner) -> None:
    assert cli("add", "relay", "--host", "h.example").returncode == 0
    r = cli("test", "--all", "--to", "ops@example.com", "--from", "other@example.com")
    assert r.returncode == 2 and "--all" in r.stderr
