"""The last test result of each connection, kept in ``last-results.json`` so cards show it after a restart.

Keyed by connection id. Holds no secrets: whether the test passed, the stage it reached, when,
and a short summary made display-safe (server text may hold control or bidi characters) and
scrubbed of every secret this process knows. Written atomically, private to the user (0600).
A missing or damaged file reads as "no results yet": it is a convenience, never a reason not to start.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
from pathlib import Path
from typing import NamedTuple

from smtpgui.core.display import printable
from smtpgui.core.errors import StorageError
from smtpgui.core.redact import scrub
from smtpgui.storage.atomic import atomic_write_json, file_lock
from smtpgui.storage.private import MAX_DATA_BYTES, describe_os_error, not_regular, read_file

FILE_NAME = "last-results.json"
SUMMARY_LIMIT = 200


class StoredResult(NamedTuple):
    """One connection's last test: passed or not, the stage reached, when (Unix time), a summary."""

    ok: bool
    stage: str
    at: float
    summary: str = ""


def safe_summary(text: str | None, limit: int = SUMMARY_LIMIT) -> str:
    """Outside text (a server's reply) as one short line that is safe to show and holds no known secret."""
    line = printable(scrub(text or "")).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


class ResultStore:
    """``<config_dir>/last-results.json``: connection id → :class:`StoredResult`."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir

    @property
    def path(self) -> Path:
        return self.config_dir / FILE_NAME

    def load(self) -> dict[str, StoredResult]:
        """Every stored result; entries that are not well formed are left out."""
        try:
            document = json.loads(read_file(self.path, MAX_DATA_BYTES).decode("utf-8"))
        except (OSError, ValueError):
            return {}
        entries = document.get("results") if isinstance(document, dict) else None
        if not isinstance(entries, dict):
            return {}
        results = {}
        for key, entry in entries.items():
            parsed = _parse(entry)
            if isinstance(key, str) and parsed is not None:
                results[key] = parsed
        return results

    def record(self, connection_id: str, result: StoredResult) -> None:
        """Store ``result`` as the connection's last one (under the file's lock)."""
        clean = StoredResult(
            bool(result.ok), safe_summary(result.stage, 40), float(result.at), safe_summary(result.summary)
        )
        self._change(lambda entries: entries.__setitem__(connection_id, clean))

    def record_many(self, results: dict[str, StoredResult]) -> None:
        """Store several last results in one write (Test all's, when the run ends)."""
        clean = {
            key: StoredResult(bool(r.ok), safe_summary(r.stage, 40), float(r.at), safe_summary(r.summary))
            for key, r in results.items()
        }
        self._change(lambda entries: entries.update(clean))

    def forget(self, connection_ids: set[str]) -> None:
        """Drop the results of connections that are gone."""
        if self.path.exists():
            self._change(lambda entries: [entries.pop(i, None) for i in connection_ids])

    def _change(self, change) -> None:  # type: ignore[no-untyped-def]
        with file_lock(self.config_dir / (FILE_NAME + ".lock")):
            with contextlib.suppress(OSError):  # a named pipe, a link to a device: left alone
                mode = os.stat(self.path).st_mode
                if not stat.S_ISREG(mode):
                    raise StorageError(describe_os_error(not_regular(self.path, mode), self.path, "save"))
            entries = self.load()
            change(entries)
            document = {
                "schema_version": 1,
                "results": {
                    key: {"ok": r.ok, "stage": r.stage, "at": r.at, "summary": r.summary} for key, r in entries.items()
                },
            }
            atomic_write_json(self.path, document, keep_backup=False)


def _parse(entry: object) -> StoredResult | None:
    if not isinstance(entry, dict):
        return None
    ok, stage, at, summary = entry.get("ok"), entry.get("stage"), entry.get("at"), entry.get("summary", "")
    if not isinstance(ok, bool) or not isinstance(stage, str) or not isinstance(summary, str):
        return None
    if not isinstance(at, int | float) or isinstance(at, bool) or not math.isfinite(at):
        return None
    return StoredResult(ok, safe_summary(stage, 40), float(at), safe_summary(summary))
