"""HTML that makes Qt's layout take seconds to forever (issue 19, attack): the HTML tab lays out on
the GUI thread, so a message of a few kB could freeze the window. Nested tables cost twice as much
with each level (20 levels: 10 s, 60: never ends); one row of 5,000 cells over 50 rows took 18 s."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from smtpgui.ui.safehtml import SafeHtmlView

BOMBS = {
    "tables nested 60 deep": "<table><tr><td>" * 60 + "x" + "</td></tr></table>" * 60,
    "tables nested 20 deep, unclosed": "<table><tr><td>a<td>" * 20 + "x",
    "a row of 5,000 cells over 50 rows": "<table><tr>" + "<td>x</td>" * 5000 + "</tr>" + "<tr><td>y</td></tr>" * 50,
    "a grid of 100,000 cells": "<table>" + ("<tr>" + "<TD>x" * 50) * 2000 + "</table>",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_html_too_complex_to_lay_out_is_not_laid_out(qtbot: QtBot, name: str) -> None:
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    started = time.perf_counter()
    view.show_html(BOMBS[name])
    view.grab()  # the layout and a paint
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{name}: {elapsed:.1f} s on the GUI thread"
    assert "too complex to show here" in view.toPlainText()


def test_a_newsletter_layout_is_still_shown(qtbot: QtBot) -> None:
    row = "<tr>" + "<td>cell</td>" * 4 + "</tr>"
    html = "<table><tr><td>" * 6 + "<table>" + row * 200 + "</table>" + "</td></tr></table>" * 6
    view = SafeHtmlView()
    qtbot.addWidget(view)
    view.show_html(html)
    assert "too complex" not in view.toPlainText() and view.toPlainText().count("cell") == 800
