"""What the window's flows may use of the window (a protocol, so no flow imports the window).

The main window owns small objects, one per flow (the test flow, sign-in, detect settings,
import and export, the connections' own actions, what the keyring holds); each gets the window
as a ``WindowContext`` and reaches the rest of the application through ``services``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QThreadPool

    from smtpgui.core.model import Connection
    from smtpgui.services import AppServices
    from smtpgui.transport.engine import SessionEngine
    from smtpgui.ui.discoveryflow import DiscoveryFlow
    from smtpgui.ui.editor import ConnectionEditor
    from smtpgui.ui.keyringstate import KeyringState
    from smtpgui.ui.models import ConnectionListModel
    from smtpgui.ui.prompts import Prompts
    from smtpgui.ui.workers import Job


class WindowContext(Protocol):
    """The parts of the main window its flows work with."""

    services: AppServices
    prompts: Prompts
    model: ConnectionListModel
    keyring: KeyringState
    draft: Connection | None
    pool: QThreadPool

    @property
    def editor(self) -> ConnectionEditor: ...

    @property
    def current_id(self) -> str | None: ...

    @property
    def discovery(self) -> DiscoveryFlow: ...

    @property
    def engine(self) -> SessionEngine: ...

    def status(self, text: str, timeout_ms: int = 0) -> None: ...

    def start_job(self, job: Job) -> None: ...

    def reload(self, select_id: str | None = None) -> None: ...

    def current_connection(self) -> Connection | None: ...

    def resolve_unsaved(self) -> bool: ...

    def open_draft(self, draft: Connection) -> None: ...

    def close_editor(self) -> None: ...
