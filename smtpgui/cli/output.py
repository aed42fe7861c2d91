"""How commands talk: sentences for people on standard error, data on standard output."""

from __future__ import annotations

import sys
from typing import Any

from smtpgui.core.display import json_text, printable
from smtpgui.core.redact import scrub


def say(message: str) -> None:
    """A sentence for the person at the terminal (standard error): every line prefixed ``smtpgui: ``,
    the secrets this process holds hidden, control characters shown escaped."""
    for line in printable(scrub(message), multiline=True).split("\n"):
        print(f"smtpgui: {line}", file=sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    """Data for a program (standard output)."""
    print(json_text(data))
