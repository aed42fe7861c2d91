"""Screenshots of the main window and the test dialog, for the README (and, with --extra, the rest).

Runs the real app against temporary config folders, an in-memory keyring and an aiosmtpd
server on loopback. Needs a display: run it under Xvfb, for example

    xvfb-run -a -s "-screen 0 1280x900x24" python resources/screenshots/take_screenshots.py [--extra DIR]

Writes main-window.png and test-dialog.png next to this script. With ``--extra DIR`` it also
writes, into DIR: the empty first run, the card menu, the preset picker (and its Amazon SES
region choice), the settings dialog, each editor tab at 800×560 and the window on a dark palette.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from PySide6.QtCore import QEventLoop, QRect, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from smtpgui.app import build_main_window
from smtpgui.core.model import AuthMode, Connection, Kind, ProxyType, Security
from smtpgui.storage.results import ResultStore, StoredResult
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.mainwindow import MainWindow
from tests.support.keyrings import MemoryKeyring
from tests.support.servers import PASSWORD, USER, make_pki, smtp_server


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab_screen_area(widgets: list[QWidget], path: Path) -> None:
    """The screen under ``widgets`` (a window and its popup menu, say), as one picture."""
    area = QRect()
    for widget in widgets:
        area = area.united(QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size()))
    screen = QGuiApplication.primaryScreen()
    screen.grabWindow(0, area.x(), area.y(), area.width(), area.height()).save(str(path))


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.AlternateBase, "#2a2b2e"),
        (QPalette.ColorRole.ToolTipBase, "#2a2b2e"),
        (QPalette.ColorRole.ToolTipText, "#e8eaed"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#2d2e31"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
        (QPalette.ColorRole.Mid, "#3c3d40"),
        (QPalette.ColorRole.Light, "#4a4b4f"),
        (QPalette.ColorRole.Dark, "#111214"),
    ):
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return palette


def twelve_cards(store: ConnectionStore, loopback_port: int, ca_file: str) -> list[Connection]:
    """Twelve connections a user might keep: default, disabled, failed, passed, long host, and more."""
    made = [
        Connection(
            name="Loopback relay",
            host="127.0.0.1",
            port=loopback_port,
            security=Security.STARTTLS,
            ca_file=ca_file,
            auth_mode=AuthMode.PASSWORD,
            username=USER,
            from_address="alerts@example.com",
            from_name="Monitoring",
            description="Test server on this machine.",
        ),
        Connection(
            name="Gmail — ops",
            host="smtp.gmail.com",
            port=587,
            auth_mode=AuthMode.PASSWORD,
            username="ops@example.com",
            is_default=True,
        ),
        Connection(
            name="Office 365 relay",
            host="smtp.office365.com",
            port=587,
            auth_mode=AuthMode.OAUTH2,
            username="noreply@example.com",
        ),
        Connection(name="Legacy printer relay", host="10.0.0.25", port=25, security=Security.NONE, enabled=False),
        Connection(
            name="SES eu-west-1",
            host="email-smtp.eu-west-1.amazonaws.com",
            port=465,
            security=Security.TLS,
            auth_mode=AuthMode.PASSWORD,
            username="AKIAEXAMPLE",
            proxy_type=ProxyType.SOCKS5,
            proxy_host="proxy.example.com",
            proxy_port=1080,
        ),
        Connection(name="Lab (self-signed)", host="mail.lab.example", port=465, security=Security.TLS, verify=False),
        Connection(
            name="Billing notifications (EU data centre)",
            host="outbound-relay-01.billing.eu-central-1.internal.example-corporation.com",
            port=2525,
            security=Security.STARTTLS,
            auth_mode=AuthMode.PASSWORD,
            username="billing",
        ),
        Connection(name="SendGrid", host="smtp.sendgrid.net", port=587, auth_mode=AuthMode.PASSWORD, username="apikey"),
        Connection(
            name="Graph — helpdesk",
            kind=Kind.GRAPH,
            tenant_id="contoso.onmicrosoft.com",
            client_id="00000000-0000-0000-0000-000000000000",
            mailbox="helpdesk@contoso.example",
        ),
        Connection(
            name="Mailtrap sandbox",
            host="sandbox.smtp.mailtrap.io",
            port=2525,
            auth_mode=AuthMode.PASSWORD,
            username="box",
        ),
        Connection(name="Old backup relay", host="backup-mx.example.net", port=587, enabled=False),
        Connection(
            name="Fastmail",
            host="smtp.fastmail.com",
            port=465,
            security=Security.TLS,
            auth_mode=AuthMode.PASSWORD,
            username="me@fastmail.example",
        ),
    ]
    added = [store.add(c) for c in made]
    results = ResultStore(store.config_dir)
    now = time.time()
    outcomes = {
        1: StoredResult(True, "quit", now - 2 * 3600),
        2: StoredResult(False, "auth", now - 12 * 60, "535 5.7.139 Authentication unsuccessful"),
        4: StoredResult(True, "quit", now - 3 * 86400),
        5: StoredResult(False, "tls", now - 40 * 60, "certificate verify failed: self-signed certificate"),
        6: StoredResult(False, "connect", now - 5 * 3600, "timed out"),
        7: StoredResult(True, "quit", now - 50),
        10: StoredResult(False, "greeting", now - 8 * 86400, "554 no service"),
    }
    for index, result in outcomes.items():
        results.record(added[index].id, result)
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, help="also write the other screenshots into this folder")
    args = parser.parse_args(argv)
    extra: Path | None = args.extra
    if extra is not None:
        extra.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="smtpgui-shots-"))
    pki = make_pki(folder)
    keyring = MemoryKeyring()
    if extra is not None:
        first = build_main_window(folder / "empty", keyring_backend=keyring)
        first.resize(1100, 720)
        first.show()
        settle()
        first.grab().save(str(extra / "01-first-run.png"))
        first.close()
    with smtp_server("starttls", pki) as server:
        store = ConnectionStore(folder / "config")
        cards = twelve_cards(store, server.port, str(pki.ca_file))
        local = cards[0]
        keyring.set_password("smtpgui", f"{local.id}:password", PASSWORD)
        window = build_main_window(folder / "config", keyring_backend=keyring)
        window.resize(1100, 860)
        window.show()
        window.select_connection(local.id)
        settle()
        window.grab().save(str(HERE / "main-window.png"))
        if extra is not None:
            window.grab().save(str(extra / "02-twelve-cards.png"))
            _extra_shots(window, cards, extra)
            window.resize(1100, 860)
            window.select_connection(local.id)
            settle()
        dialog = window.tests.open_dialog()
        assert dialog is not None
        dialog.to_edit.setText("you@example.com")
        loop = QEventLoop()
        dialog.result_ready.connect(lambda _r: loop.quit())
        dialog.send()
        QTimer.singleShot(15000, loop.quit)
        loop.exec()
        settle()
        dialog.grab().save(str(HERE / "test-dialog.png"))
        dialog.close()
        if extra is not None:
            settle()
            window.grab().save(str(extra / "03-card-passed-just-now.png"))
            _dark_shot(window, keyring, extra)
        window.close()
    print(
        f"wrote {HERE / 'main-window.png'} and {HERE / 'test-dialog.png'}" + (f", extras in {extra}" if extra else "")
    )
    QApplication.instance().quit()  # type: ignore[union-attr]
    return 0


def _extra_shots(window: MainWindow, cards: list[Connection], extra: Path) -> None:
    from smtpgui.ui.presetpicker import PresetPicker
    from smtpgui.ui.settingsdialog import SettingsDialog

    # The card menu, opened from the ⋮ of the failed card.
    index = window.filter.mapFromSource(window.model.index(window.model.row_of(cards[2].id), 0))
    window.list.setCurrentIndex(index)
    settle(100)
    rect = window.list.visualRect(index)
    anchor = window.list.viewport().mapToGlobal(rect.bottomRight())
    anchor.setX(anchor.x() - 40)
    window.card_menus.popup(anchor)
    settle()
    assert window.card_menu is not None
    grab_screen_area([window.list, window.card_menu], extra / "04-card-menu.png")
    window.card_menu.close()
    # The preset picker, as it opens and with Amazon SES picked.
    picker = PresetPicker(window)
    picker.show()
    settle()
    picker.grab().save(str(extra / "05-preset-picker.png"))
    picker.search.setText("amazon")
    picker.region.setCurrentIndex(picker.region.findData("eu-west-1"))
    settle()
    picker.grab().save(str(extra / "06-preset-picker-ses.png"))
    picker.close()
    # Settings, with a pasted sender and then a mistyped one.
    settings = SettingsDialog(window.services.settings, window.services.settings.load(), window)
    settings.from_edit.setText('"Ops Robot" <ops@example.com>')
    settings.show()
    settle()
    settings.grab().save(str(extra / "07-settings.png"))
    settings.from_edit.setText("ops@@example")
    settle()
    settings.grab().save(str(extra / "08-settings-invalid.png"))
    settings.close()
    # Each tab at 800×560, on the SES connection (proxy and TLS filled in).
    window.select_connection(cards[4].id)
    window.resize(800, 560)
    settle()
    for number, name in enumerate(("main", "auth", "encryption", "proxy"), start=9):
        window.editor.tabs.setCurrentWidget(getattr(window.editor, f"{name}_tab"))
        settle()
        window.grab().save(str(extra / f"{number:02d}-tab-{name}-800x560.png"))
    # The Security note and the port warning.
    window.resize(1100, 860)
    window.editor.tabs.setCurrentWidget(window.editor.encryption_tab)
    combo = window.editor.encryption_tab.widgets["security"]
    combo.setCurrentIndex(combo.findData("starttls"))  # type: ignore[attr-defined]
    settle()
    window.grab().save(str(extra / "13-security-sets-the-port.png"))
    window.editor.main_tab.widgets["port"].setValue(465)  # type: ignore[attr-defined]
    settle()
    window.grab().save(str(extra / "14-port-mismatch-warning.png"))
    window.connections.revert()
    # A new blank connection: no red before the user does anything.
    window.connections.new_connection()
    settle()
    window.grab().save(str(extra / "15-new-blank-connection.png"))
    window.connections.revert()
    settle()


def _dark_shot(window: MainWindow, keyring: MemoryKeyring, extra: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setPalette(dark_palette())
    dark = build_main_window(window.services.config_dir, keyring_backend=keyring)
    dark.resize(1100, 860)
    dark.show()
    settle()
    dark.grab().save(str(extra / "16-dark-palette.png"))
    dark.editor.tabs.setCurrentWidget(dark.editor.encryption_tab)
    dark.editor.main_tab.widgets["host"].setText("")  # type: ignore[attr-defined]
    dark.editor.reveal_problems()
    settle()
    dark.grab().save(str(extra / "17-dark-palette-warnings.png"))
    dark.editor.load(None)
    dark.close()


if __name__ == "__main__":
    raise SystemExit(main())
