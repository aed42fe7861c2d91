"""``smtpgui test --all`` and ``smtpgui test`` with no name, as scripts use them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CliRunner
from tests.e2e.test_cli_send import TEST_KEYS
from tests.support.servers import free_port, smtp_server

pytestmark = pytest.mark.integration


def _add(cli: CliRunner, name: str, port: int, *extra: str) -> None:
    r = cli("add", name, "--host", "127.0.0.1", "--port", str(port), "--security", "none",
            "--auth", "none", "--from", "sender@example.com", *extra)  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_test_all_reports_every_enabled_connection_in_list_order(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "first", server.port)
        _add(cli, "nothing-there", free_port())
        _add(cli, "off", free_port(), "--disabled")
        _add(cli, "last", server.port)
        r = cli("test", "--all", "--verify-only", "--json", "--concurrency", "2")
    assert r.returncode == 10, r.stderr  # the first failure in list order: could not connect
    items = json.loads(r.stdout)
    assert [item["name"] for item in items] == ["first", "nothing-there", "last"]
    assert [item["ok"] for item in items] == [True, False, True]
    assert set(items[0]) >= TEST_KEYS
    assert items[1]["stage"] == "connect"


def test_test_all_sends_to_each_and_prints_a_line_per_connection(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "a", server.port)
        _add(cli, "b", server.port)
        r = cli("test", "--all", "--to", "you@example.com")
        assert len(server.handler.messages) == 2
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines) == ["a", "b"]
    assert all(line.startswith("ok ") for line in lines)
    assert "2 of 2 connection(s) passed" in r.stderr


def test_test_all_refuses_a_name_and_a_bad_concurrency(cli: CliRunner) -> None:
    _add(cli, "a", free_port())
    assert cli("test", "a", "--all", "--verify-only").returncode == 2
    r = cli("test", "--all", "--verify-only", "--concurrency", "0")
    assert r.returncode == 2 and "from 1 to 64" in r.stderr
    assert "Traceback" not in r.stderr


def test_test_without_a_name_tests_the_default_and_says_which(cli: CliRunner) -> None:
    with smtp_server("plain", auth=False) as server:
        _add(cli, "other", free_port())
        _add(cli, "main", server.port, "--default")
        r = cli("test", "--verify-only", "--json")
    assert r.returncode == 0, r.stderr
    assert "'main'" in r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_test_without_a_name_and_no_connections_says_so(cli: CliRunner) -> None:
    r = cli("test", "--verify-only")
    assert r.returncode == 2 and "no connections yet" in r.stderr
