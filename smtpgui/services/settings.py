"""App-wide settings for front ends (the default sender), validated the same way everywhere."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from smtpgui.core.errors import ValidationError
from smtpgui.storage.settings import SettingsStore

if TYPE_CHECKING:
    from smtpgui.core.appsettings import AppSettings


class SettingsService:
    """``settings.json`` of one config folder."""

    def __init__(self, store: SettingsStore) -> None:
        self.store = store

    def load(self) -> AppSettings:
        return self.store.load()

    def save(self, settings: AppSettings) -> None:
        """Save every setting at once (``ValidationError`` names the field at fault)."""
        self.store.save(settings)

    @property
    def notices(self) -> list[str]:
        """What the user must be told about settings.json (a damaged file moved aside)."""
        notices: list[str] = getattr(self.store, "notices", [])
        return notices

    def set_sandbox_autostart(self, on: bool) -> AppSettings:
        """Whether the window starts the local sandbox when it opens; saved at once."""
        from dataclasses import replace

        current = self.store.load()
        updated = replace(current, sandbox_autostart=bool(on))
        if updated != current:
            self.store.save(updated)
        return updated

    def update(self, **changes: str) -> AppSettings:
        """Change some settings and save; ``ValidationError`` names the field at fault.

        ``default_from`` may hold ``"Name" <addr>``: the address is split from it, and the
        name too unless ``default_from_name`` is given as well.
        """
        from smtpgui.core.addresses import split_from_field
        from smtpgui.core.appsettings import AppSettings

        current = self.store.load()
        values = asdict(current)
        combined = changes.pop("default_from", None)
        if combined is not None:
            if combined:
                try:
                    name, address = split_from_field(combined)
                except ValueError as exc:
                    raise ValidationError(str(exc), "default_from_address") from None
                values["default_from_address"] = address
                if name and "default_from_name" not in changes:
                    values["default_from_name"] = name
            else:
                values["default_from_address"] = ""
        unknown = set(changes) - set(values)
        if unknown:
            raise ValidationError(f"There is no app setting called {sorted(unknown)[0]!r}.")
        values.update(changes)
        updated = AppSettings(**values)
        if updated != current:
            self.store.save(updated)
        return updated
