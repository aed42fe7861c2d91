"""Discovery in the window: *New from e-mail address…* and the *Sender domain* check.

Both run only because the person asked (a dialog's button, the Main settings tab's button); the
work is the application layer's (:class:`smtpgui.services.discovery.DiscoveryService`) on the
window's pool. A chosen suggestion opens as a new, unsaved connection, as *New* does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from smtpgui.core.model import Connection

if TYPE_CHECKING:
    from smtpgui.core.discovery import Suggestion
    from smtpgui.transport.discover import DiscoveryReport
    from smtpgui.transport.network import CancelToken
    from smtpgui.transport.sendercheck import SenderReport
    from smtpgui.ui.context import WindowContext
    from smtpgui.ui.discoverdialog import DiscoverDialog
    from smtpgui.ui.senderpanel import SenderDomainPanel


class DiscoveryFlow(QObject):
    """Settings from an address, and the sender-domain check, for the window."""

    def __init__(
        self,
        window: WindowContext,
        new_connection: Callable[[Connection | None, str], bool],
        dialog_parent: QWidget,
    ) -> None:
        super().__init__(dialog_parent)
        self.window = window
        self.new_connection = new_connection
        self.dialog_parent = dialog_parent
        self.dialog: QDialog | None = None

    def _discover(self, address: str, token: CancelToken) -> DiscoveryReport:
        """On the worker: the settings from the environment (``SMTPGUI_DNS_SERVER``…), then discovery."""
        from smtpgui.transport.discover import settings_from_environment

        settings = settings_from_environment(None, None, None)
        return self.window.services.discovery.discover(address, settings, token)

    @Slot()
    def new_from_address(self) -> DiscoverDialog:
        from smtpgui.ui.discoverdialog import DiscoverDialog

        dialog = DiscoverDialog(self.window.start_job, self._discover, self.dialog_parent)  # type: ignore[arg-type]
        dialog.chosen.connect(self.create_from)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(object, str)
    def create_from(self, suggestion: Suggestion, address: str) -> None:
        """Open the chosen suggestion as a new connection in the editor (the person saves it)."""
        from smtpgui.core.discovery import source_words

        w = self.window
        draft = w.services.discovery.connection_from(suggestion, address, w.model.connections())
        if self.new_connection(draft, draft.name):
            w.status(f"Settings from {source_words(suggestion.source)}: check them and press Save.", 15000)

    # the sender domain ---------------------------------------------------------------------------

    def _checker(self, connection: Callable[[], Connection]) -> Callable[[CancelToken], SenderReport]:
        services = self.window.services

        def check(token: CancelToken) -> SenderReport:
            return services.discovery.check_sender(connection(), token=token)

        return check

    def sender_panel(self, connection: Callable[[], Connection], parent: QWidget | None = None) -> SenderDomainPanel:
        """A *Sender domain* section checking ``connection()`` when its button is pressed (and
        stopping when ``parent``, a dialog, closes)."""
        from smtpgui.ui.senderpanel import SenderDomainPanel

        panel = SenderDomainPanel(self.window.start_job, self._checker(connection), parent)  # type: ignore[arg-type]
        if isinstance(parent, QDialog):
            parent.finished.connect(panel.cancel)
        return panel

    @Slot()
    def check_sender(self) -> QDialog | None:
        """The Main settings tab's button: check the editor's connection as edited, now."""
        from smtpgui.ui.senderpanel import SenderCheckDialog

        w = self.window
        if w.editor.original is None:
            return None
        connection = w.editor.current()
        dialog = SenderCheckDialog(
            f"Sender domain of “{connection.name}”",
            w.start_job,  # type: ignore[arg-type]
            self._checker(lambda: connection),
            self.dialog_parent,
        )
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        dialog.panel.run()
        return dialog
