"""The connection list model and its search filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from smtpgui.core.model import Connection

Index = QModelIndex | QPersistentModelIndex

ConnectionRole = Qt.ItemDataRole.UserRole + 1
LastResultRole = Qt.ItemDataRole.UserRole + 2
SearchTextRole = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class LastResult:
    """The outcome of the last test of a connection, as the card shows it."""

    ok: bool
    summary: str
    when: str


class ConnectionListModel(QAbstractListModel):
    """Connections in store order. DisplayRole is the name; ConnectionRole the connection."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._connections: list[Connection] = []
        self._search: list[str] = []
        self._results: dict[str, LastResult] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._connections)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._connections):
            return None
        connection = self._connections[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return connection.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{connection.name} — {connection.host}:{connection.port} ({connection.security.value})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            default = ", default" if connection.is_default else ""
            state = "" if connection.enabled else ", disabled"
            return f"{connection.name}, {connection.host} port {connection.port}{default}{state}"
        if role == ConnectionRole:
            return connection
        if role == LastResultRole:
            return self._results.get(connection.id)
        if role == SearchTextRole:
            return self._search[index.row()]
        return None

    def set_connections(self, connections: list[Connection]) -> None:
        self.beginResetModel()
        self._connections = list(connections)
        self._search = [
            f"{c.name} {c.host} {c.username} {c.from_address} {c.description}".casefold() for c in connections
        ]
        self.endResetModel()

    def connections(self) -> list[Connection]:
        return list(self._connections)

    def row_of(self, connection_id: str) -> int:
        for row, connection in enumerate(self._connections):
            if connection.id == connection_id:
                return row
        return -1

    def set_last_result(self, connection_id: str, result: LastResult) -> None:
        self._results[connection_id] = result
        row = self.row_of(connection_id)
        if row >= 0:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [LastResultRole])


class ConnectionFilterModel(QSortFilterProxyModel):
    """Filters cards by a search text over name, host, user, sender and description."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._needle = needle
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        text = model.data(model.index(source_row, 0, source_parent), SearchTextRole)
        return bool(text) and all(part in text for part in self._needle.split())
