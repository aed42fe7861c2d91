"""The sandbox server against real clients: smtplib and swaks, plain, STARTTLS, implicit TLS, AUTH,
limits, a burst from concurrent clients, and a second sandbox on a taken port (issue 19)."""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from smtpgui.services.sandbox import CERT_FILE, SandboxError, SandboxService

MESSAGE = (
    b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nFrom: ann@example.com\r\nTo: bob@example.org\r\n"
    b"Message-ID: <1@example.com>\r\nSubject: hello\r\n\r\nHello.\r\n..leading dot\r\n"
)


def _ca_context(data_dir: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(data_dir / CERT_FILE))


def test_smtplib_plain_keeps_the_exact_bytes_and_the_envelope(sandbox: SandboxService) -> None:
    port = sandbox.status().port
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test") as client:
        refused = client.sendmail("ann@example.com", ["bob@example.org", "carl@example.net"], MESSAGE)
    assert refused == {}
    (summary,) = sandbox.store().summaries()
    stored = sandbox.store().message(summary.id)
    assert stored is not None
    assert stored.raw == MESSAGE  # smtplib dot-stuffs the leading dots, the server un-stuffs them
    assert stored.envelope.mail_from == "ann@example.com"
    assert stored.envelope.rcpt_to == ("bob@example.org", "carl@example.net")
    assert stored.envelope.ehlo_name == "client.test"
    assert stored.envelope.tls_version is None and stored.envelope.auth_user is None
    assert stored.envelope.peer.startswith("127.0.0.1:")
    assert summary.problems == 0


def test_starttls_verifies_the_certificate_as_a_ca_and_matches_the_pin(
    sandbox: SandboxService, sandbox_dir: Path
) -> None:
    port = sandbox.status().port
    with smtplib.SMTP("localhost", port) as client:
        client.starttls(context=_ca_context(sandbox_dir))
        der = client.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
        client.sendmail("a@example.com", ["b@example.org"], MESSAGE)
    assert hashlib.sha256(der).hexdigest() == sandbox.certificate_sha256()
    stored = sandbox.store().message(sandbox.store().summaries()[0].id)
    assert stored is not None and stored.envelope.tls_version in ("TLSv1.2", "TLSv1.3")


def test_implicit_tls_on_the_second_port(sandbox: SandboxService, sandbox_dir: Path) -> None:
    tls_port = sandbox.status().tls_port
    with smtplib.SMTP_SSL("127.0.0.1", tls_port, context=_ca_context(sandbox_dir)) as client:
        client.sendmail("a@example.com", ["b@example.org"], MESSAGE)
    assert sandbox.store().count() == 1


def test_any_credentials_pass_by_default_and_the_user_is_recorded(sandbox: SandboxService) -> None:
    with smtplib.SMTP("127.0.0.1", sandbox.status().port) as client:
        client.login("whoever", "whatever")
        client.sendmail("a@example.com", ["b@example.org"], MESSAGE)
    stored = sandbox.store().message(sandbox.store().summaries()[0].id)
    assert stored is not None and stored.envelope.auth_user == "whoever"


@pytest.fixture
def guarded(sandbox_dir: Path):  # type: ignore[no-untyped-def]
    service = SandboxService(sandbox_dir)
    service.start(port=0, user="sam", password="s3cret pass")
    yield service
    service.stop()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_a_given_user_and_password_pass_in_each_mechanism(guarded: SandboxService, mechanism: str) -> None:
    with smtplib.SMTP("127.0.0.1", guarded.status().port) as client:
        client.ehlo()
        client.user, client.password = "sam", "s3cret pass"
        method = {"PLAIN": client.auth_plain, "LOGIN": client.auth_login, "CRAM-MD5": client.auth_cram_md5}[mechanism]
        code, _ = client.auth(mechanism, method)
        assert code == 235
        client.sendmail("a@example.com", ["b@example.org"], MESSAGE)
    stored = guarded.store().message(guarded.store().summaries()[0].id)
    assert stored is not None and stored.envelope.auth_user == "sam"
    assert b"s3cret" not in Path(guarded.data_dir / "inbox.sqlite3").read_bytes()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_a_wrong_password_is_refused(guarded: SandboxService, mechanism: str) -> None:
    with smtplib.SMTP("127.0.0.1", guarded.status().port) as client:
        client.ehlo()
        client.user, client.password = "sam", "wrong"
        method = {"PLAIN": client.auth_plain, "LOGIN": client.auth_login, "CRAM-MD5": client.auth_cram_md5}[mechanism]
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            client.auth(mechanism, method)
        assert caught.value.smtp_code == 535


def test_with_a_user_set_auth_is_required(guarded: SandboxService) -> None:
    with smtplib.SMTP("127.0.0.1", guarded.status().port) as client:
        client.ehlo()
        code, _ = client.mail("a@example.com")
    assert code == 530
    assert guarded.store().count() == 0


def _swaks(port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{port}", "--to", "bob@example.org", "--from", "ann@example.com", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_swaks_plain_and_starttls_verified(sandbox: SandboxService, sandbox_dir: Path) -> None:
    port = sandbox.status().port
    assert _swaks(port).returncode == 0
    done = _swaks(port, "--tls", "--tls-verify", "--tls-ca-path", str(sandbox_dir / CERT_FILE), "--helo", "localhost")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.store().count() == 2


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_swaks_auth_with_the_given_user(guarded: SandboxService, mechanism: str) -> None:
    port = guarded.status().port
    ok = _swaks(port, "--auth", mechanism, "--auth-user", "sam", "--auth-password", "s3cret pass")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = _swaks(port, "--auth", mechanism, "--auth-user", "sam", "--auth-password", "nope")
    assert wrong.returncode != 0 and "535" in wrong.stdout
    assert guarded.store().count() == 1


def test_a_burst_from_ten_concurrent_clients_loses_nothing(sandbox: SandboxService) -> None:
    port = sandbox.status().port
    accepted: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(100):
                    smtp.sendmail(
                        "a@example.com", ["b@example.org"], MESSAGE.replace(b"hello", f"burst {k}-{n}".encode())
                    )
                    with lock:
                        accepted.append(1)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    assert len(accepted) == 1000
    subjects = {s.subject for s in sandbox.store().summaries()}
    assert subjects == {f"burst {k}-{n}" for k in range(10) for n in range(100)}


def test_a_30_megabyte_message_gets_552(sandbox: SandboxService) -> None:
    body = MESSAGE + (b"x" * 998 + b"\r\n") * (30 * 1024 * 1024 // 1000)
    with smtplib.SMTP("127.0.0.1", sandbox.status().port) as client:
        client.ehlo()
        assert int(client.esmtp_features["size"]) == 25 * 1024 * 1024
        client.mail("a@example.com")  # no SIZE= given: the limit is found while receiving
        client.rcpt("b@example.org")
        code, reply = client.data(body)
        assert code == 552, reply
        client.rset()
        assert client.sendmail("a@example.com", ["b@example.org"], MESSAGE) == {}  # the session goes on
    assert sandbox.store().count() == 1


def test_more_than_a_hundred_recipients_get_452(sandbox: SandboxService) -> None:
    with smtplib.SMTP("127.0.0.1", sandbox.status().port) as client:
        client.ehlo()
        client.mail("a@example.com")
        codes = [client.rcpt(f"r{n}@example.org")[0] for n in range(101)]
    assert codes[:100] == [250] * 100
    assert codes[100] == 452


def test_long_lines_and_bare_lf_are_accepted_and_reported(sandbox: SandboxService) -> None:
    raw = MESSAGE + b"y" * 5000 + b"\r\nbare\nlf\r\n"
    with socket.create_connection(("127.0.0.1", sandbox.status().port)) as sock:
        reader = sock.makefile("rb")
        for line in (b"", b"EHLO x\r\n", b"MAIL FROM:<a@example.com>\r\n", b"RCPT TO:<b@example.org>\r\n", b"DATA\r\n"):
            if line:
                sock.sendall(line)
            while True:
                reply = reader.readline()
                if reply[3:4] != b"-":
                    break
        sock.sendall(raw + b".\r\n")
        assert reader.readline().startswith(b"250")
    stored = sandbox.store().message(sandbox.store().summaries()[0].id)
    assert stored is not None and stored.raw == raw.replace(b"\r\n..", b"\r\n.")  # sent unstuffed on purpose
    assert {c.code for c in stored.checks if not c.ok} == {"line-too-long", "bare-lf"}


def test_a_second_sandbox_on_the_same_port_names_the_first(sandbox: SandboxService, sandbox_dir: Path) -> None:
    import os

    port = sandbox.status().port
    with pytest.raises(SandboxError) as caught:
        SandboxService(sandbox_dir).start(port=port)
    assert f"Port {port} is taken by the smtpgui sandbox in process {os.getpid()}" in str(caught.value)


def test_a_port_another_program_holds_is_said_so(sandbox_dir: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        with pytest.raises(SandboxError, match=f"port {port} on 127.0.0.1 is taken by another program"):
            SandboxService(sandbox_dir).start(port=port)


def test_the_status_of_a_sandbox_in_another_process(sandbox: SandboxService, sandbox_dir: Path) -> None:
    import json
    import os
    import sys

    state = json.loads((sandbox_dir / "sandbox.json").read_text())
    assert state["pid"] == os.getpid() and state["port"] == sandbox.status().port
    # Another smtpgui process (its command line names smtpgui) holding the state file: running there.
    other = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()", "smtpgui", "sandbox"], stdin=subprocess.PIPE
    )
    try:
        (sandbox_dir / "sandbox.json").write_text(json.dumps({**state, "pid": other.pid}))
        seen = SandboxService(sandbox_dir).status()
        assert (seen.running, seen.here, seen.pid, seen.port) == (True, False, other.pid, state["port"])
    finally:
        other.communicate(b"")
    # The same pid once that process has ended, or a live process that is not smtpgui: stopped.
    assert SandboxService(sandbox_dir).status().running is False
    unrelated = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        (sandbox_dir / "sandbox.json").write_text(json.dumps({**state, "pid": unrelated.pid}))
        assert SandboxService(sandbox_dir).status().running is False
    finally:
        unrelated.communicate(b"")


def test_stop_frees_the_port_and_removes_the_state(sandbox_dir: Path) -> None:
    service = SandboxService(sandbox_dir)
    port = service.start(port=0).port
    service.stop()
    assert not (sandbox_dir / "sandbox.json").exists()
    assert service.status().running is False
    again = SandboxService(sandbox_dir)
    assert again.start(port=port).port == port
    again.stop()
