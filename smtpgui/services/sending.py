"""Test sends for front ends: build the test message, run the one engine, keep the last result.

The engine is loaded on the first test, never at start-up (it brings ssl, sockets and the
email package). The window calls :meth:`TestService.run` on a worker thread; the command line
calls it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smtpgui.core.appsettings import AppSettings
from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Connection
from smtpgui.services.settings import SettingsService

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage, TestRequest
    from smtpgui.transport.engine import SessionEngine, SessionSecrets
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.transport.result import TestResult


class TestService:
    """Builds test messages and runs sessions through one shared engine."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, settings: SettingsService) -> None:
        self.settings = settings
        self._engine: SessionEngine | None = None
        self.last_results: dict[str, TestResult] = {}

    @property
    def engine(self) -> SessionEngine:
        """The session engine, made on the first test or probe."""
        if self._engine is None:
            from smtpgui.transport.engine import SessionEngine

            self._engine = SessionEngine()
        return self._engine

    def app_settings(self) -> AppSettings:
        """The app-wide defaults for a test; the built-in ones when settings.json cannot be read."""
        try:
            return self.settings.load()
        except SmtpguiError:
            return AppSettings()

    def request(
        self,
        recipients: tuple[str, ...] = (),
        subject: str | None = None,
        body: str | None = None,
        from_override: str = "",
    ) -> TestRequest:
        """What a test sends: the given values, else the app's defaults, else the built-in ones.

        ``ValidationError`` (field ``to``) when no recipient is given and none is set by default.
        """
        from smtpgui.core.errors import ValidationError
        from smtpgui.core.message import DEFAULT_BODY, DEFAULT_SUBJECT, TestRequest

        defaults = self.app_settings()
        to = recipients or defaults.test_recipients()
        if not to:
            raise ValidationError(
                "Say who receives the test with --to ADDR (or set a default with "
                "'smtpgui settings --default-to ADDR', or use --verify-only).",
                "to",
            )
        return TestRequest(
            to=to,
            subject=subject if subject is not None else (defaults.default_subject or DEFAULT_SUBJECT),
            body=body if body is not None else (defaults.default_body or DEFAULT_BODY),
            from_override=from_override,
        )

    def build_message(self, connection: Connection, request: TestRequest) -> OutgoingMessage:
        """The test message (DESIGN §5) for this connection; ``ValidationError`` for bad input."""
        from smtpgui.core.message import build_test_message  # the email package: on the first test

        return build_test_message(connection, request, self.settings.load())

    def run(
        self,
        connection: Connection,
        secrets: SessionSecrets,
        message: OutgoingMessage | None,
        on_line: Callable[[str], None] | None = None,
        **options: object,
    ) -> TestResult:
        """One session (``message`` None: verify only), its result kept as the last one."""
        result = self.engine.run(connection, secrets, message, on_line=on_line, **options)  # type: ignore[arg-type]
        self.last_results[connection.id] = result
        return result

    def probe(
        self, connection: Connection, port: int | None, secrets: SessionSecrets, *, own_first: bool = False
    ) -> ProbeReport:
        """What the server supports on each port and mode (the connection's own first, if asked)."""
        from smtpgui.transport.probe import probe

        return probe(connection, port, secrets, engine=self.engine, own_first=own_first)
