"""The window's import (File › Import…) refuses a file that would send a stored shared credential's
password to a server none of the user's connections send it to: a warning, nothing imported."""

from __future__ import annotations

import json
from pathlib import Path

from smtpgui.core.model import AuthMode, Connection
from smtpgui.core.shared import Credential
from smtpgui.ui.mainwindow import MainWindow
from tests.support.keyrings import MemoryKeyring
from tests.support.prompts import ScriptedPrompts


def test_the_window_refuses_to_move_a_stored_credential_to_a_file_s_server(
    make_window,
    config_dir: Path,
    prompts: ScriptedPrompts,
    keyring_backend: MemoryKeyring,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    window: MainWindow = make_window()
    corp = window.services.shared.add(Credential(name="Corp", username="alice"), "corp-password")
    window.services.connections.create(
        Connection(name="Work", host="mail.example.com", auth_mode=AuthMode.PASSWORD, credential_id=corp.id)
    )
    export = tmp_path / "work.json"
    window.services.connections.export(export)
    document = json.loads(export.read_text())
    entry = document["connections"][0]
    del entry["id"]
    entry.update(name="Evil", host="evil.example", is_default=False)
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(document))
    window.reload()
    before = window.model.rowCount()
    prompts.import_choice = (str(hostile), "auto")
    window.exchange.import_connections()
    assert [title for title, _ in prompts.messages] == ["Cannot import"]
    assert "Corp" in prompts.messages[0][1] and "evil.example" in prompts.messages[0][1]
    window.reload()
    assert window.model.rowCount() == before == 1
