"""The Inbox's work off the GUI thread: a job that runs one call, and the sandbox as workers reach it.

:class:`SandboxAccess` holds the window's :class:`~smtpgui.services.sandbox.SandboxService` and
its inbox store, both made on a worker the first time they are needed (opening SQLite, importing
aiosmtpd); every method here may block and is only ever called from a :class:`Call` on the pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from smtpgui.core.messagedisplay import DisplayParts
    from smtpgui.core.model import Connection
    from smtpgui.services import AppServices
    from smtpgui.services.sandbox import SandboxService, SandboxStatus
    from smtpgui.storage.inbox import InboxStore, MessageSummary, StoredMessage


NEW_AT_ONCE = 200  # arrivals between two polls read as such (more: the whole list is read again)


class Changes(NamedTuple):
    """What a poll found: the data version (None: the store could not be read, ``trouble`` says why),
    the sandbox's state, and every summary when the version changed."""

    version: int | None
    status: SandboxStatus | None
    trouble: str
    summaries: list[MessageSummary] | None
    added: list[MessageSummary] | None = None  # only these arrived (newest first): nothing else changed
    hay: list[str] | None = None  # what a search looks in, per summary (made here, not on the GUI thread)


def sandbox_folder(config_dir: Path) -> Path | None:
    """Where the sandbox keeps its files: under a config folder the person chose, else (None) the
    per-user data folder, the same one ``smtpgui sandbox`` and ``smtpgui inbox`` use."""
    from smtpgui.storage.paths import user_config_dir

    try:
        default = Path(config_dir).resolve() == user_config_dir().resolve()
    except OSError:
        default = False
    return None if default else Path(config_dir)


class SandboxAccess:
    """The sandbox service and its store for one window; every method blocks (call from a worker)."""

    def __init__(self, config_dir: Path, on_message: Callable[[], object]) -> None:
        self.config_dir = config_dir
        self.on_message = on_message
        self._lock = threading.RLock()
        self._service: SandboxService | None = None
        self._store: InboxStore | None = None
        self.warmed = threading.Event()  # set once warm_up is done

    @property
    def service(self) -> SandboxService:
        with self._lock:
            if self._service is None:
                from smtpgui.services.sandbox import SandboxService

                service = SandboxService(sandbox_folder(self.config_dir))
                service.on_message = self._arrived
                self._service = service
            return self._service

    def _arrived(self, _summary: object) -> None:
        self.on_message()

    @property
    def store(self) -> InboxStore:
        with self._lock:
            if self._store is None:
                self._store = self.service.store()
            return self._store

    def changes(self, known_version: int | None, known_top: tuple[int, ...] = (), known_total: int = 0) -> Changes:
        """The sandbox's state and the store's data version and, when the version is not
        ``known_version``, what changed: only the new messages when nothing else did (the list
        shown starts with ``known_top`` and holds ``known_total``), else every summary. Read after
        the version: a change meanwhile shows at the next poll. A store that cannot be read is a sentence."""
        from smtpgui.core.errors import SmtpguiError

        status = self.service.status()
        try:
            version = self.store.data_version()
            if version == known_version:
                return Changes(version, status, "", None)
            if known_top:
                page = self.store.summaries(limit=len(known_top) + NEW_AT_ONCE)
                ids = [s.id for s in page]
                new = next((i for i, ident in enumerate(ids) if ident <= known_top[0]), len(ids))
                same = min(len(ids) - new, len(known_top))  # the newest known ones, still there in order?
                unchanged = same > 0 and ids[new : new + same] == list(known_top[:same])
                if unchanged and self.store.count() == known_total + new:
                    return Changes(version, status, "", None, page[:new])  # only arrivals: the usual case
            from smtpgui.ui.inboxmodel import search_text

            summaries = self.store.summaries()
            return Changes(version, status, "", summaries, None, [search_text(s) for s in summaries])
        except SmtpguiError as exc:
            return Changes(None, status, str(exc), None)

    def summaries(self, limit: int | None = None) -> list[MessageSummary]:
        return self.store.summaries(limit=limit)

    def warm_up(self) -> None:
        """Load the modules opening the Inbox needs (its widgets', SQLite, the service's) and make the
        service; no file is opened or made: a person who never opens the Inbox gets no inbox file."""
        import importlib

        for name in ("smtpgui.ui.inboxview", "smtpgui.core.messagedisplay", "smtpgui.storage.inbox"):
            importlib.import_module(name)
        _ = self.service
        self.warmed.set()

    def message(self, message_id: int) -> tuple[int, StoredMessage | None, DisplayParts | None]:
        from smtpgui.core.messagedisplay import display_parts

        message = self.store.message(message_id)
        return message_id, message, display_parts(message.raw) if message is not None else None

    def start(self, port: int) -> SandboxStatus:
        """Start the sandbox on ``port``; when another program holds it (a Mailpit on 1025, say), on a
        free port instead: the window shows which (the command line's ``--port`` is not at hand here)."""
        from smtpgui.services.sandbox import SandboxError

        with self._lock:
            try:
                return self.service.start(port=port)
            except SandboxError:
                if port == 0:
                    raise
                return self.service.start(port=0)

    def start_unless_running(self, port: int) -> SandboxStatus:
        """The sandbox's state once it runs (here, or already in another process)."""
        with self._lock:
            status = self.service.status()
            return status if status.running else self.start(port)

    def stop(self) -> SandboxStatus:
        with self._lock:
            self.service.stop()
            return self.service.status()

    def close(self) -> None:
        """Stop the sandbox this process runs and close the store (the window closes)."""
        with self._lock:
            if self._service is not None and self._service.status().here:
                self._service.stop()
            if self._store is not None:
                self._store.close()
                self._store = None

    def first_run_connection(
        self, services: AppServices, existing: list[Connection], port: int
    ) -> tuple[Connection, SandboxStatus]:
        """Start the sandbox (unless one runs) and save the "Local sandbox" connection to it."""
        from smtpgui.services.connections import unique_name
        from smtpgui.services.sandbox import sandbox_connection

        status = self.start_unless_running(port)
        name = unique_name("Local sandbox", [c.name for c in existing])
        connection = sandbox_connection(name, status.port or port, service=self.service)
        return services.connections.create(connection), status
