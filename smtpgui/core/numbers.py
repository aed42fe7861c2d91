"""Whole numbers and port numbers in text from outside (a file, DNS, a server, the environment).

``str.isdigit`` says yes to "²", "٥" and "５", and ``int`` then either fails ("²": a ValueError
nobody expected, whose message is Python's, not a sentence) or quietly reads a digit from another
script. Outside text is read here instead: ASCII digits only, anything else is "not a number".
"""

from __future__ import annotations

MAX_DIGITS = 18  # far beyond any count or size read here; a longer run of digits is not one


def ascii_number(text: str) -> int | None:
    """``text`` (surrounding spaces ignored) as a whole number when it is ASCII digits only; else None."""
    value = text.strip()
    if not value or len(value) > MAX_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def ascii_port(text: str) -> int | None:
    """``text`` as a TCP port (1-65535, ASCII digits only); else None."""
    number = ascii_number(text)
    return number if number is not None and 1 <= number <= 65535 else None
