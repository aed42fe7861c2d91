"""The rule that binds stored secrets to where they may be sent."""

from __future__ import annotations

import dataclasses

import pytest

from smtpgui.core.binding import BINDING_FIELDS, changed_binding, secrets_must_drop
from smtpgui.core.model import Connection, ProxyType, Security

WORK = Connection(
    name="Work", host="smtp.work.example", username="me", proxy_type=ProxyType.SOCKS5, proxy_host="p.example"
)


def test_every_binding_field_is_a_connection_field() -> None:
    assert set(BINDING_FIELDS) <= {f.name for f in dataclasses.fields(Connection)}


@pytest.mark.parametrize(
    "changes",
    [
        {"host": "evil.example"},
        {"port": 25},
        {"security": Security.NONE},
        {"username": "other"},
        {"proxy_host": "evil-proxy.example"},
        {"proxy_port": 8080},
        {"verify": False},
        {"pinned_sha256": "ab" * 32},
    ],
)
def test_moving_the_connection_drops_its_secrets(changes: dict[str, object]) -> None:
    assert secrets_must_drop(WORK, WORK.replace(**changes))


def test_renaming_or_describing_keeps_them() -> None:
    assert not secrets_must_drop(WORK, WORK.replace(name="Renamed", description="x", is_default=True))
    assert not secrets_must_drop(WORK, WORK.replace(host="SMTP.Work.Example."))
    assert changed_binding(WORK, WORK.replace(host="b.example", port=25)) == ["host", "port"]
