"""The main window, driven as a user would: cards, editor, actions and their dialogs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListView, QPushButton, QSpinBox, QTabWidget

from smtpgui.core.model import (
    AuthMode,
    Connection,
    IpFamily,
    Kind,
    Mechanism,
    ProxyType,
    Security,
    TlsVersion,
)
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.delegate import MARGIN
from smtpgui.ui.editor import ConnectionEditor
from smtpgui.ui.models import ConnectionFilterModel, ConnectionListModel
from smtpgui.ui.prompts import Unsaved
from tests.support.editor import open_tab
from tests.support.keyrings import LockedKeyring, MemoryKeyring, OsErrorKeyring
from tests.support.prompts import ScriptedPrompts


def seed(config_dir: Path, *connections: Connection) -> list[Connection]:
    store = ConnectionStore(config_dir)
    return [store.add(c) for c in connections]


def conn(name: str, **changes: object) -> Connection:
    return Connection(name=name, host=f"{name.lower()}.example.com").replace(**changes)


def test_models_pass_qt_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ConnectionListModel()
    model.set_connections([conn("a"), conn("b", is_default=True)])
    qtmodeltester.check(model)
    proxy = ConnectionFilterModel()
    proxy.setSourceModel(model)
    proxy.set_search("b.example")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) == "a"


def test_object_names_for_automation(window_with_work) -> None:  # type: ignore[no-untyped-def]
    # With no connection the editor gives way to the first-run panel: open one.
    window = window_with_work
    # A tab's rows are built when it is first opened: until then only the secret fields and
    # the sign-in state (which the keyring's answers reach) exist.
    assert window.findChild(QLineEdit, "usernameEdit") is None
    assert window.findChild(QLineEdit, "passwordEdit") is not None
    open_tab(window, "auth")
    open_tab(window, "encryption")
    for name, kind in (
        ("connectionList", QListView),
        ("searchField", QLineEdit),
        ("editorTabs", QTabWidget),
        ("nameEdit", QLineEdit),
        ("hostEdit", QLineEdit),
        ("portSpin", QSpinBox),
        ("usernameEdit", QLineEdit),
        ("passwordEdit", QLineEdit),
        ("saveButton", QPushButton),
        ("testButton", QPushButton),
    ):
        widget = window.findChild(kind, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    for name in ("newButton", "duplicateButton", "deleteButton", "securityCombo"):
        assert window.findChild(object, name) is not None, name
    tabs = window.findChild(QTabWidget, "editorTabs")
    assert [tabs.tabText(i).replace("&", "") for i in range(4)] == [
        "Main settings",
        "Authentication",
        "Encryption",
        "Proxy",
    ]


def test_editor_round_trip_of_every_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = ConnectionEditor()
    qtbot.addWidget(editor)
    everything = Connection(
        name="All fields",
        kind=Kind.SMTP,
        enabled=False,
        is_default=True,
        description="desc\nline 2",
        signature="sig",
        append_signature=True,
        host="mail.example.org",
        port=2525,
        timeout_s=77,
        ehlo_name="client.example.org",
        charset="iso-8859-1",
        source_address="127.0.0.2",
        ip_family=IpFamily.IPV6,
        from_address="from@example.org",
        from_name="From Name",
        reply_to="reply@example.org",
        return_path="bounce@example.org",
        read_receipt_to="dnt@example.org",
        send_read_receipt=True,
        force_sender=True,
        auth_mode=AuthMode.PASSWORD,
        username="user",
        domain="CORP",
        mechanism=Mechanism.LOGIN,
        allow_insecure_auth=True,
        security=Security.TLS,
        tls_min=TlsVersion.V1_1,
        tls_max=TlsVersion.V1_2,
        verify=False,
        ca_file="/ca.pem",
        pinned_sha256="ab" * 32,
        client_cert="/c.pem",
        client_key="/k.pem",
        proxy_type=ProxyType.SOCKS5,
        proxy_host="proxy.example.org",
        proxy_port=1081,
        proxy_username="pu",
        proxy_domain="PD",
        proxy_remote_dns=False,
        tenant_id="t",
        client_id="c",
        mailbox="m@example.org",
        authority_url="https://login.example",
        graph_url="https://graph.example",
    )
    editor.load(everything)
    assert editor.current() == everything
    assert not editor.is_dirty()
    graph = everything.replace(kind=Kind.GRAPH)
    editor.load(graph)
    assert editor.current() == graph


def test_validation_is_shown_inline_and_blocks_saving(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    host = window.findChild(QLineEdit, "hostEdit")
    host.clear()
    qtbot.keyClicks(host, "bad host")
    error = window.findChild(QLabel, "hostError")
    assert error.isVisible() and "spaces" in error.text()
    save = window.findChild(QPushButton, "saveButton")
    assert not save.isEnabled()
    assert window.connections.save() is False
    assert ConnectionStore(window.services.config_dir).load() == []
    host.clear()
    qtbot.keyClicks(host, "smtp.example.com")
    assert not error.isVisible() and save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert [c.host for c in ConnectionStore(window.services.config_dir).load()] == ["smtp.example.com"]


def test_pasted_from_field_is_split_and_port_follows_security(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    qtbot.keyClicks(window.findChild(QLineEdit, "hostEdit"), "smtp.example.com")
    qtbot.keyClicks(window.findChild(QLineEdit, "fromEdit"), '"Ops Robot" <ops@example.com>')
    open_tab(window, "encryption")
    combo = window.findChild(object, "securityCombo")
    combo.setCurrentIndex(combo.findData("tls"))
    assert window.findChild(QSpinBox, "portSpin").value() == 465
    port = window.findChild(QSpinBox, "portSpin")
    port.setValue(2465)
    combo.setCurrentIndex(combo.findData("starttls"))
    assert port.value() == 2465  # a port the user chose is kept
    current = window.editor.current()
    assert (current.from_name, current.from_address) == ("Ops Robot", "ops@example.com")


def test_fields_enabled_only_where_they_apply(window) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    open_tab(window, "auth")
    auth = window.findChild(object, "authCombo")
    username = window.findChild(QLineEdit, "usernameEdit")
    auth.setCurrentIndex(auth.findData("none"))
    assert not username.isEnabled()
    auth.setCurrentIndex(auth.findData("password"))
    assert username.isEnabled()
    open_tab(window, "proxy")
    proxy = window.findChild(object, "proxyTypeCombo")
    assert not window.findChild(QLineEdit, "proxyHostEdit").isEnabled()
    proxy.setCurrentIndex(proxy.findData("socks5"))
    assert window.findChild(QLineEdit, "proxyHostEdit").isEnabled()


def test_password_is_stored_in_the_keyring_only(window, qtbot, keyring_backend: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    qtbot.keyClicks(window.findChild(QLineEdit, "hostEdit"), "smtp.example.com")
    open_tab(window, "auth")
    auth = window.findChild(object, "authCombo")
    auth.setCurrentIndex(auth.findData("password"))
    qtbot.keyClicks(window.findChild(QLineEdit, "usernameEdit"), "me")
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "Sekr1t-Pw!")
    assert window.connections.save()
    saved = ConnectionStore(window.services.config_dir).load()[0]
    assert keyring_backend.entries == {("smtpgui", f"{saved.id}:password"): "Sekr1t-Pw!"}
    for path in window.services.config_dir.rglob("*"):
        if path.is_file():
            assert b"Sekr1t-Pw!" not in path.read_bytes()
    state = window.findChild(QLabel, "passwordEditState")
    assert state.text() == "stored" and window.findChild(QLineEdit, "passwordEdit").text() == ""


def test_keyring_unavailable_shows_banner_and_keeps_secret_for_session(make_window, qtbot, config_dir) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, conn("Work", auth_mode=AuthMode.PASSWORD, username="u"))
    window = make_window(LockedKeyring())
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "pw-in-memory")
    assert window.connections.save()
    banner = window.findChild(QLabel, "keyringBanner")
    assert banner.isVisible() and "session only" in banner.text() and "locked" in banner.text()
    assert window.services.secrets.session_only
    state = window.findChild(QLabel, "passwordEditState")
    qtbot.waitUntil(lambda: "for this session only" in state.text())


@pytest.mark.parametrize("backend", [LockedKeyring, OsErrorKeyring], ids=["locked", "os-error"])
def test_an_unreachable_keyring_shows_unknown_and_the_banner_at_the_first_read(  # type: ignore[no-untyped-def]
    make_window, qtbot, config_dir, backend
) -> None:
    """Issue 17 item 22: no "not set" for a password the keyring may hold, and no wait for Save."""
    seed(config_dir, conn("Work", auth_mode=AuthMode.PASSWORD, username="u"))
    window = make_window(backend())
    banner = window.findChild(QLabel, "keyringBanner")
    assert not banner.isVisible()
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    state = window.findChild(QLabel, "passwordEditState")
    qtbot.waitUntil(lambda: state.text() != "checking the keyring…", timeout=10000)
    assert state.text() == "unknown (keyring unavailable)"
    assert banner.isVisible() and "cannot be used" in banner.text()
    # A password typed now is kept for the session and shown as such once saved.
    qtbot.keyClicks(window.findChild(QLineEdit, "passwordEdit"), "pw-in-memory")
    assert window.connections.save()
    qtbot.waitUntil(lambda: "for this session only" in state.text())


def test_duplicate_copies_all_but_secrets_and_asks_for_password(
    window_with_work,
    prompts: ScriptedPrompts,  # type: ignore[no-untyped-def]
    keyring_backend: MemoryKeyring,
) -> None:
    window = window_with_work
    prompts.password = "copy-password"
    window.connections.duplicate()
    connections = ConnectionStore(window.services.config_dir).load()
    copy = next(c for c in connections if c.name == "Work_copied")
    original = next(c for c in connections if c.name == "Work")
    assert copy.host == original.host and copy.id != original.id and not copy.is_default
    # Issue 20, item 3: asked before the copy exists, about the connection being copied
    assert "password:Work" in prompts.asked
    assert keyring_backend.entries[("smtpgui", f"{copy.id}:password")] == "copy-password"
    assert keyring_backend.entries[("smtpgui", f"{original.id}:password")] == "original-password"
    window.select_connection(original.id)
    window.connections.duplicate()
    assert any(c.name == "Work_copied2" for c in ConnectionStore(window.services.config_dir).load())


@pytest.mark.parametrize("answer", [None, ""])
def test_cancelling_the_password_of_a_duplicate_creates_nothing(  # type: ignore[no-untyped-def]
    window_with_work, prompts: ScriptedPrompts, keyring_backend: MemoryKeyring, answer: str | None
) -> None:
    window = window_with_work
    prompts.password = answer
    before = dict(keyring_backend.entries)
    window.connections.duplicate()
    assert prompts.asked == ["password:Work"]
    assert [c.name for c in ConnectionStore(window.services.config_dir).load()] == ["Work"]
    assert keyring_backend.entries == before
    assert window.model.rowCount() == 1


def test_a_connection_without_a_password_duplicates_without_asking(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, prompts: ScriptedPrompts
) -> None:
    (anon,) = seed(config_dir, conn("Anon", auth_mode=AuthMode.NONE))
    window = make_window()
    window.select_connection(anon.id)
    window.connections.duplicate()
    assert not any(q.startswith("password:") for q in prompts.asked)
    assert [c.name for c in ConnectionStore(config_dir).load()] == ["Anon", "Anon_copied"]


def test_delete_the_default_asks_which_becomes_default(make_window, config_dir, prompts: ScriptedPrompts) -> None:  # type: ignore[no-untyped-def]
    work, _ = seed(config_dir, conn("Work", is_default=True), conn("Other"))
    window = make_window()
    window.select_connection(work.id)
    prompts.new_default = "Other"
    window.connections.delete()
    assert prompts.asked[:2] == ["delete:Work", "new-default:Work"]
    remaining = ConnectionStore(config_dir).load()
    assert [(c.name, c.is_default) for c in remaining] == [("Other", True)]


def test_delete_cancelled_when_no_new_default_chosen(make_window, config_dir, prompts: ScriptedPrompts) -> None:  # type: ignore[no-untyped-def]
    work, _ = seed(config_dir, conn("Work", is_default=True), conn("Other"))
    window = make_window()
    window.select_connection(work.id)
    prompts.new_default = None
    window.connections.delete()
    assert len(ConnectionStore(config_dir).load()) == 2


def test_set_default_and_enable_toggle(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    _, other = seed(config_dir, conn("Work"), conn("Other"))
    window = make_window()
    window.select_connection(other.id)
    window.connections.set_default()
    window.connections.toggle_enabled()
    stored = {c.name: c for c in ConnectionStore(config_dir).load()}
    assert stored["Other"].is_default and not stored["Work"].is_default
    assert stored["Other"].enabled is False


def test_unsaved_changes_prompt_when_switching(make_window, config_dir, prompts: ScriptedPrompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    work, other = seed(config_dir, conn("Work"), conn("Other"))
    window = make_window()
    window.select_connection(work.id)
    host = window.findChild(QLineEdit, "hostEdit")
    qtbot.keyClicks(host, "x")
    assert window.editor.is_dirty() and "unsaved" in window.windowTitle()
    listview = window.findChild(QListView, "connectionList")
    prompts.unsaved = Unsaved.CANCEL
    listview.setCurrentIndex(window.filter.index(1, 0))
    assert prompts.asked == ["unsaved:Work"]
    assert window.editor.original.id == work.id and window.editor.is_dirty()
    prompts.unsaved = Unsaved.SAVE
    listview.setCurrentIndex(window.filter.index(1, 0))
    assert window.editor.original.id == other.id
    assert ConnectionStore(config_dir).get("Work").host == "work.example.comx"


def test_closing_with_unsaved_changes_asks(window_with_work, prompts: ScriptedPrompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = window_with_work
    qtbot.keyClicks(window.findChild(QLineEdit, "hostEdit"), "y")
    prompts.unsaved = Unsaved.CANCEL
    window.close()
    assert window.isVisible()
    prompts.unsaved = Unsaved.DISCARD
    window.close()
    assert not window.isVisible()


def test_search_filters_cards(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, *(conn(f"Conn{i}") for i in range(30)), conn("Billing", host="smtp.billing.example"))
    window = make_window()
    qtbot.keyClicks(window.findChild(QLineEdit, "searchField"), "billing")
    assert window.filter.rowCount() == 1


def test_search_keeps_the_card_being_edited(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, conn("Alpha"), conn("Beta"), conn("Gamma"))
    window = make_window()
    window.select_connection(window.model.connections()[1].id)
    window.findChild(QLineEdit, "nameEdit").setText("Beta edited")
    search = window.findChild(QLineEdit, "searchField")
    search.setText("gamma")  # hides the card being edited: the editor keeps it, nothing is lost
    assert window.filter.rowCount() == 1
    assert not window.list.currentIndex().isValid()
    assert window.editor.current().name == "Beta edited"
    search.clear()  # the card shows again and is selected again
    assert window.filter.rowCount() == 3
    assert window.list.currentIndex().data() == "Beta"
    assert window.editor.current().name == "Beta edited"


def test_filter_agrees_with_a_plain_search_while_typing(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    names = ["relay 01", "relay 10", "smtp relay", "Mailgun EU", "mailgun us", "Ops alerts", "ops relay 1"]
    model = ConnectionListModel()
    model.set_connections([conn(n.replace(" ", "-")).replace(name=n, host=f"{i}.example") for i, n in enumerate(names)])
    proxy = ConnectionFilterModel()
    proxy.setSourceModel(model)
    typed = ["r", "re", "rel", "relay", "relay ", "relay 1", "relay 10", "relay 1", "relay", "", "MAIL", "mailgun e",
             "ops", "ops r", "xyz", "o"]  # fmt: skip
    for text in typed:
        proxy.set_search(text)
        words = text.casefold().split()
        expected = [n for i, n in enumerate(names) if all(w in f"{n} {i}.example".casefold() for w in words)]
        assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == expected, text
        for row in range(proxy.rowCount()):
            source = proxy.mapToSource(proxy.index(row, 0))
            assert proxy.mapFromSource(source).row() == row
    qtmodeltester.check(proxy)
    proxy.set_search("relay")
    model.set_connections([conn("relay-x").replace(name="relay x"), conn("beta")])  # a reset keeps the search
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["relay x"]


def test_new_from_preset(window, prompts: ScriptedPrompts, qtbot) -> None:  # type: ignore[no-untyped-def]
    prompts.preset = "gmail"
    window.connections.new_from_preset()
    current = window.editor.current()
    assert (current.host, current.port, current.security) == ("smtp.gmail.com", 587, Security.STARTTLS)
    assert "app password" in window.statusBar().currentMessage()


def test_import_and_export(window_with_work, prompts: ScriptedPrompts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = window_with_work
    prompts.save_path = str(tmp_path / "out.json")
    window.exchange.export_connections()
    text = Path(prompts.save_path).read_text()
    assert "original-password" not in text and json.loads(text)["connections"][0]["name"] == "Work"
    document = json.loads(text)
    document["connections"][0]["name"] = "Imported"
    document["connections"][0].pop("id")
    (tmp_path / "in.json").write_text(json.dumps(document))
    prompts.open_path = str(tmp_path / "in.json")
    window.exchange.import_connections()
    assert {c.name for c in window.model.connections()} == {"Work", "Imported"}


def test_ui_state_is_remembered(make_window, config_dir) -> None:  # type: ignore[no-untyped-def]
    _, other = seed(config_dir, conn("Work"), conn("Other"))
    window = make_window()
    window.select_connection(other.id)
    window.close()
    again = make_window()
    assert again.editor.original.id == other.id
    assert (config_dir / "ui-state.ini").exists()


def test_trusting_a_certificate_keeps_unsaved_edits_unsaved(window_with_work, qtbot) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.transport.result import CertificateInfo

    window = window_with_work
    work = window.current_connection()
    qtbot.keyClicks(window.findChild(QLineEdit, "hostEdit"), "-edited")
    cert = CertificateInfo("CN=x", "CN=ca", "2000", "3000", "cd" * 32)
    window.tests.trust_certificate(work, cert)
    stored = ConnectionStore(window.services.config_dir).get("Work")
    assert stored.pinned_sha256 == "cd" * 32 and stored.host == "work.example.com"
    assert window.editor.is_dirty() and window.editor.current().host == "work.example.com-edited"
    assert window.editor.current().pinned_sha256 == "cd" * 32


def test_cards_fit_the_list_and_the_selected_card_is_highlighted(make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, *(conn(f"relay {i:02d}", host=f"smtp{i}.example.com") for i in range(30)))
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    view = window.list
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible())  # more cards than fit
    first = view.visualRect(window.filter.index(0, 0))
    assert first.width() == view.viewport().width()  # stretched to the list, never wider
    assert not view.horizontalScrollBar().isVisible()
    window.select_connection(window.model.connection_at(2).id)
    selected = view.visualRect(window.filter.index(2, 0))
    image = view.viewport().grab().toImage()
    highlight = view.palette().color(view.palette().ColorRole.Highlight)
    inside = MARGIN + 4  # the card is inset from the row by the delegate's margin
    pixel = image.pixelColor(selected.left() + inside, selected.center().y())
    assert pixel == highlight  # the selected card is filled with the highlight
    assert image.pixelColor(first.left() + inside, first.center().y()) != highlight


def test_tabs_not_opened_yet_keep_what_they_were_given(make_window, config_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Rows are built on a tab's first opening; until then its connection and problems wait."""
    store = ConnectionStore(config_dir)
    broken = store.add(
        Connection(name="Broken proxy", host="a.example.com", proxy_type=ProxyType.SOCKS5, proxy_host="p.example")
    )
    other = store.add(
        Connection(name="Other", host="b.example.com", auth_mode=AuthMode.PASSWORD, username="ops", is_default=False)
    )
    # edited by hand (the store refuses it): a proxy without a host
    path = config_dir / "connections.json"
    path.write_text(path.read_text().replace('"p.example"', '""'))
    broken = broken.replace(proxy_host="")
    window = make_window()
    editor = window.editor
    window.select_connection(broken.id)
    assert not editor.proxy_tab.is_built() and not editor.auth_tab.is_built()
    proxy_index = editor.tabs.indexOf(editor.proxy_tab)
    assert editor.tabs.tabText(proxy_index).replace("&", "") == "Proxy (1)"  # counted before it is built
    assert editor.current() == broken and not editor.is_dirty()
    open_tab(window, "proxy")
    assert editor.proxy_tab.is_built()
    assert window.findChild(object, "proxyTypeCombo").currentData() == "socks5"
    error = window.findChild(QLabel, "proxy_hostError")
    assert not error.isHidden() and "server" in error.text()
    assert editor.current() == broken and not editor.is_dirty()  # building edits nothing
    window.select_connection(other.id)
    open_tab(window, "auth")
    assert window.findChild(QLineEdit, "usernameEdit").text() == "ops"
    assert window.findChild(object, "authCombo").currentData() == "password"
    assert editor.tabs.tabText(proxy_index).replace("&", "") == "Proxy"
    assert editor.current() == other and not editor.is_dirty()


def test_no_keyring_at_all_shows_the_banner_at_once(make_window, qtbot, config_dir) -> None:  # type: ignore[no-untyped-def]
    """Found by a new-user trial: with no keyring service the banner waited for the first password
    read; the README promises it at once."""
    from keyring.backends import fail

    seed(config_dir, conn("Work"))  # anonymous: nothing would read the keyring for it
    window = make_window(fail.Keyring())
    banner = window.findChild(QLabel, "keyringBanner")
    qtbot.waitUntil(banner.isVisible, timeout=10000)
    assert "no keyring service" in banner.text() and "session only" in banner.text()


def test_a_working_keyring_shows_no_banner(make_window, qtbot, config_dir) -> None:  # type: ignore[no-untyped-def]
    seed(config_dir, conn("Work"))
    window = make_window()
    qtbot.waitUntil(lambda: hasattr(window, "_keyring_probe"), timeout=10000)  # asked after the first paint
    qtbot.waitUntil(lambda: window.pool.activeThreadCount() == 0, timeout=10000)
    QApplication.processEvents()  # the worker's answer is a queued signal: delivered now
    assert not window.findChild(QLabel, "keyringBanner").isVisible()
