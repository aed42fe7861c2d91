"""The application icon and the toolbar/menu icons, from the compiled resources (resources/smtpgui.qrc)."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPalette

from smtpgui.ui import resources_rc  # noqa: F401  (registers :/icons and :/actions on import)

_SIZES = (16, 24, 32, 48, 64, 128, 256)
ACTION_SIZES = (16, 24, 32, 48)
ACTION_ICONS = (
    "new",
    "preset",
    "duplicate",
    "delete",
    "save",
    "test",
    "detect",
    "import",
    "export",
    "settings",
    "default-star",
    "more",
    "inbox",
)


def app_icon() -> QIcon:
    """The smtpgui icon at every rendered size, so no platform has to scale one bitmap."""
    icon = QIcon()
    for size in _SIZES:
        icon.addFile(f":/icons/smtpgui-{size}.png")
    return icon


def icon_theme(palette: QPalette) -> str:
    """ "dark" when the palette's text is lighter than its window (a dark palette), else "light"."""
    text = palette.color(QPalette.ColorRole.WindowText).lightnessF()
    window = palette.color(QPalette.ColorRole.Window).lightnessF()
    return "dark" if text > window else "light"


def action_icon(name: str, palette: QPalette) -> QIcon:
    """A toolbar/menu icon drawn in the ink that reads on ``palette`` (pre-rendered PNGs: no SVG
    renderer is loaded at start-up). Qt derives the disabled look from these pixmaps."""
    theme = icon_theme(palette)
    icon = QIcon()
    for size in ACTION_SIZES:
        icon.addFile(f":/actions/{theme}/{name}-{size}.png")
    return icon
