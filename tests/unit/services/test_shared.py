"""Shared credentials and connectors in the services: the rules both front ends rely on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from keyring.backends import fail

from smtpgui.core.errors import NotFoundError, SecretStoreUnavailable, ValidationError
from smtpgui.core.model import AuthMode, Connection, Mechanism, ProxyType
from smtpgui.core.shared import Connector, Credential
from smtpgui.services import AppServices, build_app_services
from smtpgui.services.shared import InUseError
from smtpgui.storage.secrets import Slot
from tests.support.keyrings import MemoryKeyring, SetFailsKeyring


@pytest.fixture
def app(tmp_path: Path) -> AppServices:
    return build_app_services(tmp_path, keyring_backend=MemoryKeyring())


def _using(name: str, credential: Credential) -> Connection:
    return Connection(name=name, host="h.example", auth_mode=AuthMode.PASSWORD, credential_id=credential.id)


def test_the_password_lives_under_the_credentials_own_keyring_entry(app: AppServices) -> None:
    credential = app.shared.add(Credential(name="Corp", username="alice"), "pw")
    backend = app.secrets.store.backend
    assert backend.get_password("smtpgui", f"credential:{credential.id}:password") == "pw"
    connector = app.shared.add(Connector(name="Office", host="proxy.example", username="u"), "ppw")
    assert backend.get_password("smtpgui", f"connector:{connector.id}:proxy-password") == "ppw"
    assert app.shared.has_password(credential) and app.shared.has_password(connector)


def test_deleting_one_in_use_is_refused_with_the_users(app: AppServices) -> None:
    credential = app.shared.add(Credential(name="Corp", username="alice"), "pw")
    for name in ("A", "B"):
        app.connections.create(_using(name, credential))
    with pytest.raises(InUseError) as caught:
        app.shared.delete(credential)
    assert caught.value.users == ["A", "B"] and "'A', 'B'" in str(caught.value)
    assert app.shared.credential("corp") == credential
    assert app.shared.has_password(credential)


def test_a_connection_cannot_name_a_deleted_credential(app: AppServices) -> None:
    credential = app.shared.add(Credential(name="Corp", username="alice"), "pw")
    app.shared.delete(credential)
    assert not app.shared.has_password(credential)
    with pytest.raises(ValidationError, match="no longer exists"):
        app.connections.create(_using("A", credential))
    with pytest.raises(NotFoundError):
        app.shared.credential("Corp")


def test_rename_keeps_references_and_resolve_uses_the_current_values(app: AppServices) -> None:
    credential = app.shared.add(Credential(name="Corp", username="alice", mechanism=Mechanism.LOGIN), "pw")
    connection = app.connections.create(_using("A", credential).replace(username="own", mechanism=Mechanism.PLAIN))
    app.shared.rename(credential, "Head office")
    app.shared.save(app.shared.credential("Head office").replace(domain="ACME"))
    resolved = app.shared.resolve(app.connections.get("A"))
    assert (resolved.username, resolved.domain, resolved.mechanism) == ("alice", "ACME", Mechanism.LOGIN)
    assert resolved.login_name == "ACME\\alice"
    assert app.connections.get("A").username == "own"  # its own stays for when it goes back
    assert app.shared.names_of(connection) == ("Head office", None)


def test_resolve_puts_the_connectors_route_in_place_of_the_own_proxy(app: AppServices) -> None:
    connector = app.shared.add(
        Connector(name="Office", proxy_type=ProxyType.HTTP, host="proxy.example", port=3128, username="pu")
    )
    connection = app.connections.create(Connection(name="A", host="h.example", connector_id=connector.id))
    resolved = app.shared.resolve(connection)
    assert (resolved.proxy_type, resolved.proxy_host, resolved.proxy_port, resolved.proxy_username) == (
        ProxyType.HTTP,
        "proxy.example",
        3128,
        "pu",
    )


def test_names_are_checked_like_connection_names(app: AppServices) -> None:
    app.shared.add(Credential(name="Corp", username="alice"), "pw")
    for bad in ("", "x" * 51, "a\u2028b", "a\x85b", "CORP"):
        with pytest.raises(ValidationError):
            app.shared.add(Credential(name=bad, username="u"), "pw")
    with pytest.raises(ValidationError, match="user name"):
        app.shared.add(Credential(name="Empty", username=" "), "pw")
    with pytest.raises(ValidationError):
        app.shared.add(Connector(name="Bad host", host="not a host"))
    assert [c.name for c in app.shared.credentials()] == ["Corp"]


def test_nothing_is_kept_when_the_keyring_refuses_the_password(tmp_path: Path) -> None:
    app = build_app_services(tmp_path, keyring_backend=SetFailsKeyring())
    with pytest.raises(SecretStoreUnavailable):
        app.shared.add(Credential(name="Corp", username="alice"), "pw")
    assert app.shared.credentials() == ()


def test_without_a_keyring_the_password_is_refused_or_kept_for_the_session_only(tmp_path: Path) -> None:
    strict = build_app_services(tmp_path / "a", keyring_backend=fail.Keyring())
    with pytest.raises(SecretStoreUnavailable):
        strict.shared.add(Credential(name="Corp", username="alice"), "pw")
    assert strict.shared.credentials() == ()
    window = build_app_services(tmp_path / "b", keyring_backend=fail.Keyring(), session_fallback=True)
    credential = window.shared.add(Credential(name="Corp", username="alice"), "pw")
    assert window.secrets.session_only
    assert window.secrets.store.get(credential.owner, Slot.PASSWORD) == "pw"
    assert not any(b"pw" in p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file())


def test_listing_the_users_of_10000_connections_is_one_pass(app: AppServices) -> None:
    credential = app.shared.add(Credential(name="Corp", username="alice"), "pw")
    many = [_using(f"c{i}", credential) for i in range(10_000)]
    app.connections.store.update(lambda _existing: many)
    started = time.perf_counter()
    by_credential, _by_connector = app.shared.users()
    elapsed = time.perf_counter() - started
    assert len(by_credential[credential.id]) == 10_000
    assert elapsed < 1.0, elapsed


def test_a_graph_connection_cannot_use_a_shared_credential(app: AppServices) -> None:
    from smtpgui.core.model import Kind

    credential = app.shared.add(Credential(name="Corp", username="alice@example.com"), "pw")
    graph = Connection(
        name="G",
        kind=Kind.GRAPH,
        tenant_id="t",
        client_id="c",
        mailbox="m@example.com",
        auth_mode=AuthMode.PASSWORD,
        username="u@example.com",
        credential_id=credential.id,
    )
    with pytest.raises(ValidationError, match="SMTP sign-in"):
        app.connections.create(graph)
