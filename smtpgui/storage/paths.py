"""Where smtpgui keeps its files: the per-user config folder, or one the user names."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smtpgui import APP_NAME

if TYPE_CHECKING:
    from platformdirs import PlatformDirs

CONFIG_DIR_ENV = "SMTPGUI_CONFIG_DIR"


def platform_dirs() -> PlatformDirs:
    from platformdirs import PlatformDirs  # loaded when needed: building it costs start-up time

    return PlatformDirs(APP_NAME, appauthor=False)


def _xdg(variable: str, fallback: str) -> Path:
    """An XDG base folder: ``$variable`` when it is an absolute path, else ``~/fallback``
    (the XDG Base Directory rule, which is what platformdirs does on Linux)."""
    value = os.environ.get(variable, "").strip()
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def user_config_dir() -> Path:
    """The per-user config folder (``~/.config/smtpgui`` on Linux)."""
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", ".config") / APP_NAME
    return Path(platform_dirs().user_config_dir)


def user_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/smtpgui`` on Linux): the sandbox's inbox."""
    if sys.platform.startswith("linux"):
        return _xdg("XDG_DATA_HOME", ".local/share") / APP_NAME
    return Path(platform_dirs().user_data_dir)


def user_log_dir() -> Path:
    """The per-user log folder (``~/.local/state/smtpgui/log`` on Linux)."""
    if sys.platform.startswith("linux"):
        return _xdg("XDG_STATE_HOME", ".local/state") / APP_NAME / "log"
    return Path(platform_dirs().user_log_dir)


def resolve_config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config folder: ``--config-dir``, else ``$SMTPGUI_CONFIG_DIR``, else the platform's."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(CONFIG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_config_dir()


def chosen_config_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config folder when the user chose one (option or environment), else None."""
    if explicit or os.environ.get(CONFIG_DIR_ENV):
        return resolve_config_dir(explicit)
    return None


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder (the sandbox's inbox, certificate and state): the config folder the user
    chose (``--config-dir`` or ``$SMTPGUI_CONFIG_DIR``), else the platform's data folder."""
    return chosen_config_dir(explicit) or user_data_dir()
