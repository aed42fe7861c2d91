"""Outside text is never rendered as HTML anywhere in the window (issue 17, item 24).

A hostile session: connections imported with HTML in their name, description and host, a real
aiosmtpd server on loopback that answers a test with HTML in its 554, a certificate and a
provider prompt full of HTML, a keyring error with HTML. Then every label, tooltip and message
box the window shows is walked: none may render that text as rich text. The HTML points at a
small temporary file (never at /dev/zero: a regression must fail, not hang).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QPushButton, QWidget

from smtpgui.core.model import AuthMode, Security
from smtpgui.transport.oauth import DeviceCode
from smtpgui.transport.result import CertificateInfo
from smtpgui.ui import plaintext
from smtpgui.ui.dialogs import CertificateDialog
from smtpgui.ui.models import ConnectionRole
from smtpgui.ui.prompts import Prompts
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

# Tags the hostile peers below send, for Qt to act on: load a file, show a link, change the look.
HOSTILE_TAGS = ("<img", '<a href="http://evil', "<b>bold</b>", "<b>N</b>", "<b>h</b>")


def might_be_rich(text: str) -> bool:
    return bool(QtGui_Qt.mightBeRichText(text))


def renders_outside_html(label: QLabel) -> bool:
    """True when ``label`` would act on a hostile tag in its text."""
    text = label.text()
    if not any(tag in text for tag in HOSTILE_TAGS):
        return False
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.PlainText:
        return False
    return fmt == Qt.TextFormat.RichText or might_be_rich(text)


def tooltip_renders_outside_html(tip: str) -> bool:
    return might_be_rich(tip) and any(tag in tip for tag in HOSTILE_TAGS)


def offenders(widgets: list[QWidget]) -> list[str]:
    found = []
    for widget in widgets:
        if isinstance(widget, QLabel) and renders_outside_html(widget):
            found.append(f"label {widget.objectName() or type(widget).__name__}: {widget.text()!r}")
        if tooltip_renders_outside_html(widget.toolTip()):
            found.append(f"tooltip of {widget.objectName() or type(widget).__name__}: {widget.toolTip()!r}")
        if isinstance(widget, QAbstractButton) and tooltip_renders_outside_html(widget.text()):
            # Buttons draw their text literally; a hostile one is still a sign it came unfiltered.
            assert widget.text()  # nothing to fail: kept for the record
    return found


class HostileReplies:
    """aiosmtpd handler: every recipient is refused with HTML in the reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        return self.reply


@contextmanager
def hostile_server(reply: str) -> Iterator[int]:
    port = free_port()
    controller = Controller(HostileReplies(reply), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def local_file(tmp_path: Path) -> str:
    target = tmp_path / "secret.txt"
    target.write_text("a local file Qt must not read\n")
    return target.as_uri()


def export_file(path: Path, connections: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"format": "smtpgui-connections", "schema_version": 1, "connections": connections}))
    return path


def run_modal(qtbot, show: Callable[[], object]) -> list[str]:  # type: ignore[no-untyped-def]
    """Run ``show`` (which opens a modal dialog), walk the dialog's widgets, then close it."""
    seen: list[str] = []
    checked: list[bool] = []

    def inspect() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(10, inspect)
            return
        seen.extend(offenders([modal, *modal.findChildren(QWidget)]))
        checked.append(True)
        modal.close()
        if isinstance(modal, QMessageBox):
            modal.done(0)

    QTimer.singleShot(0, inspect)
    show()
    assert checked, "no dialog was shown"
    return seen


def test_a_hostile_session_shows_no_outside_text_as_html(  # type: ignore[no-untyped-def]
    make_window, prompts, tmp_path, local_file, qtbot
):
    reply = f'554 5.7.1 <img src="{local_file}"> <a href="http://evil.test/">x</a> <b>bold</b>'
    with hostile_server(reply) as port:
        hostile = {
            "name": '<b>N</b><img src="x.png">',
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "auth_mode": "none",
            "from_address": "sender@example.com",
            "description": f'<img src="{local_file}"> <a href="http://evil.test/">Click here</a>',
            "timeout_s": 10,
        }
        other = {"name": '<a href="http://evil.test/">Click</a>', "host": "<b>h</b>", "security": "none"}
        window = make_window()
        for number, entry in enumerate((hostile, other)):
            prompts.open_path = str(export_file(tmp_path / f"import{number}.json", [entry]))
            window.exchange.import_connections()
        names = {c.name: c.id for c in window.model.connections()}
        assert hostile["name"] in names, prompts.messages
        assert prompts.messages[-1][0] == "Cannot import"  # the hostile host was refused, by name
        window.select_connection(names[hostile["name"]])
        for tab in window.editor.form_tabs:  # show every tab (and its field errors, tooltips)
            window.editor.tabs.setCurrentWidget(tab)
            tab.ensure_built()
        # A hostile host typed in the editor: its field error quotes it.
        host_edit = window.editor.main_tab.widgets["host"]
        host_edit.setText("<b>h</b>")  # type: ignore[attr-defined]
        window.editor._on_edited()
        host_error = window.editor.main_tab.errors["host"]
        assert "<b>h</b>" in host_error.text()
        assert offenders([host_error]) == [], host_error.text()
        host_edit.setText("127.0.0.1")  # type: ignore[attr-defined]
        window.editor._on_edited()
        # The test dialog: a real send refused with HTML.
        dialog = window.tests.open_dialog()
        assert dialog is not None
        dialog.findChild(type(dialog.to_edit), "toEdit").setText("rcpt@example.com")
        with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
            qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
        assert not blocker.args[0].ok
        assert "<img" in dialog.result_label.text()  # the reply is shown (literally)
    # The certificate dialog with HTML in every field.
    certificate = CertificateInfo(
        subject=f'CN=<img src="{local_file}">',
        issuer='<a href="http://evil.test/">x</a>',
        not_before="<b>bold</b>",
        not_after="<b>bold</b>",
        sha256="ab" * 32,
        names=("<b>bold</b>", f'<img src="{local_file}">'),
    )
    cert_dialog = CertificateDialog(certificate, hostile["name"], window)
    qtbot.addWidget(cert_dialog)
    cert_dialog.show()
    # A device-code prompt whose code and address are HTML, and an address that is not https.
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    window.sign_ins.on_prompt(
        ("device", DeviceCode(f'<img src="{local_file}">', 'http://evil.test/"><b>bold</b>', "d", 60, 5))
    )
    state = window.editor.auth_tab.sign_in_state
    assert "<a " not in state.text() and "<img" not in state.text()
    # The keyring banner with an error that carries HTML.
    window.keyring.show_banner('<a href="http://evil.test/">unlock here</a>')
    everything = QApplication.allWidgets()
    assert offenders(everything) == []
    # Every label we made is plain text; only the sign-in prompt is rich on purpose (escaped).
    not_plain = [
        f"{label.objectName()}: {label.text()!r}"
        for label in everything
        if isinstance(label, QLabel)
        and label.textFormat() != Qt.TextFormat.PlainText
        and label is not window.editor.auth_tab.sign_in_state
    ]
    assert not_plain == []
    # The card list's tooltip.
    for row in range(window.model.rowCount()):
        tip = window.model.data(window.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
        assert not tooltip_renders_outside_html(tip), tip
        assert window.model.data(window.model.index(row, 0), ConnectionRole) is not None


def test_the_device_code_prompt_links_only_to_https(window) -> None:  # type: ignore[no-untyped-def]
    window.editor.tabs.setCurrentWidget(window.editor.auth_tab)
    window.sign_ins.on_prompt(("device", DeviceCode("ABCD-EFGH", "https://microsoft.com/devicelogin", "d", 60, 5)))
    text = window.editor.auth_tab.sign_in_state.text()
    assert '<a href="https://microsoft.com/devicelogin">' in text and "ABCD-EFGH" in text
    window.sign_ins.on_prompt(("device", DeviceCode("A<b>", "javascript:alert(1)", "d", 60, 5)))
    text = window.editor.auth_tab.sign_in_state.text()
    assert "<a " not in text and "A&lt;b&gt;" in text


@pytest.mark.parametrize(
    "ask",
    [
        lambda p, t: p.warn("Cannot import", t),
        lambda p, t: p.inform("Detected settings", t),
        lambda p, t: p.apply_probe(t),
        lambda p, t: p.confirm_delete(_named(t)),
        lambda p, t: p.ask_unsaved(t),
        lambda p, t: p.resolve_conflict(t, t),
        lambda p, t: p.choose_new_default(_named(t), [_named("other")]),
        lambda p, t: p.ask_password(_named(t)),
    ],
    ids=["warn", "inform", "apply_probe", "confirm_delete", "ask_unsaved", "conflict", "new_default", "password"],
)
def test_every_real_prompt_shows_outside_text_literally(qtbot, local_file, ask) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    hostile = f'<img src="{local_file}"> <a href="http://evil.test/">x</a> <b>bold</b>'
    assert run_modal(qtbot, lambda: ask(Prompts(parent), hostile)) == []


def test_plain_tooltip_shows_the_text_as_typed() -> None:
    tip = plaintext.plain_tooltip('<img src="x"> & <b>')
    assert "<img" not in tip and "&lt;img" in tip and might_be_rich(tip)
    assert plaintext.plain_tooltip("") == ""


def test_control_characters_in_outside_text_are_shown_escaped(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = plaintext.PlainLabel()
    qtbot.addWidget(label)
    plaintext.set_plain(label, "554 \x1b[2Jgone\u202eevil\nsecond line")
    assert label.text() == "554 \\x1b[2Jgone\\u202eevil\nsecond line"
    assert "\x1b" not in plaintext.plain_tooltip("a\x1bb")


def test_only_https_or_loopback_http_become_links() -> None:
    assert plaintext.is_safe_link("https://example.com/x")
    assert plaintext.is_safe_link("http://127.0.0.1:8400/")
    for bad in ("http://evil.test/", "javascript:alert(1)", "file:///etc/passwd", "https://", "https://a b/"):
        assert not plaintext.is_safe_link(bad), bad
        assert "<a " not in plaintext.rich_link(bad)


def _named(name: str):  # type: ignore[no-untyped-def]
    from smtpgui.core.model import Connection

    return Connection(name=name, host="h.example", auth_mode=AuthMode.NONE, security=Security.NONE)


def test_the_window_code_makes_labels_and_boxes_only_through_plaintext() -> None:
    """The one way: no bare QLabel or static QMessageBox/QInputDialog call outside plaintext.py."""
    import re

    import smtpgui.ui

    forbidden = re.compile(
        r"\bQLabel\(|QMessageBox\.(information|warning|question|critical)\(|QInputDialog\.get\w+\("
        r"|QMessageBox\(|setInformativeText\("
    )
    package = Path(smtpgui.ui.__file__).parent
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(package.glob("*.py"))
        if path.name not in ("plaintext.py", "resources_rc.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert found == []
