"""Names for copies: ``<name>_copied``, then ``_copied2``, ``_copied3``…"""

from __future__ import annotations

from collections.abc import Iterable

from smtpgui.core.validation import NAME_MAX, name_key


def copy_name(name: str, existing: Iterable[str]) -> str:
    """The first free copy name for ``name``, kept within the name length limit."""
    taken = {name_key(other) for other in existing}
    counter = 1
    while True:
        suffix = "_copied" if counter == 1 else f"_copied{counter}"
        candidate = name[: NAME_MAX - len(suffix)] + suffix
        if name_key(candidate) not in taken:
            return candidate
        counter += 1
