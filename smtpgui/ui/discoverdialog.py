"""*New from e-mail address…*: type an address, see ranked suggestions, choose one.

The address is checked here first (a line break or a bad domain is said under the field and
nothing is looked up); discovery then runs on the window's pool, and the suggestions come back
best first, each with where it came from and how sure it is. Server-supplied text reaches the
widgets only cleaned (``clean``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smtpgui.ui.colors import set_status_color
from smtpgui.ui.offthread import Call
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain

if TYPE_CHECKING:
    from smtpgui.core.discovery import Suggestion
    from smtpgui.transport.discover import DiscoveryReport
    from smtpgui.transport.network import CancelToken

SIGN_IN_WORDS = {"none": "none", "password": "password", "oauth2": "OAuth2"}
SECURITY_WORDS = {"none": "none (plain text)", "starttls": "STARTTLS", "tls": "SSL/TLS"}


class DiscoverDialog(QDialog):
    """Settings from an e-mail address.

    Signals:
        chosen(object, str): the Suggestion picked and the address it is for.
    """

    chosen = Signal(object, str)

    def __init__(
        self,
        start: Callable[[Call], None],
        discover: Callable[[str, CancelToken], DiscoveryReport],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("discoverDialog")
        self.setWindowTitle("New connection from an e-mail address")
        self.start, self.discover = start, discover
        self.job: Call | None = None
        self.report: DiscoveryReport | None = None
        intro = PlainLabel(
            "Type the address the mail will be sent as. smtpgui asks its domain's DNS, its settings file, "
            "Thunderbird's ISP database and its mail servers for the submission settings (only now, "
            "because you asked)."
        )
        intro.setWordWrap(True)
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("discoverAddressEdit")
        self.address_edit.setAccessibleName("E-mail address")
        self.address_edit.setPlaceholderText("alerts@example.com")
        self.address_edit.returnPressed.connect(self.find_settings)
        self.find_button = QPushButton("&Find settings")
        self.find_button.setObjectName("discoverFindButton")
        self.find_button.clicked.connect(self.find_settings)
        self.problem = PlainLabel()
        self.problem.setObjectName("discoverAddressProblem")
        self.problem.setWordWrap(True)
        set_status_color(self.problem, "error")
        self.problem.hide()
        self.status = PlainLabel("")
        self.status.setObjectName("discoverStatus")
        self.status.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setObjectName("discoverSuggestions")
        self.table.setAccessibleName("Suggested settings, best first")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Server", "Port", "Security", "Sign-in", "User name", "How sure", "Found in"])
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item, _column: self.create_connection())
        self.create_button = QPushButton("&Create connection")
        self.create_button.setObjectName("discoverCreateButton")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self.create_connection)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.address_edit, 1)
        row.addWidget(self.find_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.find_button.setDefault(True)
        self.resize(760, 460)

    @Slot()
    def find_settings(self) -> None:
        """Check the address, then look it up on a worker."""
        from smtpgui.core.discovery import address_domain

        if self.job is not None:
            return
        try:
            address, domain = address_domain(self.address_edit.text())
        except ValueError as exc:
            set_plain(self.problem, str(exc))
            self.problem.show()
            self.address_edit.setFocus()
            return
        self.problem.hide()
        self.table.clear()
        self.report = None
        job = Call(lambda token: self.discover(address, token), cancellable=True)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        self.job = job
        self.find_button.setEnabled(False)
        set_status_color(self.status, "")
        set_plain(self.status, f"Looking up the settings for {domain}…")
        self._update_buttons()
        self.start(job)

    def _current(self) -> bool:
        """The signal comes from the job this dialog still waits for (not one it cancelled)."""
        return self.job is not None and self.sender() is self.job.signals

    @Slot(object)
    def _on_finished(self, report: DiscoveryReport) -> None:
        from smtpgui.core.discovery import confidence_words, source_words

        if not self._current():
            return
        self.job = None
        self.report = report
        self.find_button.setEnabled(True)
        for s in report.suggestions:
            item = QTreeWidgetItem(
                [
                    clean(s.host),
                    str(s.port),
                    SECURITY_WORDS[s.security.value],
                    SIGN_IN_WORDS[s.auth.value] + (f" ({s.label})" if s.label and s.auth.value == "oauth2" else ""),
                    clean(s.username),
                    f"{confidence_words(s.confidence)} ({s.confidence})",
                    clean(source_words(s.source)),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, s)
            item.setToolTip(6, clean(source_words(s.source)))
            self.table.addTopLevelItem(item)
        if report.suggestions:
            first = self.table.topLevelItem(0)
            if first is not None:
                self.table.setCurrentItem(first)
            set_status_color(self.status, "")
            count = len(report.suggestions)
            choose = "best first: choose one and press Create."
            set_plain(self.status, f"{count} suggestion(s) for {report.domain}, {choose}")
            self.create_button.setFocus()
        else:
            set_status_color(self.status, "warning")
            why = report.why_nothing().rstrip(".")
            set_plain(
                self.status,
                f"No settings found for {report.domain} ({why}). Add the connection from a preset or by hand.",
            )
        self._update_buttons()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._current():
            return
        self.job = None
        self.find_button.setEnabled(True)
        set_status_color(self.status, "error")
        set_plain(self.status, f"Discovery could not run: {message}")

    def selected(self) -> Suggestion | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        self.create_button.setEnabled(self.job is None and self.selected() is not None)
        self.create_button.setDefault(self.create_button.isEnabled())

    def done(self, result: int) -> None:
        """Closed (Cancel, Escape, the title bar, Create): a lookup still running is stopped."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
            self.find_button.setEnabled(True)
        super().done(result)

    @Slot()
    def create_connection(self) -> None:
        suggestion = self.selected()
        if suggestion is None or self.report is None:
            return
        self.chosen.emit(suggestion, self.report.address)
        self.accept()
