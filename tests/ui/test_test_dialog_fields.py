"""The test dialog refuses what cannot be sent, and says so under the field (issue 17, item 11).

Before: a charset such as rot13, or a body the charset cannot encode, made Send do nothing at all.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.model import Connection
from smtpgui.ui.testdialog import TestEmailDialog


class _Signals(QObject):
    line = Signal(str)
    stage = Signal(str)
    finished = Signal(object)
    failed = Signal(str)


class _Job:
    """Stands in for the window's SendJob: keeps the built message, sends nothing."""

    def __init__(self, message: object) -> None:
        self.signals = _Signals()
        self.message = message

    def cancel(self) -> None:
        pass


def _dialog(qtbot, connection: Connection, settings: AppSettings | None = None):  # type: ignore[no-untyped-def]
    jobs: list[object] = []

    def make_job(conn: Connection, message: object) -> _Job:
        jobs.append(message)
        return _Job(message)

    dialog = TestEmailDialog(connection, settings or AppSettings(), make_job)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "toEdit").setText("r@example.test")
    return dialog, jobs


def _send(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)


def _problem(dialog, name: str) -> QLabel:  # type: ignore[no-untyped-def]
    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label


BASE = Connection(name="c", host="smtp.example.com", from_address="a@example.test")


def test_a_body_the_charset_cannot_encode_is_shown_under_the_body(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog, jobs = _dialog(qtbot, BASE.replace(charset="ascii"))
    dialog.findChild(QPlainTextEdit, "bodyEdit").setPlainText("Grüße")
    _send(qtbot, dialog)
    assert jobs == []
    label = _problem(dialog, "bodyProblem")
    assert not label.isHidden() and "'ü'" in label.text() and "ascii" in label.text()
    assert label.textFormat() is Qt.TextFormat.PlainText
    assert "✖" in _problem(dialog, "resultLabel").text()


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex"])
def test_a_charset_that_is_not_text_is_said_not_silent(qtbot, charset: str) -> None:  # type: ignore[no-untyped-def]
    dialog, jobs = _dialog(qtbot, BASE.replace(charset=charset))
    _send(qtbot, dialog)
    assert jobs == []
    assert charset in _problem(dialog, "resultLabel").text()


def test_problems_sit_under_their_fields_and_clear_when_fixed(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog, jobs = _dialog(qtbot, BASE)
    dialog.findChild(QLineEdit, "toEdit").setText('"smith,john"@example.test, bad\u2028@example.test')
    dialog.findChild(QLineEdit, "subjectEdit").setText("S\u2028Bcc: x@evil.example")
    _send(qtbot, dialog)
    assert jobs == []
    assert "single line" in _problem(dialog, "toProblem").text()
    assert "single line" in _problem(dialog, "subjectProblem").text()
    assert _problem(dialog, "bodyProblem").isHidden()
    dialog.findChild(QLineEdit, "toEdit").setText('"smith,john"@example.test')
    dialog.findChild(QLineEdit, "subjectEdit").setText("fine")
    _send(qtbot, dialog)
    assert len(jobs) == 1 and jobs[0].recipients == ('"smith,john"@example.test',)  # type: ignore[attr-defined]
    assert _problem(dialog, "toProblem").isHidden() and _problem(dialog, "subjectProblem").isHidden()


def test_a_missing_ca_file_is_named_before_anything_is_sent(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from smtpgui.core.model import Security

    missing = str(tmp_path / "gone.pem")
    dialog, jobs = _dialog(qtbot, BASE.replace(security=Security.STARTTLS, ca_file=missing))
    dialog.verify_only.setChecked(True)
    _send(qtbot, dialog)
    assert jobs == []
    text = _problem(dialog, "resultLabel").text()
    assert "CA file" in text and missing in text
