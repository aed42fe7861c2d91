"""Entry point for ``python -m smtpgui`` (and the bundle's executable)."""

from smtpgui.cli import run

run()
