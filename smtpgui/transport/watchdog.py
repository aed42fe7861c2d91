"""One thread that enforces every session's overall deadline (no timer thread per session)."""

from __future__ import annotations

import itertools
import threading
import time

from smtpgui.transport.network import CancelToken


class Watchdog:
    """Cancels a session's token with reason ``deadline`` when its time is up."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._entries: dict[int, tuple[float, CancelToken]] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, token: CancelToken, seconds: float) -> int:
        with self._condition:
            key = next(self._ids)
            self._entries[key] = (time.monotonic() + seconds, token)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="smtpgui-deadlines", daemon=True)
                self._thread.start()
            self._condition.notify()
            return key

    def release(self, key: int) -> None:
        with self._condition:
            self._entries.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._condition:
                now = time.monotonic()
                expired = [k for k, (due, _) in self._entries.items() if due <= now]
                tokens = [self._entries.pop(k)[1] for k in expired]
                if not tokens:
                    due = min((d for d, _ in self._entries.values()), default=None)
                    self._condition.wait(None if due is None else due - now)
                    continue
            for token in tokens:
                token.cancel("deadline")
