"""Shared credentials and network connectors against real parts: aiosmtpd with AUTH, microsocks
(SOCKS5 with user and password) and tinyproxy (HTTP CONNECT). The credential's password changed
once is what every connection using it signs in with; the connector's route and password are
what the session goes through."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtpgui.core.message import TestRequest
from smtpgui.core.model import AuthMode, Connection, Mechanism, ProxyType, Security
from smtpgui.core.shared import Connector, Credential
from smtpgui.services import AppServices, build_app_services
from smtpgui.transport.result import Stage
from tests.support.keyrings import MemoryKeyring
from tests.support.proxies import microsocks, tinyproxy
from tests.support.servers import PASSWORD, USER, Pki, smtp_server


@pytest.fixture
def app(tmp_path: Path) -> AppServices:
    return build_app_services(tmp_path / "config", keyring_backend=MemoryKeyring())


def _connection(name: str, port: int, pki: Pki, **changes: object) -> Connection:
    base = Connection(
        name=name,
        host="127.0.0.1",
        port=port,
        security=Security.STARTTLS,
        timeout_s=10,
        ca_file=str(pki.ca_file),
        from_address="sender@example.com",
    )
    return base.replace(**changes)


def _send(app: AppServices, connection: Connection):  # type: ignore[no-untyped-def]
    stored = app.connections.get_by_id(connection.id)
    resolved, secrets = app.shared.prepare(stored)
    message = app.tests.build_message(resolved, TestRequest(to=("r@example.com",)))
    return app.tests.run(resolved, secrets, message)


def test_a_password_changed_once_signs_in_two_connections(app: AppServices, pki: Pki) -> None:
    credential = app.shared.add(Credential(name="Corp", username=USER, mechanism=Mechanism.PLAIN), "an old password")
    with smtp_server("starttls", pki) as server:
        a = app.connections.create(
            _connection("A", server.port, pki, auth_mode=AuthMode.PASSWORD, credential_id=credential.id)
        )
        b = app.connections.create(
            _connection(
                "B",
                server.port,
                pki,
                auth_mode=AuthMode.PASSWORD,
                credential_id=credential.id,
                username="someone-else",
                mechanism=Mechanism.LOGIN,
            )
        )
        first = _send(app, a)
        assert not first.ok and first.stage is Stage.AUTH and first.exit_code == 13
        app.shared.save(credential, "correct horse battery staple")  # once, for both
        for connection in (a, b):
            result = _send(app, connection)
            assert result.ok, result.error
            assert result.auth_mechanism == "PLAIN"  # the credential's preference, not B's own LOGIN
        assert len(server.handler.messages) == 2
    # the connections' own password slots were never used or written
    assert app.secrets.stored_slots(a.id) == set() and app.secrets.stored_slots(b.id) == set()


def test_a_connection_back_on_its_own_password_uses_its_own(app: AppServices, pki: Pki) -> None:
    credential = app.shared.add(Credential(name="Corp", username=USER), "wrong for this server")
    with smtp_server("starttls", pki) as server:
        a = app.connections.create(
            _connection("A", server.port, pki, auth_mode=AuthMode.PASSWORD, credential_id=credential.id, username=USER)
        )
        assert _send(app, a).exit_code == 13
        from smtpgui.storage.secrets import Slot

        app.connections.save(a.replace(credential_id=""), secrets={Slot.PASSWORD: PASSWORD})
        assert _send(app, a).ok


def test_a_socks5_connector_with_a_password_carries_the_session(app: AppServices, pki: Pki) -> None:
    with smtp_server("starttls", pki) as server, microsocks() as proxy:
        connector = app.shared.add(
            Connector(
                name="Office", proxy_type=ProxyType.SOCKS5, host=proxy.host, port=proxy.port, username=proxy.username
            ),
            proxy.password,
        )
        credential = app.shared.add(Credential(name="Corp", username=USER), PASSWORD)
        a = app.connections.create(
            _connection(
                "A",
                server.port,
                pki,
                auth_mode=AuthMode.PASSWORD,
                credential_id=credential.id,
                connector_id=connector.id,
                host="localhost",
            )
        )
        result = _send(app, a)
        assert result.ok, result.error
        assert "proxy" in result.timings_ms
        assert len(server.handler.messages) == 1
        assert proxy.password not in "\n".join(result.transcript)
        # the connector's password changed once: the next session fails at the proxy
        app.shared.save(connector, "not the proxy password")
        failed = _send(app, a)
        assert not failed.ok and failed.stage is Stage.PROXY


def test_an_http_connect_connector_carries_the_session(app: AppServices, pki: Pki, tmp_path: Path) -> None:
    with smtp_server("starttls", pki) as server, tinyproxy(tmp_path) as proxy:
        connector = app.shared.add(
            Connector(name="Web proxy", proxy_type=ProxyType.HTTP, host=proxy.host, port=proxy.port)
        )
        # its own proxy fields point nowhere: the connector replaces them
        a = app.connections.create(
            _connection(
                "A",
                server.port,
                pki,
                connector_id=connector.id,
                proxy_type=ProxyType.SOCKS5,
                proxy_host="127.0.0.1",
                proxy_port=1,
            )
        )
        result = _send(app, a)
        assert result.ok, result.error
        assert "proxy" in result.timings_ms and len(server.handler.messages) == 1


def test_the_cli_test_signs_in_with_the_shared_credential(pki: Pki, cli) -> None:  # type: ignore[no-untyped-def]
    with smtp_server("starttls", pki) as server:
        r = cli("credential", "add", "Corp", "--username", USER, "--password-stdin", stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        for name in ("A", "B"):
            r = cli(
                "add",
                name,
                "--host",
                "127.0.0.1",
                "--port",
                str(server.port),
                "--ca-file",
                str(pki.ca_file),
                "--from",
                "sender@example.com",
                "--credential",
                "Corp",
            )
            assert r.returncode == 0, r.stderr
        for name in ("A", "B"):
            r = cli("test", name, "--to", "r@example.com")
            assert r.returncode == 0, r.stderr
        r = cli("credential", "edit", "Corp", "--password-stdin", stdin="wrong\n")
        assert r.returncode == 0, r.stderr
        assert cli("test", "A", "--verify-only").returncode == 13
        assert cli("test", "--all", "--verify-only").returncode == 13
        assert len(server.handler.messages) == 2
