"""Settings in from other tools (issue 21): the one import both front ends run.

``import FILE [--from auto|smtpgui|thunderbird|msmtprc|swaks]``: an smtpgui export, Thunderbird's
``prefs.js``, an msmtprc or a swaks command line, recognised by content with ``auto``. The
connections then go through the JSON import's own path
(:func:`smtpgui.storage.exchange.import_connections`: a name clash is an error unless
``replace``, every connection validated). A password the source held (msmtp's ``password``,
swaks's ``--auth-password``) is only ever stored in the keyring, and only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smtpgui.core.errors import SecretStoreUnavailable, StorageError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from smtpgui.core.formats.foreign import ForeignSettings
    from smtpgui.core.model import Connection
    from smtpgui.services import AppServices
    from smtpgui.storage.exchange import ImportOutcome

IN_FORMATS = ("auto", "smtpgui", "thunderbird", "msmtprc", "swaks")
LABELS = {
    "smtpgui": "an smtpgui export",
    "thunderbird": "Thunderbird's prefs.js",
    "msmtprc": "an msmtprc",
    "swaks": "a swaks command",
}
# Another tool's settings are small (a large Thunderbird prefs.js is a few MB): a cap well above.
MAX_FOREIGN_BYTES = 32 * 1024 * 1024


@dataclass
class SettingsRead:
    """What a file gave: connections, the passwords it held (by connection id; never shown),
    and sentences about what was not taken."""

    format: str
    connections: list[Connection]
    passwords: dict[str, str] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)


@dataclass
class SettingsImported:
    """What an import did: the JSON import's outcome, and the passwords stored or left."""

    outcome: ImportOutcome
    stored: list[str] = field(default_factory=list)  # names whose password went to the keyring
    not_stored: list[str] = field(default_factory=list)  # names whose password the file held, left out
    warnings: list[str] = field(default_factory=list)


def read_settings(data: bytes, source: str, fmt: str = "auto") -> SettingsRead:
    """Connections from ``data`` (the bytes of ``source``) read as ``fmt``; ``ValidationError``
    with a sentence naming ``source`` when they cannot be."""
    if fmt not in IN_FORMATS:
        raise ValidationError(f"There is no settings format called {fmt!r}; use one of {', '.join(IN_FORMATS)}.")
    if len(data) > MAX_FOREIGN_BYTES and fmt != "smtpgui" and data.lstrip()[:1] != b"{":
        raise ValidationError(f"{source} cannot be imported: it is larger than 32 MB, too large to be settings.")
    if b"\x00" in data[:65536]:
        raise ValidationError(f"{source} cannot be imported: it is not text (it holds NUL bytes).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{source} cannot be imported: it is not UTF-8 text.") from None
    from smtpgui.core.formats.foreign import UnreadableSettings, detect_format

    chosen = detect_format(text) if fmt == "auto" else fmt
    if chosen is None:
        raise ValidationError(
            f"{source} is not settings smtpgui recognises (an smtpgui export, Thunderbird's prefs.js, an msmtprc "
            "or a swaks command); name the format with --from."
        )
    if chosen == "smtpgui":
        from smtpgui.core.jsondoc import parse_json
        from smtpgui.storage.exchange import parse_import

        try:
            document = parse_json(data)
        except ValueError as exc:
            raise ValidationError(f"{source} cannot be imported: {exc}; choose an smtpgui export (.json).") from None
        return SettingsRead("smtpgui", parse_import(document, source))
    try:
        result = _reader(chosen)(text)
    except UnreadableSettings as exc:
        raise ValidationError(f"{source} cannot be imported as {LABELS[chosen]}: {exc}.") from None
    except RecursionError:
        raise ValidationError(f"{source} cannot be imported as {LABELS[chosen]}: it is nested too deeply.") from None
    from smtpgui.core.redact import remember

    for password in result.passwords.values():
        remember(password)  # from now on no log line or message of this process can show it
    return SettingsRead(chosen, result.connections, result.passwords, result.notes)


def _reader(fmt: str) -> Callable[[str], ForeignSettings]:
    if fmt == "thunderbird":
        from smtpgui.core.formats.thunderbird import from_prefs_js

        return from_prefs_js
    if fmt == "msmtprc":
        from smtpgui.core.formats.msmtprc import from_msmtprc

        return from_msmtprc
    from smtpgui.core.formats.swaks import from_swaks

    return from_swaks


def read_settings_file(path: Path, fmt: str = "auto") -> SettingsRead:
    """:func:`read_settings` on a file: a named pipe, a device or a huge file is refused unread."""
    import errno

    from smtpgui.storage.private import MAX_DATA_BYTES, RefusedFile, describe_os_error, read_file

    try:
        data = read_file(path, MAX_DATA_BYTES)
    except RefusedFile as exc:
        raise ValidationError(f"{path} cannot be imported: {exc.reason}.") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR, errno.ENOENT):
            raise ValidationError(describe_os_error(exc, path, "import")) from None
        raise StorageError(describe_os_error(exc, path, "read")) from exc
    return read_settings(data, str(path), fmt)


def import_settings(
    app: AppServices,
    read: SettingsRead,
    *,
    replace: bool = False,
    store_passwords: bool = False,
    source: str = "the file",
) -> SettingsImported:
    """Import what :func:`read_settings` gave. With ``store_passwords``, each password the file
    held goes to the keyring for its connection (and nowhere else); without, it is dropped and
    the names are listed so the front end can say so."""
    from smtpgui.storage.secrets import Slot

    # The passwords go to the keyring first, under the ids the connections carry: a keyring that
    # cannot take them (locked, refusing) then stops the import before anything is imported.
    written: list[str] = []
    if store_passwords:
        try:
            for connection_id, password in read.passwords.items():
                app.secrets.write(connection_id, {Slot.PASSWORD: password})
                written.append(connection_id)
        except SecretStoreUnavailable as exc:
            _forget(app, written)
            raise SecretStoreUnavailable(f"{exc} Nothing was imported.") from exc
    try:
        outcome = app.connections.import_connections(read.connections, replace=replace, source=source)
    except BaseException:
        _forget(app, written)
        raise
    done = SettingsImported(outcome)
    for original, imported in zip(read.connections, outcome.imported, strict=True):
        found = read.passwords.get(original.id)
        if found is None:
            continue
        if not store_passwords:
            done.not_stored.append(imported.name)
            continue
        if imported.id != original.id:  # the import gave it another id: the secret follows
            try:
                app.secrets.write(imported.id, {Slot.PASSWORD: found})
            except SecretStoreUnavailable as exc:
                done.warnings.append(f"the password of {imported.name!r} could not be stored: {exc}")
                continue
            finally:
                _forget(app, [original.id])
        done.stored.append(imported.name)
    return done


def _forget(app: AppServices, connection_ids: list[str]) -> None:
    for connection_id in connection_ids:
        app.secrets.clear_quietly(connection_id)


@dataclass(frozen=True)
class LocalSource:
    """Settings of another tool found on this computer: what to call it, where, which format."""

    label: str
    path: Path
    format: str


def find_local_sources(home: Path) -> list[LocalSource]:
    """Thunderbird profiles (through each ``profiles.ini``: the classic, Snap and Flatpak
    folders) and msmtp's configuration (``~/.msmtprc``, ``~/.config/msmtp/config``) under
    ``home``. Only looks: nothing is read but ``profiles.ini``, and only what exists is listed."""
    import configparser
    from pathlib import Path

    found: list[LocalSource] = []
    seen: set[Path] = set()
    for root in (
        home / ".thunderbird",
        home / "snap" / "thunderbird" / "common" / ".thunderbird",
        home / ".var" / "app" / "org.mozilla.Thunderbird" / ".thunderbird",
    ):
        profiles: list[tuple[str, Path]] = []
        ini = root / "profiles.ini"
        if ini.is_file() and ini.stat().st_size < 1_000_000:
            parser = configparser.ConfigParser(interpolation=None, strict=False)
            try:
                parser.read(ini, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError, OSError):
                parser = configparser.ConfigParser()
            for section in parser.sections():
                if not section.startswith("Profile") or not parser.has_option(section, "Path"):
                    continue
                where = Path(parser.get(section, "Path"))
                relative = parser.get(section, "IsRelative", fallback="1") == "1"
                profiles.append((parser.get(section, "Name", fallback=where.name), root / where if relative else where))
        if not profiles and root.is_dir():
            profiles = [(p.parent.name, p.parent) for p in sorted(root.glob("*/prefs.js"))]
        for name, folder in profiles:
            prefs = folder / "prefs.js"
            if prefs.is_file() and prefs not in seen:
                seen.add(prefs)
                found.append(LocalSource(f"Thunderbird profile “{name}”", prefs, "thunderbird"))
    for path in (home / ".msmtprc", home / ".config" / "msmtp" / "config"):
        if path.is_file():
            found.append(LocalSource("msmtp configuration", path, "msmtprc"))
    return found
