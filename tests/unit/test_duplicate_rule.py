"""Issue 20, item 3: which connections need their password given to be duplicated (one rule)."""

from __future__ import annotations

import pytest

from smtpgui.core.errors import ValidationError
from smtpgui.core.model import AuthMode, Connection, Kind
from smtpgui.services import app_services
from smtpgui.services.connections import duplicate_needs_password
from smtpgui.storage.secrets import Slot
from smtpgui.storage.services import build_services
from tests.support.keyrings import MemoryKeyring


@pytest.mark.parametrize(
    ("connection", "needed"),
    [
        (Connection(name="p", auth_mode=AuthMode.PASSWORD, username="u"), True),
        (Connection(name="n", auth_mode=AuthMode.NONE), False),
        (Connection(name="o", auth_mode=AuthMode.OAUTH2, username="u"), False),
        # Graph with the app's client secret: no user's password
        (Connection(name="g", kind=Kind.GRAPH, auth_mode=AuthMode.NONE), False),
        # Graph with a user's password (item 9): the copy needs it
        (Connection(name="gp", kind=Kind.GRAPH, auth_mode=AuthMode.PASSWORD, username="u@example.com"), True),
    ],
)
def test_the_rule(connection: Connection, needed: bool) -> None:
    assert duplicate_needs_password(connection) is needed


def test_the_service_refuses_a_copy_without_the_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    keyring = MemoryKeyring()
    app = app_services(build_services(tmp_path, keyring))
    source = app.connections.create(Connection(name="a", host="h", auth_mode=AuthMode.PASSWORD, username="u"))
    for missing in (None, ""):
        with pytest.raises(ValidationError, match="password"):
            app.connections.duplicate(source, password=missing)
    assert [c.name for c in app.connections.list_all()] == ["a"]
    copy = app.connections.duplicate(source, password="pw")
    assert app.secrets.get(copy.id, Slot.PASSWORD) == "pw"
