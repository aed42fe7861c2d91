"""The test dialog's per-stage timings: each stage a test went through with its milliseconds."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QWidget

from smtpgui.transport.result import Stage
from smtpgui.ui.plaintext import PlainLabel

_ORDER = [s.value for s in Stage]
_PAIRS_PER_ROW = 4  # four "stage  ms" pairs a row fit the dialog at 800 px wide


class StageTimings(QWidget):
    """A grid of ``stage  N ms`` pairs in the order the session went, then the total.

    Labels keep the palette's own text colour, so the grid reads in light and dark palettes.
    Hidden until a result with timings is shown.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stageTimings")
        self.setAccessibleName("Time per stage")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.hide()

    def show_timings(self, timings: dict[str, float]) -> None:
        """Show ``timings`` (stage value to milliseconds, ``total`` last); empty hides the grid."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        known = [s for s in _ORDER if s in timings]
        rest = sorted(s for s in timings if s not in _ORDER and s != "total")
        stages = known + rest + (["total"] if "total" in timings else [])
        for index, stage in enumerate(stages):
            row, pair = divmod(index, _PAIRS_PER_ROW)
            name = PlainLabel(stage)
            name.setObjectName(f"stageName_{stage}")
            value = PlainLabel(f"{timings[stage]:.0f} ms")
            value.setObjectName(f"stageMs_{stage}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if stage == "total":
                for label in (name, value):
                    font = label.font()
                    font.setBold(True)
                    label.setFont(font)
            self.grid.addWidget(name, row, pair * 2)
            self.grid.addWidget(value, row, pair * 2 + 1)
        self.grid.setColumnStretch(_PAIRS_PER_ROW * 2, 1)
        self.setVisible(bool(stages))

    def clear(self) -> None:
        self.show_timings({})
