"""``smtpgui discover`` and ``check-sender`` in a hostile environment (engineer G): garbage in
SMTPGUI_ISPDB_URL, SMTPGUI_DNS_SERVER, SMTPGUI_AUTOCONFIG_PORT and the options is a usage error
with a sentence, before anything is looked up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab

pytestmark = pytest.mark.integration


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        yield lab


@pytest.fixture
def run(cli: CliRunner, lab: DiscoveryLab) -> CliRunner:
    cli.extra_env.update(lab.env())
    return cli


def refused(result, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("smtpgui: ") and "Traceback" not in result.stderr
    assert "int()" not in result.stderr  # a sentence, not Python's message
    assert "\x1b" not in result.stderr
    assert not lab.dns.questions and not lab.web.requests  # nothing was looked up


@pytest.mark.parametrize(
    "url",
    [
        "https://ispdb.test:abc/v1.1",
        "https://ispdb.test:0/v1.1",
        "https://ispdb.test:70000/v1.1",
        "https://isp db.test/v1.1",
        "https://ispdb.test/v1.1/\x1b[2J",
        "https://ispdb.test/v 1.1",
    ],
)
def test_a_bad_ispdb_address_is_a_usage_error(run: CliRunner, lab: DiscoveryLab, url: str) -> None:
    run.extra_env["SMTPGUI_ISPDB_URL"] = url
    refused(run("discover", "bob@example.test"), lab)
    del run.extra_env["SMTPGUI_ISPDB_URL"]
    refused(run("discover", "bob@example.test", "--ispdb-url", url), lab)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SMTPGUI_DNS_SERVER", "127.0.0.1:²"), ("SMTPGUI_DNS_SERVER", "127.0.0.1:٥٣"), ("SMTPGUI_AUTOCONFIG_PORT", "²")],
)
def test_digits_that_are_not_ascii_in_the_environment_are_a_usage_error(
    run: CliRunner, lab: DiscoveryLab, variable: str, value: str
) -> None:
    run.extra_env[variable] = value
    result = run("discover", "bob@example.test")
    refused(result, lab)
    assert variable in result.stderr or "DNS server" in result.stderr


@pytest.mark.parametrize("deadline", ["nan", "inf", "-1", "121"])
def test_a_deadline_that_is_not_a_number_of_seconds_is_a_usage_error(
    run: CliRunner, lab: DiscoveryLab, deadline: str
) -> None:
    refused(run("discover", "bob@example.test", "--deadline", deadline), lab)


@pytest.mark.parametrize("cert_file", ["missing.pem", "garbage.pem"])
def test_a_bad_ssl_cert_file_is_named_as_the_reason_nothing_was_found(
    run: CliRunner, lab: DiscoveryLab, tmp_path: Path, cert_file: str
) -> None:
    (tmp_path / "garbage.pem").write_bytes(b"\x00garbage\n-----BEGIN CERTIFICATE-----\nzz\n")
    lab.serve_autoconfig("example.test", autoconfig_xml())
    run.extra_env["SSL_CERT_FILE"] = str(tmp_path / cert_file)
    result = run("discover", "bob@example.test", "--deadline", "3")
    assert result.returncode == 10
    assert "no source knew it" not in result.stderr  # one did: its certificate was not trusted
    assert "not trusted" in result.stderr and "autoconfig.example.test" in result.stderr


# the sender-domain check's From address ----------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    ["bob@", "Name <alerts@company.test>", "alerts@company.test\u2028x", "a@b@company.test", "a@[127.0.0.1]", "a@."],
)
def test_a_from_address_that_is_not_one_is_a_usage_error_and_nothing_is_asked(
    run: CliRunner, lab: DiscoveryLab, sender: str
) -> None:
    # A hand-edited connections file (add checks --from; the file is read as it is).
    assert run("add", "Edited", "--host", "smtp.relay.test", "--from", "alerts@company.test").returncode == 0
    path = run.config_dir / "connections.json"
    data = json.loads(path.read_text())
    data["connections"][0]["from_address"] = sender
    path.write_text(json.dumps(data))
    result = run("check-sender", "Edited")
    refused(result, lab)
    assert "From address" in result.stderr


def test_a_user_name_that_is_not_an_address_is_not_taken_for_the_sender(run: CliRunner, lab: DiscoveryLab) -> None:
    assert run("add", "Odd", "--host", "smtp.relay.test", "--username", "x@").returncode == 0
    result = run("check-sender", "Odd")
    refused(result, lab)
    assert "has no From address" in result.stderr


def test_the_check_reads_the_domain_the_test_mail_is_sent_as(run: CliRunner, lab: DiscoveryLab) -> None:
    # A user name that is an address, and a default sender in the settings: the mail goes out as the
    # default sender (the From the message builder picks), so that is the domain to check.
    assert run("settings", "--default-from", "news@other.test").returncode == 0
    added = run("add", "Relay", "--host", "smtp.relay.test", "--auth", "password", "--username", "u@company.test")
    assert added.returncode == 0, added.stderr
    result = run("check-sender", "Relay", "--json")
    assert json.loads(result.stdout)["address"] == "news@other.test", result.stderr
    assert not lab.dns.asked("company.test")


def test_a_graph_connection_is_checked_as_its_mailbox(run: CliRunner, lab: DiscoveryLab) -> None:
    added = run(
        "add", "Graph", "--kind", "graph", "--tenant-id", "t", "--client-id", "c", "--mailbox", "alerts@company.test"
    )
    assert added.returncode == 0, added.stderr
    result = run("check-sender", "Graph", "--json")
    assert result.stdout, result.stderr
    assert json.loads(result.stdout)["address"] == "alerts@company.test"
