"""Hostile headers against the checks (issue 19, attack): the sandbox reads every message before its
250, so reading one may not take longer as the header grows than a linear scan does. Each of these
headers is a few hundred kB (a sandbox takes 25 MB); before the fix each took from 10 s to minutes."""

from __future__ import annotations

import time

import pytest

from smtpgui.core.mailchecks import inspect_message

HEAD = b"Date: Fri, 27 Nov 2026 15:00:00 +0000\r\nMessage-ID: <1@example.com>\r\nFrom: ann@example.com\r\n"
BOMBS = {
    "folded-subject": HEAD + b"Subject: " + b"word\r\n " * 150_000 + b"end\r\n\r\nbody\r\n",
    "encoded-words": HEAD + b"Subject: " + b"=?utf-8?q?a?= " * 100_000 + b"\r\n\r\nbody\r\n",
    "commented-recipients": HEAD + b"To: " + b"a@b.example (c), " * 30_000 + b"c@d.example\r\n\r\nbody\r\n",
    "encoded-recipients": HEAD + b"Cc: " + b"=?utf-8?q?a?= <a@b.example>, " * 20_000 + b"c@d.example\r\n\r\n.\r\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_huge_header_is_read_in_linear_time(name: str) -> None:
    raw = BOMBS[name]
    started = time.perf_counter()
    headers, checks = inspect_message(raw)
    elapsed = time.perf_counter() - started
    assert elapsed < 10.0, f"{name}: {len(raw):,} bytes read in {elapsed:.1f} s"
    assert len(checks) == 13 and headers


def test_a_header_too_long_to_check_says_so() -> None:
    _headers, checks = inspect_message(BOMBS["commented-recipients"])
    (address,) = [c for c in checks if c.code == "address-malformed"]
    assert not address.ok and "too long to check" in address.sentence
    (subject,) = [v for n, v in inspect_message(BOMBS["encoded-words"])[0] if n == "Subject"]
    assert subject.startswith("a" * 1000)  # the start is decoded; the rest is shown as it came
