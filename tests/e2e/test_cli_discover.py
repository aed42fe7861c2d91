"""``smtpgui discover``, ``add --discover`` and ``check-sender`` as a user runs them: real local
DNS and HTTPS servers, the command in its own process, exit codes and output as CLI.md says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        yield lab


@pytest.fixture
def run(cli: CliRunner, lab: DiscoveryLab) -> CliRunner:
    cli.extra_env.update(lab.env())
    return cli


def test_discover_json_has_exactly_the_contracts_keys(run: CliRunner, lab: DiscoveryLab) -> None:
    lab.serve_autoconfig("example.test", autoconfig_xml(username="%EMAILLOCALPART%"))
    lab.dns.add("_submissions._tcp.example.test", "SRV", "0 1 465 smtp.example.test.")
    result = run("discover", "bob@example.test", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"address", "suggestions"}
    assert data["address"] == "bob@example.test"
    first = data["suggestions"][0]
    assert set(first) == {"host", "port", "security", "auth", "username", "source", "confidence"}
    assert (first["host"], first["port"], first["security"], first["username"]) == (
        "smtp.example.test",
        587,
        "starttls",
        "bob",
    )


def test_discover_options_override_the_environment(cli: CliRunner, lab: DiscoveryLab) -> None:
    cli.extra_env.update(lab.env())
    cli.extra_env["SMTPGUI_DNS_SERVER"] = "127.0.0.1:9"  # nothing there: the option must win
    cli.extra_env["SMTPGUI_ISPDB_URL"] = "https://nowhere.invalid/v1.1"
    lab.serve_ispdb("example.test", autoconfig_xml(host="isp.example.test"))
    result = cli("discover", "bob@example.test", "--dns-server", lab.dns.address, "--ispdb-url", lab.ispdb_url)
    assert result.returncode == 0, result.stderr
    assert "isp.example.test:587 starttls" in result.stdout
    assert "Thunderbird's ISP database" in result.stdout


def test_add_discover_takes_the_best_suggestion(run: CliRunner, lab: DiscoveryLab) -> None:
    lab.dns.add("company.test", "MX", "0 company-test.mail.protection.outlook.com.")
    result = run("add", "Alerts", "--discover", "alerts@company.test")
    assert result.returncode == 0, result.stderr
    shown = json.loads(run("show", "Alerts", "--json").stdout)
    assert (shown["host"], shown["port"], shown["security"], shown["auth_mode"], shown["oauth_provider"]) == (
        "smtp.office365.com",
        587,
        "starttls",
        "oauth2",
        "microsoft",
    )
    assert shown["username"] == shown["from_address"] == "alerts@company.test"


def test_add_discover_with_nothing_found_adds_nothing_and_exits_10(run: CliRunner) -> None:
    result = run("add", "Nothing", "--discover", "bob@empty.test")
    assert result.returncode == 10
    assert "no settings found for empty.test" in result.stderr
    assert json.loads(run("list", "--json").stdout) == []


@pytest.mark.parametrize(
    "address",
    ["bob@example.test\r\nRCPT TO:<x@y>", "bob@exa\u2028mple.test", "bob@-bad-.test", "bob@[127.0.0.1]", "no-at-sign"],
)
def test_hostile_or_bad_addresses_are_refused_with_a_sentence(run: CliRunner, lab: DiscoveryLab, address: str) -> None:
    result = run("discover", address)
    assert result.returncode == 2
    assert result.stderr.startswith("smtpgui: ")
    assert "Traceback" not in result.stderr
    assert "\u2028" not in result.stderr and "\r" not in result.stderr
    assert not lab.dns.questions  # nothing was looked up


def test_bad_dns_server_and_deadline_are_usage_errors(run: CliRunner) -> None:
    assert run("discover", "bob@example.test", "--dns-server", "dns.example:53").returncode == 2
    assert run("discover", "bob@example.test", "--deadline", "0").returncode == 2
    assert run("discover", "bob@example.test", "--ispdb-url", "http://ispdb.test/v1.1").returncode == 2
    assert run("check-sender", "x", "--dns-server", "1.2.3.4:99999").returncode == 2
    run.extra_env["SMTPGUI_AUTOCONFIG_PORT"] = "not-a-port"
    result = run("discover", "bob@example.test")
    assert result.returncode == 2 and "SMTPGUI_AUTOCONFIG_PORT" in result.stderr


def test_discover_with_dns_that_does_not_answer_exits_10(run: CliRunner, lab: DiscoveryLab) -> None:
    lab.dns.silent.add("test")
    result = run("discover", "bob@example.test", "--deadline", "1")
    assert result.returncode == 10
    assert "DNS could not answer" in result.stderr


# check-sender ----------------------------------------------------------------------------------


def add_m365(run: CliRunner, name: str = "Alerts", sender: str = "alerts@company.test") -> None:
    result = run("add", name, "--preset", "office365", "--from", sender, "--username", sender)
    assert result.returncode == 0, result.stderr


def test_check_sender_exit_16_with_the_sentence_and_the_fix(run: CliRunner, lab: DiscoveryLab) -> None:
    add_m365(run)
    lab.dns.add("company.test", "TXT", "v=spf1 mx -all")
    result = run("check-sender", "Alerts")
    assert result.returncode == 16
    assert (
        "problem: SPF for company.test does not include spf.protection.outlook.com: mail sent as alerts@company.test "
        "through Microsoft 365 will fail SPF; add `include:spf.protection.outlook.com`"
    ) in result.stdout
    assert "problem: no DMARC record for company.test" in result.stdout
    assert "problem(s) found" in result.stderr


def test_check_sender_clean_is_exit_0_and_uses_the_default_connection(run: CliRunner, lab: DiscoveryLab) -> None:
    add_m365(run)
    lab.dns.add("company.test", "TXT", "v=spf1 include:spf.protection.outlook.com -all")
    lab.dns.add("spf.protection.outlook.com", "TXT", "v=spf1 ip4:40.92.0.0/15 -all")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=quarantine")
    lab.dns.add("selector2._domainkey.company.test", "TXT", "v=DKIM1; p=MIIBIjANBg")
    result = run("check-sender", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checking the default connection 'Alerts'" in result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["dkim"]["selectors_found"] == ["selector2"]
    assert data["dmarc"]["policy"] == "quarantine"


def test_check_sender_dns_failure_is_exit_10(run: CliRunner, lab: DiscoveryLab) -> None:
    add_m365(run)
    lab.dns.failing.add("company.test")
    result = run("check-sender", "Alerts")
    assert result.returncode == 10
    assert "DNS could not answer for company.test" in result.stderr


def test_check_sender_without_a_from_address_is_a_usage_error(run: CliRunner) -> None:
    assert run("add", "Bare", "--host", "smtp.company.test").returncode == 0
    result = run("check-sender", "Bare")
    assert result.returncode == 2
    assert "has no From address" in result.stderr


def test_record_text_from_dns_is_shown_terminal_safe(run: CliRunner, lab: DiscoveryLab) -> None:
    add_m365(run)
    lab.dns.add("company.test", "TXT", "v=spf1 \x1b]0;pwned\x07\x1b[2J include:spf.protection.outlook.com -all")
    lab.dns.add("spf.protection.outlook.com", "TXT", "v=spf1 -all")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=\x1b[31mreject\u202e")
    result = run("check-sender", "Alerts")
    assert "\x1b" not in result.stdout + result.stderr
    assert "\u202e" not in result.stdout + result.stderr
    assert "\\x1b" in result.stdout
    as_json = run("check-sender", "Alerts", "--json")
    assert "\x1b" not in as_json.stdout  # JSON escapes it too
    assert "\x1b" in json.loads(as_json.stdout)["spf"]["record"]  # and the reader gets the same text back
