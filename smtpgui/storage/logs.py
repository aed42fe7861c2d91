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

import logging
import os
import sys
from io import TextIOWrapper
from pathlib import Path

from smtpgui.core.redact import scrub

LOG_DIR_ENV = "SMTPGUI_LOG_DIR"
FILE_NAME = "smtpgui.log"
MAX_BYTES = 512 * 1024
BACKUPS = 3
_HANDLER_NAME = "smtpgui-file"

log = logging.getLogger("smtpgui")
log.addHandler(logging.NullHandler())  # until set up (or when the log folder is unusable): nowhere, not stderr
log.propagate = False


def log_dir(config_dir_chosen: Path | None = None) -> Path:
    from_env = os.environ.get(LOG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if config_dir_chosen is not None:
        return config_dir_chosen / "logs"
    from smtpgui.storage.paths import platform_dirs

    return Path(platform_dirs().user_log_dir)


class _ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateRotatingFile(logging.FileHandler):
    """A log file readable by its owner only, rotated to ``.1`` … ``.N`` when it would grow past
    ``maxBytes`` (the oldest is dropped).

    Our own few lines rather than ``logging.handlers.RotatingFileHandler``: that module brings
    socket, pickle and queue along, and every start-up, window or command, would pay for them.
    """

    def __init__(self, filename: Path, maxBytes: int, backupCount: int) -> None:  # noqa: N803 (logging's names)
        self.maxBytes, self.backupCount = maxBytes, backupCount
        super().__init__(filename, encoding="utf-8", delay=True)

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.maxBytes > 0 and self._would_overflow(self.format(record)):
                self._rotate()
        except Exception:  # a log that cannot rotate keeps writing, like logging's own handlers
            self.handleError(record)
        super().emit(record)

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

    A log folder that cannot be created never stops the app: it then runs without a log.
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
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingFile(folder / FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS)
    except OSError:
        return None
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
