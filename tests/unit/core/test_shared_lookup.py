"""Looking a shared credential or connector up by id costs the same with 10 or 10,000 of them:
``list --json``, export and Test all look one up per connection (it was a scan of the list, so
10,000 connections on 10,000 credentials made ``list --json`` 8 s slower)."""

from __future__ import annotations

import time

from smtpgui.core.model import ProxyType
from smtpgui.core.shared import Connector, Credential, SharedSettings

N = 10_000


def test_ten_thousand_lookups_among_ten_thousand_take_no_time() -> None:
    credentials = tuple(Credential(name=f"c{i}", username=f"u{i}") for i in range(N))
    connectors = tuple(Connector(name=f"p{i}", proxy_type=ProxyType.SOCKS5, host="p.example") for i in range(N))
    shared = SharedSettings(credentials=credentials, connectors=connectors)
    started = time.perf_counter()
    found = [shared.credential(c.id) for c in credentials] + [shared.connector(c.id) for c in connectors]
    elapsed = time.perf_counter() - started
    assert found == [*credentials, *connectors]
    assert shared.credential("no-such-id") is None and shared.connector("") is None
    assert elapsed < 0.5, f"{2 * N} lookups took {elapsed:.2f} s"  # a scan each: about 8 s here


def test_a_changed_copy_finds_its_own_items() -> None:
    old = Credential(name="a", username="u")
    shared = SharedSettings(credentials=(old,))
    assert shared.credential(old.id) is old
    new = old.replace(username="v")
    changed = shared.replace(credentials=(new,))
    assert changed.credential(old.id) is new and shared.credential(old.id) is old
    assert changed == SharedSettings(credentials=(new,))
