"""Driving the editor as a person does: a tab's fields exist once the tab has been opened."""

from __future__ import annotations

from typing import Any


def open_tab(window: Any, name: str) -> None:
    """Click the editor's tab ``name`` (main, auth, encryption, proxy, graph)."""
    editor = window.editor
    editor.tabs.setCurrentWidget(getattr(editor, f"{name}_tab"))
