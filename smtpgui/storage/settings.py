"""App-wide settings kept beside the connections, in settings.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import StorageError, ValidationError
from smtpgui.storage.atomic import atomic_write_json, file_lock
from smtpgui.storage.private import describe_os_error

FILE_NAME = "settings.json"


@dataclass
class SettingsStore:
    """``<config_dir>/settings.json``, written atomically like the connections file."""

    config_dir: Path

    @property
    def path(self) -> Path:
        return self.config_dir / FILE_NAME

    def load(self) -> AppSettings:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return AppSettings()
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError):
                raise StorageError(describe_os_error(exc, self.path, "read")) from exc
            raise StorageError(f"{self.path} is not valid JSON; fix or delete it to reset the app settings.") from exc
        if not isinstance(document, dict):
            raise StorageError(f"{self.path} is not an smtpgui settings file.")
        values = {
            key: document[key]
            for key in ("default_from_address", "default_from_name")
            if isinstance(document.get(key), str)
        }
        return AppSettings(**values)

    def save(self, settings: AppSettings) -> None:
        problems = settings.validate()
        if problems:
            raise ValidationError(problems)
        with file_lock(self.config_dir / (FILE_NAME + ".lock")):
            atomic_write_json(self.path, {"schema_version": 1, **asdict(settings)})
