"""What reading another tool's settings gives: connections, passwords kept apart, and notes.

Shared by the readers (:mod:`.thunderbird`, :mod:`.msmtprc`, :mod:`.swaks`) and by
:func:`detect_format`, which recognises a file by its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smtpgui.core.display import printable
from smtpgui.core.model import Connection
from smtpgui.core.validation import INVISIBLE_IN_NAME, NAME_MAX, name_key

# Characters a connection name may not hold (validation refuses them): made spaces.
_NOT_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+")


class UnreadableSettings(ValueError):
    """The text is not settings of the format it was read as (a sentence says why)."""


@dataclass
class ForeignSettings:
    """Connections read from another tool's settings.

    ``passwords`` maps a connection's id to a password the source held (msmtp's ``password``,
    swaks's ``--auth-password``): it is only ever offered for the keyring, never copied into a
    connection, a note or a message. ``notes`` are sentences about what was not taken, each
    about one setting (unknown keys and options, commands not run), terminal-safe.
    """

    format: str
    connections: list[Connection] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)


class NoteBook:
    """Sentences about settings not taken: each once, with how often it applied."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, sentence: str) -> None:
        self._counts[sentence] = self._counts.get(sentence, 0) + 1

    def sentences(self) -> list[str]:
        return [s if n == 1 else f"{s} ({n} times)" for s, n in self._counts.items()]


def shown(text: str, limit: int = 60) -> str:
    """A key or option from the file as a note quotes it: escaped, and cut when long."""
    safe = printable(text)
    return repr(safe if len(safe) <= limit else safe[: limit - 3] + "...")


class NameBook:
    """Connection names for an import: valid (no control characters, at most 50 characters) and
    each different (ignoring case) from the others in the same file."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def name(self, wanted: str, fallback: str = "Imported") -> str:
        visible = INVISIBLE_IN_NAME.sub("", _NOT_IN_NAME.sub(" ", wanted))
        base = visible.strip()[:NAME_MAX].strip() or fallback
        name, counter = base, 1
        while name_key(name) in self._taken:
            counter += 1
            suffix = f" {counter}"
            name = base[: NAME_MAX - len(suffix)].rstrip() + suffix
        self._taken.add(name_key(name))
        return name


def detect_format(text: str) -> str | None:
    """``smtpgui``, ``thunderbird``, ``msmtprc`` or ``swaks`` by the text's content, else None."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return "smtpgui"
    if "user_pref(" in text:
        return "thunderbird"
    for line in stripped.splitlines()[:200]:
        words = line.split()
        if not words or words[0].startswith(("#", "//")):
            continue
        while words and "=" in words[0] and not words[0].startswith("-"):
            words = words[1:]  # VAR=value before a command
        if words and (words[0] == "swaks" or words[0].endswith("/swaks")):
            return "swaks"
        if words and words[0] in ("account", "defaults", "host"):
            return "msmtprc"
        return None
    return None


def usable_address(value: object, where: str, notes: NoteBook) -> str:
    """``value`` when it is an e-mail address smtpgui can send as, else "" and a note: a tool's
    pattern (msmtp's ``%U@%H``) or a typo must not stop the whole import."""
    from smtpgui.core.addresses import normalize_address

    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        return normalize_address(value)
    except ValueError:
        notes.add(f"The From address of {where} is not one smtpgui can send as; it was left empty.")
        return ""


def make_connection(fields: dict[str, object]) -> Connection:
    """A connection from its fields, through the model's own fast path (the constructor of a
    60-field frozen dataclass made reading 100,000 accounts take seconds)."""
    import enum

    from smtpgui.core.model import connection_from_dict

    return connection_from_dict({k: v.value if isinstance(v, enum.Enum) else v for k, v in fields.items()})
