"""Status colours (error, warning, success) made readable on whatever palette the app has.

No colour in the window is fixed: each status starts from a hue and is darkened (on a light
background) or lightened (on a dark one) until it reaches WCAG AA contrast (4.5:1) against both
the window and the base (input) background of the palette in use.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

AA_CONTRAST = 4.5
# (hue 0-359, saturation 0-255) of each status; the lightness is chosen per palette.
_HUES = {"error": (4, 200), "warning": (28, 230), "success": (122, 160)}


class StatusColors(NamedTuple):
    """The three status colours for one palette."""

    error: QColor
    warning: QColor
    success: QColor


def relative_luminance(color: QColor) -> float:
    """WCAG 2.x relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio between two opaque colours (1 to 21)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette draws light text on a dark window."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def readable(hue: int, saturation: int, backgrounds: list[QColor], minimum: float = AA_CONTRAST) -> QColor:
    """The colour of this hue closest to mid-lightness that reaches ``minimum`` on every background."""
    dark_backgrounds = sum(bg.lightnessF() < 0.5 for bg in backgrounds) * 2 > len(backgrounds)
    steps = range(128, 256, 4) if dark_backgrounds else range(128, -1, -4)
    color = QColor()
    for lightness in steps:
        color = QColor.fromHsl(hue, saturation, lightness)
        if all(contrast_ratio(color, bg) >= minimum for bg in backgrounds):
            return color
    # Even white or black did not reach it (a mid-grey background): the text colour will.
    return QColor.fromHsl(hue, 0, 255 if dark_backgrounds else 0)


_CACHE: dict[tuple[int, int], StatusColors] = {}


def status_colors(palette: QPalette) -> StatusColors:
    """Error, warning and success colours readable on ``palette``'s window and base."""
    window, base = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base)
    key = (window.rgba(), base.rgba())
    cached = _CACHE.get(key)
    if cached is None:
        made = {name: readable(h, s, [window, base]) for name, (h, s) in _HUES.items()}
        cached = _CACHE[key] = StatusColors(**made)
    return cached


def set_status_color(widget: QWidget, status: str) -> None:
    """Draw ``widget``'s text (a label's) in a status colour ("error", "warning", "success", "")."""
    if not status:
        widget.setPalette(QPalette())  # nothing resolved: inherit the parent's again
        return
    palette = widget.palette()
    color = getattr(status_colors(palette), status)
    palette.setColor(QPalette.ColorRole.WindowText, color)
    palette.setColor(QPalette.ColorRole.Text, color)
    widget.setPalette(palette)


def muted(color: QColor, background: QColor, amount: float = 0.3) -> QColor:
    """``color`` moved ``amount`` of the way towards ``background`` (secondary text)."""
    return QColor.fromRgbF(
        color.redF() + (background.redF() - color.redF()) * amount,
        color.greenF() + (background.greenF() - color.greenF()) * amount,
        color.blueF() + (background.blueF() - color.blueF()) * amount,
    )
