"""The engine against hostile peers (tests/support/hostile.py): what comes off the wire is never trusted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from smtpgui.core.message import TestRequest, build_test_message
from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.transport.engine import SessionEngine, SessionSecrets
from smtpgui.transport.result import Stage
from tests.support.hostile import Script, hostile_smtp

engine = SessionEngine()
USER, PASSWORD = "alice@example.com", "S3cret-Pässword-42"


def plain(port: int, **changes: object) -> Connection:
    base = Connection(
        name="hostile",
        host="127.0.0.1",
        port=port,
        security=Security.NONE,
        timeout_s=5,
        from_address="sender@example.com",
        auth_mode=AuthMode.NONE,
    )
    return base.replace(**changes)


def message_for(connection: Connection, body: str = "hello"):  # type: ignore[no-untyped-def]
    return build_test_message(connection, TestRequest(to=("bob@example.com",), subject="t", body=body), None)


# ---------------------------------------------------------------------- item 12: a reply needs its line end


def test_trickling_greeting_is_a_timeout_not_a_refusal() -> None:
    with hostile_smtp(Script(trickle_greeting=True)) as server:
        started = time.monotonic()
        result = engine.run(plain(server.port, timeout_s=2), SessionSecrets(), None)
        elapsed = time.monotonic() - started
    assert not result.ok and result.stage is Stage.GREETING
    assert result.timed_out and result.exit_code == 15, result.error
    assert result.reply_code is None
    assert elapsed < 5  # the per-reply limit (the connection's timeout) cuts it, not the 3x deadline


def test_trickling_greeting_cut_by_the_session_deadline_is_a_timeout() -> None:
    with hostile_smtp(Script(trickle_greeting=True)) as server:
        result = engine.run(plain(server.port, timeout_s=30), SessionSecrets(), None, deadline_s=2)
    assert result.timed_out and result.exit_code == 15 and result.reply_code is None, result.error


@pytest.mark.parametrize("stage", ["greeting", "ehlo", "mail", "rcpt", "after-data"])
def test_a_reply_without_line_end_then_close_is_not_a_reply(stage: str) -> None:
    with hostile_smtp(Script(unterminated={stage: "250 2.0.0 ok" if stage != "greeting" else "220 ok"})) as server:
        conn = plain(server.port)
        result = engine.run(conn, SessionSecrets(), message_for(conn))
    assert not result.ok, f"a {stage} reply without a line end counted"
    assert result.failure_kind == "disconnected"
    assert result.reply_code is None
    assert "line end" in (result.error or "")
