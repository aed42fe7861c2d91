"""Security mode and port shown together: the note says which port a mode set; a mismatch is a warning."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSpinBox

from smtpgui.core.model import Security
from smtpgui.core.ports import port_mismatch
from tests.support.editor import open_tab


def test_port_mismatch_rules() -> None:
    assert port_mismatch(465, Security.TLS) is None
    assert port_mismatch(587, Security.STARTTLS) is None
    assert port_mismatch(25, Security.NONE) is None
    assert port_mismatch(2465, Security.STARTTLS) is None  # an unusual port is the user's business
    assert "465" in (port_mismatch(587, Security.TLS) or "")
    assert "587" in (port_mismatch(465, Security.STARTTLS) or "")


def test_changing_security_says_which_port_it_set(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    open_tab(window, "encryption")
    combo = window.findChild(object, "securityCombo")
    note = window.findChild(QLabel, "securityPortNote")
    assert not note.isVisible()
    combo.setCurrentIndex(combo.findData("tls"))
    qtbot.waitUntil(note.isVisible)  # a tab's rows are shown by Qt on the next turn of the event loop
    assert "465" in note.text()
    assert window.findChild(QSpinBox, "portSpin").value() == 465
    assert not window.findChild(QLabel, "securityPortWarning").isVisible()
    open_tab(window, "main")
    window.findChild(QSpinBox, "portSpin").setValue(4650)  # the user picks another port: the note is stale
    assert window.findChild(QLabel, "securityPortNote").isHidden()


def test_a_port_that_does_not_fit_the_mode_is_a_warning_not_an_error(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.connections.new_connection()
    qtbot.keyClicks(window.findChild(object, "hostEdit"), "smtp.example.com")
    port = window.findChild(QSpinBox, "portSpin")
    port.setValue(2465)
    open_tab(window, "encryption")
    combo = window.findChild(object, "securityCombo")
    combo.setCurrentIndex(combo.findData("tls"))
    assert port.value() == 2465  # a port the user chose is kept, so no note about it
    assert not window.findChild(QLabel, "securityPortNote").isVisible()
    open_tab(window, "main")
    port.setValue(587)
    warning = window.findChild(QLabel, "portWarning")
    qtbot.waitUntil(warning.isVisible)
    assert "465" in warning.text()
    open_tab(window, "encryption")
    qtbot.waitUntil(window.findChild(QLabel, "securityPortWarning").isVisible)
    assert window.editor.problems() == []  # only a warning: saving is allowed
    assert window.connections.save()
    combo.setCurrentIndex(combo.findData("starttls"))
    assert port.value() == 587 and not window.findChild(QLabel, "securityPortWarning").isVisible()
    open_tab(window, "main")
    assert not warning.isVisible()
