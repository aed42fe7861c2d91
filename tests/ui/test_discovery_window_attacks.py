"""The window's discovery under attack (engineer G): closing, cancelling or pressing Find twice
while a lookup waits on a silent DNS server, a zone with thousands of records, and no question
asked before the person asks one. Real widgets, the local DNS and HTTPS servers."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTreeWidget, QWidget

from smtpgui.core.discovery import MAX_SUGGESTIONS
from smtpgui.core.model import Connection
from smtpgui.storage.store import ConnectionStore
from tests.support.discovery import DiscoveryLab, discovery_lab
from tests.support.editor import open_tab

pytestmark = pytest.mark.integration

PROMPT_S = 1.5  # "at once" for a person closing a dialog or the window


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        for name, value in lab.env().items():
            monkeypatch.setenv(name, value)
        yield lab


def open_discover_dialog(window, qtbot):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(QPushButton, "emptyAddressButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.discovery.dialog is not None and window.discovery.dialog.isVisible())
    return window.discovery.dialog


def type_address(qtbot, dialog, address: str) -> None:  # type: ignore[no-untyped-def]
    edit = dialog.findChild(QLineEdit, "discoverAddressEdit")
    edit.clear()
    qtbot.keyClicks(edit, address)


def ended_soon(qtbot, window, job) -> None:  # type: ignore[no-untyped-def]
    """``job`` reported back (the window forgets a job when it does) within a moment."""
    qtbot.waitUntil(lambda: job not in window.jobs, timeout=int(PROMPT_S * 1000))


def warmed_up(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """The window's own idle work after the first paint (loading the engine) is done, so that only
    the lookup is measured."""
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: "smtpgui.core.message" in sys.modules and window.pool.activeThreadCount() == 0)


def find_button(dialog) -> QPushButton:  # type: ignore[no-untyped-def]
    return dialog.findChild(QPushButton, "discoverFindButton")


def test_cancel_while_dns_is_silent_ends_the_lookup_at_once(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.dns.silent.add("test")  # every question unanswered: the lookup would wait for its whole deadline
    dialog = open_discover_dialog(window, qtbot)
    type_address(qtbot, dialog, "bob@example.test")
    qtbot.mouseClick(find_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.job is not None
    qtbot.waitUntil(lambda: bool(lab.dns.questions))  # it is asking
    job = dialog.job
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    ended_soon(qtbot, window, job)  # "the worker went on after Cancel" otherwise


def test_closing_the_window_during_a_lookup_is_prompt(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.dns.silent.add("test")
    warmed_up(qtbot, window)
    dialog = open_discover_dialog(window, qtbot)
    type_address(qtbot, dialog, "bob@example.test")
    qtbot.mouseClick(find_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(lab.dns.questions))
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < PROMPT_S
    assert window.pool.activeThreadCount() == 0


def test_closing_the_sender_check_during_a_silent_lookup_ends_it(
    make_window, config_dir, qtbot, lab: DiscoveryLab
) -> None:  # type: ignore[no-untyped-def]
    lab.dns.silent.add("test")
    ConnectionStore(config_dir).add(
        Connection(name="Alerts", host="smtp.office365.com", from_address="alerts@company.test")
    )
    window = make_window()
    open_tab(window, "main")
    qtbot.mouseClick(window.findChild(QPushButton, "senderCheckButton"), Qt.MouseButton.LeftButton)
    dialog = window.discovery.dialog
    qtbot.waitUntil(lambda: bool(lab.dns.questions))
    job = dialog.panel.job
    dialog.reject()
    ended_soon(qtbot, window, job)  # "the check went on after its dialog closed" otherwise


def test_find_pressed_twice_fast_runs_one_lookup(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.dns.delays["example.test"] = 0.5
    dialog = open_discover_dialog(window, qtbot)
    type_address(qtbot, dialog, "bob@example.test")
    dialog.find_settings()
    dialog.find_settings()  # a double click, or Return and a click
    qtbot.keyClick(dialog.findChild(QLineEdit, "discoverAddressEdit"), Qt.Key.Key_Return)
    assert len(window.jobs) == 1
    status = dialog.findChild(QLabel, "discoverStatus")
    qtbot.waitUntil(lambda: dialog.job is None, timeout=15000)
    assert sum(1 for q in lab.dns.questions if q.name == "_submissions._tcp.example.test") == 1, status.text()


def test_a_zone_with_thousands_of_records_fills_a_short_table(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.dns.add("_submissions._tcp.example.test", "SRV", *[f"0 1 {2000 + i} s{i}.example.test." for i in range(1500)])
    lab.dns.add("_submission._tcp.example.test", "SRV", *[f"0 1 {4000 + i} t{i}.example.test." for i in range(1500)])
    dialog = open_discover_dialog(window, qtbot)
    type_address(qtbot, dialog, "bob@example.test")
    qtbot.mouseClick(find_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=15000)
    table = dialog.findChild(QTreeWidget, "discoverSuggestions")
    assert 0 < table.topLevelItemCount() <= MAX_SUGGESTIONS


def test_nothing_is_looked_up_before_the_person_asks(make_window, config_dir, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(
        Connection(name="Alerts", host="smtp.office365.com", from_address="alerts@company.test")
    )
    window = make_window()
    qtbot.waitExposed(window)
    for tab in ("main", "auth", "encryption", "proxy", "graph"):
        open_tab(window, tab)
    dialog = window.tests.open_dialog()
    assert dialog is not None
    assert not dialog.findChild(QWidget, "senderDomainPanel").isVisible()
    dialog.reject()
    window.findChild(QAction, "addressAction").trigger()
    qtbot.waitUntil(lambda: window.discovery.dialog is not None and window.discovery.dialog.isVisible())
    window.discovery.dialog.reject()
    assert window.pool.waitForDone(5000)  # whatever the window started meanwhile has ended
    assert not lab.dns.questions
    assert not lab.web.requests and not lab.plain.requests


def test_an_unsaved_from_that_is_not_an_address_is_said_and_nothing_is_asked(
    make_window, config_dir, qtbot, lab: DiscoveryLab
) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(
        Connection(name="Alerts", host="smtp.office365.com", from_address="alerts@company.test")
    )
    window = make_window()
    open_tab(window, "main")
    edit = window.findChild(QLineEdit, "fromEdit")
    edit.setText("alerts@[127.0.0.1]")  # a valid address, but no domain to look up
    qtbot.mouseClick(window.findChild(QPushButton, "senderCheckButton"), Qt.MouseButton.LeftButton)
    summary = window.discovery.dialog.findChild(QLabel, "senderSummary")
    qtbot.waitUntil(lambda: summary.text().startswith("The check could not run"), timeout=5000)
    assert "From address" in summary.text() and "address literal" in summary.text()
    assert not lab.dns.questions


def test_closing_the_test_dialog_stops_its_sender_check(make_window, config_dir, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.dns.silent.add("test")
    ConnectionStore(config_dir).add(
        Connection(name="Alerts", host="smtp.office365.com", from_address="alerts@company.test")
    )
    window = make_window()
    dialog = window.tests.open_dialog()
    section = dialog.findChild(QWidget, "senderDomainPanel")
    section.run()  # as its button does once a test has finished
    qtbot.waitUntil(lambda: bool(lab.dns.questions))
    job = section.job
    dialog.reject()
    ended_soon(qtbot, window, job)  # "the check went on after the test dialog closed" otherwise


@pytest.mark.parametrize(
    "address",
    ["a" * 32767, "bob@" + ".".join(["d" * 63] * 3) + ".test"],  # a hostile paste; a valid 200-character domain
)
def test_a_long_word_in_a_message_does_not_widen_the_dialog(window, qtbot, lab: DiscoveryLab, address: str) -> None:  # type: ignore[no-untyped-def]
    lab.dns.silent.add("test")
    dialog = open_discover_dialog(window, qtbot)
    width = dialog.width()
    dialog.findChild(QLineEdit, "discoverAddressEdit").setText(address)  # a paste
    qtbot.mouseClick(find_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.findChild(QLabel, "discoverAddressProblem").isVisible() or dialog.job is not None)
    dialog.layout().activate()
    assert dialog.width() <= width and dialog.minimumSizeHint().width() <= width
    dialog.reject()
