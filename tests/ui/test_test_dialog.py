"""The test dialog against real servers on loopback: sends, failures, cancel, responsiveness."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton

from smtpgui.core.model import AuthMode, Connection, Mechanism, Security
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.workers import ProbeJob, SendJob
from tests.support.keyrings import MemoryKeyring
from tests.support.prompts import ScriptedPrompts
from tests.support.servers import PASSWORD, USER, Pki, ScriptedServer, free_port, make_pki, smtp_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def add_connection(
    config_dir: Path, keyring: MemoryKeyring, port: int, pki: Pki | None, password: str = PASSWORD, **changes: object
) -> Connection:
    connection = Connection(
        name="Loopback",
        host="127.0.0.1",
        port=port,
        security=Security.STARTTLS,
        ca_file=str(pki.ca_file) if pki else "",
        auth_mode=AuthMode.PASSWORD,
        username=USER,
        from_address="sender@example.com",
        timeout_s=10,
    ).replace(**changes)
    saved = ConnectionStore(config_dir).add(connection)
    keyring.set_password("smtpgui", f"{saved.id}:password", password)
    return saved


def silent(conn) -> None:  # type: ignore[no-untyped-def]
    ScriptedServer.wait_closed(None, conn)  # type: ignore[arg-type]


def verify_only_dialog(make_window, config_dir, keyring_backend, port: int, timeout_s: int):  # type: ignore[no-untyped-def]
    """A window and a verify-only test dialog for an unencrypted, anonymous server on ``port``."""
    add_connection(
        config_dir, keyring_backend, port, None, security=Security.NONE, auth_mode=AuthMode.NONE, timeout_s=timeout_s
    )
    window = make_window()
    dialog = window.tests.open_dialog()
    dialog.verify_only.setChecked(True)
    return window, dialog


def send_and_wait(qtbot, dialog, timeout: int = 20000):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.result_ready, timeout=timeout) as blocker:
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_send_through_the_dialog(make_window, config_dir, keyring_backend, pki, qtbot) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("starttls", pki) as server:
        add_connection(config_dir, keyring_backend, server.port, pki)
        window = make_window()
        dialog = window.tests.open_dialog()
        assert dialog.findChild(QLineEdit, "subjectEdit").text() == "TEST MESSAGE!"
        assert dialog.findChild(QPlainTextEdit, "bodyEdit").toPlainText() == "ATTENTION: THIS IS A TEST MESSAGE!"
        to = dialog.findChild(QLineEdit, "toEdit")
        to.setText("rcpt@example.com")
        result = send_and_wait(qtbot, dialog)
        assert result.ok
        assert dialog.findChild(QLabel, "resultLabel").text().startswith("✔ Sent")
        transcript = dialog.findChild(QPlainTextEdit, "transcriptView").toPlainText()
        assert "~> STARTTLS" not in transcript and "-> STARTTLS" in transcript and "<~ 235" in transcript
        assert PASSWORD not in transcript
        assert server.handler.messages[0].rcpt_tos == ["rcpt@example.com"]
        dialog.copy_transcript()
        from PySide6.QtGui import QGuiApplication

        assert "STARTTLS" in QGuiApplication.clipboard().text()
        row = window.model.row_of(window.model.connections()[0].id)
        assert window.model.data(window.model.index(row, 0), Qt.ItemDataRole.UserRole + 2).ok


def test_failing_send_shows_explanation_and_fix(make_window, config_dir, keyring_backend, pki, qtbot) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("starttls", pki) as server:
        add_connection(config_dir, keyring_backend, server.port, pki, password="wrong", mechanism=Mechanism.PLAIN)
        window = make_window()
        # The stored password is wrong: overwrite it the way the user would, without saving.
        qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "definitely-wrong")
        dialog = window.tests.open_dialog()
        dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
        result = send_and_wait(qtbot, dialog)
        assert not result.ok and result.stage.value == "auth"
        text = dialog.findChild(QLabel, "resultLabel").text()
        assert "Failed at auth" in text and "user name or password" in text and "Fix:" in text


def test_bad_recipient_is_refused_before_sending(make_window, config_dir, keyring_backend, pki, qtbot) -> None:  # type: ignore[no-untyped-def]
    add_connection(config_dir, keyring_backend, free_port(), pki)
    window = make_window()
    dialog = window.tests.open_dialog()
    dialog.findChild(QLineEdit, "toEdit").setText("not an address")
    qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    assert "✖" in dialog.findChild(QLabel, "resultLabel").text()
    assert [job for job in window.jobs if isinstance(job, SendJob)] == []


def test_cancel_during_a_send_to_a_silent_server(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    with ScriptedServer(silent) as server:
        _window, dialog = verify_only_dialog(make_window, config_dir, keyring_backend, server.port, 60)
        with qtbot.waitSignal(dialog.result_ready, timeout=10000) as blocker:
            with qtbot.waitSignal(dialog.findChild(object, "stageProgress").valueChanged, timeout=5000):
                qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: dialog.progress.format() == "greeting", timeout=5000)
            started = time.monotonic()
            qtbot.mouseClick(dialog.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
        assert blocker.args[0].cancelled
        assert time.monotonic() - started < 1.5
        assert "cancelled" in dialog.findChild(QLabel, "resultLabel").text()


def test_gui_thread_never_stalls_during_a_slow_send(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    with ScriptedServer(silent) as server:
        _window, dialog = verify_only_dialog(make_window, config_dir, keyring_backend, server.port, 3)
        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()

        def tick() -> None:
            gaps.append(clock.restart())

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        timer.start()
        result = send_and_wait(qtbot, dialog)
        timer.stop()
        assert result.timed_out
        assert len(gaps) > 50
        assert max(gaps[1:]) <= 50, f"the GUI thread stalled for {max(gaps[1:])} ms"


def test_closing_the_window_during_a_send_leaves_no_thread(make_window, config_dir, keyring_backend, qtbot) -> None:  # type: ignore[no-untyped-def]
    with ScriptedServer(silent) as server:
        window, dialog = verify_only_dialog(make_window, config_dir, keyring_backend, server.port, 60)
        qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.pool.activeThreadCount() == 1, timeout=5000)
        started = time.monotonic()
        window.close()
        assert not window.isVisible()
        assert window.pool.activeThreadCount() == 0
        assert time.monotonic() - started < 2


def test_untrusted_certificate_can_be_pinned(
    make_window, config_dir, keyring_backend, pki, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("starttls", pki) as server:
        saved = add_connection(config_dir, keyring_backend, server.port, None)  # no CA file: not trusted
        window = make_window()
        dialog = window.tests.open_dialog()
        dialog.verify_only.setChecked(True)
        result = send_and_wait(qtbot, dialog)
        assert result.failure_kind == "certificate"
        trust = dialog.findChild(QPushButton, "trustButton")
        assert trust.isVisible()
        qtbot.mouseClick(trust, Qt.MouseButton.LeftButton)
        assert prompts.asked[-1] == f"trust:{pki.server_sha256}"
        assert ConnectionStore(config_dir).get(saved.name).pinned_sha256 == pki.server_sha256
        again = window.tests.open_dialog()
        again.verify_only.setChecked(True)
        assert send_and_wait(qtbot, again).ok


def test_trusting_a_certificate_takes_effect_in_the_open_dialog(
    make_window, config_dir, keyring_backend, pki, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 20: after Trust this certificate…, Send in the same dialog uses the pin."""
    with smtp_server("starttls", pki) as server:
        add_connection(config_dir, keyring_backend, server.port, None)  # no CA file: not trusted
        window = make_window()
        dialog = window.tests.open_dialog()
        dialog.verify_only.setChecked(True)
        assert send_and_wait(qtbot, dialog).failure_kind == "certificate"
        qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
        assert dialog.connection.pinned_sha256 == pki.server_sha256
        result = send_and_wait(qtbot, dialog)
        assert result.ok, result.error
        assert not dialog.trust_button.isVisible()


def test_a_refused_trust_changes_nothing_in_the_open_dialog(
    make_window, config_dir, keyring_backend, pki, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("starttls", pki) as server:
        add_connection(config_dir, keyring_backend, server.port, None)
        window = make_window()
        prompts.trust = False
        dialog = window.tests.open_dialog()
        dialog.verify_only.setChecked(True)
        assert send_and_wait(qtbot, dialog).failure_kind == "certificate"
        qtbot.mouseClick(dialog.findChild(QPushButton, "trustButton"), Qt.MouseButton.LeftButton)
        assert dialog.connection.pinned_sha256 == ""
        assert send_and_wait(qtbot, dialog).failure_kind == "certificate"


def test_detect_settings_offers_the_recommendation(
    make_window, config_dir, keyring_backend, pki, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("tls", pki) as server:
        add_connection(config_dir, keyring_backend, server.port, pki, host="127.0.0.1")
        window = make_window()
        # Probe the standard ports plus the server's: point the connection at the server's port.
        window.findChild(object, "portSpin").setValue(server.port)
        from smtpgui.transport.probe import probe as real_probe

        report = real_probe(window.editor.current(), port=server.port)
        window.probes.on_finished(report)
        assert prompts.asked[-1].startswith("probe:Recommended: port")
        assert window.editor.current().security is Security.TLS
        assert window.editor.is_dirty()


def test_detect_settings_runs_on_a_worker(
    make_window, config_dir, keyring_backend, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    # Issue 17 item 23: the probe tries ports of this test's own (free, so closed), never the
    # well-known ones, where a machine's own mail server may answer.
    closed = free_port()
    add_connection(config_dir, keyring_backend, closed, None, timeout_s=2)
    window = make_window()
    window.probes.combinations = [(closed, Security.TLS), (closed, Security.STARTTLS), (closed, Security.NONE)]
    window.probes.detect()
    assert len([job for job in window.jobs if isinstance(job, ProbeJob)]) == 1
    qtbot.waitUntil(lambda: prompts.messages != [], timeout=20000)
    title, text = prompts.messages[-1]
    assert title == "Detected settings" and "No port and security mode worked" in text
    assert {25, 465, 587} & {int(word) for word in re.findall(r"\b\d+\b", text)} == set()


def test_detect_settings_says_when_a_certificate_is_not_trusted(
    make_window, config_dir, keyring_backend, pki, prompts: ScriptedPrompts, qtbot
) -> None:  # type: ignore[no-untyped-def]
    """Issue 17 item 21: an untrusted certificate is not just "works"; human words, no enum names."""
    with smtp_server("tls", pki) as untrusted:
        add_connection(config_dir, keyring_backend, untrusted.port, None, timeout_s=5)  # no CA file
        window = make_window()
        window.probes.combinations = [(untrusted.port, Security.TLS), (free_port(), Security.STARTTLS)]
        prompts.apply = False
        window.probes.detect()
        qtbot.waitUntil(lambda: any(a.startswith("probe:") for a in prompts.asked), timeout=20000)
        summary = next(a for a in prompts.asked if a.startswith("probe:"))[len("probe:") :]
        # The connection's own port and mode come first (STARTTLS here: it fails on a TLS port).
        line = next(line for line in summary.splitlines() if line.startswith(f"Port {untrusted.port}, SSL/TLS"))
        assert "NOT trusted" in line
        assert "Security." not in summary and "((" not in summary and "))" not in summary
        assert "not trusted" in summary.splitlines()[0].lower()  # the recommendation says so too
        assert "does not work" in summary


def test_the_window_leaks_no_secret_anywhere(make_window, config_dir, keyring_backend, pki, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Sends with each password mechanism, a copied transcript, a closed window: then a scan."""
    from PySide6.QtGui import QGuiApplication

    from smtpgui.core.redact import secret_variants

    with smtp_server("starttls", pki) as server:
        saved = add_connection(config_dir, keyring_backend, server.port, pki)
        window = make_window()
        copied = []
        for mechanism in (Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.CRAM_MD5):
            window.services.connections.modify(saved.id, lambda c, m=mechanism: c.replace(mechanism=m))  # type: ignore[misc]
            window.reload(select_id=saved.id)
            dialog = window.tests.open_dialog()
            dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
            assert send_and_wait(qtbot, dialog).ok
            dialog.copy_transcript()
            copied.append(QGuiApplication.clipboard().text())
            dialog.close()
        window.close()  # writes the UI state
    assert (config_dir / "ui-state.ini").exists() and (config_dir / "logs" / "smtpgui.log").exists()
    needles = [v.encode() for v in secret_variants(PASSWORD)]
    for path in config_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in needles), path
    assert not any(n.decode() in text for n in needles for text in copied)
    for text, verb in zip(copied, ("AUTH PLAIN", "AUTH LOGIN", "AUTH CRAM-MD5"), strict=True):
        assert verb in text, text
