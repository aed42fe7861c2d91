"""Test every connection: the one engine, a bounded number of sessions at a time, cancellable.

Sessions wait on the network, not on the processor, so they overlap on threads (default 8 at
a time). Workers take the next connection as soon as one finishes, so a silent server costs its
own timeout and nothing more: the whole run stays close to the ideal schedule (the sessions'
total time divided by the concurrency). Results arrive through a callback as they come in, and
are returned in list order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Connection

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.transport.engine import SessionEngine, SessionSecrets
    from smtpgui.transport.network import CancelToken
    from smtpgui.transport.result import TestResult

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64


@dataclass(frozen=True)
class TestAllItem:
    """One connection's outcome: its result, or the sentence that kept it from running."""

    __test__ = False  # not a pytest test class

    index: int
    connection: Connection
    result: TestResult | None
    problem: str | None = None  # e.g. the keyring could not be read, the message is invalid

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


SecretsFor = Callable[[Connection], "SessionSecrets"]
MessageFor = Callable[[Connection], "OutgoingMessage | None"]
ItemListener = Callable[[TestAllItem], None]


class TestAllRun:
    """Runs the sessions of many connections; :meth:`cancel` stops them all from any thread."""

    __test__ = False

    def __init__(
        self,
        engine: SessionEngine,
        connections: Sequence[Connection],
        secrets_for: SecretsFor,
        message_for: MessageFor,
        concurrency: int = DEFAULT_CONCURRENCY,
        *,
        resolve: Callable[[Connection], Connection] | None = None,
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"The concurrency must be a number from 1 to {MAX_CONCURRENCY}.")
        self.engine = engine
        self.connections = list(connections)
        self.secrets_for = secrets_for
        self.message_for = message_for
        self.concurrency = concurrency
        # The connection as its session uses it (shared credential, connector): SharedService.resolve.
        self.resolve = resolve
        self._lock = threading.Lock()
        self._tokens: set[CancelToken] = set()
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Stop every running session and start no more."""
        self._cancelled.set()
        with self._lock:
            tokens = list(self._tokens)
        for token in tokens:
            token.cancel("cancelled")

    def run(self, on_item: ItemListener | None = None) -> list[TestAllItem]:
        """Test every connection; ``on_item`` hears each outcome as it comes in (on the thread
        that called ``run``), and the list that is returned is in the connections' order."""
        items: list[TestAllItem | None] = [None] * len(self.connections)
        workers = max(1, min(self.concurrency, len(self.connections)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtpgui-test-all") as pool:
            futures = [pool.submit(self._one, index) for index in range(len(self.connections))]
            for future in as_completed(futures):
                item = future.result()
                items[item.index] = item
                if on_item is not None:
                    on_item(item)
        return [item for item in items if item is not None]

    def _one(self, index: int) -> TestAllItem:
        from smtpgui.transport.network import CancelToken

        connection = self.connections[index]
        if self._cancelled.is_set():
            return TestAllItem(index, connection, None, "cancelled before it started")
        try:
            session_connection = self.resolve(connection) if self.resolve is not None else connection
            message = self.message_for(session_connection)
            secrets = self.secrets_for(session_connection)
        except SmtpguiError as exc:
            return TestAllItem(index, connection, None, str(exc))
        token = CancelToken()
        with self._lock:
            self._tokens.add(token)
        try:
            if self._cancelled.is_set():
                token.cancel("cancelled")
            result = self.engine.run(session_connection, secrets, message, token=token)
        finally:
            with self._lock:
                self._tokens.discard(token)
        return TestAllItem(index, connection, result)
