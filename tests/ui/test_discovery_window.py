"""The window's discovery: *New from e-mail address…* (first choice of the first-run screen) and the
*Sender domain* check (the test dialog's section, the Main tab's button), with real widgets against
the local DNS and HTTPS servers; the lookups run on workers while the window keeps painting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTreeWidget, QWidget

from smtpgui.core.model import AuthMode, Connection, OAuthProvider, Security
from smtpgui.storage.store import ConnectionStore
from tests.support.discovery import DiscoveryLab, autoconfig_xml, discovery_lab
from tests.support.editor import open_tab
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DiscoveryLab]:
    with discovery_lab(tmp_path) as lab:
        for name, value in lab.env().items():
            monkeypatch.setenv(name, value)
        yield lab


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def open_discover_dialog(window, qtbot):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.findChild(QPushButton, "emptyAddressButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.discovery.dialog is not None and window.discovery.dialog.isVisible())
    return window.discovery.dialog


def find(qtbot, dialog, address: str) -> None:  # type: ignore[no-untyped-def]
    edit = dialog.findChild(QLineEdit, "discoverAddressEdit")
    edit.clear()
    qtbot.keyClicks(edit, address)
    qtbot.mouseClick(dialog.findChild(QPushButton, "discoverFindButton"), Qt.MouseButton.LeftButton)


def test_the_first_run_screen_offers_the_address_first(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(window)
    panel = window.findChild(QWidget, "emptyState")
    buttons = [b for b in panel.findChildren(QPushButton) if b.isVisible()]
    buttons.sort(key=lambda b: b.y())
    assert buttons[0].objectName() == "emptyAddressButton" and buttons[0].isDefault()
    assert "emptyPresetButton" in [b.objectName() for b in buttons]


def test_new_from_address_ranks_suggestions_and_creates_the_chosen_one(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    lab.serve_autoconfig("company.test", autoconfig_xml(host="smtp.company.test", username="%EMAILLOCALPART%"))
    lab.dns.add("company.test", "MX", "0 company-test.mail.protection.outlook.com.")
    dialog = open_discover_dialog(window, qtbot)
    find(qtbot, dialog, "alerts@company.test")
    table = dialog.findChild(QTreeWidget, "discoverSuggestions")
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 2, timeout=15000)
    rows = [[table.topLevelItem(i).text(c) for c in range(7)] for i in range(2)]
    assert rows[0][0] == "smtp.company.test" and "autoconfig file" in rows[0][6] and "very likely" in rows[0][5]
    assert rows[1][0] == "smtp.office365.com" and "mail servers (MX)" in rows[1][6]
    table.setCurrentItem(table.topLevelItem(1))  # the person prefers Microsoft 365
    qtbot.mouseClick(dialog.findChild(QPushButton, "discoverCreateButton"), Qt.MouseButton.LeftButton)
    draft = window.editor.current()
    assert window.draft is not None
    assert (draft.host, draft.port, draft.security, draft.auth_mode, draft.oauth_provider) == (
        "smtp.office365.com",
        587,
        Security.STARTTLS,
        AuthMode.OAUTH2,
        OAuthProvider.MICROSOFT,
    )
    assert draft.username == draft.from_address == "alerts@company.test"
    assert window.connections.save()
    assert [c.host for c in window.services.connections.list_all()] == ["smtp.office365.com"]


def test_a_hostile_address_is_refused_in_the_dialog_and_nothing_is_looked_up(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    dialog = open_discover_dialog(window, qtbot)
    edit = dialog.findChild(QLineEdit, "discoverAddressEdit")
    edit.setText("bob@example.test\u2028RCPT TO:<x@y>")  # a paste: typing cannot enter U+2028
    qtbot.mouseClick(dialog.findChild(QPushButton, "discoverFindButton"), Qt.MouseButton.LeftButton)
    problem = dialog.findChild(QLabel, "discoverAddressProblem")
    assert problem.isVisible() and "single line" in problem.text()
    assert dialog.job is None and not lab.dns.questions


def test_nothing_found_says_so(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    dialog = open_discover_dialog(window, qtbot)
    find(qtbot, dialog, "bob@empty.test")
    status = dialog.findChild(QLabel, "discoverStatus")
    qtbot.waitUntil(lambda: status.text().startswith("No settings found for empty.test"), timeout=15000)
    assert not dialog.findChild(QPushButton, "discoverCreateButton").isEnabled()


def test_the_window_paints_while_discovery_waits_for_a_slow_source(window, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    from tests.support.webserver import Route

    lab.web.route("autoconfig.example.test", "/mail/config-v1.1.xml", Route(autoconfig_xml().encode(), delay=1.0))
    dialog = open_discover_dialog(window, qtbot)
    find(qtbot, dialog, "bob@example.test")
    assert dialog.job is not None  # still running: the click returned at once
    ticks = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    table = dialog.findChild(QTreeWidget, "discoverSuggestions")
    qtbot.waitUntil(lambda: table.topLevelItemCount() == 1, timeout=15000)
    timer.stop()
    assert len(ticks) >= 10  # the GUI thread kept running its timers meanwhile


# the sender domain --------------------------------------------------------------------------


def m365_dns(lab: DiscoveryLab) -> None:
    lab.dns.add("company.test", "TXT", "v=spf1 mx -all")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=reject")


def findings(widget) -> list[str]:  # type: ignore[no-untyped-def]
    return [label.text() for label in widget.findChildren(QLabel, "senderFinding")]


def test_main_tab_button_checks_the_sender_domain(make_window, config_dir, qtbot, lab: DiscoveryLab) -> None:  # type: ignore[no-untyped-def]
    m365_dns(lab)
    ConnectionStore(config_dir).add(
        Connection(name="Alerts", host="smtp.office365.com", from_address="alerts@company.test")
    )
    window = make_window()
    open_tab(window, "main")
    button = window.findChild(QPushButton, "senderCheckButton")
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.discovery.dialog
    qtbot.waitUntil(lambda: bool(findings(dialog)), timeout=15000)
    lines = findings(dialog)
    assert lines[0].startswith("✖ SPF for company.test does not include spf.protection.outlook.com")
    assert any("DMARC p=reject and no aligned DKIM" in line for line in lines)
    summary = dialog.findChild(QLabel, "senderSummary").text()
    assert summary == "2 problem(s) for mail sent as alerts@company.test through Microsoft 365:"


def test_test_dialog_has_a_sender_domain_section_after_a_test(
    make_window, config_dir, keyring_backend: MemoryKeyring, pki: Pki, qtbot, lab: DiscoveryLab
) -> None:  # type: ignore[no-untyped-def]
    lab.dns.add("company.test", "TXT", "v=spf1 ip4:127.0.0.1 -all\x1b[2J")
    lab.dns.add("_dmarc.company.test", "TXT", "v=DMARC1; p=none")
    with smtp_server("tls", pki, auth=False) as server:
        ConnectionStore(config_dir).add(
            Connection(
                name="Loopback",
                host="127.0.0.1",
                port=server.port,
                security=Security.TLS,
                ca_file=str(pki.ca_file),
                from_address="alerts@company.test",
                timeout_s=10,
            )
        )
        window = make_window()
        dialog = window.tests.open_dialog()
        section = dialog.findChild(QWidget, "senderDomainPanel")
        assert not section.isVisible()  # nothing is looked up before the person asks
        dialog.verify_only.setChecked(True)
        with qtbot.waitSignal(dialog.result_ready, timeout=20000):
            qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
        assert section.isVisible()
        assert not lab.dns.asked("company.test")
        with qtbot.waitSignal(section.checked, timeout=15000):
            qtbot.mouseClick(section.findChild(QPushButton, "senderCheckRunButton"), Qt.MouseButton.LeftButton)
        lines = findings(section)
        assert "✔ SPF for company.test lists the server 127.0.0.1" in lines, lines
        assert all("\x1b" not in line for line in lines)  # the record's escape sequence is shown, not obeyed
        assert any("unknown term" in line and "\\x1b" in line for line in lines)
        assert dialog.findChild(QLabel, "senderSummary").text() == "1 problem(s) for mail sent as alerts@company.test:"
