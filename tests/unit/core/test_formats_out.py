"""Settings out (issue 21, item 3): swaks, msmtprc, curl and SMTP_* variables from a connection.

Hostile names and users go through the real parsers: the swaks and curl lines through ``sh`` with
fake programs that print their argv, the msmtprc block through ``msmtp --pretend``, the variables
through ``sh``'s ``.``; none may run a command of their own or lose a character.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from smtpgui.core.formats.common import CannotExport
from smtpgui.core.formats.curl import to_curl
from smtpgui.core.formats.envvars import to_env
from smtpgui.core.formats.msmtprc import account_name, to_msmtprc
from smtpgui.core.formats.passwordread import PasswordRead, Reader
from smtpgui.core.formats.swaks import to_swaks
from smtpgui.core.model import AuthMode, Connection, Kind, Mechanism, Security
from tests.support.fakebin import FAKE_SECRET, fake_bin, run_in_sh

ID = "0b6e2f0e-3c1f-4c39-9d55-3b1c4d2f9a10"
HOSTILE = [
    "it's",
    'a "quoted" name',
    "$(touch PWNED)",
    "`touch PWNED`",
    "semi; touch PWNED",
    "sep\u2028arator",
    "back\\slash\\",
    "--help",
    "-e",
]
SECRET_TOOL = PasswordRead(Reader.SECRET_TOOL, ID)
VARIABLE = PasswordRead(Reader.VARIABLE, ID)


def work(**changes: object) -> Connection:
    base = Connection(
        name="Work",
        id=ID,
        host="smtp.example.com",
        port=587,
        security=Security.STARTTLS,
        auth_mode=AuthMode.PASSWORD,
        username="me@example.com",
        from_address="me@example.com",
    )
    return base.replace(**changes)


def _value_after(argv: list[str], option: str) -> str:
    return argv[argv.index(option) + 1]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_swaks_line_keeps_a_hostile_name_and_user_inside_their_words(tmp_path: Path, text: str) -> None:
    fakes = fake_bin(tmp_path / "bin")
    line = to_swaks(work(name=text, username=text, from_address=text), SECRET_TOOL)
    printed = run_in_sh(line, fakes, tmp_path)
    argv = printed["argv"]
    assert isinstance(argv, list)
    assert _value_after(argv, "--auth-user") == text
    assert _value_after(argv, "--from") == text
    assert printed["env"] == {"SWAKS_OPT_auth_password": FAKE_SECRET}
    assert not list(tmp_path.glob("PWNED*")), "a value ran a command"
    assert FAKE_SECRET not in line


@pytest.mark.parametrize("text", HOSTILE)
def test_a_curl_line_keeps_a_hostile_user_inside_its_word(tmp_path: Path, text: str) -> None:
    fakes = fake_bin(tmp_path / "bin")
    line = to_curl(work(name=text, username=text, from_address=text), SECRET_TOOL)
    argv = run_in_sh(line, fakes, tmp_path)["argv"]
    assert isinstance(argv, list)
    assert _value_after(argv, "--user") == f"{text}:{FAKE_SECRET}"
    assert _value_after(argv, "--mail-from") == text
    assert _value_after(argv, "--mail-rcpt") == "rcpt@example.com"
    assert not list(tmp_path.glob("PWNED*"))


def test_the_keyring_lookup_is_the_entry_smtpgui_stores(tmp_path: Path) -> None:
    fakes = fake_bin(tmp_path / "bin")
    run_in_sh(to_swaks(work(), SECRET_TOOL), fakes, tmp_path)
    asked = [json.loads(line) for line in (fakes / "secret-tool.log").read_text().splitlines()]
    assert asked == [["lookup", "service", "smtpgui", "username", f"{ID}:password"]]


def test_the_variable_form_reads_smtp_password(tmp_path: Path) -> None:
    fakes = fake_bin(tmp_path / "bin")
    printed = run_in_sh(to_swaks(work(), VARIABLE), fakes, tmp_path, {"SMTP_PASSWORD": "from-the-variable"})
    assert printed["env"] == {"SWAKS_OPT_auth_password": "from-the-variable"}
    argv = run_in_sh(to_curl(work(), VARIABLE), fakes, tmp_path, {"SMTP_PASSWORD": "v"})["argv"]
    assert isinstance(argv, list) and _value_after(argv, "--user") == "me@example.com:v"


def test_without_a_recipient_the_line_stops_with_a_sentence(tmp_path: Path) -> None:
    fakes = fake_bin(tmp_path / "bin")
    env = {"PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        check=False, args=["sh", "-c", to_swaks(work(), SECRET_TOOL)], capture_output=True, text=True, env=env
    )
    assert done.returncode != 0 and "set SMTP_TO" in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("security", "swaks_flag", "scheme", "starttls"),
    [
        (Security.STARTTLS, "--tls", "smtp", True),
        (Security.TLS, "--tlsc", "smtps", False),
        (Security.NONE, None, "smtp", False),
    ],
)
def test_the_security_mode_in_each_tool(
    tmp_path: Path, security: Security, swaks_flag: str | None, scheme: str, starttls: bool
) -> None:
    fakes = fake_bin(tmp_path / "bin")
    c = work(security=security, port=465 if security is Security.TLS else 587)
    argv = run_in_sh(to_swaks(c, SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(argv, list)
    assert _value_after(argv, "--server") == f"smtp.example.com:{c.port}"
    for flag in ("--tls", "--tlsc"):
        assert (flag in argv) == (flag == swaks_flag)
    curl = run_in_sh(to_curl(c, SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(curl, list)
    assert _value_after(curl, "--url") == f"{scheme}://smtp.example.com:{c.port}"
    assert ("--ssl-reqd" in curl) == starttls
    block = to_msmtprc(c, SECRET_TOOL)
    assert ("tls on" in block) == (security is not Security.NONE)
    assert ("tls_starttls on" in block) == starttls


def test_a_mechanism_is_named_and_auto_lets_the_tool_choose(tmp_path: Path) -> None:
    fakes = fake_bin(tmp_path / "bin")
    argv = run_in_sh(to_swaks(work(mechanism=Mechanism.CRAM_MD5), SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(argv, list) and _value_after(argv, "--auth") == "CRAM-MD5"
    argv = run_in_sh(to_swaks(work(), SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(argv, list) and "--auth" not in argv and "--auth-user" in argv
    assert "auth cram-md5" in to_msmtprc(work(mechanism=Mechanism.CRAM_MD5), SECRET_TOOL)
    assert "\nauth on\n" in to_msmtprc(work(), SECRET_TOOL)


def test_no_sign_in_writes_no_user_nor_password_reader() -> None:
    c = work(auth_mode=AuthMode.NONE)
    for text in (to_swaks(c, SECRET_TOOL), to_curl(c, SECRET_TOOL), to_msmtprc(c, SECRET_TOOL), to_env(c, SECRET_TOOL)):
        assert "secret-tool" not in text and "me@example.com:" not in text
    assert "auth off" in to_msmtprc(c, SECRET_TOOL)


def _msmtp_pretend(tmp_path: Path, block: str, account: str) -> dict[str, str]:
    rc = tmp_path / "msmtprc"
    rc.write_text(block)
    rc.chmod(0o600)
    fakes = fake_bin(tmp_path / "bin")  # --pretend runs passwordeval: the fake secret-tool answers
    env = {"PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}", "SMTP_PASSWORD": "v", "HOME": str(tmp_path)}
    command = ["msmtp", "-C", str(rc), "-a", account, "--pretend"]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    settings = {}
    for line in done.stdout.split("\n"):  # not splitlines(): U+2028 is not a line end for msmtp
        key, sep, value = line.partition(" = ")
        if sep:
            settings[key] = value
    return settings


@pytest.mark.parametrize("text", HOSTILE)
def test_msmtp_reads_a_hostile_name_user_and_from_as_they_are(tmp_path: Path, text: str) -> None:
    block = to_msmtprc(work(name=text, username=text, from_address=text), SECRET_TOOL)
    settings = _msmtp_pretend(tmp_path, block, account_name(text))
    assert settings["user"] == text
    assert settings["from"] == text
    assert settings["passwordeval"] == f"secret-tool lookup service smtpgui username {ID}:password"
    assert settings["host"] == "smtp.example.com" and settings["tls_starttls"] == "on"
    assert "password = " not in block and "\npassword " not in block


def test_msmtp_reads_a_pin_a_ca_file_and_the_implicit_tls_mode(tmp_path: Path) -> None:
    pin = "ab" * 32
    settings = _msmtp_pretend(
        tmp_path, to_msmtprc(work(security=Security.TLS, port=465, pinned_sha256=pin), VARIABLE), "Work"
    )
    assert settings["tls_fingerprint"] == ":".join(["AB"] * 32)
    assert settings["tls_starttls"] == "off" and settings["port"] == "465"
    assert settings["passwordeval"] == "printenv SMTP_PASSWORD"
    settings = _msmtp_pretend(tmp_path, to_msmtprc(work(ca_file="/etc/my ca.pem"), VARIABLE), "Work")
    assert settings["tls_trust_file"] == "/etc/my ca.pem"


def test_a_name_msmtp_could_not_take_becomes_an_account_name_it_can() -> None:
    assert account_name("Work") == "Work"
    assert account_name("a b:c,d") == "a-b-c-d"
    assert account_name("default") == "smtpgui" and account_name("!!!") == "smtpgui"


@pytest.mark.parametrize("field", ["username", "from_address", "ehlo_name", "ca_file", "domain"])
@pytest.mark.parametrize("bad", ["a\nauth off", "a\rb", "a\x1b]0;title\x07", "a\u202eb", "a\x00b"])
def test_a_line_break_or_control_character_is_refused_with_a_sentence(field: str, bad: str) -> None:
    for writer in (to_swaks, to_curl, to_msmtprc, to_env):
        c = work(**{field: bad})
        if writer is to_env and field not in ("username", "from_address", "domain"):
            continue  # not one of the variables
        with pytest.raises(CannotExport, match="line break or another control character"):
            writer(c, SECRET_TOOL)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_variables_read_back_in_sh_exactly(tmp_path: Path, text: str) -> None:
    env_file = tmp_path / "smtp.env"
    env_file.write_text(to_env(work(name=text, username=text, from_address=text), SECRET_TOOL))
    show = "import json, os; print(json.dumps(dict(os.environ)))"
    script = (
        f"set -a; . {shlex.quote(str(env_file))}; set +a; exec {shlex.quote(sys.executable)} -c {shlex.quote(show)}"
    )
    done = subprocess.run(
        check=False,
        args=["sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
    )
    assert done.returncode == 0, done.stderr
    env = json.loads(done.stdout)
    assert env["SMTP_USER"] == env["SMTP_USERNAME"] == env["SMTP_FROM"] == text
    assert (env["SMTP_HOST"], env["SMTP_PORT"], env["SMTP_SECURITY"]) == ("smtp.example.com", "587", "starttls")
    assert (env["SMTP_SECURE"], env["SMTP_STARTTLS"], env["SMTP_TLS"]) == ("false", "true", "true")
    assert "SMTP_PASSWORD" not in env
    assert not list(tmp_path.glob("PWNED*"))


def test_a_graph_connection_has_no_smtp_settings_to_write() -> None:
    graph = work(kind=Kind.GRAPH, mailbox="me@example.com", tenant_id="t", client_id="c")
    for writer in (to_swaks, to_curl, to_msmtprc, to_env):
        with pytest.raises(CannotExport, match="Microsoft Graph"):
            writer(graph, SECRET_TOOL)


def test_an_ehlo_name_travels_in_curl_urls_path_and_an_ipv6_host_in_brackets(tmp_path: Path) -> None:
    fakes = fake_bin(tmp_path / "bin")
    argv = run_in_sh(to_curl(work(host="::1", ehlo_name="client.example"), SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(argv, list) and _value_after(argv, "--url") == "smtp://[::1]:587/client.example"
    argv = run_in_sh(to_swaks(work(host="::1"), SECRET_TOOL), fakes, tmp_path)["argv"]
    assert isinstance(argv, list) and _value_after(argv, "--server") == "[::1]:587"


def test_an_id_from_a_hand_edited_file_cannot_break_a_line_either() -> None:
    for writer in (to_swaks, to_curl, to_msmtprc, to_env):
        with pytest.raises(CannotExport, match="connection id"):
            writer(work(id="x\npassword evil"), PasswordRead(Reader.SECRET_TOOL, "x\npassword evil"))
