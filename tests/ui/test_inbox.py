"""The Inbox view against the real sandbox: the switch, Start/Stop, live messages (from this
process and from another one), search, the message tabs, the autostart setting."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QTableView, QTabWidget

from smtpgui.storage.inbox import INBOX_FILE, Envelope, InboxStore
from smtpgui.storage.settings import SettingsStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def inbox_window(make_window) -> Iterator:  # type: ignore[no-untyped-def, type-arg]
    windows = []

    def make():  # type: ignore[no-untyped-def]
        window = make_window()
        window.inbox.port = 0  # a free port: never the real 1025, which another program may hold
        windows.append(window)
        return window

    yield make
    for window in windows:  # the sandbox this window started stops with it
        window.inbox.access.close()


def send(port: int, subject: str = "Hello sandbox", html: str | None = None, date: bool = True) -> None:
    message = EmailMessage()
    message["From"] = "Robot <robot@example.com>"
    message["To"] = "ops@example.org"
    message["Subject"] = subject
    if date:
        message["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"
        message["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    message.set_content("Plain words.\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.send_message(message)


def started(window, qtbot) -> int:  # type: ignore[no-untyped-def]
    window.inbox_action.trigger()
    button = window.findChild(QPushButton, "sandboxStartButton")
    qtbot.waitUntil(lambda: button.isEnabled() and "Start" in button.text(), timeout=10000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: button.isEnabled() and "Stop" in button.text(), timeout=15000)  # what the person sees
    port = window.inbox.status.port
    assert window.inbox.status.here and port and port != 1025
    return int(port)


def test_the_inbox_is_a_switch_and_leaves_the_connections_view_as_it_was(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = inbox_window()
    splitter = window.centralWidget()
    assert splitter.objectName() == "mainSplitter"
    assert "smtpgui.ui.inboxview" not in sys.modules or window.findChild(object, "inboxView") is None
    window.inbox_action.trigger()
    view = window.findChild(object, "inboxView")
    assert view is not None and view.isVisible() and not splitter.isVisible()
    assert window.inbox_action.isChecked()
    window.inbox_action.trigger()
    assert splitter.isVisible() and not view.isVisible() and not window.inbox_action.isChecked()
    window.inbox_action.trigger()
    window.find_action.trigger()  # Ctrl+F searches the messages while they are shown
    assert window.focusWidget() is window.findChild(QLineEdit, "inboxSearchField") and view.isVisible()
    window.new_action.trigger()  # an action on connections shows them again
    assert splitter.isVisible() and window.editor.isVisible()


def test_start_receive_read_and_stop(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = inbox_window()
    port = started(window, qtbot)
    state = window.findChild(QLabel, "sandboxState")
    assert f"127.0.0.1:{port}" in state.text() and "here" in state.text()
    html = '<p>Hi <b>there</b></p><img src="http://127.0.0.1:9/track.png"><script>x()</script>'
    send(port, "With HTML", html=html)
    send(port, "No date", date=False)
    table = window.findChild(QTableView, "inboxList")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=10000)  # nobody pressed anything
    model = table.model()
    assert model.index(0, 3).data() == "No date" and model.index(1, 3).data() == "With HTML"
    assert model.index(0, 5).data().startswith("⚠") and model.index(1, 5).data() == "✓"
    assert "robot@example.com" in model.index(0, 1).data() and model.index(0, 2).data() == "ops@example.org"
    table.setCurrentIndex(model.index(1, 0))
    tabs = window.findChild(QTabWidget, "messageTabs")
    html_view = window.findChild(object, "htmlView")
    qtbot.waitUntil(lambda: "Hi there" in html_view.toPlainText(), timeout=10000)
    assert "x()" not in html_view.toPlainText()
    raw = window.findChild(QPlainTextEdit, "rawView").toPlainText()
    assert "Subject: With HTML" in raw and "<script>" in raw  # the source as received
    headers = window.findChild(QPlainTextEdit, "headersView").toPlainText()
    assert "MAIL FROM: <robot@example.com>" in headers and "RCPT TO: <ops@example.org>" in headers
    table.setCurrentIndex(model.index(0, 0))
    checks = window.findChild(QListWidget, "checksView")
    qtbot.waitUntil(lambda: checks.count() > 0 and "✗" in checks.item(0).text(), timeout=10000)
    failed = [
        checks.item(i).data(Qt.ItemDataRole.UserRole) for i in range(checks.count()) if "✗" in checks.item(i).text()
    ]
    assert "date-missing" in failed
    assert "(" in tabs.tabText(4)  # Checks (n)
    button = window.findChild(QPushButton, "sandboxStartButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.inbox.status is not None and not window.inbox.status.running, timeout=15000)
    assert "stopped" in state.text().lower() and button.isEnabled()
    with pytest.raises(OSError):
        send(port, "After stop")


def test_search_filters_and_keeps_the_selection(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store = InboxStore(config_dir / INBOX_FILE)
    for i in range(30):
        subject = f"Invoice {i}" if i % 3 == 0 else f"Newsletter {i}"
        raw = f"From: a{i}@example.com\r\nTo: b@example.org\r\nSubject: {subject}\r\n\r\nBody\r\n".encode()
        store.add(raw, Envelope(f"a{i}@example.com", ("b@example.org",)))
    store.close()
    window = inbox_window()
    window.inbox_action.trigger()
    table = window.findChild(QTableView, "inboxList")
    qtbot.waitUntil(lambda: table.model().rowCount() == 30, timeout=10000)
    table.setCurrentIndex(table.model().index(table.model().row_of(28), 0))  # "Invoice 27" is id 28
    field = window.findChild(QLineEdit, "inboxSearchField")
    qtbot.keyClicks(field, "invo")
    assert table.model().rowCount() == 10
    assert table.currentIndex().isValid() and table.currentIndex().data() is not None
    assert table.model().summary_at(table.currentIndex().row()).subject == "Invoice 27"
    qtbot.keyClicks(field, "ice 2")
    assert [table.model().summary_at(r).subject for r in range(table.model().rowCount())] == [
        "Invoice 27",
        "Invoice 24",
        "Invoice 21",
    ]
    field.clear()
    assert table.model().rowCount() == 30
    assert "30" in window.findChild(QLabel, "inboxCount").text()


def test_a_message_sent_by_another_process_shows_by_itself(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = inbox_window()
    window.inbox_action.trigger()
    # `smtpgui sandbox` in a terminal: another process, the same folder.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    other = subprocess.Popen(
        [sys.executable, "-m", "smtpgui", "--config-dir", str(config_dir), "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(config_dir.parent),
    )
    try:
        assert other.stderr is not None and other.stdout is not None
        said = other.stderr.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", said)
        assert found, said
        port = int(found.group(1))
        state = window.findChild(QLabel, "sandboxState")
        qtbot.waitUntil(lambda: f"process {other.pid}" in state.text(), timeout=10000)
        assert not window.findChild(QPushButton, "sandboxStartButton").isEnabled()
        send(port, "From elsewhere")
        table = window.findChild(QTableView, "inboxList")
        qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10000)
        assert table.model().index(0, 3).data() == "From elsewhere"
        assert "From elsewhere" in other.stdout.readline()  # the terminal said it too
    finally:
        other.send_signal(signal.SIGINT)  # Ctrl-C
        assert other.wait(20) == 130
    qtbot.waitUntil(lambda: "stopped" in window.findChild(QLabel, "sandboxState").text().lower(), timeout=10000)


def test_the_sandbox_starts_with_the_window_when_asked(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.core.appsettings import AppSettings

    SettingsStore(config_dir).save(AppSettings(sandbox_autostart=True))
    window = inbox_window()
    qtbot.waitUntil(lambda: window.inbox.status is not None and window.inbox.status.here, timeout=15000)
    assert "smtpgui.ui.inboxview" not in sys.modules or window.inbox._view is None  # not built for that
    window.inbox_action.trigger()
    box = window.findChild(object, "sandboxAutostartBox")
    qtbot.waitUntil(box.isChecked, timeout=5000)
    box.setChecked(False)
    qtbot.waitUntil(lambda: not SettingsStore(config_dir).load().sandbox_autostart, timeout=5000)
    window.close()
    assert not (config_dir / "sandbox.json").exists()  # the window's sandbox stopped with it


def test_first_run_try_it_with_the_local_sandbox_sends_and_shows_the_message(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = inbox_window()
    button = window.findChild(QPushButton, "emptySandboxButton")
    assert button is not None and button.isVisible()  # the second choice (the first: from an address)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.tests.dialogs) == 1, timeout=20000)
    connections = window.services.connections.list_all()
    assert [c.name for c in connections] == ["Local sandbox"]
    sandbox = connections[0]
    port = window.inbox.status.port
    assert window.inbox.status.here and sandbox.host == "127.0.0.1" and sandbox.port == port != 1025
    assert sandbox.pinned_sha256  # STARTTLS to the sandbox's own certificate, pinned
    dialog = window.tests.dialogs[0]
    assert dialog.to_edit.text()
    subject = dialog.subject_edit.text()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)  # the real engine sends
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=30000)
    assert dialog.last_result.ok, dialog.last_result.error
    view = window.findChild(object, "inboxView")
    qtbot.waitUntil(lambda: view is not None and view.isVisible(), timeout=10000)
    table = window.findChild(QTableView, "inboxList")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.currentIndex().isValid(), timeout=10000)
    assert table.model().index(0, 3).data() == subject
    headers = window.findChild(QPlainTextEdit, "headersView")
    qtbot.waitUntil(lambda: "TLS: TLS" in headers.toPlainText(), timeout=10000)  # it went over STARTTLS
    dialog.close()


def test_new_messages_are_inserted_at_the_top_under_the_search(qtbot) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.storage.inbox import MessageSummary
    from smtpgui.ui.inboxmodel import InboxModel

    def summary(i: int, subject: str) -> MessageSummary:
        return MessageSummary(i, 1e9 + i, f"a{i}@example.com", ("b@example.org",), subject, 100, 0)

    model = InboxModel()
    model.set_messages([summary(3, "Invoice 3"), summary(2, "News 2"), summary(1, "Invoice 1")])
    model.set_search("INVOICE")
    assert [model.summary_at(r).id for r in range(model.rowCount())] == [3, 1]
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.set_messages([summary(5, "Invoice 5"), summary(4, "News 4"), *[summary(i, s) for i, s in
                        ((3, "Invoice 3"), (2, "News 2"), (1, "Invoice 1"))]])  # fmt: skip
    assert [model.summary_at(r).id for r in range(model.rowCount())] == [5, 3, 1]
    assert inserted == [(0, 0)] and not resets  # the rows below (and the selection) stay put
    model.set_search("")
    assert [model.summary_at(r).id for r in range(model.rowCount())] == [5, 4, 3, 2, 1]
    model.set_messages([summary(5, "Invoice 5"), summary(3, "Invoice 3")])  # deleted elsewhere: a reset
    assert resets and model.rowCount() == 2 and model.total() == 2


def test_a_port_another_program_holds_makes_the_sandbox_take_a_free_one(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    import socket

    window = inbox_window()
    with socket.socket() as holder:  # another program on the port (a Mailpit on 1025, say)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        window.inbox.port = taken
        window.inbox_action.trigger()
        button = window.findChild(QPushButton, "sandboxStartButton")
        qtbot.waitUntil(lambda: button.isEnabled() and "Start" in button.text(), timeout=10000)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: button.isEnabled() and "Stop" in button.text(), timeout=15000)
        port = window.inbox.status.port
        assert port and port != taken
        assert f":{port}" in window.findChild(QLabel, "sandboxState").text()
        send(port, "On the free port")
        table = window.findChild(QTableView, "inboxList")
        qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10000)


def test_a_huge_message_is_shown_cut_never_whole_on_the_gui_thread(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.core.messagedisplay import MAX_RAW_SHOWN

    body = ("word " * 15 + "\r\n") * 80_000  # ~6 MB of text
    raw = f"From: big@example.com\r\nTo: b@example.org\r\nSubject: Huge\r\n\r\n{body}".encode()
    store = InboxStore(config_dir / INBOX_FILE)
    store.add(raw, Envelope("big@example.com", ("b@example.org",)))
    store.close()
    window = inbox_window()
    window.inbox_action.trigger()
    table = window.findChild(QTableView, "inboxList")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10000)
    table.setCurrentIndex(table.model().index(0, 0))
    raw_view = window.findChild(QPlainTextEdit, "rawView")
    qtbot.waitUntil(lambda: "inbox show" in raw_view.toPlainText(), timeout=20000)
    assert len(raw_view.toPlainText()) < MAX_RAW_SHOWN + 200
    text = window.findChild(QPlainTextEdit, "textView").toPlainText()
    assert len(text) < len(raw) // 4 and "inbox show 1" in text


def test_a_poll_reads_only_the_arrivals_unless_something_else_changed(config_dir: Path) -> None:
    from smtpgui.ui.inboxjobs import SandboxAccess

    def add(store: InboxStore, i: int) -> int:
        raw = f"From: a{i}@example.com\r\nTo: b@example.org\r\nSubject: S{i}\r\n\r\nx\r\n".encode()
        return store.add(raw, Envelope(f"a{i}@example.com", ("b@example.org",)))

    access = SandboxAccess(config_dir, lambda: None)
    try:
        other = InboxStore(config_dir / INBOX_FILE)  # another process's writes, as far as SQLite knows
        for i in range(5):
            add(other, i)
        first = access.changes(None)
        assert first.summaries is not None and len(first.summaries) == 5 and first.added is None
        assert access.changes(first.version, (5, 4, 3, 2, 1), 5).summaries is None  # nothing changed
        add(other, 5)
        add(other, 6)
        arrivals = access.changes(first.version, (5, 4, 3, 2, 1), 5)
        assert [s.id for s in arrivals.added or []] == [7, 6] and arrivals.summaries is None
        other.delete([2])
        after_delete = access.changes(arrivals.version, (7, 6, 5, 4, 3), 7)
        assert after_delete.added is None and [s.id for s in after_delete.summaries or []] == [7, 6, 5, 4, 3, 1]
        other.close()
    finally:
        access.close()


def test_hostile_headers_are_shown_literally_with_controls_visible(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    subject = "=?utf-8?b?" + __import__("base64").b64encode("Invoice \u202efdp.exe\x1b[31m".encode()).decode() + "?="
    raw = (
        f'From: "<img src=/dev/zero>" <evil@example.com>\r\nTo: <b>bold</b>@example.org\r\nSubject: {subject}\r\n\r\nx\r\n'
    ).encode()
    store = InboxStore(config_dir / INBOX_FILE)
    store.add(raw, Envelope("evil@example.com", ("victim@example.org",)))
    store.close()
    window = inbox_window()
    window.inbox_action.trigger()
    table = window.findChild(QTableView, "inboxList")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=10000)
    shown_subject = table.model().index(0, 3).data()
    assert "\u202e" not in shown_subject and "\x1b" not in shown_subject and "fdp.exe" in shown_subject
    assert "<img src=/dev/zero>" in table.model().index(0, 1).data()  # literally, as text
    tooltip = table.model().index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tooltip and "&lt;img" in tooltip  # escaped: Qt shows it, never renders it
    table.setCurrentIndex(table.model().index(0, 0))
    headers = window.findChild(QPlainTextEdit, "headersView")
    qtbot.waitUntil(lambda: "Subject:" in headers.toPlainText(), timeout=10000)
    assert "\u202e" not in headers.toPlainText() and "\x1b" not in headers.toPlainText()
    title = window.findChild(QLabel, "messageTitle")
    assert title.textFormat() == Qt.TextFormat.PlainText and "\u202e" not in title.text()


def test_an_inbox_file_that_is_not_one_is_said_and_left_alone(inbox_window, qtbot, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    config_dir.mkdir(parents=True, exist_ok=True)
    damaged = config_dir / INBOX_FILE
    damaged.write_bytes(b"this is not a database\n" * 100)
    before = damaged.read_bytes()
    window = inbox_window()
    window.inbox_action.trigger()
    state = window.findChild(QLabel, "sandboxState")
    qtbot.waitUntil(lambda: "inbox" in state.text().lower() and str(damaged) in state.text(), timeout=10000)
    assert "Traceback" not in state.text()
    assert damaged.read_bytes() == before  # never changed or deleted


def test_delete_one_message_and_delete_all_after_asking(inbox_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = inbox_window()
    port = started(window, qtbot)
    for subject in ("First", "Second", "Third"):
        send(port, subject)
    table = window.findChild(QTableView, "inboxList")
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10000)
    delete = window.findChild(QPushButton, "inboxDeleteButton")
    clear = window.findChild(QPushButton, "inboxClearButton")
    assert not delete.isEnabled() and clear.isEnabled()  # nothing selected yet
    table.setCurrentIndex(model.index(1, 0))  # "Second"
    qtbot.waitUntil(delete.isEnabled, timeout=5000)
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)
    assert [model.index(r, 3).data() for r in range(2)] == ["Third", "First"]
    store = InboxStore(window.inbox.access.store.path)
    try:
        assert [s.subject for s in store.summaries()] == ["Third", "First"]  # gone from the file too
    finally:
        store.close()
    window.prompts.delete_ok = False  # the person says no: nothing is deleted
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert window.prompts.asked[-1] == "clear-inbox:2" and model.rowCount() == 2
    window.prompts.delete_ok = True
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=10000)
    assert not clear.isEnabled() and not delete.isEnabled()
