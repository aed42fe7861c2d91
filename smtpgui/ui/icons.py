"""The application icon, from the compiled resources (resources/smtpgui.qrc)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from smtpgui.ui import resources_rc  # noqa: F401  (registers :/icons on import)

_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The smtpgui icon at every rendered size, so no platform has to scale one bitmap."""
    icon = QIcon()
    for size in _SIZES:
        icon.addFile(f":/icons/smtpgui-{size}.png")
    return icon
