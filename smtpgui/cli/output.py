"""How commands talk: sentences for people on standard error, data on standard output."""

from __future__ import annotations

import json
import sys
from typing import Any


def say(message: str) -> None:
    """A sentence for the person at the terminal (standard error)."""
    print(f"smtpgui: {message}", file=sys.stderr)


def emit_json(data: Any) -> None:
    """Data for a program (standard output)."""
    print(json.dumps(data, indent=2, ensure_ascii=False))
