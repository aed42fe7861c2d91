"""App-wide settings kept beside the connections, in settings.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smtpgui.core.errors import StorageError, ValidationError
from smtpgui.core.jsondoc import parse_json
from smtpgui.storage.atomic import atomic_write_json, file_lock
from smtpgui.storage.private import MAX_SETTINGS_BYTES, describe_os_error, read_file
from smtpgui.storage.recovery import recover

if TYPE_CHECKING:
    from smtpgui.core.appsettings import AppSettings

# AppSettings (and the address rules it checks with) is loaded when settings are first read:
# the window's start-up never needs them.

FILE_NAME = "settings.json"
SCHEMA_VERSION = 1


@dataclass
class SettingsStore:
    """``<config_dir>/settings.json``, written atomically like the connections file.

    A file written by a newer smtpgui (a greater ``schema_version``) is read for the settings
    this version knows, and never overwritten: saving over it would drop what it knows more.
    """

    config_dir: Path
    notices: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.config_dir / FILE_NAME

    def load(self) -> AppSettings:
        """The settings; a damaged file is moved aside and its backup restored (``notices``)."""
        from smtpgui.core.appsettings import AppSettings

        try:
            raw = read_file(self.path, MAX_SETTINGS_BYTES)
        except FileNotFoundError:
            return AppSettings()
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "read")) from exc
        try:
            return self._parse(parse_json(raw))
        except ValueError:
            settings, notice = recover(self.path, self._parse, self._write, AppSettings(), MAX_SETTINGS_BYTES)
            self.notices.append(notice)
            return settings

    def _parse(self, document: Any) -> AppSettings:
        if not isinstance(document, dict):
            raise ValueError(f"{self.path} is not an smtpgui settings file")
        from smtpgui.core.appsettings import AppSettings

        values = {
            key: document[key]
            for key in ("default_from_address", "default_from_name", "default_to", "default_subject", "default_body")
            if isinstance(document.get(key), str)
        }
        autostart = document.get("sandbox_autostart")
        return AppSettings(**values, sandbox_autostart=autostart if isinstance(autostart, bool) else False)

    def _write(self, settings: AppSettings) -> None:
        atomic_write_json(self.path, {"schema_version": SCHEMA_VERSION, **asdict(settings)}, keep_backup=False)

    def save(self, settings: AppSettings) -> None:
        problems = settings.validate()
        if problems:
            raise ValidationError(problems)
        with file_lock(self.config_dir / (FILE_NAME + ".lock")):
            self._refuse_newer()
            atomic_write_json(self.path, {"schema_version": SCHEMA_VERSION, **asdict(settings)})

    def _refuse_newer(self) -> None:
        """``StorageError`` when settings.json as it is now was written by a newer smtpgui."""
        try:
            document = parse_json(read_file(self.path, MAX_SETTINGS_BYTES))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "save")) from exc
        except ValueError:
            return  # damaged: replaced, and kept as the backup (as before)
        version = document.get("schema_version") if isinstance(document, dict) else None
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            raise StorageError(
                f"{FILE_NAME} is from a newer smtpgui (schema {version}, this version writes "
                f"{SCHEMA_VERSION}); it was left untouched: update smtpgui to change the settings ({self.path})."
            )
