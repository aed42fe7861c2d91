"""The editor's Encryption tab: Browse… buttons and inline problems for local TLS files.

Issue 17, item 18: a CA file, client certificate or key that does not exist, cannot be read or
holds no certificate/key is a problem under its field, and the connection cannot be saved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from smtpgui.core.model import Connection, Security
from smtpgui.ui.editor import ConnectionEditor


@pytest.fixture
def pem(tmp_path: Path) -> dict[str, Path]:
    ca = trustme.CA()
    leaf = ca.issue_cert("client.example")
    paths = {"ca": tmp_path / "ca.pem", "cert": tmp_path / "cert.pem", "key": tmp_path / "key.pem"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    leaf.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    leaf.private_key_pem.write_to_path(str(paths["key"]))
    return paths


def _editor(qtbot) -> ConnectionEditor:  # type: ignore[no-untyped-def]
    editor = ConnectionEditor()
    qtbot.addWidget(editor)
    editor.load(Connection(name="c", host="smtp.example.com", security=Security.STARTTLS), set())
    editor.tabs.setCurrentWidget(editor.encryption_tab)
    editor.encryption_tab.ensure_built()
    return editor


def _error(editor: ConnectionEditor, field: str) -> QLabel:
    label = editor.encryption_tab.findChild(QLabel, f"{field}Error")
    assert label is not None
    return label


@pytest.mark.parametrize(
    ("edit", "field", "path"),
    [
        ("caFileEdit", "ca_file", "/nonexistent.pem"),
        ("caFileEdit", "ca_file", "/etc/passwd"),
        ("clientCertEdit", "client_cert", "/etc/passwd"),
    ],
)
def test_a_file_that_is_not_a_certificate_is_shown_under_its_field(qtbot, edit: str, field: str, path: str) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    qtbot.keyClicks(editor.encryption_tab.findChild(QLineEdit, edit), path)
    label = _error(editor, field)
    assert not label.isHidden() and path in label.text()
    assert label.textFormat() is Qt.TextFormat.PlainText
    assert not editor.save_button.isEnabled()


def test_browse_fills_the_field_and_good_files_clear_the_problem(qtbot, pem: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot)
    tab = editor.encryption_tab
    chosen = iter([str(pem["ca"]), str(pem["cert"]), str(pem["key"])])
    tab.choose_file = lambda *args, **kwargs: (next(chosen), "")  # the native dialog, as a person answers it
    for button in ("caFileBrowse", "clientCertBrowse", "clientKeyBrowse"):
        qtbot.mouseClick(tab.findChild(QPushButton, button), Qt.MouseButton.LeftButton)
    assert tab.findChild(QLineEdit, "caFileEdit").text() == str(pem["ca"])
    assert tab.findChild(QLineEdit, "clientKeyEdit").text() == str(pem["key"])
    assert all(_error(editor, f).isHidden() for f in ("ca_file", "client_cert", "client_key"))
    assert editor.save_button.isEnabled()
    current = editor.current()
    assert (current.ca_file, current.client_cert, current.client_key) == (
        str(pem["ca"]),
        str(pem["cert"]),
        str(pem["key"]),
    )
