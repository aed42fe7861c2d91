"""The local sandbox: what the window and the command line call to run it, read its inbox and connect to it.

Everything lives in the data folder (:func:`smtpgui.storage.paths.resolve_data_dir`): the inbox
(``inbox.sqlite3``), the certificate made once (``sandbox-cert.pem``, ``sandbox-key.pem``, both 0600)
and ``sandbox.json``, which says which process runs a sandbox on which ports, so a second one can
say who holds a port and the window can show a sandbox another process runs.

The rules kept here, once: which addresses the sandbox may listen on (loopback unless the user
names another, with a warning), the sentence for a taken port, and the connection that reaches the
sandbox (:func:`sandbox_connection`: the window's "Try it with the local sandbox" and
``smtpgui add NAME --sandbox`` both use it).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smtpgui.core.errors import SmtpguiError, StorageError
from smtpgui.core.inboxmodel import Envelope, MessageSummary
from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.core.redact import remember
from smtpgui.storage.atomic import atomic_write_json, file_lock
from smtpgui.storage.paths import resolve_data_dir
from smtpgui.storage.private import describe_os_error, make_private, read_file, write_private_file

if TYPE_CHECKING:
    from smtpgui.storage.inbox import InboxStore
    from smtpgui.transport.sandboxserver import Deliver, SandboxServer

__all__ = [
    "DEFAULT_PORT",
    "SANDBOX_FROM",
    "SandboxError",
    "SandboxService",
    "SandboxStatus",
    "listen_warning",
    "sandbox_connection",
]

DEFAULT_PORT = 1025  # the convention of local mail catchers (Mailpit, MailHog, smtp4dev)
SANDBOX_FROM = "sandbox@localhost"
SANDBOX_HOST = "127.0.0.1"
STATE_FILE = "sandbox.json"
CERT_FILE = "sandbox-cert.pem"
KEY_FILE = "sandbox-key.pem"
_LOCK_FILE = ".sandbox.lock"
_STATE_LIMIT = 64 * 1024


class SandboxError(SmtpguiError):
    """The sandbox cannot start (a port is taken, an address is not ours): the text is the sentence."""


@dataclass(frozen=True)
class SandboxStatus:
    """Whether a sandbox runs, on which ports, and whether in this process (``here``) or process ``pid``."""

    running: bool
    port: int | None = None
    tls_port: int | None = None
    here: bool = False
    pid: int | None = None


def _check_listen(listen: str) -> str:
    try:
        return str(ipaddress.ip_address(listen.strip().strip("[]")))
    except ValueError:
        raise SandboxError(
            f"The sandbox listens on an IP address of this computer, such as 127.0.0.1 or ::1; {listen!r} is not one."
        ) from None


def listen_warning(listen: str) -> str | None:
    """The warning to show when the sandbox listens beyond loopback, else None."""
    if ipaddress.ip_address(_check_listen(listen)).is_loopback:
        return None
    return (
        f"warning: the sandbox listens on {listen}, beyond this computer: anyone who can reach it can send "
        f"messages into your inbox and, without --user, AUTH accepts any password."
    )


def _check_port(port: int, what: str) -> int:
    if not 0 <= int(port) <= 65535:
        raise SandboxError(f"The sandbox's {what} must be from 0 to 65535 (0 picks a free port); {port} is not.")
    return int(port)


# The sandboxes this process runs, by data folder: sandbox.json naming this process's pid is only
# true when one is here (a sandbox that was killed left the file, and this process may have got its
# pid since: containers reuse small pids all the time).
_RUNNING_HERE: dict[Path, SandboxServer] = {}
_RUNNING_GUARD = threading.Lock()


def _runs_here(data_dir: Path) -> bool:
    with _RUNNING_GUARD:
        server = _RUNNING_HERE.get(data_dir.resolve())
    return server is not None and server.running


def _pid_alive(pid: int, data_dir: Path) -> bool:
    """Whether the sandbox of ``data_dir`` said to run in process ``pid`` does: this process only when
    it runs one for that folder; another when it runs and, where the system says (Linux's /proc), runs
    smtpgui: a sandbox.json left by a sandbox that was killed must not name a process that got its pid."""
    if pid == os.getpid():
        return _runs_here(data_dir)
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"smtpgui" in handle.read(64 * 1024)
    except OSError:
        return True  # no /proc (macOS, Windows): the pid is all there is to go by


class SandboxService:
    """The sandbox of one data folder: its inbox, its certificate, and a server this process may run.

    ``on_message`` (if set) is called with each message's summary after the message is committed, on
    a thread of the sandbox's own (one at a time, in order), so a slow callback (a terminal that is
    not read) never delays the server's 250; an exception there is ignored (the message is safe).
    """

    def __init__(self, config_dir: Path | str | None = None) -> None:
        self.data_dir = resolve_data_dir(config_dir)
        self.on_message: Callable[[MessageSummary], None] | None = None
        self._store: InboxStore | None = None
        self._writer: InboxStore | None = None
        self._server: SandboxServer | None = None
        self._guard = threading.Lock()
        self._notices: queue.SimpleQueue[int | None] | None = None
        self._notifier: threading.Thread | None = None

    # --- the inbox -------------------------------------------------------------------------

    def store(self) -> InboxStore:
        """The inbox, opened once (``StorageError`` with a sentence when its file is not an inbox)."""
        with self._guard:
            if self._store is None:
                from smtpgui.storage.inbox import INBOX_FILE, InboxStore

                self._store = InboxStore(self.data_dir / INBOX_FILE)
            return self._store

    # --- the certificate -------------------------------------------------------------------

    def certificate_files(self) -> tuple[Path, Path]:
        """(certificate, key) of the sandbox, made the first time (under a lock: one process makes them)."""
        cert, key = self.data_dir / CERT_FILE, self.data_dir / KEY_FILE
        with file_lock(self.data_dir / _LOCK_FILE):
            if self._usable(cert, key):
                for path in (key, cert):  # found wider (a copy, a restore, a chmod): the user's alone again
                    make_private(path)
                return cert, key
            from smtpgui.transport.selfsigned import self_signed_certificate

            cert_pem, key_pem = self_signed_certificate()
            try:
                for path, data in ((key, key_pem), (cert, cert_pem)):
                    temporary = path.with_name(f".{path.name}.tmp")
                    write_private_file(temporary, data)
                    os.replace(temporary, path)
            except OSError as exc:
                raise StorageError(describe_os_error(exc, cert, "write the sandbox certificate")) from exc
        return cert, key

    @staticmethod
    def _usable(cert: Path, key: Path) -> bool:
        import ssl

        if not (cert.is_file() and key.is_file()) or cert.is_symlink() or key.is_symlink():
            return False  # a link is replaced (os.replace takes the link's place), never read through
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
        except (OSError, ssl.SSLError):
            return False  # damaged or mismatched: ours to replace (only the sandbox uses them)
        return True

    def certificate_sha256(self) -> str:
        """SHA-256 of the sandbox certificate (DER), as a connection pins it."""
        import hashlib
        import ssl

        cert, _key = self.certificate_files()
        try:
            der = ssl.PEM_cert_to_DER_cert(read_file(cert, _STATE_LIMIT).decode("ascii"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise StorageError(f"Could not read the sandbox certificate {cert}: {exc}.") from exc
        return hashlib.sha256(der).hexdigest()

    # --- the server ------------------------------------------------------------------------

    def start(
        self,
        port: int = DEFAULT_PORT,
        tls_port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        listen: str = SANDBOX_HOST,
    ) -> SandboxStatus:
        """Run the sandbox server in this process; ``SandboxError`` (a sentence) when it cannot."""
        address = _check_listen(listen)
        port = _check_port(port, "port")
        if tls_port is not None:
            tls_port = _check_port(tls_port, "TLS port")
            if tls_port == port and port:
                raise SandboxError(f"The sandbox's port and TLS port must differ; both are {port}.")
        if (user is None) != (password is None):
            raise SandboxError(
                "The sandbox takes a user and a password together (--user with --password-env), or neither."
            )
        if password is not None:
            remember(password)  # never shown by a sentence or the log, whatever a client sends back
        if self._server is not None and self._server.running:
            raise SandboxError(f"The sandbox already runs in this program, on port {self._server.port}.")
        cert, key = self.certificate_files()
        from smtpgui.storage.inbox import INBOX_FILE, InboxStore
        from smtpgui.transport.sandboxserver import SandboxServer

        writer = InboxStore(self.data_dir / INBOX_FILE)
        server = SandboxServer(
            self._deliver_to(writer),
            cert_file=cert,
            key_file=key,
            listen=address,
            port=port,
            tls_port=tls_port,
            user=user,
            password=password,
        )
        try:
            server.start()
        except OSError as exc:
            self._end_notices()
            writer.close()
            raise SandboxError(self._bind_failure(exc, address, port, tls_port)) from None
        self._server, self._writer = server, writer
        with _RUNNING_GUARD:
            _RUNNING_HERE[self.data_dir.resolve()] = server
        self._write_state(server.port, server.tls_port)
        return self.status()

    def _deliver_to(self, writer: InboxStore) -> Deliver:
        notices: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._notices = notices

        def notify() -> None:
            while (ident := notices.get()) is not None:
                callback = self.on_message
                if callback is None:
                    continue
                with contextlib.suppress(Exception):
                    summary = writer.summary(ident)
                    if summary is not None:
                        callback(summary)

        self._notifier = threading.Thread(target=notify, name="smtpgui-sandbox-notices", daemon=True)
        self._notifier.start()

        def deliver(raw: bytes, envelope: Envelope, stored: Callable[[int, BaseException | None], None]) -> None:
            def committed(ident: int, error: BaseException | None) -> None:
                stored(ident, error)
                if error is None and self.on_message is not None:  # no thread switch when nobody listens
                    notices.put(ident)

            writer.submit(raw, envelope, committed)

        return deliver

    def stop(self) -> None:
        """Stop the sandbox this process runs (nothing when it runs none)."""
        server, writer = self._server, self._writer
        self._server = self._writer = None
        if server is not None:
            ports = (server.port, server.tls_port)
            server.stop()
            with _RUNNING_GUARD:
                if _RUNNING_HERE.get(self.data_dir.resolve()) is server:
                    del _RUNNING_HERE[self.data_dir.resolve()]
            self._remove_state(ports)
        self._end_notices()
        if writer is not None:
            writer.close()

    def _end_notices(self) -> None:
        """Let the notices already queued be delivered, then end their thread."""
        notices, notifier = self._notices, self._notifier
        self._notices = self._notifier = None
        if notices is not None and notifier is not None:
            notices.put(None)
            if notifier is not threading.current_thread():
                notifier.join(10)

    def status(self) -> SandboxStatus:
        """Running here, running in another process (found through ``sandbox.json``), or stopped."""
        server = self._server
        if server is not None and server.running:
            return SandboxStatus(True, server.port, server.tls_port, True, os.getpid())
        state = self._read_state()
        if state is not None and _pid_alive(state["pid"], self.data_dir):
            # Another process's sandbox, or one another SandboxService of this process started.
            return SandboxStatus(True, state["port"], state["tls_port"], state["pid"] == os.getpid(), state["pid"])
        return SandboxStatus(False)

    # --- sandbox.json ----------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any] | None:
        try:
            document = json.loads(read_file(self.data_dir / STATE_FILE, _STATE_LIMIT))
            pid, port, tls_port = document["pid"], document["port"], document.get("tls_port")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (pid, port)):
            return None
        if tls_port is not None and not isinstance(tls_port, int):
            return None
        return {"pid": pid, "port": port, "tls_port": tls_port, "started": document.get("started")}

    def _write_state(self, port: int | None, tls_port: int | None) -> None:
        document = {"pid": os.getpid(), "port": port, "tls_port": tls_port, "started": time.time()}
        with contextlib.suppress(StorageError):  # the sandbox runs anyway; only the "taken by" sentence is vaguer
            atomic_write_json(self.data_dir / STATE_FILE, document, keep_backup=False)

    def _remove_state(self, ports: tuple[int | None, int | None]) -> None:
        with file_lock(self.data_dir / _LOCK_FILE):
            state = self._read_state()
            if state is not None and state["pid"] == os.getpid() and (state["port"], state["tls_port"]) == ports:
                with contextlib.suppress(OSError):
                    (self.data_dir / STATE_FILE).unlink()

    def _bind_failure(self, exc: OSError, address: str, port: int, tls_port: int | None) -> str:
        if exc.errno == errno.EADDRINUSE:
            state = self._read_state()
            for taken in (port, tls_port):
                if taken is None:
                    continue
                if (
                    state is not None
                    and taken in (state["port"], state["tls_port"])
                    and _pid_alive(state["pid"], self.data_dir)
                ):
                    return (
                        f"Port {taken} is taken by the smtpgui sandbox in process {state['pid']}: its messages are "
                        f"in the inbox already ('smtpgui inbox list'). To run another, choose a port with --port "
                        f"(0 picks a free one)."
                    )
            ports = f"port {port}" if tls_port is None else f"port {port} or {tls_port}"
            return (
                f"Could not start the sandbox: {ports} on {address} is taken by another program. Choose another "
                f"port with --port (0 picks a free one)."
            )
        if exc.errno in (errno.EACCES, errno.EPERM):
            return (
                f"Could not start the sandbox on port {port}: permission was denied (ports below 1024 need "
                f"administrator rights). Choose a port from 1024 up with --port."
            )
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"Could not start the sandbox: {address} is not an address of this computer."
        return f"Could not start the sandbox on {address} port {port}: {exc.strerror or exc}."


def sandbox_connection(
    name: str, port: int | None = None, config_dir: Path | str | None = None, service: SandboxService | None = None
) -> Connection:
    """The connection that reaches the local sandbox: ``port``, else the running sandbox's, else 1025;
    STARTTLS with the sandbox's certificate pinned, no AUTH, From sandbox@localhost. ``service`` (the
    window's) is used when given, else one for ``config_dir``."""
    service = service or SandboxService(config_dir)
    if port is None:
        status = service.status()
        port = status.port if status.running and status.port else DEFAULT_PORT
    _check_port(port, "port")
    return Connection(
        name=name,
        host=SANDBOX_HOST,
        port=port,
        security=Security.STARTTLS,
        pinned_sha256=service.certificate_sha256(),
        auth_mode=AuthMode.NONE,
        from_address=SANDBOX_FROM,
        from_name="smtpgui sandbox",
        description="The local sandbox ('smtpgui sandbox'): messages stay on this computer, in 'smtpgui inbox'.",
    )
