"""The app's own log: what smtpgui did, in a rotating file in the platform's log folder.

It records commands, changes to connections (by name and id), keyring and storage problems,
test and probe outcomes (stage, reply code, timing) and crashes. It never records a secret or a
message body: callers log names and codes only, and every line also passes through the
process-wide scrubber (``smtpgui.core.redact``) before it is written.

Where: ``$SMTPGUI_LOG_DIR``; else, when the config folder was chosen (``--config-dir`` or
``$SMTPGUI_CONFIG_DIR``, as tests and portable installs do), its ``logs`` subfolder; else the
platform's user log folder (``~/.local/state/smtpgui/log`` on Linux).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
from collections.abc import Callable
from io import TextIOWrapper
from pathlib import Path

from smtpgui.core.display import printable
from smtpgui.core.redact import scrub
from smtpgui.storage.private import describe_os_error, make_private_dir, open_private

LOG_DIR_ENV = "SMTPGUI_LOG_DIR"
FILE_NAME = "smtpgui.log"
MAX_BYTES = 512 * 1024
BACKUPS = 3
_HANDLER_NAME = "smtpgui-file"
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

log = logging.getLogger("smtpgui")
log.addHandler(logging.NullHandler())  # until set up (or when the log folder is unusable): nowhere, not stderr
log.propagate = False

_problem: list[str] = []  # the sentence about a log that cannot be written, once per process


_listeners: list[Callable[[str], None]] = []


def on_log_problem(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(sentence)`` when the log becomes unwritable later (from any thread).

    Returns the function that stops listening.
    """
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def log_problem() -> str | None:
    """Why the log cannot be written (a sentence), or None while it can."""
    return _problem[0] if _problem else None


def _report(exc: OSError, path: Path | str, action: str) -> None:
    """Say once, on standard error, that the log cannot be written; the app goes on."""
    if _problem:
        return
    sentence = describe_os_error(exc, path, action) + " smtpgui goes on without writing its log."
    _problem.append(sentence)
    for listener in list(_listeners):
        with contextlib.suppress(Exception):  # a listener must not break the code that logged
            listener(sentence)
    stream = sys.stderr
    if stream is not None:  # None in a windowed (frozen) executable
        with contextlib.suppress(OSError, ValueError):
            print(f"smtpgui: {printable(sentence)}", file=stream, flush=True)


def log_dir(config_dir_chosen: Path | None = None) -> Path:
    from_env = os.environ.get(LOG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if config_dir_chosen is not None:
        return config_dir_chosen / "logs"
    from smtpgui.storage.paths import user_log_dir

    return user_log_dir()


class _ScrubbingFormatter(logging.Formatter):
    """Every line hidden of the secrets the process holds, and of live control characters: a
    server's words in the log must not rewrite the terminal of whoever reads it."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(scrub(super().format(record)), multiline=True)


class _PrivateRotatingFile(logging.FileHandler):
    """A log file readable by its owner only, rotated to ``.1`` … ``.N`` when it would grow past
    ``maxBytes`` (the oldest is dropped).

    Our own few lines rather than ``logging.handlers.RotatingFileHandler``: that module brings
    socket, pickle and queue along, and every start-up, window or command, would pay for them.
    """

    def __init__(self, filename: Path, maxBytes: int, backupCount: int) -> None:  # noqa: N803 (logging's names)
        self.maxBytes, self.backupCount = maxBytes, backupCount
        self.broken = False
        super().__init__(filename, encoding="utf-8", delay=True)

    def _open(self) -> TextIOWrapper:
        # O_NONBLOCK: a named pipe no program reads fails at once (ENXIO, reported like any
        # unwritable log) instead of hanging every command. A file that is not a regular one
        # (a pipe that is read, a link to /dev/null) is written but never sought nor rotated.
        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self.maxBytes = 0
        except OSError:
            os.close(fd)
            raise
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")

    def open_now(self) -> None:
        """Open the file at once, so a log that cannot be written is known before any line."""
        if self.stream is None:
            self.stream = self._open()

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record``; a file that cannot be opened, rotated or written is reported once
        and the log goes quiet (it never raises into the code that logged)."""
        if self.broken:
            return
        try:
            line = self.format(record)
            if self.maxBytes > 0 and self._would_overflow(line):
                try:
                    self._rotate()
                except OSError:
                    self.maxBytes = 0  # a folder that refuses renames: keep one growing file
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(line + self.terminator)
            self.stream.flush()
        except OSError as exc:
            self._give_up(exc)
        except Exception:
            self.handleError(record)

    def _give_up(self, exc: OSError) -> None:
        self.broken = True
        _report(exc, self.baseFilename, "write the log file")
        if self.stream is not None:
            with contextlib.suppress(OSError):
                self.stream.close()
            self.stream = None

    def _would_overflow(self, line: str) -> bool:
        stream = self.stream if self.stream is not None else self._open()
        self.stream = stream
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        return size > 0 and size + len(line.encode("utf-8", "backslashreplace")) + 1 > self.maxBytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for n in range(self.backupCount - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backupCount > 0:
            os.replace(base, f"{base}.1")
        else:
            os.remove(base)


def setup_logging(config_dir_chosen: Path | None = None) -> Path | None:
    """Send the ``smtpgui`` logger to the rotating file; returns its path (None if unusable).

    A log folder or file that cannot be created or written never stops the app: it is
    reported once on standard error (and :func:`log_problem` says why, for the window's
    banner), and the app runs without a log.
    """
    logging.raiseExceptions = False  # a failing log write must not print a traceback
    folder = log_dir(config_dir_chosen)
    for handler in list(log.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == folder / FILE_NAME:
                return folder / FILE_NAME  # already writing there
            log.removeHandler(handler)
            handler.close()
    try:
        make_private_dir(folder)
    except OSError as exc:
        _report(exc, folder, "create the log folder")
        return None
    handler = _PrivateRotatingFile(folder / FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS)
    try:
        handler.open_now()
    except OSError as exc:
        _report(exc, folder / FILE_NAME, "write the log file")
        return None
    _problem.clear()  # a log set up anew that opens is written again: nothing to report now
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(_ScrubbingFormatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return folder / FILE_NAME


def log_crash(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
    """Record an unexpected exception (scrubbed like every line) before the default report."""
    log.critical("unexpected error", exc_info=(exc_type, exc, tb))  # type: ignore[arg-type]


def install_crash_hook() -> None:
    previous = sys.excepthook

    def hook(exc_type, exc, tb):  # type: ignore[no-untyped-def]
        log_crash(exc_type, exc, tb)
        previous(exc_type, exc, tb)

    sys.excepthook = hook
