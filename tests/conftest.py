"""Shared fixtures: temporary config folders and a way to run the installed ``smtpgui``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smtpgui.storage.services import Services, build_services
from tests.support.identity import FakeIdentity, fake_identity
from tests.support.keyrings import MemoryKeyring

pytest_plugins = ["tests.support.sandbox"]  # the sandbox's fixtures (certificate made once a session)

REPO = Path(__file__).resolve().parent.parent
# Widgets run headless unless a test asks for a real display (Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def services(tmp_path: Path, keyring_backend: MemoryKeyring) -> Services:
    return build_services(tmp_path / "config", keyring_backend=keyring_backend)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class CliRunner:
    """Runs the installed ``smtpgui`` command in its own config folder and test keyring."""

    config_dir: Path
    keyring_file: Path
    extra_env: dict[str, str]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SMTPGUI_CONFIG_DIR=str(self.config_dir),
            SMTPGUI_TEST_KEYRING=str(self.keyring_file),
            PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
            PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
            QT_QPA_PLATFORM="offscreen",
        )
        env.update(self.extra_env)
        return env

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 60) -> CliResult:
        executable = Path(sys.executable).with_name("smtpgui")
        command = [str(executable)] if executable.exists() else [sys.executable, "-m", "smtpgui"]
        # No stdin given: /dev/null, never the terminal pytest runs in (a command that prompts on
        # a terminal, `add --auth password` say, would wait for a person).
        feed: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
        done = subprocess.run(
            [*command, *args],
            **feed,
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            cwd=self.config_dir.parent,
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    def secrets(self) -> dict[str, str]:
        import json

        if not self.keyring_file.exists():
            return {}
        return dict(json.loads(self.keyring_file.read_text()))


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    (tmp_path / "config").mkdir()
    return CliRunner(tmp_path / "config", tmp_path / "keyring.json", {})


@pytest.fixture
def make_cli(tmp_path: Path) -> Callable[[str], CliRunner]:
    def make(name: str) -> CliRunner:
        folder = tmp_path / name
        folder.mkdir()
        return CliRunner(folder / "config", folder / "keyring.json", {})

    return make


@pytest.fixture
def idp() -> Iterator[FakeIdentity]:
    """The local fake identity provider and Graph (tests/support/identity.py), on loopback."""
    with fake_identity() as identity:
        yield identity
