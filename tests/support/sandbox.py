"""The sandbox for tests: one certificate made per test session, copied into each test's data folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpgui.services.sandbox import CERT_FILE, KEY_FILE, SandboxService


@pytest.fixture(scope="session")
def sandbox_certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a sandbox certificate and key (making one takes about a second)."""
    folder = tmp_path_factory.mktemp("sandbox-cert")
    SandboxService(folder).certificate_files()
    return folder


def seed_certificate(source: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in (CERT_FILE, KEY_FILE):
        shutil.copy2(source / name, data_dir / name)


@pytest.fixture
def sandbox_dir(tmp_path: Path, sandbox_certificate: Path) -> Path:
    data_dir = tmp_path / "data"
    seed_certificate(sandbox_certificate, data_dir)
    return data_dir


@pytest.fixture
def sandbox(sandbox_dir: Path) -> Iterator[SandboxService]:
    service = SandboxService(sandbox_dir)
    service.start(port=0, tls_port=0)
    try:
        yield service
    finally:
        service.stop()
