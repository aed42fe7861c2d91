"""No secret reaches a file: every command, every auth mechanism, proxy credentials, then a scan.

Distinctive secrets go in through every door the CLI has (stdin, environment variables, a wrong
password, a password wrongly put in a proxy URL); afterwards every file under the test's home,
config, log and export folders, and everything printed, is searched for each secret and for the
base64 forms a SMTP session would carry. The one exempt file is the test keyring itself, which
stands in for the operating system's keyring.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from smtpgui.core.redact import secret_variants
from tests.conftest import CliResult, CliRunner
from tests.support.proxies import PROXY_PASSWORD, microsocks, tinyproxy
from tests.support.servers import PASSWORD, TOKEN, USER, Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration

WRONG_PASSWORD = "wrong-Pa55word-Zebra-41"
CLIENT_SECRET = "graph-client-Secret-Pangolin-93"
URL_PASSWORD = "url-Pa55-Narwhal-12"
SECRETS = (PASSWORD, TOKEN, PROXY_PASSWORD, WRONG_PASSWORD, CLIENT_SECRET, URL_PASSWORD)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def home_cli(tmp_path: Path) -> CliRunner:
    """A CLI whose home, XDG folders and temp folder all live inside the test's folder."""
    home = tmp_path / "home"
    (tmp_path / "config").mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "TMPDIR": str(tmp_path / "tmp"),
        "SMTP_TOKEN": TOKEN,
        "PROXY_PW": PROXY_PASSWORD,
        "CLIENT_SECRET": CLIENT_SECRET,
    }
    (tmp_path / "tmp").mkdir()
    return CliRunner(tmp_path / "config", tmp_path / "keyring.json", env)


def _needles() -> dict[bytes, str]:
    needles: dict[bytes, str] = {}
    for secret in SECRETS:
        for form in secret_variants(secret):
            needles[form.encode()] = secret
    return needles


def _scan(root: Path, printed: list[str], exempt: set[Path]) -> list[str]:
    leaks = []
    needles = _needles()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p not in exempt):
        data = path.read_bytes()
        leaks += [f"{path.relative_to(root)}: {secret!r}" for needle, secret in needles.items() if needle in data]
    text = "\n".join(printed).encode()
    leaks += [f"printed output: {secret!r}" for needle, secret in needles.items() if needle in text]
    return sorted(set(leaks))


def test_no_command_mechanism_or_proxy_leaks_a_secret(home_cli: CliRunner, pki: Pki, tmp_path: Path) -> None:
    cli = home_cli
    printed: list[str] = []

    def run(*args: str, stdin: str | None = None, expect: int | None = 0) -> CliResult:
        result = cli(*args, stdin=stdin)
        printed.extend((result.stdout, result.stderr))
        if expect is not None:
            assert result.returncode == expect, (args, result.stdout, result.stderr)
        return result

    proxy_dir = tmp_path.parent / f"{tmp_path.name}-proxy"  # tinyproxy's own config holds its password
    proxy_dir.mkdir()
    with smtp_server("starttls", pki) as server, microsocks() as socks, tinyproxy(proxy_dir, with_auth=True) as http:
        base = ["--host", "127.0.0.1", "--port", str(server.port), "--security", "starttls"]
        base += ["--ca-file", str(pki.ca_file), "--from", "t@example.com", "--auth", "password"]
        base += ["--username", USER]
        run("add", "mail", *base, "--password-stdin", stdin=PASSWORD + "\n")
        for mechanism in ("plain", "login", "cram-md5"):
            run("edit", "mail", "--mechanism", mechanism)
            run("test", "mail", "--to", "r@example.com", "--transcript")
            run("test", "mail", "--to", "r@example.com", "--json", "--transcript")
        for mechanism in ("xoauth2", "oauthbearer"):
            run("edit", "mail", "--auth", "oauth2", "--mechanism", mechanism)
            r = run("test", "mail", "--verify-only", "--access-token-env", "SMTP_TOKEN", "--json", "--transcript")
            assert json.loads(r.stdout)["auth_mechanism"] == mechanism.upper()
        run("edit", "mail", "--auth", "password", "--mechanism", "auto")
        # A wrong password fails (13) and is as secret as a right one.
        run("add", "wrong", *base, "--password-stdin", stdin=WRONG_PASSWORD + "\n")
        run("test", "wrong", "--to", "r@example.com", "--transcript", expect=13)
        run("test", "wrong", "--verify-only", "--json", "--transcript", expect=13)
        # Proxy credentials: SOCKS5 and HTTP CONNECT with a password each.
        socks_url = f"socks5://{socks.username}@127.0.0.1:{socks.port}"
        run("add", "via-socks", *base, "--password-stdin", "--proxy", socks_url, "--proxy-password-env", "PROXY_PW",
            stdin=PASSWORD + "\n")  # fmt: skip
        run("test", "via-socks", "--to", "r@example.com", "--transcript")
        http_url = f"http://{http.username}@127.0.0.1:{http.port}"
        run("add", "via-http", *base, "--password-stdin", "--proxy", http_url, "--proxy-password-env", "PROXY_PW",
            stdin=PASSWORD + "\n")  # fmt: skip
        run("test", "via-http", "--verify-only", "--json", "--transcript")
        # A password written into the proxy URL is refused, not stored as part of anything.
        r = run("add", "bad-url", *base, "--proxy", f"socks5://u:{URL_PASSWORD}@127.0.0.1:1080", expect=2)
        assert "--proxy-password-env" in r.stderr
        # A Microsoft Graph connection's client secret.
        run("add", "graph", "--kind", "graph", "--tenant-id", "contoso.onmicrosoft.com",
            "--client-id", "11111111-2222-3333-4444-555555555555", "--mailbox", "ops@contoso.com",
            "--client-secret-env", "CLIENT_SECRET")  # fmt: skip
        # Only this test's own server: never the well-known ports, where the machine's may answer.
        run("probe", "--connection", "mail", "--port", str(server.port), "--json", expect=None)
        run("probe", "127.0.0.1", "--port", str(server.port), expect=None)

    # Every command that reads or rewrites connections.
    run("list")
    run("list", "--json")
    for name in ("mail", "via-socks", "via-http", "graph"):
        run("show", name)
        run("show", name, "--json")
    run("edit", "mail", "--name", "mail-renamed", "--password-stdin", stdin=PASSWORD + "\n")
    run("duplicate", "mail-renamed", "--as", "copy", "--password-stdin", stdin=PASSWORD + "\n")
    run("set-default", "via-socks")
    run("presets")
    export = tmp_path / "exports" / "all.json"
    export.parent.mkdir()
    run("export", str(export))
    run("delete", "copy", "--yes")
    run("import", str(export), "--replace")
    assert json.loads(run("show", "via-socks", "--json").stdout)["proxy_password_set"] is True

    # The window too: UI state (QSettings) and the log of a start and a close.
    run("--self-test", "--report", str(tmp_path / "report.json"))

    secrets_held = cli.secrets()
    assert PASSWORD in secrets_held.values() and PROXY_PASSWORD in secrets_held.values()
    assert CLIENT_SECRET in secrets_held.values()
    log = cli.config_dir / "logs" / "smtpgui.log"
    assert "command test 'via-socks'" in log.read_text()
    assert _scan(tmp_path, printed, exempt={cli.keyring_file}) == []


def test_without_a_chosen_config_folder_the_log_is_in_the_platform_log_folder(home_cli: CliRunner) -> None:
    home_cli.extra_env["SMTPGUI_CONFIG_DIR"] = ""
    home_cli.extra_env["PASSWORD_VAR"] = PASSWORD
    r = home_cli("add", "x", "--host", "smtp.example.com", "--auth", "password", "--username", "u",
                 "--password-env", "PASSWORD_VAR")  # fmt: skip
    assert r.returncode == 0, r.stderr
    home = Path(home_cli.extra_env["HOME"])
    assert (home / ".config/smtpgui/connections.json").exists()
    log = home / ".local/state/smtpgui/log/smtpgui.log"
    assert "added connection 'x'" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0, "the log is private to its owner"
    assert PASSWORD not in log.read_text()


def test_oauth2_sign_in_and_graph_leak_no_token_or_secret(home_cli: CliRunner, pki: Pki, tmp_path: Path) -> None:
    """login (browser), test with refresh and rotation, logout, and Graph tests: scan for every token."""
    from tests.e2e.test_oauth_cli import BROWSER_SCRIPT, add_graph, add_oauth
    from tests.support import identity

    cli = home_cli
    script, page = tmp_path / "browser.py", tmp_path / "tmp" / "page.html"
    script.write_text(BROWSER_SCRIPT)
    launcher = tmp_path / "browser.sh"
    launcher.write_text(f'#!/bin/sh\n"{sys.executable}" "{script}" "$1" "{page}" &\n')
    launcher.chmod(0o755)
    cli.extra_env["BROWSER"] = f"{launcher} %s"
    printed: list[str] = []
    with identity.fake_identity() as idp, smtp_server("starttls", pki, tokens=idp.smtp_tokens) as server:  # type: ignore[arg-type]
        add_oauth(cli, idp, server.port, pki)
        for args in (
            ("login", "m365", "--wait", "30"),
            ("test", "m365", "--to", "r@example.com", "--json", "--transcript"),
            ("test", "m365", "--verify-only", "--transcript"),
            ("show", "m365", "--json"),
            ("logout", "m365"),
        ):
            r = cli(*args)
            printed += [r.stdout, r.stderr]
            assert r.returncode == 0, (args, r.stderr)
        add_graph(cli, idp)
        for args in (("test", "graph", "--to", "r@example.com", "--json", "--transcript"), ("export", "-")):
            r = cli(*args)
            printed += [r.stdout, r.stderr]
            assert r.returncode == 0, (args, r.stderr)
        tokens = [*idp.access_tokens, *idp.refresh_tokens, identity.CLIENT_SECRET]
        tokens += [
            form[k] for _m, _p, form in idp.requests for k in ("code", "code_verifier", "refresh_token") if k in form
        ]
    assert len(tokens) > 6
    text = "\n".join(printed)
    files = {p: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p != cli.keyring_file}
    leaks = [f"printed: {t[:12]}…" for t in set(tokens) if t in text]
    leaks += [f"{p.relative_to(tmp_path)}: {t[:12]}…" for p, body in files.items() for t in set(tokens) if t in body]
    assert leaks == []


def _echo_needles(user: str, secret: str) -> dict[bytes, str]:
    """A secret in every form a session carries it: raw, base64 (any alignment), PLAIN, LOGIN, XOAUTH2, CRAM-MD5."""
    import base64
    import hmac

    from smtpgui.core.display import printable

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    challenge = b"<12345.67890@hostile.test>"  # tests/support/hostile.py's CRAM-MD5 challenge
    digest = hmac.new(secret.encode(), challenge, "md5").hexdigest()
    forms = set(secret_variants(secret)) | {
        f"\0{user}\0{secret}",
        b64(f"\0{user}\0{secret}"),
        f"user={user}\x01auth=Bearer {secret}\x01\x01",
        b64(f"user={user}\x01auth=Bearer {secret}\x01\x01"),
        digest,
        b64(f"{user} {digest}"),
        f"{user}:{secret}",
        b64(f"{user}:{secret}"),
    }
    forms |= {printable(f) for f in forms}
    return {f.encode(): secret for f in forms}


def test_secrets_a_server_or_proxy_echoes_are_hidden_in_every_output(home_cli: CliRunner, tmp_path: Path) -> None:
    """A 535 that quotes the AUTH payload (raw and decoded) and a 407 that quotes Proxy-Authorization."""
    from tests.support.hostile import Script, hostile_smtp
    from tests.support.hostile_proxies import HostileHttpProxy

    cli = home_cli
    cli.extra_env["PW"] = PASSWORD
    printed: list[str] = []

    def run(*args: str, expect: int) -> CliResult:
        result = cli(*args)
        printed.extend((result.stdout, result.stderr))
        assert result.returncode == expect, (args, result.stdout, result.stderr)
        return result

    with hostile_smtp(Script(echo_auth=True)) as server, HostileHttpProxy("echo-407") as proxy:
        base = ["--host", "127.0.0.1", "--port", str(server.port), "--security", "none", "--allow-insecure-auth"]
        base += ["--from", "t@example.com", "--auth", "password", "--username", USER, "--password-env", "PW"]
        run("add", "echo", *base, expect=0)
        for mechanism in ("plain", "login", "cram-md5"):
            run("edit", "echo", "--mechanism", mechanism, expect=0)
            run("test", "echo", "--verify-only", expect=13)
            run("test", "echo", "--verify-only", "--transcript", expect=13)
            r = run("test", "echo", "--verify-only", "--json", "--transcript", expect=13)
            assert "you sent" in json.loads(r.stdout)["error"]
        run("edit", "echo", "--auth", "oauth2", "--mechanism", "xoauth2", expect=0)
        run("test", "echo", "--verify-only", "--access-token-env", "SMTP_TOKEN", "--json", "--transcript", expect=13)
        run("test", "echo", "--verify-only", "--access-token-env", "SMTP_TOKEN", expect=13)
        url = f"http://proxyuser@127.0.0.1:{proxy.port}"
        run("add", "via-echo", *base, "--proxy", url, "--proxy-password-env", "PROXY_PW", expect=0)
        r = run("test", "via-echo", "--verify-only", "--json", "--transcript", expect=10)
        assert "Proxy-Authorization" in json.loads(r.stdout)["error"]  # the proxy's words are shown, the secret is not
        run("test", "via-echo", "--verify-only", expect=10)
        assert any(b"Proxy-Authorization: Basic" in request for request in proxy.requests)
        assert len(server.seen.auth_lines) >= 4

    needles = _echo_needles(USER, PASSWORD) | _echo_needles(USER, TOKEN) | _echo_needles("proxyuser", PROXY_PASSWORD)
    text = "\n".join(printed).encode()
    leaks = [f"printed: {secret!r} as {needle[:16]!r}" for needle, secret in needles.items() if needle in text]
    for path in sorted(p for p in cli.config_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaks += [f"{path.name}: {secret!r} as {needle[:16]!r}" for needle, secret in needles.items() if needle in data]
    assert leaks == []
    assert (cli.config_dir / "logs" / "smtpgui.log").exists()


def _encoded_needles(*values: str) -> set[str]:
    """Each value in hex (both cases) and URL/form encoding (every way Python's urllib writes it)."""
    from urllib.parse import quote, quote_plus

    needles = set()
    for value in values:
        hexed = value.encode().hex()
        needles |= {hexed, hexed.upper(), quote(value), quote(value, safe=""), quote_plus(value)}
    return needles


def test_a_secret_an_identity_provider_echoes_in_its_error_is_hidden(home_cli: CliRunner) -> None:
    """A provider whose error quotes the (wrong) client secret it was sent: raw, base64, hex, and the form body."""
    import base64

    from tests.e2e.test_oauth_cli import add_graph
    from tests.support import identity

    echoed = "Echoed Client/Secret+Lynx=31"
    printed: list[str] = []
    with identity.fake_identity() as idp:
        idp.echo_secrets = True
        add_graph(home_cli, idp, secret=echoed)
        for args in (("--json", "--transcript"), ("--transcript",), ()):
            r = home_cli("test", "graph", "--to", "r@example.com", *args)
            assert r.returncode == 13, r.stderr
            printed += [r.stdout, r.stderr]
    text = "\n".join(printed)
    assert "AADSTS7000215" in text  # the provider's words are shown
    assert "client_secret=" in text  # the form body is quoted, its secret field hidden
    needles = {echoed, base64.b64encode(echoed.encode()).decode(), *secret_variants(echoed)}
    needles |= _encoded_needles(echoed)
    files = [p.read_text(errors="replace") for p in home_cli.config_dir.rglob("*") if p.is_file()]
    assert [n for n in needles if n in text or any(n in body for body in files)] == []


def test_an_oauth_client_secret_a_token_endpoint_echoes_at_login_is_hidden(home_cli: CliRunner, pki: Pki) -> None:
    """``login --device`` for a confidential app whose token endpoint quotes the form it was sent."""
    from tests.e2e.test_oauth_cli import add_oauth
    from tests.support import identity

    echoed = "0auth Secr3t/+=Wombat"
    home_cli.extra_env["OAUTH_SECRET"] = echoed
    with identity.fake_identity() as idp:
        idp.echo_secrets = True
        idp.confidential = True
        add_oauth(home_cli, idp, 2, pki, "--oauth-client-secret-env", "OAUTH_SECRET")
        r = home_cli("login", "m365", "--device", "--wait", "20")
        sent = [form for _m, _p, form in idp.requests if form.get("client_secret") == echoed]
    assert r.returncode != 0 and sent, (r.returncode, r.stderr)
    text = r.stdout + r.stderr
    assert "AADSTS7000215" in text, text
    needles = {echoed, *secret_variants(echoed)} | _encoded_needles(echoed)
    log = (home_cli.config_dir / "logs" / "smtpgui.log").read_text(errors="replace")
    assert [n for n in needles if n in text or n in log] == []


@pytest.mark.parametrize("echo_as", ["hex", "url", "b64wrap", "split"])
def test_a_server_echoing_the_password_encoded_or_split_leaks_it_nowhere(home_cli: CliRunner, echo_as: str) -> None:
    """A 535 quoting the AUTH payload in hex, URL-encoded, as base64 wrapped over lines, or cut in two."""
    import base64

    from tests.support.hostile import Script, hostile_smtp

    cli = home_cli
    cli.extra_env["PW"] = PASSWORD
    printed: list[str] = []
    with hostile_smtp(Script(echo_auth=True, echo_as=echo_as)) as server:
        base = ["--host", "127.0.0.1", "--port", str(server.port), "--security", "none", "--allow-insecure-auth"]
        base += ["--from", "t@example.com", "--auth", "password", "--username", USER, "--password-env", "PW"]
        assert cli("add", "echo", *base).returncode == 0
        for mechanism in ("plain", "login"):
            assert cli("edit", "echo", "--mechanism", mechanism).returncode == 0
            for args in (("--transcript",), ("--json", "--transcript")):
                r = cli("test", "echo", "--verify-only", *args)
                assert r.returncode == 13, r.stderr
                printed += [r.stdout, r.stderr]
    plain_raw = f"\0{USER}\0{PASSWORD}"
    needles = {PASSWORD, *secret_variants(PASSWORD)} | _encoded_needles(PASSWORD, plain_raw, f"{USER}|{PASSWORD}")
    wrapped = base64.b64encode(plain_raw.encode()).decode()
    text = "\n".join(printed)
    log = (cli.config_dir / "logs" / "smtpgui.log").read_text(errors="replace")
    pieces = text.replace(" / ", "").replace("535-", "").replace("\n", "").replace('",', "").replace(' "<- ', "")
    leaks = [n for n in needles if n in text or n in log]
    leaks += [n for n in (wrapped[4:20], PASSWORD) if n in pieces]
    assert leaks == []
    assert "[hidden]" in text


@pytest.mark.parametrize("mode", ["echo-hex", "echo-url", "echo-spaced"])
def test_a_proxy_echoing_its_credentials_encoded_leaks_them_nowhere(home_cli: CliRunner, mode: str) -> None:
    import base64

    from tests.support.hostile_proxies import HostileHttpProxy

    cli = home_cli
    printed: list[str] = []
    with HostileHttpProxy(mode) as proxy:
        url = f"http://proxyuser@127.0.0.1:{proxy.port}"
        r = cli("add", "px", "--host", "127.0.0.1", "--port", "2", "--security", "none", "--proxy", url,
                "--proxy-password-env", "PROXY_PW")  # fmt: skip
        assert r.returncode == 0, r.stderr
        for args in ((), ("--json", "--transcript")):
            r = cli("test", "px", "--verify-only", *args)
            assert r.returncode == 10, r.stderr
            printed += [r.stdout, r.stderr]
    basic = base64.b64encode(f"proxyuser:{PROXY_PASSWORD}".encode()).decode()
    needles = {PROXY_PASSWORD, basic} | _encoded_needles(PROXY_PASSWORD, f"proxyuser:{PROXY_PASSWORD}")
    text = "\n".join(printed)
    log = (cli.config_dir / "logs" / "smtpgui.log").read_text(errors="replace")
    assert "407 Denied" in text
    assert [n for n in needles if n in text or n in log or n in text.replace(" ", "")] == []
