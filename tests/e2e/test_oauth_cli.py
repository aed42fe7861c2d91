"""``smtpgui login``/``logout`` and Graph tests as a script runs them, with a scripted browser step."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.e2e.test_cli_send import TEST_KEYS
from tests.support.identity import (
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH_CLIENT_ID,
    MAILBOX,
    TENANT,
    FakeIdentity,
)
from tests.support.servers import USER, Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration

# The "browser": what a person's browser does with the sign-in page once they approve. It is
# started by Python's webbrowser module through $BROWSER, exactly as a real browser would be,
# follows the provider's redirect to smtpgui's loopback listener and saves the page it shows.
BROWSER_SCRIPT = """\
import sys, urllib.request
page = urllib.request.urlopen(sys.argv[1], timeout=20).read().decode()
open(sys.argv[2], "w").write(page)
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def browser(tmp_path: Path, cli: CliRunner) -> Path:
    """Sets $BROWSER for the CLI to the scripted browser; returns where it saves the final page."""
    script = tmp_path / "browser.py"
    script.write_text(BROWSER_SCRIPT)
    launcher = tmp_path / "browser.sh"
    page = tmp_path / "page.html"
    # Like a real launcher it returns at once and leaves the browser running.
    launcher.write_text(f'#!/bin/sh\n"{sys.executable}" "{script}" "$1" "{page}" &\n')
    launcher.chmod(0o755)
    cli.extra_env["BROWSER"] = f"{launcher} %s"
    return page


def add_oauth(cli: CliRunner, idp: FakeIdentity, port: int, pki: Pki, *extra: str) -> None:
    base = f"{idp.url}/{TENANT}/oauth2/v2.0"
    r = cli(
        "add", "m365", "--host", "127.0.0.1", "--port", str(port), "--security", "starttls",
        "--ca-file", str(pki.ca_file), "--from", "sender@example.com", "--auth", "oauth2",
        "--oauth-provider", "custom", "--oauth-client-id", CLIENT_ID,
        "--oauth-authorize-url", f"{base}/authorize", "--oauth-token-url", f"{base}/token",
        "--oauth-device-url", f"{base}/devicecode",
        "--oauth-scopes", "https://outlook.office.com/SMTP.Send offline_access openid email",
        *extra,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_login_through_the_browser_then_test_then_logout(
    cli: CliRunner, idp: FakeIdentity, pki: Pki, browser: Path
) -> None:
    with smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        add_oauth(cli, idp, server.port, pki)
        before = json.loads(cli("show", "m365", "--json").stdout)
        assert before["oauth_signed_in"] is False and before["username"] == ""
        r = cli("login", "m365", "--wait", "30")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == USER and f"as {USER}" in r.stderr
        assert "Signed in" in browser.read_text()
        [(_get, _path, asked)] = [r for r in idp.requests if r[0] == "GET"]
        assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] and "client_secret" not in asked
        # PKCE: the code was redeemed with the verifier whose S256 hash the browser step carried.
        [grant] = idp.grants("authorization_code")
        assert grant["code_verifier"] and grant["redirect_uri"].startswith("http://127.0.0.1:")
        shown = json.loads(cli("show", "m365", "--json").stdout)
        assert shown["oauth_signed_in"] is True and shown["username"] == USER  # filled in from the ID token
        stored = cli.secrets()
        [refresh] = [v for k, v in stored.items() if k.endswith(":oauth-refresh-token")]
        for path in cli.config_dir.rglob("*"):
            if path.is_file():
                assert refresh not in path.read_text(errors="replace"), path
        r = cli("test", "m365", "--to", "r@example.com", "--json", "--transcript")
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert set(data) >= TEST_KEYS and data["ok"] and data["auth_mechanism"] in ("XOAUTH2", "OAUTHBEARER")
        assert refresh not in r.stdout and not any(t in r.stdout for t in idp.access_tokens)
        # The provider rotated the refresh token during the test; the keyring holds the new one.
        [rotated] = [v for k, v in cli.secrets().items() if k.endswith(":oauth-refresh-token")]
        assert rotated != refresh and rotated in idp.refresh_tokens
        assert len(server.handler.messages) == 1
        r = cli("logout", "m365")
        assert r.returncode == 0 and "forgot the sign-in" in r.stderr
        assert json.loads(cli("show", "m365", "--json").stdout)["oauth_signed_in"] is False
        r = cli("test", "m365", "--to", "r@example.com", "--json")
        assert r.returncode == 13
        assert "Nobody has signed in" in json.loads(r.stdout)["explanation"]


def test_login_with_a_device_code(cli: CliRunner, idp: FakeIdentity, pki: Pki) -> None:
    add_oauth(cli, idp, 2525, pki, "--username", USER)
    executable = Path(sys.executable).with_name("smtpgui")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "smtpgui"]
    process = subprocess.Popen(
        [*command, "login", "m365", "--device"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env(),
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "enter the code" in line, line
        code = line.rsplit(" ", 1)[1].strip()
        idp.approve_device(code)  # the person types the code on their phone and approves
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.strip() == USER
    assert any(k.endswith(":oauth-refresh-token") for k in cli.secrets())


@pytest.mark.parametrize(
    ("change", "exit_code", "words"),
    [
        ("--oauth-client-id=00000000-0000-0000-0000-000000000000", 13, "client ID"),
        ("deny", 13, "declined"),
    ],
)
def test_login_failures_are_explained(
    cli: CliRunner, idp: FakeIdentity, pki: Pki, browser: Path, change: str, exit_code: int, words: str
) -> None:
    add_oauth(cli, idp, 2525, pki)
    if change == "deny":
        idp.deny_sign_in = True
    else:
        assert cli("edit", "m365", change).returncode == 0
    r = cli("login", "m365", "--wait", "30")
    assert r.returncode == exit_code, r.stderr
    assert "sign-in failed" in r.stderr and words in r.stderr
    assert not any(k.endswith(":oauth-refresh-token") for k in cli.secrets())


def test_login_refuses_what_cannot_sign_in(cli: CliRunner) -> None:
    assert cli("add", "pw", "--host", "smtp.example.com", "--auth", "password", "--username", "u").returncode == 0
    r = cli("login", "pw")
    assert r.returncode == 2 and "does not sign in with OAuth2" in r.stderr
    assert cli("add", "o", "--host", "smtp.example.com", "--auth", "oauth2", "--username", "u").returncode == 0
    r = cli("login", "o")
    assert r.returncode == 2 and "--oauth-client-id" in r.stderr
    r = cli("login", "missing")
    assert r.returncode == 2


def add_graph(cli: CliRunner, idp: FakeIdentity, secret: str = CLIENT_SECRET, mailbox: str = MAILBOX) -> None:
    cli.extra_env["GRAPH_SECRET"] = secret
    r = cli(
        "add", "graph", "--kind", "graph", "--tenant-id", TENANT, "--client-id", GRAPH_CLIENT_ID,
        "--client-secret-env", "GRAPH_SECRET", "--mailbox", mailbox,
        "--authority-url", idp.url, "--graph-url", idp.url,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr


def test_graph_test_from_the_command_line(cli: CliRunner, idp: FakeIdentity) -> None:
    add_graph(cli, idp)
    r = cli("test", "graph", "--to", "r@example.com", "--json", "--transcript")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) >= TEST_KEYS and data["ok"] and data["auth_mechanism"] == "OAUTH2-CLIENT-CREDENTIALS"
    assert CLIENT_SECRET not in r.stdout + r.stderr and "Microsoft Graph accepted" in r.stderr
    assert len(idp.sent) == 1
    r = cli("test", "graph", "--verify-only")
    assert r.returncode == 0 and len(idp.sent) == 1
    assert cli("probe", "--connection", "graph").returncode == 2


@pytest.mark.parametrize(
    ("secret", "mailbox", "exit_code", "stage"),
    [("Not-The-Secret~123", MAILBOX, 13, "auth"), (CLIENT_SECRET, "nobody@contoso.example", 14, "mail")],
)
def test_graph_failures_keep_the_exit_codes(
    cli: CliRunner, idp: FakeIdentity, secret: str, mailbox: str, exit_code: int, stage: str
) -> None:
    add_graph(cli, idp, secret, mailbox)
    r = cli("test", "graph", "--to", "r@example.com", "--json")
    assert r.returncode == exit_code, r.stderr
    data = json.loads(r.stdout)
    assert data["stage"] == stage and data["explanation"] and data["fix"]
    assert "fix:" in r.stderr and secret not in r.stdout + r.stderr


# A local process that connects to the loopback listener and sends nothing (issue 17 item 25),
# started by the "browser" before it does (or does not do) the real sign-in. It holds its
# connection open until the listener drops it (its per-request timeout) or a minute passes.
IDLE_THEN_BROWSER_SCRIPT = """\
import os, socket, subprocess, sys, urllib.parse
url, page, mode = sys.argv[1], sys.argv[2], sys.argv[3]
redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["redirect_uri"][0]
idle = socket.create_connection(("127.0.0.1", urllib.parse.urlsplit(redirect).port), timeout=5)
idle.sendall(b"GET /?code=")
if mode == "redirect":
    subprocess.Popen([sys.executable, sys.argv[4], url, page])
idle.settimeout(60)
try:
    idle.recv(1)  # nothing comes until the listener gives up on this connection and closes it
except OSError:
    pass
"""


@pytest.fixture
def idle_browser(tmp_path: Path, cli: CliRunner):  # type: ignore[no-untyped-def]
    """Sets $BROWSER to one that first parks an idle connection on the listener; ``mode(m)`` picks
    whether the real redirect follows ("redirect") or never comes ("idle")."""
    (tmp_path / "browser.py").write_text(BROWSER_SCRIPT)
    script = tmp_path / "idle.py"
    script.write_text(IDLE_THEN_BROWSER_SCRIPT)
    page = tmp_path / "page.html"
    pids = tmp_path / "pids"

    def mode(name: str) -> Path:
        launcher = tmp_path / "idle.sh"
        launcher.write_text(
            f'#!/bin/sh\n"{sys.executable}" "{script}" "$1" "{page}" {name} "{tmp_path / "browser.py"}"'
            " </dev/null >/dev/null 2>&1 &\n"
            f'echo $! >> "{pids}"\n'
        )
        launcher.chmod(0o755)
        cli.extra_env["BROWSER"] = f"{launcher} %s"
        return page

    yield mode
    if pids.exists():
        import os
        import signal

        for pid in pids.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


def test_login_completes_while_an_idle_client_holds_the_listener(
    cli: CliRunner, idp: FakeIdentity, pki: Pki, idle_browser
) -> None:  # type: ignore[no-untyped-def]
    import time

    page = idle_browser("redirect")
    add_oauth(cli, idp, 2525, pki)
    started = time.monotonic()
    r = cli("login", "m365", "--wait", "30", timeout=40)
    assert r.returncode == 0, r.stderr
    assert "Signed in" in page.read_text()
    assert time.monotonic() - started < 20


def test_login_wait_holds_with_an_idle_client(cli: CliRunner, idp: FakeIdentity, pki: Pki, idle_browser) -> None:  # type: ignore[no-untyped-def]
    import time

    idle_browser("idle")
    add_oauth(cli, idp, 2525, pki)
    started = time.monotonic()
    r = cli("login", "m365", "--wait", "3", timeout=40)
    elapsed = time.monotonic() - started
    assert r.returncode != 0 and "sign-in failed" in r.stderr, r.stderr
    assert elapsed < 15, f"login --wait 3 took {elapsed:.0f} s with an idle client connected"
