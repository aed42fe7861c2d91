"""The composition root: builds the services, the QApplication and the main window."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings
from PySide6.QtWidgets import QApplication

from smtpgui import APP_NAME, __version__
from smtpgui.core.display import printable
from smtpgui.core.errors import StorageError
from smtpgui.services import build_app_services
from smtpgui.storage.atomic import ensure_dir
from smtpgui.storage.logs import install_crash_hook, log, setup_logging
from smtpgui.storage.paths import chosen_config_dir, resolve_config_dir
from smtpgui.storage.private import describe_os_error, not_regular, open_private, write_private_file
from smtpgui.ui.firstuse import when_painted
from smtpgui.ui.icons import app_icon
from smtpgui.ui.mainwindow import MainWindow
from smtpgui.ui.prompts import Prompts, SelfTestPrompts

_STARTED = time.perf_counter()


def _platform_plugin_error() -> str | None:
    """Load the platform plugin Qt could not start by hand: the loader's error names a missing
    system library (None if it loads). Only called once Qt has given up."""
    import ctypes

    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    wanted = (os.environ.get("QT_QPA_PLATFORM") or "xcb").split(";")[0].split(":")[0] or "xcb"
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), *QCoreApplication.libraryPaths()]
    folders += [p for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    for folder in folders:
        for plugin in sorted(Path(folder, "platforms").glob(f"libq{wanted}*.so")):
            try:
                ctypes.CDLL(str(plugin))
            except OSError as exc:
                return str(exc)
    return None


def _new_application() -> QApplication:
    """QApplication, or a plain sentence and exit 2 where Qt would abort (no display, an X server
    that does not answer, a system library its platform plugin needs that is missing)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from smtpgui.display import platform_failure

    said: list[str] = []

    def on_message(kind: QtMsgType, _context: object, message: str) -> None:
        if kind != QtMsgType.QtFatalMsg:
            said.append(message)
            return
        said.append(message)
        sentence = platform_failure(said, os.environ, _platform_plugin_error())
        sys.stderr.write(f"smtpgui: {sentence}\n")
        sys.stderr.flush()
        os._exit(2)  # Qt aborts when this returns; CLI.md: the environment cannot run this (2)

    previous = qInstallMessageHandler(on_message)
    try:
        app = QApplication(sys.argv[:1])
    finally:
        # From now on Qt's messages reach standard error as Qt writes them, less the offscreen
        # platform's note that it cannot pass size hints on (every headless --self-test said it).
        qInstallMessageHandler(previous if previous is not None else _forward_qt_message)
    for message in said:  # what Qt said while starting, as it would have (warnings only: it started)
        sys.stderr.write(f"{message}\n")
    return app


_QT_NOTES_NOT_SHOWN = frozenset({"This plugin does not support propagateSizeHints()"})


def _forward_qt_message(kind: object, context: object, message: str) -> None:
    """Qt's own message format (``category: message``), less the notes that mean nothing to a user."""
    if message in _QT_NOTES_NOT_SHOWN:
        return
    category = getattr(context, "category", None)
    prefix = f"{category}: " if category and category != "default" else ""
    with contextlib.suppress(OSError, ValueError):  # standard error closed: nowhere to say it
        sys.stderr.write(f"{prefix}{message}\n")


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = _new_application()
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("io.github.smtpgui.smtpgui")  # Wayland and taskbars match the .desktop file
    return app


_NO_WAIT_NOR_FOLLOW = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def ui_settings(config_dir: Path) -> QSettings:
    """UI state (geometry, splitter, last selection) apart from the data, in the config folder.

    The file is created private (0600) before Qt writes it: Qt keeps an existing file's mode.
    """
    path = config_dir / "ui-state.ini"
    with contextlib.suppress(OSError):  # a read-only folder: the window runs without saving its state
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | _NO_WAIT_NOR_FOLLOW))
    return QSettings(str(path), QSettings.Format.IniFormat)


def _refuse_special_files(config_dir: Path) -> None:
    """``StorageError`` when the window's own files are not regular files: Qt opens them without
    ``O_NONBLOCK``, and a named pipe there would hang the window before it shows."""
    for name in ("ui-state.ini", "window.lock"):
        path = config_dir / name
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StorageError(describe_os_error(exc, path, "use")) from exc
        if not stat.S_ISREG(mode):
            raise StorageError(describe_os_error(not_regular(path, mode), path, "use"))


def build_main_window(
    config_dir: str | Path | None = None, prompts: Prompts | None = None, keyring_backend: object | None = None
) -> MainWindow:
    """Build the services and the main window without entering the event loop."""
    application()
    setup_logging(chosen_config_dir(config_dir))
    services = build_app_services(config_dir, keyring_backend=keyring_backend, session_fallback=True)  # type: ignore[arg-type]
    window = MainWindow(services, None, ui_settings(services.config_dir), prompts)
    log.info("window opened on %s with %d connections", services.config_dir, window.model.rowCount())
    return window


def _private_umask(create: Callable[[], bool]) -> bool:
    """Run ``create`` (Qt making a file, which honours only the umask) with a private umask.

    Start-up runs it before any other thread exists, so no other file is made meanwhile.
    """
    previous = os.umask(0o077)
    try:
        return create()
    finally:
        os.umask(previous)


def _server_name(config_dir: Path) -> str:
    """One local server name per config folder (a checksum, not a secret: hashlib costs start-up time)."""
    path = str(config_dir.resolve()).encode()
    return f"smtpgui-{zlib.crc32(path):08x}{zlib.adler32(path):08x}"


def _raise_existing(name: str) -> bool:
    """Ask the instance already running on this config folder to show itself.

    It listens from its first paint on, so one that is still starting is given a few seconds.
    """
    from PySide6.QtCore import QDeadlineTimer, QThread
    from PySide6.QtNetwork import QLocalSocket

    deadline = QDeadlineTimer(3000)
    while not deadline.hasExpired():
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(500):
            socket.write(b"raise\n")
            socket.waitForBytesWritten(500)
            socket.disconnectFromServer()
            return True
        QThread.msleep(50)  # not listening yet
    return False


def _listen(name: str, window: MainWindow) -> QObject:
    """Answer later launches on this config folder by raising ``window`` (started after the
    first paint: the window's start-up does not wait for QtNetwork)."""
    from PySide6.QtNetwork import QLocalServer

    server = QLocalServer(window)
    QLocalServer.removeServer(name)  # one left by an instance that crashed
    server.listen(name)

    def on_connection() -> None:
        client = server.nextPendingConnection()
        client.readyRead.connect(client.readAll)
        window.showNormal()
        window.raise_()
        window.activateWindow()

    server.newConnection.connect(on_connection)
    return server


def run(args: argparse.Namespace) -> int:
    """Open the window (or, with --self-test, open it, wait for the first paint and close)."""
    app = application()
    install_crash_hook()
    config_dir = resolve_config_dir(args.config_dir)
    setup_logging(chosen_config_dir(args.config_dir))
    try:
        ensure_dir(config_dir)  # a file in its place, or no permission: say so, touch nothing
        _refuse_special_files(config_dir)
    except StorageError as exc:
        log.error("cannot start: %s", exc)
        if not args.self_test:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "smtpgui cannot start", str(exc))
        raise
    name = _server_name(config_dir)
    # One window per config folder: the lock says whether another instance holds it (only
    # QtCore is needed to know); that one is then asked over a local socket to show itself.
    lock = QLockFile(str(config_dir / "window.lock"))
    lock.setStaleLockTime(0)  # stale only once its process is gone, however long it ran
    owns_lock = args.self_test or _private_umask(lambda: lock.tryLock(0))
    held_by_another = not owns_lock and lock.error() == QLockFile.LockError.LockFailedError
    if not owns_lock and not held_by_another:  # the folder refuses the file: no one to ask
        log.warning("cannot create %s (%s); not checking for another window", lock.fileName(), lock.error().name)
    elif held_by_another:
        if _raise_existing(name):
            print("smtpgui: already running for this config folder; raised its window.", file=sys.stderr)
            return 0
        log.warning("another instance holds %s but does not answer; opening a window anyway", lock.fileName())
    self_test_prompts = SelfTestPrompts() if args.self_test else None
    window = build_main_window(args.config_dir, self_test_prompts)
    from smtpgui import startup

    servers: list[QObject] = []
    painted_at: list[float] = []

    def first_paint() -> None:
        painted_at.append(time.time())
        window.finish_startup()  # the editor: built now that the window shows (a self-test builds it too)
        startup.end_startup()
        if args.self_test:
            finish()
        elif not held_by_another:  # else the name is the other instance's
            servers.append(_listen(name, window))

    def finish() -> None:
        startup_ms = (time.perf_counter() - _STARTED) * 1000
        if args.report:
            from PySide6.QtCore import qVersion

            report = {
                "ok": not (self_test_prompts is not None and self_test_prompts.warnings),
                "startup_ms": round(startup_ms, 1),
                "connections": window.model.rowCount(),
                "qt_version": qVersion(),
                "keyring_backend": window.services.secrets.backend_path(),  # never hangs
                "painted_at": painted_at[0],  # the wall clock: a caller times start to first paint with it
            }
            try:
                write_private_file(args.report, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
            except OSError as exc:
                print(f"smtpgui: {printable(describe_os_error(exc, args.report, 'write the report'))}", file=sys.stderr)
                window.close()
                app.exit(3)  # CLI.md: a file that cannot be written
                return
        window.close()
        if self_test_prompts is not None and self_test_prompts.warnings:
            for warning in self_test_prompts.warnings:
                print(f"smtpgui: the self-test found a problem: {printable(warning)}", file=sys.stderr)
            app.exit(3)  # CLI.md: a storage error (a file from a newer version, say)
        else:
            app.quit()

    when_painted(window, first_paint)
    window.show()
    code = app.exec()
    for server in servers:
        server.close()  # type: ignore[attr-defined]
    if owns_lock and not args.self_test:
        lock.unlock()
    log.info("window closed")
    return int(code)
