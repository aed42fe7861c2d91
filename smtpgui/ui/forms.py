"""Declarative form rows: a widget per model field, an inline error line under each."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from smtpgui.core.errors import Problem
from smtpgui.core.model import Connection
from smtpgui.ui.colors import set_status_color
from smtpgui.ui.plaintext import PlainLabel, set_plain

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent, QShowEvent

NARROW_FORM = 560  # px: below this a tab's labels go above their fields


@dataclass(frozen=True)
class Field:
    """One row: the model field, its label, and how it is edited."""

    name: str
    label: str
    kind: str = "line"  # line, int, check, combo, text
    object_name: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for combos
    minimum: int = 0
    maximum: int = 0
    placeholder: str = ""
    tip: str = ""


def enum_choices(enum_type: type[enum.Enum], labels: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    labels = labels or {}
    return tuple((str(m.value), labels.get(str(m.value), str(m.value))) for m in enum_type)


class FormTab(QWidget):
    """A tab of fields. ``load`` fills it from a connection, ``apply`` returns the edited one.

    The rows are built the first time the tab is shown, or when a caller reaches for one of its
    widgets (``widgets``, ``errors``, ``rows``): the window's first paint shows one tab, and
    building the other tabs' ~40 rows cost about a tenth of its start-up. Until then the tab
    keeps what it was given (the connection, the problems) and hands it to the rows once they
    exist; ``apply`` changes nothing, since nothing can have been edited. Parts other objects
    talk to before the tab is shown (the secret fields, the sign-in state) are made at once by
    :meth:`build_eager`.

    Signals:
        edited: the user changed a field (not emitted while loading).
        field_edited(str): the same, with the model field's name.
    """

    edited = Signal()
    field_edited = Signal(str)
    FIELDS: tuple[Field, ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widgets: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._rows: dict[str, QLabel] = {}
        self._built = False
        self._loaded: Connection | None = None
        self._problems: list[Problem] = []
        self._loading = False
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self.build_eager()

    @property
    def widgets(self) -> dict[str, QWidget]:
        self.ensure_built()
        return self._widgets

    @property
    def errors(self) -> dict[str, QLabel]:
        self.ensure_built()
        return self._errors

    @property
    def rows(self) -> dict[str, QLabel]:
        self.ensure_built()
        return self._rows

    def is_built(self) -> bool:
        return self._built

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_built()  # before the tab's first paint
        super().showEvent(event)

    def ensure_built(self) -> None:
        """Build the rows now (once), and show in them what the tab was given meanwhile."""
        if self._built:
            return
        self._built = True
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        self.form = QFormLayout(body)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._fit_rows(self.width())
        scroll.setWidget(body)
        self._outer.addWidget(scroll)
        self.build_extra_top()
        for spec in self.FIELDS:
            self._add_row(spec)
        self.build_extra_bottom()
        if self._loaded is not None:
            self.load(self._loaded)
        self.show_problems(self._problems)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._built:
            self._fit_rows(event.size().width())

    def _fit_rows(self, width: int) -> None:
        # A narrow editor (an 800 px window) puts every label above its field rather than
        # scrolling sideways; a wide one keeps labels beside fields (wrapping only a row too long).
        policy = (
            QFormLayout.RowWrapPolicy.WrapAllRows if width < NARROW_FORM else QFormLayout.RowWrapPolicy.WrapLongRows
        )
        if self.form.rowWrapPolicy() != policy:
            self.form.setRowWrapPolicy(policy)

    def build_eager(self) -> None:
        """Hook for parts others use before the tab is shown (children of the tab until
        :meth:`build_extra_bottom` places them in the form)."""

    def build_extra_top(self) -> None:
        """Hook for rows that are not plain model fields (placed first)."""

    def build_extra_bottom(self) -> None:
        """Hook for rows that are not plain model fields (placed last)."""

    def _add_row(self, spec: Field) -> None:
        widget = _make_widget(spec)
        widget.setObjectName(spec.object_name or f"{spec.name}Field")
        widget.setAccessibleName(spec.label.rstrip(":"))
        if spec.tip:
            widget.setToolTip(spec.tip)
        _connect_changed(widget, lambda *_args, name=spec.name: self._on_widget_changed(name))
        label = PlainLabel(spec.label)
        label.setBuddy(widget)
        error = PlainLabel()
        error.setObjectName(f"{spec.name}Error")
        error.setWordWrap(True)
        set_status_color(error, "error")
        error.hide()
        container = QWidget()
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        self.form.addRow(label, container)
        self._widgets[spec.name] = widget
        self._errors[spec.name] = error
        self._rows[spec.name] = label

    def _on_widget_changed(self, name: str) -> None:
        if not self._loading:
            self.field_edited.emit(name)
            self.edited.emit()

    def load(self, connection: Connection) -> None:
        self._loaded = connection
        if not self._built:
            return  # shown when the rows are built
        self._loading = True
        try:
            for spec in self.FIELDS:
                set_value(self._widgets[spec.name], getattr(connection, spec.name))
            self.after_load(connection)
        finally:
            self._loading = False
        self.update_enabled()

    def after_load(self, connection: Connection) -> None:
        """Hook for extra state (secrets shown as stored, for example)."""

    def apply(self, connection: Connection) -> Connection:
        if not self._built:
            return connection  # nothing shown, nothing edited: the loaded values stand
        changes: dict[str, Any] = {}
        for spec in self.FIELDS:
            current = getattr(connection, spec.name)
            value = _get_value(self._widgets[spec.name])
            if isinstance(current, enum.Enum):
                value = type(current)(value)
            changes[spec.name] = value
        return connection.replace(**changes)

    def update_enabled(self) -> None:
        """Enable only the fields that apply (overridden by tabs with dependent fields)."""

    def show_problems(self, problems: list[Problem]) -> int:
        """Show each problem under its field; returns how many belonged to this tab."""
        self._problems = problems
        if not self._built:
            names = {spec.name for spec in self.FIELDS}
            return sum(1 for problem in problems if problem.field in names)
        shown = 0
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        for name, label in self._errors.items():
            messages = by_field.get(name)
            set_plain(label, " ".join(messages or []))
            label.setVisible(bool(messages))
            shown += len(messages or [])
        return shown

    def set_enabled(self, names: tuple[str, ...], enabled: bool) -> None:
        for name in names:
            self.widgets[name].setEnabled(enabled)
            self.rows[name].setEnabled(enabled)


def _make_widget(spec: Field) -> QWidget:
    if spec.kind == "int":
        spin = QSpinBox()
        spin.setRange(spec.minimum, spec.maximum)
        return spin
    if spec.kind == "check":
        return QCheckBox()
    if spec.kind == "combo":
        combo = QComboBox()
        for value, label in spec.choices:
            combo.addItem(label, value)
        return combo
    if spec.kind == "text":
        text = QPlainTextEdit()
        text.setTabChangesFocus(True)
        text.setFixedHeight(64)
        return text
    line = QLineEdit()
    if spec.placeholder:
        line.setPlaceholderText(spec.placeholder)
    return line


def _connect_changed(widget: QWidget, slot: Any) -> None:
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    elif isinstance(widget, QSpinBox):
        widget.valueChanged.connect(slot)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)


def set_value(widget: QWidget, value: Any) -> None:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(widget, QLineEdit):
        widget.setText(str(value))
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(value)))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value))


def _get_value(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    raise TypeError(type(widget))


# hints under fields -------------------------------------------------------------------------


def hint_label(object_name: str, status: str) -> PlainLabel:
    """A plain-text line under a field (a warning or a note), hidden while empty."""
    label = PlainLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    if status:
        set_status_color(label, status)
    return label


def show_hint(tab: FormTab, label: PlainLabel, text: str) -> None:
    """Show ``text`` under its field (the whole row hidden while there is nothing to say)."""
    set_plain(label, text)
    tab.form.setRowVisible(label, bool(text))  # the whole row: no empty gap while there is nothing to say


def place_under(tab: FormTab, name: str, label: PlainLabel, offset: int = 1) -> None:
    """Put ``label`` in a row of its own under field ``name``, in the field column (the field's
    own box is only as wide as a combo or spin box: wrapped text there would be cut off)."""
    position: tuple[int, object] = tab.form.getWidgetPosition(tab.rows[name])  # type: ignore[assignment]
    tab.form.insertRow(position[0] + offset, "", label)
    tab.form.setRowVisible(label, False)
