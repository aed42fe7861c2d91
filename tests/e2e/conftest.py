"""Fixtures for the command-line tests that run a real `smtpgui sandbox` process."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.support.processes import smtpgui_command, start_with_default_sigint
from tests.support.sandbox import seed_certificate


class Sandbox:
    """A `smtpgui sandbox` process; its port is read from its first line on standard error."""

    def __init__(self, cli: CliRunner, *args: str) -> None:
        self.process = start_with_default_sigint([*smtpgui_command(), "sandbox", "--port", "0", *args], cli.env())
        assert self.process.stderr is not None
        first = self.process.stderr.readline()
        found = re.search(r"listens on 127\.0\.0\.1:(\d+)", first)
        assert found, first + self.process.stderr.read()
        self.port = int(found.group(1))

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out or "", err or ""


@pytest.fixture
def seeded(cli: CliRunner, sandbox_certificate: Path) -> CliRunner:
    seed_certificate(sandbox_certificate, cli.config_dir)
    return cli


@pytest.fixture
def running(seeded: CliRunner) -> Iterator[Sandbox]:
    sandbox = Sandbox(seeded)
    yield sandbox
    if sandbox.process.poll() is None:
        sandbox.process.kill()
        sandbox.process.wait()
