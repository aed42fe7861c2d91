"""Schema migrations for connections.json: one step function from version N to N+1.

Version 1 is the first format smtpgui ever wrote, so the table is empty today. A future
change of format adds ``MIGRATIONS[N] = step`` (turning an N document into an N+1 one) and a
test for that step; ``migrate`` chains them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

SCHEMA_VERSION = 1

Document = dict[str, Any]
Step = Callable[[Document], Document]

MIGRATIONS: dict[int, Step] = {}


def migrate(
    document: Document,
    target: int = SCHEMA_VERSION,
    steps: Mapping[int, Step] | None = None,
) -> Document:
    """Bring a document from its ``schema_version`` up to ``target``, one step at a time."""
    table = MIGRATIONS if steps is None else steps
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("schema_version must be a whole number of 1 or more")
    while version < target:
        step = table.get(version)
        if step is None:
            raise ValueError(f"there is no migration from schema version {version}")
        document = step(dict(document))
        version += 1
        document["schema_version"] = version
    return document
