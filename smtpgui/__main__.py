"""Entry point for ``python -m smtpgui``."""

from smtpgui.cli import main

raise SystemExit(main())
