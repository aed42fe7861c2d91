"""Fixtures for tests that drive real widgets (offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from smtpgui.app import build_main_window
from smtpgui.ui.mainwindow import MainWindow
from tests.support.keyrings import MemoryKeyring
from tests.support.prompts import ScriptedPrompts


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def make_window(qtbot, config_dir: Path, prompts: ScriptedPrompts, keyring_backend: MemoryKeyring):  # type: ignore[no-untyped-def]
    windows: list[MainWindow] = []

    def make(backend: object | None = None) -> MainWindow:
        window = build_main_window(config_dir, prompts, backend or keyring_backend)
        qtbot.addWidget(window)
        window.show()
        window.finish_startup()  # as the app does after the first paint: the editor is built
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.tests.cancel_all()
        for job in list(window.jobs):
            job.cancel()
        window.pool.waitForDone(10000)
        assert window.pool.activeThreadCount() == 0, "a test left a worker thread running"


@pytest.fixture
def window(make_window) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def window_with_work(make_window, config_dir: Path, keyring_backend: MemoryKeyring):  # type: ignore[no-untyped-def]
    from smtpgui.core.model import AuthMode, Connection
    from smtpgui.storage.store import ConnectionStore

    work = ConnectionStore(config_dir).add(
        Connection(name="Work", host="work.example.com", auth_mode=AuthMode.PASSWORD, username="u")
    )
    keyring_backend.set_password("smtpgui", f"{work.id}:password", "original-password")
    return make_window()
