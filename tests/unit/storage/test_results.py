"""The last test results kept for the cards: atomic, private, tolerant, display-safe, no secrets."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from smtpgui.core import redact
from smtpgui.storage.results import FILE_NAME, ResultStore, StoredResult


def test_results_survive_a_new_store_and_are_private(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.record("a", StoredResult(True, "data", 1_700_000_000.0, ""))
    store.record("b", StoredResult(False, "auth", 1_700_000_100.0, "535 Authentication failed"))
    again = ResultStore(tmp_path).load()
    assert again["a"] == StoredResult(True, "data", 1_700_000_000.0, "")
    assert again["b"].ok is False and again["b"].stage == "auth" and "535" in again["b"].summary
    if sys.platform != "win32":
        assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600
    store.forget({"a"})
    assert set(ResultStore(tmp_path).load()) == {"b"}


def test_server_text_is_made_display_safe_and_short(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    hostile = "550 \x1b]0;pwned\x07 rejected\u202e\r\nFAKE: line" + "x" * 500
    store.record("a", StoredResult(False, "rcpt\x1b[2J", 1.0, hostile))
    result = ResultStore(tmp_path).load()["a"]
    for bad in ("\x1b", "\x07", "\u202e", "\r", "\n"):
        assert bad not in result.summary and bad not in result.stage
    assert "\\x1b" in result.summary and len(result.summary) <= 200


def test_a_known_secret_never_reaches_the_file(tmp_path: Path) -> None:
    redact.remember("s3cret-Passw0rd")
    ResultStore(tmp_path).record("a", StoredResult(False, "auth", 1.0, "server said s3cret-Passw0rd is wrong"))
    assert "s3cret-Passw0rd" not in (tmp_path / FILE_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"results": []}',
        '{"results": {"a": {"ok": "yes", "stage": "x", "at": 1}}}',
        '{"results": {"a": {"ok": true, "stage": "x", "at": "NaN"}}}',
        '{"results": {"a": {"ok": true, "stage": 5, "at": 1}}}',
    ],
)
def test_a_damaged_file_reads_as_no_results(tmp_path: Path, content: str) -> None:
    (tmp_path / FILE_NAME).write_text(content, encoding="utf-8")
    assert ResultStore(tmp_path).load() == {}


def test_good_entries_are_kept_beside_bad_ones(tmp_path: Path) -> None:
    document = {"results": {"good": {"ok": True, "stage": "data", "at": 5}, "bad": {"ok": None}}}
    (tmp_path / FILE_NAME).write_text(json.dumps(document), encoding="utf-8")
    assert set(ResultStore(tmp_path).load()) == {"good"}
