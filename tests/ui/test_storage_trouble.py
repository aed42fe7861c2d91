"""The window with files it cannot write, and imports that move a connection elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from smtpgui.storage import logs


def test_a_log_that_cannot_be_written_shows_a_banner_and_the_window_works(  # type: ignore[no-untyped-def]
    make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the log folder's parent should be")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    monkeypatch.setattr(logs, "_problem", [])
    window = make_window()
    banner = window.findChild(QLabel, "keyringBanner")
    assert banner.isVisible() and str(blocker / "logs") in banner.text() and "without writing its log" in banner.text()
    assert window.model.rowCount() == 0
