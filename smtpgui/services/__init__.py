"""The application layer both front ends call (DESIGN §1): no Qt, no terminal.

The command line (``smtpgui.cli``) and the window (``smtpgui.ui``) ask these services to do
things; neither talks to the connections file or the keyring itself. Each rule of the product
(who becomes the default, what a copy is called, when a secret must be dropped) is decided in
exactly one function here.
"""

from __future__ import annotations

from smtpgui.services.connections import ConnectionService, DeleteOutcome, ImportOutcome
from smtpgui.services.secrets import SecretService
from smtpgui.services.sending import TestService
from smtpgui.services.settings import SettingsService

__all__ = [
    "ConnectionService",
    "DeleteOutcome",
    "ImportOutcome",
    "SecretService",
    "SettingsService",
    "TestService",
]
