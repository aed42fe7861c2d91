"""The connection list model and its search filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from smtpgui.core.model import Connection, Kind, Security
from smtpgui.storage.results import StoredResult

if TYPE_CHECKING:
    from smtpgui.core.validation import TakenNames

Index = QModelIndex | QPersistentModelIndex

ConnectionRole = Qt.ItemDataRole.UserRole + 1
LastResultRole = Qt.ItemDataRole.UserRole + 2
SearchTextRole = Qt.ItemDataRole.UserRole + 3

LastResult = StoredResult  # what a card shows of the last test: ok, stage, when, summary

SECURITY_BADGES = {Security.NONE: "None", Security.STARTTLS: "STARTTLS", Security.TLS: "TLS"}


def target_text(connection: Connection) -> str:
    """Where the connection sends: host:port, or the Graph mailbox."""
    if connection.kind is Kind.GRAPH:
        return f"Graph · {connection.mailbox}"
    return f"{connection.host}:{connection.port}"


def tooltip_html(connection: Connection, result: StoredResult | None) -> str:
    """The card's tooltip: every outside text escaped, so a name is never read as markup."""
    import html  # on the first tooltip: html.entities costs ~9 ms of start-up

    lines = [f"<b>{html.escape(connection.name)}</b>", html.escape(target_text(connection))]
    security = SECURITY_BADGES.get(connection.security, "")
    if connection.kind is not Kind.GRAPH:
        lines.append(
            f"Security: {html.escape(security)}"
            + (" (certificate not verified)" if connection.certificate_unchecked else "")
        )
    if connection.is_default:
        lines.append("The default connection")
    if not connection.enabled:
        lines.append("Disabled")
    if result is not None:
        verdict = "passed" if result.ok else f"failed at {html.escape(result.stage)}"
        lines.append(f"Last test {verdict}" + (f": {html.escape(result.summary)}" if result.summary else ""))
    return "<p style='white-space:pre-wrap'>" + "<br>".join(lines) + "</p>"


class ConnectionListModel(QAbstractListModel):
    """Connections in store order. DisplayRole is the name; ConnectionRole the connection."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._connections: list[Connection] = []
        self._results: dict[str, LastResult] = {}
        # Derived from the connections on first use after each reset: start-up never pays for
        # search texts nobody has searched, and a lookup by id or name never walks every row.
        self._search: list[str] | None = None
        self._rows: dict[str, int] | None = None
        self._taken: TakenNames | None = None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._connections)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._connections):
            return None
        connection = self._connections[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return connection.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_html(connection, self._results.get(connection.id))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            default = ", default" if connection.is_default else ""
            state = "" if connection.enabled else ", disabled"
            security = SECURITY_BADGES.get(connection.security, "")
            result = self._results.get(connection.id)
            last = (
                ""
                if result is None
                else (", last test passed" if result.ok else f", last test failed at {result.stage}")
            )
            return f"{connection.name}, {connection.host} port {connection.port}, {security}{default}{state}{last}"
        if role == ConnectionRole:
            return connection
        if role == LastResultRole:
            return self._results.get(connection.id)
        if role == SearchTextRole:
            return self.search_texts()[index.row()]
        return None

    def set_connections(self, connections: list[Connection]) -> None:
        self.beginResetModel()
        self._connections = list(connections)
        self._search = self._rows = self._taken = None
        self.endResetModel()

    def connections(self) -> list[Connection]:
        return list(self._connections)

    def connection_at(self, row: int) -> Connection:
        return self._connections[row]

    def search_texts(self) -> list[str]:
        """Each row's casefolded search text (the model's own list: read it, do not change it)."""
        if self._search is None:
            self._search = [
                f"{c.name} {c.host} {c.username} {c.from_address} {c.description}".casefold() for c in self._connections
            ]
        return self._search

    def taken_names(self) -> TakenNames:
        """The names in use, for the editor's uniqueness check."""
        if self._taken is None:
            from smtpgui.core.validation import TakenNames  # the editor's, after the first paint

            self._taken = TakenNames(self._connections)
        return self._taken

    def row_of(self, connection_id: str) -> int:
        if self._rows is None:
            self._rows = {c.id: row for row, c in enumerate(self._connections)}
        return self._rows.get(connection_id, -1)

    def set_results(self, results: dict[str, StoredResult]) -> None:
        """The stored last results (read once at start); cards repaint with them."""
        self._results = dict(results)
        if self._connections:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._connections) - 1, 0), [LastResultRole])

    def last_result(self, connection_id: str) -> StoredResult | None:
        return self._results.get(connection_id)

    def set_last_result(self, connection_id: str, result: StoredResult) -> None:
        self._results[connection_id] = result
        row = self.row_of(connection_id)
        if row >= 0:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [LastResultRole])


class ConnectionFilterModel(QAbstractListModel):
    """The cards that match a search over name, host, user, sender and description.

    Every word of the search must occur in a card's search text. The visible rows are computed in
    one Python pass over the source's precomputed texts (narrowing the previous result while the
    user keeps typing) and published as one layout change; persistent indexes (the selection)
    follow their rows or become invalid. It is a list model of its own rather than a
    QSortFilterProxyModel (which asks Python once per row on every keystroke) or a
    QAbstractProxyModel (whose index() Qt calls for every row on each relayout): Qt's own index()
    leaves only the cheap rowCount() to Python. mapToSource/mapFromSource keep the proxy vocabulary.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: ConnectionListModel | None = None
        self._parts: list[str] = []
        self._rows: list[int] = []  # proxy row -> source row
        self._proxy_rows: dict[int, int] | None = None  # source row -> proxy row, built on demand

    # ------------------------------------------------------------------ source

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, ConnectionListModel):
            raise TypeError("ConnectionFilterModel filters a ConnectionListModel")
        self.beginResetModel()
        if self._source is not None:
            self._source.modelAboutToBeReset.disconnect(self.beginResetModel)
            self._source.modelReset.disconnect(self._on_source_reset)
            self._source.dataChanged.disconnect(self._on_source_data_changed)
        self._source = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._on_source_reset)
        model.dataChanged.connect(self._on_source_data_changed)
        self._set_rows(self._matching(self._parts, None))
        self.endResetModel()

    def _on_source_reset(self) -> None:
        self._set_rows(self._matching(self._parts, None))
        self.endResetModel()

    def _on_source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        model = self._source
        assert model is not None
        for source_row in range(top.row(), bottom.row() + 1):
            index = self.mapFromSource(model.index(source_row, 0))
            if index.isValid():
                self.dataChanged.emit(index, index, roles)

    # ------------------------------------------------------------------ filtering

    def set_search(self, text: str) -> None:
        parts = text.casefold().split()
        if parts == self._parts:
            return
        # A search that only narrows the previous one (each old word inside some new word)
        # can start from the rows visible now.
        narrowing = bool(self._parts) and all(any(old in new for new in parts) for old in self._parts)
        rows = self._matching(parts, self._rows if narrowing else None)
        self._parts = parts
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        self._set_rows(rows)
        assert self._proxy_rows is None
        new_rows = {source: proxy for proxy, source in enumerate(rows)}
        before = self.persistentIndexList()
        after = []
        for index in before:
            proxy = new_rows.get(old_rows[index.row()], -1) if 0 <= index.row() < len(old_rows) else -1
            after.append(self.index(proxy, 0) if proxy >= 0 else QModelIndex())
        self.changePersistentIndexList(before, after)
        self._proxy_rows = new_rows
        self.layoutChanged.emit()

    def _matching(self, parts: list[str], within: list[int] | None) -> list[int]:
        if self._source is None:
            return []
        if not parts:  # no search: every row, without building the search texts
            return list(range(self._source.rowCount())) if within is None else list(within)
        texts = self._source.search_texts()
        candidates = range(len(texts)) if within is None else within
        if len(parts) == 1:
            (part,) = parts
            return [row for row in candidates if part in texts[row]]
        return [row for row in candidates if all(part in texts[row] for part in parts)]

    def _set_rows(self, rows: list[int]) -> None:
        self._rows = rows
        self._proxy_rows = None

    # ------------------------------------------------------------------ the proxy model API

    def mapToSource(self, proxy_index: Index) -> QModelIndex:
        if not proxy_index.isValid() or self._source is None or not 0 <= proxy_index.row() < len(self._rows):
            return QModelIndex()
        return self._source.index(self._rows[proxy_index.row()], 0)

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        if self._proxy_rows is None:
            self._proxy_rows = {source: proxy for proxy, source in enumerate(self._rows)}
        proxy = self._proxy_rows.get(source_index.row(), -1)
        return self.index(proxy, 0) if proxy >= 0 else QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._source is None or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._source.data(self._source.index(self._rows[index.row()], 0), role)
