"""The window's side of issue 21, items 3 and 4: *Copy as…* on a card's menu (the clipboard
holds a swaks command, an msmtprc account, a curl command or SMTP_* variables, never the
password) and the import chooser (Thunderbird profiles and ~/.msmtprc found on their own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QMenu

from smtpgui.ui.mainwindow import MainWindow
from tests.support.keyrings import MemoryKeyring
from tests.support.prompts import ScriptedPrompts

DATA = Path(__file__).resolve().parents[1] / "data" / "settingsin"
EXPECTED = {
    "swaks": "swaks --server work.example.com:587 --tls",
    "msmtprc": 'account Work\nhost "work.example.com"',
    "curl": "curl --url smtp://work.example.com:587 --ssl-reqd",
    "env": "SMTP_HOST=work.example.com",
}


@pytest.mark.parametrize("fmt", list(EXPECTED))
def test_copy_as_puts_the_settings_on_the_clipboard(window_with_work: MainWindow, fmt: str) -> None:
    window = window_with_work
    QApplication.clipboard().clear()
    window.exchange.copy_settings(fmt)
    text = QApplication.clipboard().text()
    assert EXPECTED[fmt] in text
    assert "original-password" not in text
    assert "Copied" in window.statusBar().currentMessage()


def test_the_card_menu_offers_copy_as_with_each_format(qtbot, window_with_work: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = window_with_work
    index = window.model.index(0, 0)
    window.card_menus.on_menu_button(index, window.list.viewport().mapToGlobal(QPoint(10, 10)))
    menu = window.card_menus.menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    submenu = menu.findChild(QMenu, "copyAsMenu")
    assert isinstance(submenu, QMenu) and submenu.menuAction() in menu.actions()
    names = [a.objectName() for a in submenu.actions()]
    assert names == ["copyAsSwaksAction", "copyAsMsmtprcAction", "copyAsCurlAction", "copyAsEnvAction"]
    QApplication.clipboard().clear()
    submenu.actions()[2].trigger()
    qtbot.waitUntil(lambda: "curl --url" in QApplication.clipboard().text())
    menu.close()


def test_a_graph_connection_cannot_be_copied_and_says_why(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, prompts: ScriptedPrompts
) -> None:
    from smtpgui.core.model import Connection, Kind
    from smtpgui.storage.store import ConnectionStore

    ConnectionStore(config_dir).add(
        Connection(name="G", kind=Kind.GRAPH, tenant_id="t", client_id="c", mailbox="me@example.com")
    )
    window = make_window()
    QApplication.clipboard().setText("untouched")
    window.exchange.copy_settings("swaks")
    assert QApplication.clipboard().text() == "untouched"
    assert any("Microsoft Graph" in text for _title, text in prompts.messages)


def _home_with_sources(home: Path) -> tuple[Path, Path]:
    profile = home / ".thunderbird" / "abcd1234.default-release"
    profile.mkdir(parents=True)
    prefs = profile / "prefs.js"
    prefs.write_text((DATA / "thunderbird-prefs.js").read_text())
    (home / ".thunderbird" / "profiles.ini").write_text(
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd1234.default-release\nDefault=1\n"
    )
    msmtprc = home / ".msmtprc"
    msmtprc.write_text((DATA / "msmtprc-user").read_text())
    return prefs, msmtprc


def test_local_sources_are_found_through_profiles_ini(tmp_path: Path) -> None:
    from smtpgui.services.settingsin import find_local_sources

    prefs, msmtprc = _home_with_sources(tmp_path)
    found = find_local_sources(tmp_path)
    assert [(s.path, s.format) for s in found] == [(prefs, "thunderbird"), (msmtprc, "msmtprc")]
    assert "default-release" in found[0].label
    assert find_local_sources(tmp_path / "empty") == []


def test_the_chooser_lists_them_and_returns_the_choice(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.services.settingsin import find_local_sources
    from smtpgui.ui.importchooser import ImportChooser

    prefs, msmtprc = _home_with_sources(tmp_path)
    dialog = ImportChooser(find_local_sources(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sources.count() == 2
    assert dialog.import_button.isEnabled()  # the first one is chosen
    dialog.sources.setCurrentRow(1)
    assert dialog.choice() == (str(msmtprc), "msmtprc")
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("auto"))
    dialog.set_file(str(prefs))
    assert dialog.choice() == (str(prefs), "auto")
    assert dialog.sources.currentRow() == -1


def test_the_chooser_with_nothing_found_says_so_and_waits_for_a_file(qtbot) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.ui.importchooser import ImportChooser

    dialog = ImportChooser([])
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert "No Thunderbird profile" in dialog.empty_label.text()
    assert dialog.choice() is None


def test_the_window_imports_an_msmtprc_and_stores_its_password_when_asked(
    window: MainWindow, prompts: ScriptedPrompts, keyring_backend: MemoryKeyring
) -> None:
    prompts.import_choice = (str(DATA / "msmtprc-user"), "auto")
    prompts.store_passwords = True
    window.exchange.import_connections()
    names = [window.model.connection_at(row).name for row in range(window.model.rowCount())]
    assert names == ["freemail", "freemail2", "company", "lan"]
    assert "store-passwords:company" in prompts.asked
    company = window.model.connection_at(2)
    assert keyring_backend.entries == {("smtpgui", f"{company.id}:password"): "s3cret with spaces"}
    [(_title, text)] = [m for m in prompts.messages if m[0] == "Imported"]
    assert "passwordeval" in text and "s3cret" not in text


def test_the_window_leaves_the_password_out_when_told(
    window: MainWindow, prompts: ScriptedPrompts, keyring_backend: MemoryKeyring
) -> None:
    prompts.import_choice = (str(DATA / "swaks-command.txt"), "swaks")
    prompts.store_passwords = False
    window.exchange.import_connections()
    assert window.model.rowCount() == 1 and keyring_backend.entries == {}


def test_a_file_that_is_not_settings_is_a_warning(window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    prompts.import_choice = (str(bad), "auto")
    window.exchange.import_connections()
    assert window.model.rowCount() == 0
    assert [title for title, _ in prompts.messages] == ["Cannot import"]
