"""Where smtpgui keeps its files: the per-user config folder, or one the user names."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

from smtpgui import APP_NAME

CONFIG_DIR_ENV = "SMTPGUI_CONFIG_DIR"


def platform_dirs() -> PlatformDirs:
    return PlatformDirs(APP_NAME, appauthor=False)


def resolve_config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config folder: ``--config-dir``, else ``$SMTPGUI_CONFIG_DIR``, else the platform's."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(CONFIG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platform_dirs().user_config_dir)


def chosen_config_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config folder when the user chose one (option or environment), else None."""
    if explicit or os.environ.get(CONFIG_DIR_ENV):
        return resolve_config_dir(explicit)
    return None
