"""What the keyring holds for each connection, as the window shows it, and its banner.

The editor shows whether a secret is stored without asking the keyring on the GUI thread: a
``SecretStatusJob`` reads it on a worker when a tab with a secret field is shown, and saves
update what is known. A keyring that cannot be read shows "unknown", and the banner appears at
the first failed read (not only when the user saves).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from smtpgui.storage.secrets import Slot as SecretSlot
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.plaintext import PlainLabel, set_plain

if TYPE_CHECKING:
    from smtpgui.core.model import Connection
    from smtpgui.services import AppServices
    from smtpgui.transport.engine import SessionSecrets
    from smtpgui.ui.editor import ConnectionEditor
    from smtpgui.ui.workers import Job

SECRET_SLOTS = tuple(SecretSlot)


def make_banner() -> PlainLabel:
    """The warning strip above the editor (keyring unusable, log unwritable), hidden until needed."""
    banner = PlainLabel()
    banner.setObjectName("keyringBanner")
    banner.setWordWrap(True)
    banner.setFrameShape(PlainLabel.Shape.StyledPanel)
    banner.setMargin(6)
    set_status_color(banner, "warning")
    banner.hide()
    return banner


class KeyringState(QObject):
    """Per connection: which secrets the keyring holds (or that it is unknown); the banner."""

    def __init__(
        self,
        services: AppServices,
        editor: Callable[[], ConnectionEditor],
        current_id: Callable[[], str | None],
        start_job: Callable[[Job], None],
        banner: PlainLabel,
        *,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.editor, self.current_id, self.start_job = services, editor, current_id, start_job
        self.banner = banner
        # Which secrets each connection has, as last read by a SecretStatusJob or written by Save.
        self.stored: dict[str, set[SecretSlot]] = {}
        # Connections whose secrets could not be read (keyring unreachable): shown as unknown.
        self.unknown: set[str] = set()
        self._pending: set[str] = set()

    def check(self, connection_id: str | None) -> None:
        """Ask the keyring, on a worker, which secrets ``connection_id`` has (once).

        Only when a tab with a secret field is shown (or a send needs them): loading keyring's
        backends costs about 100 ms, which start-up and browsing the Main tab never pay.
        """
        if connection_id is None or connection_id in self.stored or connection_id in self._pending:
            return
        self._pending.add(connection_id)
        from smtpgui.ui.workers import SecretStatusJob  # the first secret tab shown, after start-up

        job = SecretStatusJob(self.services.secrets.store, connection_id, SECRET_SLOTS)
        job.signals.finished.connect(self._on_status)
        job.signals.failed.connect(lambda message, i=connection_id: self._on_failed(i, message))
        self.start_job(job)

    @Slot(object)
    def _on_status(self, status: tuple[str, set[SecretSlot], bool]) -> None:
        connection_id, stored, unknown = status
        self._pending.discard(connection_id)
        self.stored[connection_id] = stored
        if unknown:
            self.unknown.add(connection_id)
        else:
            self.unknown.discard(connection_id)
        editor = self.editor()
        if connection_id == self.current_id() and editor.original is not None:
            editor.set_stored(stored, self.services.secrets.session_only, unknown)
        self.show_state()

    def _on_failed(self, connection_id: str, message: str) -> None:
        """The keyring could not be read and there is no session fallback: nothing is known."""
        self._pending.discard(connection_id)  # asked again when a secret tab is shown again
        self.unknown.add(connection_id)
        editor = self.editor()
        if connection_id == self.current_id() and editor.original is not None:
            editor.set_stored(set(), self.services.secrets.session_only, unknown=True)
        self.show_banner(message)

    def written(self, connection_id: str, secrets: Mapping[SecretSlot, str | None]) -> None:
        """Secrets were just written (``None``: removed): what is known follows."""
        known = self.stored.get(connection_id)
        if known is not None:
            kept = {slot for slot, value in secrets.items() if value is not None}
            self.stored[connection_id] = (known - set(secrets)) | kept

    def forget(self, connection_id: str) -> None:
        """Read this connection's secrets again next time (something else may have changed them)."""
        self.stored.pop(connection_id, None)

    def show_state(self) -> None:
        """Show the banner as soon as any read found the keyring unusable (not only on Save)."""
        secrets = self.services.secrets
        if secrets.session_only and not self.banner.isVisible():
            self.show_banner(secrets.unavailable_reason)

    def show_banner(self, reason: str) -> None:
        set_plain(
            self.banner,
            "⚠ The system keyring cannot be used: "
            + reason.rstrip(".")
            + ". Passwords you enter are kept for this session only and will be "
            "forgotten when smtpgui closes.",
        )
        self.banner.show()

    def provider(self, pending: Mapping[SecretSlot, str | None]):  # type: ignore[no-untyped-def]
        """A function that reads a connection's session secrets on the worker thread that calls it
        (the keyring is never read on the GUI thread); ``pending`` holds unsaved edits."""
        service = self.services.secrets
        unsaved = dict(pending)

        def provide(connection: Connection) -> SessionSecrets:
            return service.for_session(connection, unsaved)

        return provide
