"""Exported settings of a connection on a shared credential or connector read the password from
the credential's (connector's) keyring entry, whose name comes from ids in connections.json: a
crafted id with a line break must not add lines to an msmtprc (``passwordeval "id"`` would run)."""

from __future__ import annotations

import pytest

from smtpgui.core.errors import ValidationError
from smtpgui.core.formats.passwordread import Reader
from smtpgui.core.model import AuthMode, Connection, ProxyType
from smtpgui.services.settingsio import OUT_FORMATS, settings_text

CRAFTED = 'x\nhost evil.example\npasswordeval "touch /tmp/pwned"\n#'


@pytest.mark.parametrize("reader", [Reader.SECRET_TOOL, Reader.MACOS, Reader.VARIABLE])
@pytest.mark.parametrize("fmt", OUT_FORMATS)
@pytest.mark.parametrize("field", ["credential_id", "connector_id"])
def test_a_crafted_shared_id_is_refused_not_written(fmt: str, reader: Reader, field: str) -> None:
    connection = Connection(
        name="A", host="mail.example.com", auth_mode=AuthMode.PASSWORD, username="u",
        proxy_type=ProxyType.HTTP, proxy_host="proxy.example", proxy_username="pu", **{field: CRAFTED},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="control character"):
        settings_text(connection, fmt, reader)


def test_a_plain_shared_id_names_the_credential_s_entry() -> None:
    connection = Connection(name="A", host="mail.example.com", auth_mode=AuthMode.PASSWORD, credential_id="abc")
    text = settings_text(connection, "msmtprc", Reader.SECRET_TOOL)
    assert 'passwordeval "secret-tool lookup service smtpgui username credential:abc:password"' in text
