"""The small, typed hierarchy of errors smtpgui raises on purpose.

Every error carries a sentence meant for a person; callers show ``str(error)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from smtpgui.core.model import Connection


class SmtpguiError(Exception):
    """Base of every expected failure; its text is a sentence for the user."""


class Problem(NamedTuple):
    """One validation problem: the field it concerns and a sentence explaining it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(SmtpguiError):
    """Input that breaks a rule of the model; carries every problem found."""

    def __init__(self, problems: list[Problem] | str, field: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(field, problems)]
        self.problems = problems
        super().__init__("; ".join(p.message if not p.field else str(p) for p in problems))


class NotFoundError(ValidationError):
    """A connection name that does not exist."""


class StorageError(SmtpguiError):
    """The config folder or one of its files cannot be read or written safely."""


class SecretStoreUnavailable(StorageError):
    """The operating system's keyring cannot be used right now."""


class ConflictError(StorageError):
    """A connection changed in the file (another window or command) since it was loaded."""

    def __init__(self, message: str, current: Connection) -> None:
        super().__init__(message)
        self.current = current
