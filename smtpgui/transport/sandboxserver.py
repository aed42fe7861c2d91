"""The local sandbox SMTP server: aiosmtpd on a thread of its own, accepting any sender and recipient.

One asyncio loop on one thread serves the plain port (with STARTTLS) and, when asked, an implicit
TLS port. The sockets are bound by :meth:`SandboxServer.start` in the caller's thread, so a port
that is taken raises ``OSError`` there at once. Every message is handed to ``deliver`` (the inbox's
commit, which runs on the inbox's committer thread) from a worker thread, never on the loop, so reading
a large message never keeps the other clients waiting; the server answers 250 only after the message
is committed, 451 when it could not be.

AUTH offers PLAIN, LOGIN and CRAM-MD5. Without a user and password every credential is accepted
(and AUTH is optional); with them, AUTH is required and only that user and password pass, in each
mechanism (CRAM-MD5 is checked against the password it knows). A CRAM-MD5 answer in accept-any mode
is accepted without a check: there is no password to check it against. AUTH is allowed before
STARTTLS too (the server listens on loopback, and plain-text AUTH is one of the things to try).
The password given to the server is never stored or logged; the envelope records the user name only.

Limits: ``max_size`` bytes a message (552 while it is being received: aiosmtpd's
``data_size_limit`` discards the data as it comes, so a 30 MB message is never held in memory),
``max_recipients`` a message (452 beyond). Lines up to 1 MiB are accepted (the checks then report
lines over 998 octets) rather than refused with 500 as aiosmtpd does past 1,001.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import secrets
import socket
import ssl
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from smtpgui.core.display import printable
from smtpgui.core.inboxmodel import Envelope

__all__ = ["DEFAULT_PORT", "Deliver", "SandboxLimits", "SandboxServer"]

Deliver = Callable[[bytes, Envelope, Callable[[int, "BaseException | None"], None]], None]
"""Takes a message and its envelope and, once the message is stored, calls back (on any thread)
with its id, or with the error that kept it from being stored (see ``InboxStore.submit``)."""

DEFAULT_PORT = 1025
MEGABYTE = 1024 * 1024
_START_TIMEOUT_S = 30.0
_READ_ON_LOOP = 8 * 1024  # a message up to this size is read on the loop (its worst header takes ~50 ms)
_QUIET = ("login_data is deprecated", "auth_required == True but auth_require_tls == False")


class _SafeRecords(logging.Filter):
    """What aiosmtpd and asyncio log about a session holds what the client sent ("unrecognised:
    <command>"), and their records reach the terminal of ``smtpgui sandbox`` (Python's last-resort
    handler): each record is made :func:`printable` (escapes shown, never acted on), traceback
    included. aiosmtpd's notices about its own deprecated ``login_data`` (after every AUTH) and about
    AUTH without TLS (which the sandbox allows on purpose) are dropped: noise on that terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(notice in message for notice in _QUIET):
            return False
        record.msg, record.args = printable(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = printable(logging.Formatter().formatException(record.exc_info), multiline=True)
        if record.stack_info:
            record.stack_info = printable(record.stack_info, multiline=True)
        return True


for _name in ("mail.log", "asyncio"):
    logging.getLogger(_name).addFilter(_SafeRecords())


@dataclass(frozen=True)
class SandboxLimits:
    """What the sandbox refuses: messages over ``max_size`` bytes, more than ``max_recipients``, and
    connections beyond ``max_sessions`` open at once (421)."""

    max_size: int = 25 * MEGABYTE
    max_recipients: int = 100
    max_sessions: int = 64  # open connections (each may hold a message of max_size while it arrives)


def _log_quietly(message: str) -> None:
    """One line in smtpgui's own log file (made printable and scrubbed there), not on the terminal."""
    from smtpgui.storage.logs import log

    log.info("%s", printable(message)[:500])


def _loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's reports from the sandbox's loop (an SSL transport a client dropped mid-handshake
    raises inside asyncio itself in Python 3.11): to smtpgui's log, not the terminal."""
    error = context.get("exception")
    _log_quietly(f"sandbox: {context.get('message', '')} {type(error).__name__ if error else ''} {error or ''}")


def _text(value: object) -> str:
    """What the client sent, as text that every front end can store and show: aiosmtpd reads
    command arguments as UTF-8 with ``surrogateescape`` (the EHLO name, MAIL FROM, RCPT TO), so a
    byte that is not UTF-8 arrives as a lone surrogate, which SQLite, JSON readers and Qt refuse.
    Such bytes become U+FFFD, as they do in the headers."""
    text = str(value or "")
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no byte decodes to
        return text.encode("utf-8", "replace").decode("utf-8")


class _Sessions:
    """How many connections of one server are open, and how many may be."""

    def __init__(self, limit: int) -> None:
        self.limit, self.open = limit, 0


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
# ``<dot-atom@domain>`` and the parameters after it, as aiosmtpd returns them (from the first one on,
# trailing blanks kept); ASCII only: anything else takes aiosmtpd's path.
_SIMPLE_PATH = re.compile(
    rf"[ \t]*<({_ATOM}(?:\.{_ATOM})*)@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    rf"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)>[ \t]*([!-~][!-~ \t]*)?"
)


class _SandboxSMTP(SMTP):
    line_length_limit = MEGABYTE  # accept long lines; the checks report them

    def __init__(self, sessions: _Sessions, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions = sessions
        self._refused = self._counted = False

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's reading of a MAIL FROM / RCPT TO address, at once for the common shape.

        ``<local@domain> [params]`` with a dot-atom local part and a plain domain is what nearly every
        client sends; aiosmtpd reads every address with the e-mail package's header parser, the
        largest single cost of a message here. Anything else (quoted local parts, source routes,
        address literals, no angle brackets) goes to aiosmtpd as before: the answer is the same
        either way (tests/unit/transport/test_sandbox_addresses.py compares them).
        """
        simple = _SIMPLE_PATH.fullmatch(arg)
        if simple is None:
            return super()._getaddr(arg)
        local, address = simple.group(1), simple.group(1) + "@" + simple.group(2)
        if self.local_part_limit and len(local) > self.local_part_limit:
            return None, None
        return address, simple.group(3) or ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Called again after STARTTLS (with the TLS transport): only a new connection is counted.
        if self.transport is None and self._original_transport is None:
            if self._sessions.open >= self._sessions.limit:
                self._refused = True
                transport.write(b"421 4.7.0 The sandbox has too many open connections; try again later\r\n")  # type: ignore[attr-defined]
                transport.close()
                return
            self._sessions.open += 1
            self._counted = True
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return
        if self._counted:  # once: aiosmtpd calls this itself after a failed STARTTLS, and asyncio may again
            self._counted = False
            self._sessions.open -= 1
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        return False if self._refused else super().eof_received()


class _Handler:
    """aiosmtpd hooks: recipients within the limit, CRAM-MD5, and the commit before 250."""

    def __init__(
        self,
        deliver: Deliver,
        limits: SandboxLimits,
        user: str | None,
        password: str | None,
    ) -> None:
        self._deliver = deliver
        self._limits = limits
        self._user = user
        self._password = password

    async def handle_exception(self, error: Exception) -> str:
        """A session that broke (most often a client that said STARTTLS and then sent no TLS, or hung
        up): a line in smtpgui's log, never a traceback on the terminal; aiosmtpd then answers the
        client with this (or, after a failed TLS handshake, closes the connection)."""
        _log_quietly(f"sandbox: a session ended on {type(error).__name__}: {error}")
        return f"500 5.5.0 The sandbox could not handle that command ({type(error).__name__})"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= self._limits.max_recipients:
            return f"452 4.5.3 Too many recipients: the sandbox takes {self._limits.max_recipients} a message"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:  # noqa: N802
        transport = server.transport
        tls = transport.get_extra_info("ssl_object") if transport is not None else None
        peer = session.peer
        facts = Envelope(
            mail_from=_text(envelope.mail_from),
            rcpt_to=tuple(_text(r) for r in envelope.rcpt_tos),
            peer=f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else str(peer or ""),
            ehlo_name=_text(session.host_name),
            tls_version=tls.version() if tls is not None else None,
            auth_user=_text(session.auth_data) if session.authenticated and session.auth_data is not None else None,
            smtputf8=bool(envelope.smtp_utf8),
            eightbitmime="BODY=8BITMIME" in (envelope.mail_options or []),
        )
        raw = bytes(envelope.original_content or b"")
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[int] = loop.create_future()

        def settle(ident: int, error: BaseException | None) -> None:
            if not stored.done():  # the session may have ended meanwhile
                if error is None:
                    stored.set_result(ident)
                else:
                    stored.set_exception(error)

        def done(ident: int, error: BaseException | None) -> None:  # on the committer's thread
            with contextlib.suppress(RuntimeError):  # the loop closed: the server is stopping
                loop.call_soon_threadsafe(settle, ident, error)

        try:
            # Reading the message (headers, checks) takes time that grows with its size: beyond a few
            # kB on a worker thread, so that the loop goes on answering every other client meanwhile
            # (a small one is read at once: the thread hop would cost more than the reading).
            if len(raw) <= _READ_ON_LOOP:
                self._deliver(raw, facts, done)
            else:
                await loop.run_in_executor(None, self._deliver, raw, facts, done)
            ident = await stored
        except Exception as exc:  # the store's sentence goes back to the client; the server goes on
            reason = " ".join(str(exc).split())[:300] or type(exc).__name__
            return f"451 4.3.0 The sandbox could not store the message: {reason}"
        return f"250 2.0.0 OK: stored as message {ident}"

    def authenticate(self, server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        """PLAIN and LOGIN (aiosmtpd decodes them into a LoginPassword)."""
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode("utf-8", "replace")
        if self._user is None:
            return AuthResult(success=True, auth_data=login)
        given = data.password
        wanted = (self._password or "").encode("utf-8")
        if hmac.compare_digest(login.encode("utf-8"), self._user.encode("utf-8")) and hmac.compare_digest(
            given, wanted
        ):
            return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

    async def auth_CRAM__MD5(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802 - "CRAM-MD5"
        challenge = f"<{secrets.randbits(64)}.{secrets.randbits(32)}@localhost>".encode("ascii")
        answer = await server.challenge_auth(challenge)
        if not isinstance(answer, bytes):
            return AuthResult(success=False, handled=True)  # aborted or bad base64: already answered
        login, _, digest = answer.decode("utf-8", "replace").rpartition(" ")
        if not login or len(digest) != 32:
            return AuthResult(success=False, handled=False)
        if self._user is None:
            return AuthResult(success=True, auth_data=login)
        expected = hmac.new((self._password or "").encode("utf-8"), challenge, "md5").hexdigest()
        # As bytes: compare_digest refuses str with non-ASCII characters (a hostile login would raise).
        if hmac.compare_digest(login.encode("utf-8"), self._user.encode("utf-8")) and hmac.compare_digest(
            digest.lower().encode("utf-8"), expected.encode("ascii")
        ):
            return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)


def _bind(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            # Rebind at once after a restart (connections in TIME_WAIT); never shares a listening port on POSIX.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((address, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class SandboxServer:
    """The sandbox SMTP server on its own thread; :meth:`start` binds, :meth:`stop` closes."""

    def __init__(
        self,
        deliver: Deliver,
        *,
        cert_file: Path,
        key_file: Path,
        listen: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        tls_port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        limits: SandboxLimits | None = None,
    ) -> None:
        if (user is None) != (password is None):
            raise ValueError("the sandbox takes a user and a password together, or neither")
        self._handler = _Handler(deliver, limits or SandboxLimits(), user, password)
        self._limits = limits or SandboxLimits()
        self._sessions = _Sessions(self._limits.max_sessions)
        self._listen = listen
        self._wanted = (port, tls_port)
        self._auth_required = user is not None
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_file, key_file)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._starting: asyncio.Task[None] | None = None
        self.port: int | None = None
        self.tls_port: int | None = None

    def _factory(self) -> SMTP:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Requiring AUTH while not requiring TLS": on purpose, see above
            return _SandboxSMTP(
                self._sessions,
                self._handler,
                data_size_limit=self._limits.max_size,
                enable_SMTPUTF8=True,
                hostname="localhost",
                ident="smtpgui sandbox",
                tls_context=self._context,
                auth_required=self._auth_required,
                auth_require_tls=False,
                authenticator=self._handler.authenticate,
                loop=self._loop,
            )

    def start(self) -> None:
        """Bind the ports (``OSError`` when one is taken) and serve them on a new thread."""
        plain = _bind(self._listen, self._wanted[0])
        secure: socket.socket | None = None
        try:
            if self._wanted[1] is not None:
                secure = _bind(self._listen, self._wanted[1])
        except BaseException:
            plain.close()
            raise
        self.port = int(plain.getsockname()[1])
        self.tls_port = int(secure.getsockname()[1]) if secure is not None else None
        loop = asyncio.new_event_loop()
        self._loop = loop
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            try:
                self._servers.append(await loop.create_server(self._factory, sock=plain))
                if secure is not None:
                    self._servers.append(await loop.create_server(self._factory, sock=secure, ssl=self._context))
            except BaseException as exc:
                failure.append(exc)
            finally:
                ready.set()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.set_exception_handler(_loop_exception)
            self._starting = loop.create_task(serve())  # a task needs a reference until it is done
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

        self._thread = threading.Thread(target=run, name="smtpgui-sandbox", daemon=True)
        self._thread.start()
        if not ready.wait(_START_TIMEOUT_S) or failure:
            self.stop()
            if failure:
                raise failure[0]
            raise OSError("the sandbox server did not start in time")

    def stop(self) -> None:
        """Close the ports and end open sessions; returns once the thread has ended."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def close() -> None:
            for server in self._servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            for server in self._servers:
                await server.wait_closed()
            loop.stop()

        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(close(), loop)
            thread.join(_START_TIMEOUT_S)
        self._servers.clear()
        self._loop = self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
