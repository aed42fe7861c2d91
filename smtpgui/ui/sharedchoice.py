"""The choice between a connection's own settings and a shared credential or network connector,
as the Authentication and Proxy tabs show it: a list whose first entry is "its own", a
*Manage…* button under it, and a line saying what the chosen one does."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from smtpgui.core.errors import Problem
from smtpgui.ui.forms import hint_label
from smtpgui.ui.plaintext import PlainLabel, clean, set_plain

if TYPE_CHECKING:
    from smtpgui.core.model import Connection
    from smtpgui.core.shared import Connector, Credential, SharedSettings

OWN_CREDENTIAL = "Its own user name and password"
OWN_CONNECTOR = "This connection's own proxy (or none)"


def describe(item: Credential | Connector) -> str:
    """What a credential or connector does, in a line: 'ACME\\alice, PLAIN' or 'socks5://…'."""
    from smtpgui.core.shared import Credential

    if isinstance(item, Credential):
        who = f"{item.domain}\\{item.username}" if item.domain else item.username
        return who if item.mechanism.value == "auto" else f"{who}, {item.mechanism.value.upper()}"
    return item.url + ("" if item.remote_dns else ", names resolved here")


class SharedChoiceMixin:
    """For a :class:`~smtpgui.ui.forms.FormTab` with a combo field ``SHARED_FIELD`` (value: the
    id, "" for its own). ``shared_source`` gives the current credentials and connectors (set by
    the window); the tab's ``manage_requested`` signal carries ``SHARED_KIND``."""

    SHARED_KIND = ""
    SHARED_FIELD = ""
    shared_source: Callable[[], SharedSettings] | None = None
    manage_button: QWidget
    shared_note: PlainLabel
    _loaded: Connection | None
    _loading: bool
    form: Any
    widgets: dict[str, QWidget]
    rows: dict[str, Any]
    manage_requested: Any

    def _combo(self) -> QComboBox:
        return self.widgets[self.SHARED_FIELD]  # type: ignore[return-value]

    def build_shared_choice(self, button_text: str, object_name: str) -> None:
        """The Manage… button and the note, in rows under the combo (from ``build_extra_bottom``)."""
        button = QPushButton(button_text)
        button.setObjectName(object_name)
        button.setAccessibleName(button_text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda: self.manage_requested.emit(self.SHARED_KIND))
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(button)
        box.addStretch(1)
        self.manage_button = row
        self.manage_button_widget = button
        self.shared_note = hint_label(f"{self.SHARED_KIND}Note", "")
        # A form field that is not "Expanding" keeps its size hint's width: the note would wrap
        # in a column as narrow as its longest word run and be cut off below.
        self.shared_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        position = self.form.getWidgetPosition(self.rows[self.SHARED_FIELD])[0]
        self.form.insertRow(position + 1, "", self.shared_note)
        self.form.insertRow(position + 2, "", row)
        self._combo().currentIndexChanged.connect(self._on_shared_changed)
        self.refresh_shared()

    def _items(self) -> tuple[Credential | Connector, ...]:
        if self.shared_source is None:
            return ()
        try:
            settings = self.shared_source()
        except Exception:  # a damaged file: the list stays as it was, the window says why elsewhere
            return ()
        return settings.credentials if self.SHARED_KIND == "credential" else settings.connectors

    def refresh_shared(self) -> None:
        """Fill the list from ``shared_source``, keeping the choice (an id the source no longer
        has stays listed as gone, so a save never silently switches to "its own")."""
        combo = self._combo()
        chosen = combo.currentData() or (
            getattr(self._loaded, self.SHARED_FIELD, "") if self._loaded is not None else ""
        )
        was_loading, self._loading = self._loading, True
        try:
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            self._described: dict[str, str] = {}
            for item in self._items():
                combo.addItem(clean(item.name), item.id)  # a hand-edited file's controls shown escaped
                self._described[item.id] = describe(item)
            if chosen and combo.findData(chosen) < 0:
                combo.addItem(f"(a {self.SHARED_KIND} that no longer exists)", chosen)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        finally:
            combo.blockSignals(False)
            self._loading = was_loading
        self.update_enabled()  # type: ignore[attr-defined]

    def after_load(self, connection: Connection) -> None:
        if self._combo().findData(getattr(connection, self.SHARED_FIELD)) < 0:
            self.refresh_shared()  # added elsewhere since the list was filled
        self._combo().setCurrentIndex(max(0, self._combo().findData(getattr(connection, self.SHARED_FIELD))))

    def shared_problems(self, connection: Connection) -> list[Problem]:
        """The chosen credential or connector no longer exists (deleted elsewhere since it was
        listed): the same sentence the store gives on save, shown under the list before."""
        chosen = getattr(connection, self.SHARED_FIELD)
        if not chosen or not self.is_built() or chosen in getattr(self, "_described", {}):  # type: ignore[attr-defined]
            return []
        what = "shared credential" if self.SHARED_KIND == "credential" else "network connector"
        return [Problem(self.SHARED_FIELD, f"The {what} it uses no longer exists; choose another or its own.")]

    def shared_chosen(self) -> bool:
        return bool(self._combo().currentData())

    def _on_shared_changed(self) -> None:
        if not self._loading and self.SHARED_KIND == "credential" and self.shared_chosen():
            auth = self.widgets["auth_mode"]
            auth.setCurrentIndex(auth.findData("password"))  # type: ignore[attr-defined]
        self.update_enabled()  # type: ignore[attr-defined]

    def show_shared_note(self, applies: bool) -> None:
        chosen = self._combo().currentData()
        text = ""
        if applies and chosen:
            what = getattr(self, "_described", {}).get(chosen)
            if what is None:
                text = f"This {self.SHARED_KIND} no longer exists: choose another, or its own settings."
            elif self.SHARED_KIND == "credential":
                text = f"Signs in as {what}; the password is kept with the credential, for every connection using it."
            else:
                text = f"Goes through {what}; its password is kept with the connector."
        set_plain(self.shared_note, text)
        self.form.setRowVisible(self.shared_note, bool(text))
