"""The one SMTP session engine: runs sessions, watches their deadlines, logs their outcome.

``SessionEngine.run`` is synchronous; the GUI runs it in a worker thread, the CLI directly.
Another thread may call ``CancelToken.cancel()`` at any time: the session's sockets are shut
down and ``run`` returns a cancelled result within a fraction of a second. The conversation
itself is :class:`smtpgui.transport.session.SmtpSession` (and the Graph sender's session).
"""

from __future__ import annotations

import logging

from smtpgui.core.message import OutgoingMessage
from smtpgui.core.model import Connection, Kind
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import TestResult
from smtpgui.transport.session import LineListener, SessionSecrets, SmtpSession, StageListener
from smtpgui.transport.watchdog import Watchdog

log = logging.getLogger("smtpgui.engine")

__all__ = ["SessionEngine", "SessionSecrets"]


class SessionEngine:
    """Runs sessions. Holds no per-session state, so one engine serves every thread."""

    def __init__(self) -> None:
        self._watchdog = Watchdog()

    def run(
        self,
        connection: Connection,
        secrets: SessionSecrets,
        message: OutgoingMessage | None,
        *,
        token: CancelToken | None = None,
        on_line: LineListener | None = None,
        on_stage: StageListener | None = None,
        deadline_s: float | None = None,
    ) -> TestResult:
        """Send ``message`` (or with None: connect, TLS, EHLO, AUTH, QUIT) and report."""
        token = token or CancelToken()
        timeout = float(connection.timeout_s)
        deadline = deadline_s or max(timeout * 3, timeout + 30)
        key = self._watchdog.watch(token, deadline)
        if connection.kind is Kind.GRAPH:
            from smtpgui.transport.graph import GraphSession

            session: SmtpSession = GraphSession(connection, secrets, token, on_line, on_stage)
        else:
            session = SmtpSession(connection, secrets, token, on_line, on_stage)
        try:
            result = session.run(message, deadline)
        finally:
            self._watchdog.release(key)
        _log_outcome(connection, result, "test" if message is not None else "verify")
        return result


def _log_outcome(connection: Connection, result: TestResult, what: str) -> None:
    """One line per session for the app's log: where it went and how it ended, no content."""
    if connection.kind is Kind.GRAPH:
        target = f"{connection.name!r} graph {connection.graph_url} as {connection.mailbox}"
    else:
        target = f"{connection.name!r} {connection.host}:{connection.port}/{connection.security.value}"
    total = result.timings_ms.get("total", 0.0)
    if result.ok:
        log.info("%s %s: ok in %.0f ms", what, target, total)
    else:
        code = f" {result.reply_code}" if result.reply_code else ""
        enhanced = f" {result.enhanced_code}" if result.enhanced_code else ""
        how = "cancelled" if result.cancelled else f"failed at {result.stage.value}{code}{enhanced}"
        log.info("%s %s: %s after %.0f ms (%s)", what, target, how, total, result.failure_kind or "error")
