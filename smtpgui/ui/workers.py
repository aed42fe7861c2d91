"""Jobs that run the engine on the window's thread pool and report back through signals.

A job gets a snapshot of the connection and a way to read its secrets (the keyring is read on
the worker thread, never the GUI thread); it never touches widgets. Every exception becomes the
``failed`` signal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal

from smtpgui.core.model import Connection, Security
from smtpgui.storage.secrets import SecretStore, Slot

if TYPE_CHECKING:
    from smtpgui.core.message import OutgoingMessage
    from smtpgui.transport.engine import SessionEngine, SessionSecrets
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.transport.result import Stage

SecretsProvider = Callable[[Connection], "SessionSecrets"]
# The connection as a session uses it (its shared credential and connector in place), read on
# the worker: services.shared.SharedService.resolve.
Resolver = Callable[[Connection], Connection]


class JobSignals(QObject):
    """Signals of a job (a QRunnable cannot have its own).

    Signals:
        line(str): a transcript line, as it happens.
        stage(str): the stage the session entered.
        finished(object): the TestResult or ProbeReport.
        failed(str): the job could not run; a sentence.
        prompt(object): sign-in needs the person: ("browser", url) or ("device", DeviceCode).
    """

    prompt = Signal(object)
    line = Signal(str)
    stage = Signal(str)
    finished = Signal(object)
    failed = Signal(str)


class _EngineJob(QRunnable):
    """What every job shares: the engine, a connection snapshot, its secrets, a cancel token."""

    def __init__(
        self, engine: SessionEngine, connection: Connection, secrets: SecretsProvider, resolve: Resolver | None = None
    ) -> None:
        super().__init__()
        self.engine = engine
        self.connection = connection
        self.secrets = secrets
        self.resolve = resolve
        from smtpgui.transport.network import CancelToken  # loaded with the first job, not at start-up

        self.token = CancelToken()
        self.signals = JobSignals()

    def cancel(self) -> None:
        self.token.cancel()

    def session_connection(self) -> Connection:
        """The connection with its shared credential and connector in place (on the worker)."""
        return self.resolve(self.connection) if self.resolve is not None else self.connection


class SendJob(_EngineJob):
    """One test send (or verify-only session) through the engine."""

    def __init__(
        self,
        engine: SessionEngine,
        connection: Connection,
        secrets: SecretsProvider,
        message: OutgoingMessage | None,
        resolve: Resolver | None = None,
    ) -> None:
        super().__init__(engine, connection, secrets, resolve)
        self.message = message

    def run(self) -> None:
        try:
            connection = self.session_connection()
            secrets = self.secrets(connection)
            result = self.engine.run(
                connection,
                secrets,
                self.message,
                token=self.token,
                on_line=self.signals.line.emit,
                on_stage=self._stage,
            )
        except Exception as exc:  # reported to the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(result)

    def _stage(self, stage: Stage) -> None:
        self.signals.stage.emit(stage.value)


class ProbeJob(_EngineJob):
    """Detect settings: the probe for a connection's host.

    ``combinations`` (port, security) replaces the probe's own choice (tests use their own ports).
    """

    def __init__(
        self,
        engine: SessionEngine,
        connection: Connection,
        secrets: SecretsProvider,
        combinations: Sequence[tuple[int, Security]] | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        super().__init__(engine, connection, secrets, resolve)
        self.combinations = combinations

    def run(self) -> None:
        from smtpgui.transport.probe import probe

        try:
            connection = self.session_connection()
            report: ProbeReport = probe(
                connection,
                None,
                self.secrets(connection),
                self.token,
                self.engine,
                combinations=self.combinations,
                own_first=True,
            )
        except Exception as exc:  # reported to the window, never lost
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(report)


class SecretStatusJob(QRunnable):
    """Which secrets of one connection the keyring holds, read off the GUI thread.

    A keyring can take a long time to answer (loading its backends, a Secret Service on a slow
    bus, an unlock prompt); the editor shows "checking…" until this job reports.
    """

    def __init__(self, store: SecretStore, connection_id: str, slots: tuple[Slot, ...]) -> None:
        super().__init__()
        self.store, self.connection_id, self.slots = store, connection_id, slots
        self.signals = JobSignals()

    def cancel(self) -> None:
        """Nothing to stop: a keyring read is short once the backend is loaded."""

    def run(self) -> None:
        try:
            if self.store.is_absent():
                stored: set[Slot] = set()
            else:
                stored = {slot for slot in self.slots if self.store.has(self.connection_id, slot)}
        except Exception as exc:  # SecretStoreUnavailable or anything a backend raises
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        # Session only: the keyring could not be read (now or earlier), so a secret that is not
        # in this session's memory may still be in the keyring: its state is unknown.
        self.signals.finished.emit((self.connection_id, stored, self.store.session_only))


class SignInJob(QRunnable):
    """OAuth2 sign-in for an SMTP connection, off the GUI thread (it waits for the person).

    The browser is opened from here (Python's webbrowser, so $BROWSER is honoured); a
    device-code sign-in reports its code through ``prompt``. The refresh token is stored in the
    keyring here too; ``finished`` carries the ``Tokens`` (the access token stays in memory),
    ``failed`` a sentence with the explanation and fix.
    """

    def __init__(
        self,
        connection: Connection,
        store: SecretStore,
        pending: dict[Slot, str | None],
        device: bool,
        wait_s: float = 300,
    ) -> None:
        super().__init__()
        from smtpgui.transport.network import CancelToken

        self.connection, self.store, self.pending, self.device = connection, store, pending, device
        self.wait_s = wait_s
        self.token = CancelToken()
        self.signals = JobSignals()

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        from smtpgui.core.explanations import Failure, explain
        from smtpgui.transport import oauth
        from smtpgui.transport.errors import HttpFailure, NetworkError, OAuthError, SignInSetupError
        from smtpgui.transport.http import HttpClient
        from smtpgui.transport.network import Cancelled

        c = self.connection
        try:
            proxy = self._secret(Slot.PROXY_PASSWORD) if c.proxy_type.value != "none" and c.proxy_username else None
            client_secret = self._secret(Slot.OAUTH_CLIENT_SECRET)
            sign_in = oauth.SignIn(c, HttpClient(c, self.token, proxy_password=proxy), client_secret)
            if self.device:
                code = sign_in.start_device()
                self.signals.prompt.emit(("device", code))
                tokens = sign_in.finish_device(code, self.token)
            else:
                tokens = sign_in.with_browser(self._open_browser, self.token, self.wait_s)
            if not tokens.refresh_token:
                raise OAuthError("no_refresh_token", "the provider returned no refresh token (offline_access scope?)")
            self.store.set(c.id, Slot.OAUTH_REFRESH_TOKEN, tokens.refresh_token)
            oauth.keep_signed_in(c, tokens)
        except Cancelled:
            self.signals.failed.emit("The sign-in was cancelled.")
            return
        except SignInSetupError as exc:
            self.signals.failed.emit(str(exc))
            return
        except (OAuthError, HttpFailure, NetworkError) as exc:
            kind = "oauth-token" if isinstance(exc, OAuthError) else exc.kind
            stage = exc.stage.value if isinstance(exc, HttpFailure) else "auth"
            status = exc.status if isinstance(exc, OAuthError) else None
            why = explain(Failure(stage, kind, status, None, str(exc)))
            self.signals.failed.emit(f"Sign-in failed: {exc}. {why.cause} {why.fix}")
            return
        except Exception as exc:  # the keyring, or a bug: reported, never lost
            self.signals.failed.emit(f"Sign-in failed: {exc or type(exc).__name__}")
            return
        self.signals.finished.emit(tokens)

    def _secret(self, slot: Slot) -> str | None:
        """The secret as typed (not saved yet), else as stored; read here, never on the GUI thread."""
        if slot in self.pending:
            return self.pending[slot]
        if self.store.is_absent() and not self.store.session_only:
            return None
        return self.store.get(self.connection.id, slot)

    def _open_browser(self, url: str) -> None:
        import webbrowser

        self.signals.prompt.emit(("browser", url))
        try:
            webbrowser.open(url)
        except Exception:  # the address is shown in the window as a link anyway
            return


class SignOutJob(QRunnable):
    """Forgets a connection's OAuth2 tokens (keyring and memory), off the GUI thread."""

    def __init__(self, store: SecretStore, connection_id: str) -> None:
        super().__init__()
        self.store, self.connection_id = store, connection_id
        self.signals = JobSignals()

    def cancel(self) -> None:
        """Nothing to stop: one keyring deletion."""

    def run(self) -> None:
        from smtpgui.transport.oauth import CACHE

        try:
            CACHE.forget(self.connection_id)
            self.store.delete(self.connection_id, Slot.OAUTH_REFRESH_TOKEN)
        except Exception as exc:  # SecretStoreUnavailable or anything a backend raises
            self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        self.signals.finished.emit(self.connection_id)


class WarmUpJob(QRunnable):
    """Loads what the first test or probe needs (the engine, ssl, smtplib, the email package) on
    a worker while the window is idle, so the first Send does not load it on the GUI thread."""

    MODULES = ("smtpgui.transport.engine", "smtpgui.transport.probe", "smtpgui.core.message")

    def run(self) -> None:
        import importlib

        for name in self.MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # a module that cannot load says so when it is really needed
                return


Job = SendJob | ProbeJob | SecretStatusJob | SignInJob | SignOutJob
