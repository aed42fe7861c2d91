"""The app's log: where it goes, that it rotates, and that no remembered secret reaches it."""

from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path

import pytest

from smtpgui.core.redact import remember
from smtpgui.storage import logs


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(logs.LOG_DIR_ENV, raising=False)
    path = logs.setup_logging(tmp_path / "config")
    assert path == tmp_path / "config" / "logs" / "smtpgui.log"
    return path


def _flush() -> None:
    for handler in logs.log.handlers:
        handler.flush()


def test_a_crash_is_logged_with_its_traceback_and_without_secrets(log_file: Path) -> None:
    secret = "crash-Secret-Ocelot-55"
    remember(secret)
    try:
        raise RuntimeError(f"backend said {secret} and {base64.b64encode(secret.encode()).decode()}")
    except RuntimeError:
        logs.log_crash(*sys.exc_info())  # type: ignore[arg-type]
    _flush()
    text = log_file.read_text()
    assert "CRITICAL" in text and "Traceback" in text and "RuntimeError: backend said [hidden]" in text
    assert secret not in text and base64.b64encode(secret.encode()).decode() not in text


def test_the_log_rotates_and_keeps_a_few_files(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handler = next(h for h in logs.log.handlers if h.get_name() == "smtpgui-file")
    assert isinstance(handler, logging.FileHandler)
    monkeypatch.setattr(handler, "maxBytes", 2000)
    for i in range(400):
        logs.log.info("line %d of a long-running session", i)
    _flush()
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["smtpgui.log", "smtpgui.log.1", "smtpgui.log.2", "smtpgui.log.3"]
    assert all(p.stat().st_size <= 2100 for p in log_file.parent.iterdir())
    assert "line 399" in log_file.read_text()
    assert all(p.stat().st_mode & 0o077 == 0 for p in log_file.parent.iterdir())  # owner only, rotated too
    kept = "".join(log_file.with_name(n).read_text() for n in reversed(names))
    numbers = [int(line.split("line ")[1].split()[0]) for line in kept.splitlines()]
    assert numbers == list(range(numbers[0], 400))  # the newest lines, in order, none lost between files


def test_an_unusable_log_folder_does_not_stop_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "logs"))
    assert logs.setup_logging(None) is None
    logs.log.info("goes nowhere, raises nothing")
