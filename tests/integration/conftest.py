"""Fixtures for tests against real servers on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtpgui.core.model import AuthMode, Connection, Security
from tests.support.servers import USER, Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def other_name_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A certificate valid only for other.example: for hostname mismatch tests."""
    return make_pki(tmp_path_factory.mktemp("pki-other"), names=("other.example",))


def connection_for(
    port: int, pki: Pki | None = None, security: Security = Security.STARTTLS, **changes: object
) -> Connection:
    base = Connection(
        name="test",
        host="127.0.0.1",
        port=port,
        security=security,
        timeout_s=10,
        ca_file=str(pki.ca_file) if pki else "",
        from_address="sender@example.com",
        auth_mode=AuthMode.PASSWORD,
        username=USER,
    )
    return base.replace(**changes)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
