"""SandboxService's own rules (issue 19): the certificate is made once and kept private, the listen
address is checked and warned about, notices arrive after each commit, sandbox_connection."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from smtpgui.core.inboxmodel import MessageSummary
from smtpgui.core.model import AuthMode, Security
from smtpgui.core.validation import validate
from smtpgui.services.sandbox import (
    CERT_FILE,
    KEY_FILE,
    SandboxError,
    SandboxService,
    listen_warning,
    sandbox_connection,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_certificate_is_made_once_kept_and_private(tmp_path: Path) -> None:
    os.umask(0o022)
    service = SandboxService(tmp_path / "data")
    cert, key = service.certificate_files()
    first = cert.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert.parent.stat().st_mode) == 0o700
    assert SandboxService(tmp_path / "data").certificate_files() == (cert, key)
    assert cert.read_bytes() == first
    der = ssl.PEM_cert_to_DER_cert(first.decode())
    assert service.certificate_sha256() == hashlib.sha256(der).hexdigest()


def test_two_processes_starting_at_once_make_one_certificate(tmp_path: Path) -> None:
    script = "import sys; from smtpgui.services.sandbox import SandboxService; print(SandboxService(sys.argv[1]).certificate_sha256())"
    runs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=REPO)
        for _ in range(3)
    ]
    pins = {run.communicate(timeout=120)[0].strip() for run in runs}
    assert len(pins) == 1 and len(pins.pop()) == 64


def test_a_damaged_certificate_is_made_again(tmp_path: Path, sandbox_certificate: Path) -> None:
    from tests.support.sandbox import seed_certificate

    seed_certificate(sandbox_certificate, tmp_path)
    (tmp_path / KEY_FILE).write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    cert, key = SandboxService(tmp_path).certificate_files()
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    assert cert.read_bytes() != (sandbox_certificate / CERT_FILE).read_bytes()


@pytest.mark.parametrize(
    ("address", "warned"),
    [("127.0.0.1", False), ("::1", False), ("127.0.0.2", False), ("0.0.0.0", True), ("192.0.2.7", True), ("::", True)],
)
def test_only_loopback_goes_without_a_warning(address: str, warned: bool) -> None:
    warning = listen_warning(address)
    assert (warning is not None) == warned
    if warning:
        assert address in warning and "beyond this computer" in warning


@pytest.mark.parametrize("address", ["localhost", "example.com", "", "1.2.3.4.5"])
def test_a_listen_value_that_is_not_an_ip_address_is_refused(address: str) -> None:
    with pytest.raises(SandboxError, match="is not one"):
        listen_warning(address)


def test_the_default_start_listens_on_loopback_only(sandbox: SandboxService) -> None:
    port = sandbox.status().port
    assert port
    with smtplib.SMTP("127.0.0.1", port) as client:
        assert client.noop()[0] == 250
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
    if out.strip():  # ss present: the one listener is on 127.0.0.1
        assert all("127.0.0.1:" in line for line in out.strip().splitlines()), out


def test_on_message_hears_each_commit_in_order(sandbox: SandboxService) -> None:
    heard: list[MessageSummary] = []
    three = threading.Event()

    def hear(summary: MessageSummary) -> None:
        heard.append(summary)
        if len(heard) == 3:
            three.set()

    sandbox.on_message = hear
    with smtplib.SMTP("127.0.0.1", sandbox.status().port) as client:
        for n in range(3):
            client.sendmail("a@example.com", ["b@example.org"], f"Subject: n{n}\r\n\r\nx\r\n".encode())
    assert three.wait(30)
    assert [s.subject for s in heard] == ["n0", "n1", "n2"]
    assert all(sandbox.store().message(s.id) is not None for s in heard)


def test_a_failing_callback_loses_nothing(sandbox: SandboxService) -> None:
    called = threading.Event()

    def broken(summary: MessageSummary) -> None:
        called.set()
        raise RuntimeError("boom")

    sandbox.on_message = broken
    with smtplib.SMTP("127.0.0.1", sandbox.status().port) as client:
        client.sendmail("a@example.com", ["b@example.org"], b"Subject: one\r\n\r\nx\r\n")
        assert called.wait(30)
        client.sendmail("a@example.com", ["b@example.org"], b"Subject: two\r\n\r\nx\r\n")
    assert sandbox.store().count() == 2


def test_start_twice_in_one_process_is_refused(sandbox: SandboxService) -> None:
    with pytest.raises(SandboxError, match="already runs in this program"):
        sandbox.start(port=0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"port": 70000}, "0 to 65535"), ({"port": 0, "tls_port": -1}, "0 to 65535"), ({"port": 2000, "tls_port": 2000}, "must differ"),
     ({"port": 0, "user": "sam"}, "together")],
)  # fmt: skip
def test_bad_start_values_get_a_sentence(tmp_path: Path, kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(SandboxError, match=words):
        SandboxService(tmp_path).start(**kwargs)  # type: ignore[arg-type]


def test_sandbox_connection_is_valid_and_follows_the_running_sandbox(sandbox: SandboxService) -> None:
    connection = sandbox_connection("Local sandbox", config_dir=sandbox.data_dir)
    assert validate(connection) == []
    assert (connection.host, connection.port, connection.security, connection.auth_mode) == (
        "127.0.0.1",
        sandbox.status().port,
        Security.STARTTLS,
        AuthMode.NONE,
    )
    assert connection.pinned_sha256 == sandbox.certificate_sha256()
    assert connection.from_address == "sandbox@localhost"
    assert sandbox_connection("x", 2525, sandbox.data_dir).port == 2525


def test_listening_on_ipv6_loopback(sandbox_dir: Path) -> None:
    service = SandboxService(sandbox_dir)
    port = service.start(port=0, listen="::1").port
    try:
        with smtplib.SMTP("::1", port) as client:
            client.sendmail("a@example.com", ["b@example.org"], b"Subject: over v6\r\n\r\nx\r\n")
        stored = service.store().message(service.store().summaries()[0].id)
        assert stored is not None and stored.envelope.peer.startswith("::1:")
    finally:
        service.stop()
