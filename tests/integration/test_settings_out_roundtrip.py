"""Settings out, for real (issue 21, item 3): each output runs in its own tool against a local
server with STARTTLS or TLS and AUTH, the password supplied the way the output says, and the
message arrives. swaks, msmtp and curl are Debian's; the SMTP_* variables are read by a small
smtplib script. The last test reads the password from a real Secret Service (gnome-keyring)
with the ``secret-tool`` command the outputs name."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpgui.core.formats.passwordread import PasswordRead, Reader
from smtpgui.core.model import Connection, Mechanism, Security
from smtpgui.services.settingsio import settings_text
from tests.conftest import CliRunner
from tests.integration.conftest import connection_for
from tests.support.desktop import require, secret_service
from tests.support.servers import PASSWORD, USER, Pki, SmtpServer, smtp_server

pytestmark = pytest.mark.integration

RECIPIENT = "rcpt@example.net"
MESSAGE = f"From: sender@example.com\r\nTo: {RECIPIENT}\r\nSubject: settings out\r\n\r\nHello from the tool.\r\n"
ENV_SCRIPT = """
import os, smtplib, ssl
host, port = os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])
context = ssl.create_default_context(cafile=os.environ["CA_FILE"])
if os.environ["SMTP_SECURE"] == "true":
    client = smtplib.SMTP_SSL(host, port, context=context, timeout=10)
else:
    client = smtplib.SMTP(host, port, timeout=10)
    if os.environ["SMTP_STARTTLS"] == "true":
        client.starttls(context=context)
client.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
client.sendmail(os.environ["SMTP_FROM"], [os.environ["SMTP_TO"]], b"Subject: env\\r\\n\\r\\nfrom the variables\\r\\n")
client.quit()
"""


def run_output(fmt: str, text: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one output the way its comment says, in ``folder``."""
    env = {**env, "SMTP_TO": RECIPIENT}
    if fmt in ("swaks", "curl"):
        (folder / "message.eml").write_text(MESSAGE)
        return subprocess.run(
            ["sh", "-c", text], capture_output=True, text=True, env=env, cwd=folder, timeout=60, check=False
        )
    if fmt == "msmtprc":
        rc = folder / "msmtprc"
        rc.write_text(text)
        rc.chmod(0o600)
        account = next(line.split()[1] for line in text.splitlines() if line.startswith("account "))
        command = ["msmtp", "-C", str(rc), "-a", account, RECIPIENT]
        return subprocess.run(
            command, input=MESSAGE, capture_output=True, text=True, env=env, cwd=folder, timeout=60, check=False
        )
    env_file = folder / "smtp.env"
    env_file.write_text(text)
    # What the output's comment says for the password, then the variables as a framework reads them.
    said = "in a shell: "
    password_line = next((line.split(said, 1)[1] for line in text.splitlines() if said in line), "")
    script = f"set -a; . ./smtp.env; set +a; {password_line}\nexec {sys.executable} -c '{ENV_SCRIPT}'"
    return subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=env, cwd=folder, timeout=60, check=False
    )


def _delivered(server: SmtpServer) -> None:
    assert server.handler.delivered.wait(10), "no message arrived"
    [message] = server.handler.messages
    assert message.rcpt_tos == [RECIPIENT] and message.login == USER


@pytest.fixture
def tools() -> None:
    require("swaks", "msmtp", "curl")


@pytest.mark.parametrize("fmt", ["swaks", "msmtprc", "curl", "env"])
@pytest.mark.parametrize(("mode", "security"), [("starttls", Security.STARTTLS), ("tls", Security.TLS)])
def test_each_output_delivers_with_the_password_from_a_variable(
    tools: None, pki: Pki, tmp_path: Path, fmt: str, mode: str, security: Security
) -> None:
    with smtp_server(mode, pki) as server:
        connection = connection_for(server.port, pki, security)
        text = settings_text(connection, fmt, Reader.VARIABLE)
        assert PASSWORD not in text
        env = {**os.environ, "SMTP_PASSWORD": PASSWORD, "CA_FILE": str(pki.ca_file), "HOME": str(tmp_path)}
        done = run_output(fmt, text, tmp_path, env)
        assert done.returncode == 0, (text, done.stdout, done.stderr)
        _delivered(server)


@pytest.mark.parametrize("fmt", ["swaks", "msmtprc", "curl"])
def test_a_named_mechanism_is_the_one_the_tool_uses(tools: None, pki: Pki, tmp_path: Path, fmt: str) -> None:
    with smtp_server("starttls", pki) as server:
        connection = connection_for(server.port, pki, mechanism=Mechanism.PLAIN)
        env = {**os.environ, "SMTP_PASSWORD": PASSWORD, "HOME": str(tmp_path)}
        done = run_output(fmt, settings_text(connection, fmt, Reader.VARIABLE), tmp_path, env)
        assert done.returncode == 0, done.stderr
        _delivered(server)


def test_a_wrong_password_is_refused_by_the_tool(tools: None, pki: Pki, tmp_path: Path) -> None:
    """The round trips prove something: the same outputs fail with another password."""
    with smtp_server("starttls", pki) as server:
        connection = connection_for(server.port, pki)
        env = {**os.environ, "SMTP_PASSWORD": "wrong", "HOME": str(tmp_path)}
        for fmt in ("swaks", "msmtprc", "curl"):
            assert run_output(fmt, settings_text(connection, fmt, Reader.VARIABLE), tmp_path, env).returncode != 0
        assert server.handler.messages == []


def test_msmtp_delivers_to_a_pinned_server_by_its_fingerprint(tools: None, pki: Pki, tmp_path: Path) -> None:
    with smtp_server("tls", pki) as server:
        connection = connection_for(server.port, pki, Security.TLS, ca_file="", pinned_sha256=pki.server_sha256)
        env = {**os.environ, "SMTP_PASSWORD": PASSWORD, "HOME": str(tmp_path)}
        done = run_output("msmtprc", settings_text(connection, "msmtprc", Reader.VARIABLE), tmp_path, env)
        assert done.returncode == 0, done.stderr
        _delivered(server)


@pytest.fixture
def desktop_cli(cli: CliRunner, tmp_path: Path) -> Iterator[tuple[CliRunner, dict[str, str]]]:
    require("secret-tool")
    with secret_service(tmp_path / "home") as env:
        cli.extra_env.update(env, PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
        yield cli, env


def test_every_output_reads_the_password_from_a_real_secret_service(
    tools: None, desktop_cli: tuple[CliRunner, dict[str, str]], pki: Pki, tmp_path: Path
) -> None:
    cli, desktop = desktop_cli
    for fmt in ("swaks", "msmtprc", "curl", "env"):
        with smtp_server("starttls", pki) as server:
            name = f"office-{fmt}"
            added = cli(
                "add", name, "--host", "127.0.0.1", "--port", str(server.port), "--security", "starttls",
                "--ca-file", str(pki.ca_file), "--auth", "password", "--username", USER,
                "--from", "sender@example.com", "--password-stdin", stdin=PASSWORD + "\n",
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            exported = cli("export", name, "--format", fmt)
            assert exported.returncode == 0, exported.stderr
            assert PASSWORD not in exported.stdout and "secret-tool lookup service smtpgui username" in exported.stdout
            folder = tmp_path / fmt
            folder.mkdir()
            env = {**os.environ, **desktop, "CA_FILE": str(pki.ca_file)}
            env.pop("SMTP_PASSWORD", None)
            done = run_output(fmt, exported.stdout, folder, env)
            assert done.returncode == 0, (exported.stdout, done.stdout, done.stderr)
            _delivered(server)


def test_the_exported_lines_are_what_the_connection_says(pki: Pki) -> None:
    connection = Connection(name="x", host="127.0.0.1", port=2525, security=Security.NONE)
    assert "--server 127.0.0.1:2525" in settings_text(connection, "swaks", Reader.VARIABLE)
    assert PasswordRead(Reader.VARIABLE, connection.id).shell_word() == '"$SMTP_PASSWORD"'
