"""What a command is to the parser: a handler, and the function that registers one."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smtpgui.services import AppServices

Handler = Callable[["AppServices", argparse.Namespace], int]
"""Runs one command with the config folder's services; returns the exit code."""

Command = Callable[[str, Handler, str], argparse.ArgumentParser]
"""Registers a command (name, handler, help) and returns its parser for its options."""
