"""`smtpgui sandbox` and `smtpgui inbox …` as a user runs them (issue 19): real processes, real clients,
Ctrl-C, kill -9 during a burst, a taken port, hostile subjects, and our own engine into the inbox."""

from __future__ import annotations

import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.e2e.conftest import Sandbox
from tests.support.processes import smtpgui_command

pytestmark = pytest.mark.integration

MESSAGE = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nFrom: ann@example.com\r\nTo: bob@example.org\r\n"
    b"Message-ID: <1@example.com>\r\nSubject: SUBJECT\r\n\r\nHello.\r\n"
)


def _message(subject: str) -> bytes:
    return MESSAGE.replace(b"SUBJECT", subject.encode("ascii"))


def test_one_line_per_message_made_safe_and_ctrl_c_exits_130(seeded: CliRunner, running: Sandbox) -> None:
    hostile = (
        "=?utf-8?b?"
        + __import__("base64").b64encode("evil\x1b]0;TITLE\x07\u2028smtpgui: fake".encode()).decode()
        + "?="
    )
    with smtplib.SMTP("127.0.0.1", running.port) as client:
        client.sendmail("ann@example.com", ["bob@example.org"], MESSAGE.replace(b"SUBJECT", hostile.encode()))
        client.sendmail("ann@example.com", ["bob@example.org"], _message("second"))
    assert running.process.stdout is not None
    first, second = running.process.stdout.readline(), running.process.stdout.readline()
    code, rest, err = running.stop()
    assert code == 130, err
    assert "Traceback" not in err and "interrupted" in err
    for raw in ("\x1b", "\x07", "\u2028"):
        assert raw not in first + second + rest + err
    assert "evil\\x1b]0;TITLE\\x07\\u2028smtpgui: fake" in first
    assert re.match(r"\d\d:\d\d:\d\d  #1  ann@example.com → bob@example.org  .*  \d+ B  no problems$", first.strip())
    assert "#2" in second and "second" in second
    assert not (seeded.config_dir / "sandbox.json").exists()
    listed = json.loads(seeded("inbox", "list", "--json").stdout)
    assert "\u2028" in listed[1]["subject"]  # kept exactly; JSON escapes it on the way out
    assert "\\u2028" in seeded("inbox", "list", "--json").stdout


def test_inbox_list_show_delete_clear(seeded: CliRunner, running: Sandbox) -> None:
    raw = _message("Quarterly report") + b"bare\nlf\r\n"
    with smtplib.SMTP("127.0.0.1", running.port) as client:
        client.sendmail("ann@example.com", ["bob@example.org"], raw)
        client.sendmail("ann@example.com", ["bob@example.org"], _message("Weekly"))
    listed = json.loads(seeded("inbox", "list", "--json").stdout)
    assert [m["subject"] for m in listed] == ["Weekly", "Quarterly report"]
    assert set(listed[0]) >= {"id", "received", "from", "to", "subject", "size", "problems"}
    assert listed[1]["problems"] == 1 and listed[1]["to"] == ["bob@example.org"] and listed[1]["size"] == len(raw)
    assert [m["subject"] for m in json.loads(seeded("inbox", "list", "--json", "--search", "QUARTER").stdout)] == [
        "Quarterly report"
    ]
    first = str(listed[1]["id"])

    shown = subprocess.run(
        [*smtpgui_command(), "inbox", "show", first, "--raw"], env=seeded.env(), capture_output=True, check=True
    )
    assert shown.stdout == raw
    detail = json.loads(seeded("inbox", "show", first, "--json").stdout)
    assert detail["envelope"]["mail_from"] == "ann@example.com"
    assert [c["code"] for c in detail["checks"] if not c["ok"]] == ["bare-lf"]
    text = seeded("inbox", "show", first)
    assert text.returncode == 0
    assert "Subject: Quarterly report" in text.stdout and "Hello." in text.stdout
    assert "FAIL  The message has 1 bare LF" in text.stdout

    for args in (("show", "999"), ("show", "999", "--raw"), ("delete", first, "999")):
        r = seeded("inbox", *args)
        assert r.returncode == 2 and "no message 999" in r.stderr and "Traceback" not in r.stderr
    assert len(json.loads(seeded("inbox", "list", "--json").stdout)) == 2  # nothing deleted
    assert seeded("inbox", "delete", first).returncode == 0
    assert [m["subject"] for m in json.loads(seeded("inbox", "list", "--json").stdout)] == ["Weekly"]
    r = seeded("inbox", "clear")
    assert r.returncode == 0 and "deleted 1 message" in r.stderr
    assert json.loads(seeded("inbox", "list", "--json").stdout) == []
    assert "the inbox is empty" in seeded("inbox", "list").stderr


def test_kill_9_during_a_burst_keeps_every_message_that_got_250(seeded: CliRunner) -> None:
    sandbox = Sandbox(seeded)  # its standard output is not read: that must not hold up a 250
    accepted: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    stop = threading.Event()

    def client(k: int) -> None:
        n = 0
        try:
            with smtplib.SMTP("127.0.0.1", sandbox.port, timeout=30) as smtp:
                while not stop.is_set():
                    subject = f"burst-{k}-{n}"
                    smtp.sendmail("a@example.com", ["b@example.org"], _message(subject))  # returns on 250 only
                    n += 1
                    with lock:
                        accepted.append(subject)
                        if len(accepted) >= 300:
                            enough.set()
        except (smtplib.SMTPException, OSError):
            pass  # the server was killed mid-session

    threads = [threading.Thread(target=client, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    assert enough.wait(120)
    os.kill(sandbox.process.pid, signal.SIGKILL)
    sandbox.process.wait(30)
    stop.set()
    for t in threads:
        t.join(60)
    with lock:
        confirmed = set(accepted)
    stored = {m["subject"] for m in json.loads(seeded("inbox", "list", "--json").stdout)}
    assert len(confirmed) >= 300
    assert confirmed <= stored, sorted(confirmed - stored)[:5]


def test_a_second_sandbox_on_the_port_names_the_first(seeded: CliRunner, running: Sandbox) -> None:
    r = seeded("sandbox", "--port", str(running.port))
    assert r.returncode == 2
    assert f"Port {running.port} is taken by the smtpgui sandbox in process {running.process.pid}" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_port_another_program_holds(seeded: CliRunner) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        r = seeded("sandbox", "--port", str(port))
    assert r.returncode == 2 and "is taken by another program" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--user", "sam"), "--user needs --password-env"),
        (("--user", "sam", "--password-env", "SMTPGUI_NO_SUCH_VARIABLE"), "is not set"),
        (("--password-env", "HOME"), "--password-env needs --user"),
        (("--listen", "example.com"), "is not one"),
        (("--port", "70000"), "not a port"),
    ],
)
def test_bad_options_get_a_sentence(seeded: CliRunner, args: tuple[str, ...], words: str) -> None:
    r = seeded("sandbox", *args)
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr


def test_with_a_user_only_that_password_passes(seeded: CliRunner) -> None:
    seeded.extra_env["SANDBOX_PASSWORD"] = "s3cret"
    sandbox = Sandbox(seeded, "--user", "sam", "--password-env", "SANDBOX_PASSWORD")
    try:
        with smtplib.SMTP("127.0.0.1", sandbox.port) as client:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("sam", "wrong")
            client.login("sam", "s3cret")
            client.sendmail("a@example.com", ["b@example.org"], _message("authed"))
    finally:
        code, _out, err = sandbox.stop()
    assert code == 130 and "s3cret" not in err


def test_a_damaged_inbox_gets_a_sentence_and_is_kept(seeded: CliRunner) -> None:
    inbox = seeded.config_dir / "inbox.sqlite3"
    inbox.write_bytes(b"not a database at all\n" * 200)
    for args in (("inbox", "list"), ("sandbox", "--port", "0")):
        r = seeded(*args)
        assert r.returncode == 3, r.stderr
        assert "not an smtpgui inbox" in r.stderr and "Traceback" not in r.stderr
    assert inbox.read_bytes() == b"not a database at all\n" * 200


def test_our_engine_delivers_into_the_inbox_through_add_sandbox(seeded: CliRunner, running: Sandbox) -> None:
    r = seeded("add", "Local sandbox", "--sandbox")
    assert r.returncode == 0, r.stderr
    assert "no sandbox is running" not in r.stderr  # it is, on the port the connection took
    shown = json.loads(seeded("show", "Local sandbox", "--json").stdout)
    assert (shown["host"], shown["port"], shown["security"], shown["auth_mode"]) == (
        "127.0.0.1",
        running.port,
        "starttls",
        "none",
    )
    assert len(shown["pinned_sha256"]) == 64
    sent = seeded("test", "Local sandbox", "--to", "you@example.com", "--subject", "engine to sandbox", "--json")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert json.loads(sent.stdout)["tls"]["version"].startswith("TLSv1")
    listed = json.loads(seeded("inbox", "list", "--json").stdout)
    assert [(m["subject"], m["to"], m["problems"]) for m in listed] == [("engine to sandbox", ["you@example.com"], 0)]


def test_add_sandbox_without_a_running_one_takes_port_1025(seeded: CliRunner) -> None:
    r = seeded("add", "sb", "--sandbox")
    assert r.returncode == 0, r.stderr
    assert json.loads(seeded("show", "sb", "--json").stdout)["port"] == 1025
    # Made, but a test now would reach nothing (or another program on 1025): said before testing.
    assert "smtpgui: no sandbox is running on port 1025 now; start one with 'smtpgui sandbox --port 1025'" in r.stderr
    r = seeded("add", "sb2", "--sandbox", "--port", "2525")
    assert json.loads(seeded("show", "sb2", "--json").stdout)["port"] == 2525


def test_the_parser_loads_neither_aiosmtpd_nor_sqlite3() -> None:
    script = (
        "import sys; from smtpgui.cli.parser import build_parser; build_parser().parse_args(['inbox', 'list']);"
        "print(sorted(m for m in ('aiosmtpd', 'sqlite3', 'smtpgui.services.sandbox') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[]"
