"""Start-up state shared by the entry point and the window: the paused cycle collector.

Start-up creates tens of thousands of objects that live as long as the process (imported
modules, PySide's types and enums, 10,000 connections' dictionaries), and the collector keeps
walking all of them while they are made (measured: ~8 % of the window's start-up with 10,000
connections, ~6 % of ``smtpgui test``). Nothing start-up makes is cyclic garbage, and reference
counting still frees everything else at once. The entry point pauses the collector
(:func:`pause_collector`); the window resumes it after its first paint (:func:`end_startup`);
a command resumes it when it ends (:func:`restore_collector`).
"""

from __future__ import annotations

import gc


class _State:
    collector_paused = False  # paused by the entry point, and start-up has not ended yet
    was_enabled = False


def pause_collector() -> None:
    """Pause the cycle collector for start-up (its previous state is restored later)."""
    _State.was_enabled = gc.isenabled()
    gc.disable()
    _State.collector_paused = _State.was_enabled


def end_startup() -> None:
    """Start-up is over (the window has painted): collect cycles again, and leave everything
    start-up built (modules, classes, Qt wrappers, the connections) out of later collections."""
    if _State.collector_paused:
        _State.collector_paused = False
        gc.freeze()
        gc.enable()


def restore_collector() -> None:
    """Put the collector back as :func:`pause_collector` found it (for callers in-process)."""
    _State.collector_paused = False
    if _State.was_enabled:
        gc.enable()
