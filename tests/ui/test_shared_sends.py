"""A test send from the window with a shared credential and a connector: real aiosmtpd with AUTH,
real microsocks with a user and password."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from smtpgui.core.model import AuthMode, Connection, ProxyType, Security
from smtpgui.core.shared import Connector, Credential
from smtpgui.services import build_app_services
from tests.support.keyrings import MemoryKeyring
from tests.support.proxies import microsocks
from tests.support.servers import PASSWORD, USER, Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_the_window_sends_with_the_shared_credential_through_the_connector(  # type: ignore[no-untyped-def]
    make_window, config_dir: Path, keyring_backend: MemoryKeyring, pki: Pki, qtbot
) -> None:
    app = build_app_services(config_dir, keyring_backend=keyring_backend)
    with smtp_server("starttls", pki) as server, microsocks() as proxy:
        corp = app.shared.add(Credential(name="Corp", username=USER), PASSWORD)
        office = app.shared.add(
            Connector(
                name="Office", proxy_type=ProxyType.SOCKS5, host=proxy.host, port=proxy.port, username=proxy.username
            ),
            proxy.password,
        )
        app.connections.create(
            Connection(
                name="Loopback",
                host="localhost",
                port=server.port,
                security=Security.STARTTLS,
                ca_file=str(pki.ca_file),
                auth_mode=AuthMode.PASSWORD,
                credential_id=corp.id,
                connector_id=office.id,
                from_address="sender@example.com",
                timeout_s=10,
            )
        )
        window = make_window()
        dialog = window.tests.open_dialog()
        dialog.findChild(QLineEdit, "toEdit").setText("rcpt@example.com")
        with qtbot.waitSignal(dialog.result_ready, timeout=20000) as blocker:
            qtbot.mouseClick(dialog.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
        result = blocker.args[0]
        assert result.ok, result.error
        assert "proxy" in result.timings_ms
        assert len(server.handler.messages) == 1
        received = server.handler.messages[0]
        assert received.login == USER and USER.encode() in received.content  # the message states who signed in
