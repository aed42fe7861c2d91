"""Colours come from the palette: readable (WCAG AA, 4.5:1) on a light and on a dark palette alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from smtpgui.core.model import Connection, Security
from smtpgui.storage.store import ConnectionStore
from smtpgui.ui.colors import AA_CONTRAST, contrast_ratio, status_colors
from smtpgui.ui.icons import icon_theme

UI = Path(__file__).resolve().parents[2] / "smtpgui" / "ui"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.AlternateBase, "#2a2b2e"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#2d2e31"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
    ):
        palette.setColor(role, QColor(color))
    return palette


def light_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#efefef"),
        (QPalette.ColorRole.WindowText, "#000000"),
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.Text, "#000000"),
        (QPalette.ColorRole.Highlight, "#308cc6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        palette.setColor(role, QColor(color))
    return palette


@pytest.fixture(params=["light", "dark"])
def palette(request, qapp):  # type: ignore[no-untyped-def]
    before = qapp.palette()
    chosen = light_palette() if request.param == "light" else dark_palette()
    qapp.setPalette(chosen)
    yield chosen
    qapp.setPalette(before)


def test_status_colours_meet_aa_on_window_and_base(palette: QPalette) -> None:
    colors = status_colors(palette)
    for name in ("error", "warning", "success"):
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            ratio = contrast_ratio(getattr(colors, name), palette.color(role))
            assert ratio >= AA_CONTRAST, (name, role, ratio)


def test_labels_of_the_window_use_readable_colours(palette: QPalette, make_window, config_dir, qtbot) -> None:  # type: ignore[no-untyped-def]
    ConnectionStore(config_dir).add(Connection(name="Plain", host="h.example.com", security=Security.TLS, verify=False))
    window = make_window()
    window.editor.main_tab.widgets["host"].setText("")  # type: ignore[attr-defined]
    window.editor.reveal_problems()  # the host is missing: an error line shows
    window.editor.tabs.setCurrentWidget(window.editor.encryption_tab)
    checked = 0
    for name in ("hostError", "problemSummary", "verifyWarning"):
        label = window.findChild(QLabel, name)
        assert label is not None, name
        color = label.palette().color(QPalette.ColorRole.WindowText)
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            assert contrast_ratio(color, palette.color(role)) >= AA_CONTRAST, (name, color.name())
        checked += 1
    assert checked == 3


def test_the_icons_follow_the_palette(palette: QPalette) -> None:
    dark = palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
    assert icon_theme(palette) == ("dark" if dark else "light")


def test_no_colour_is_written_into_the_window_code() -> None:
    # A hex colour, a QColor made from a name, a style sheet colour inside a string, any style sheet.
    literal = re.compile(
        r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|QColor\(\s*[\"']|[\"'][^\"']*\bcolor\s*:|setStyleSheet\("
    )
    offenders = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "resources_rc.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
