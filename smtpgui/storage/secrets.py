"""Secrets in the operating system's keyring, one entry per connection and slot.

Entries use service ``smtpgui`` and username ``<connection-id>:<slot>``, so renaming a
connection keeps its secrets. Any failure of the keyring becomes ``SecretStoreUnavailable``
with a sentence naming the keyring; nothing secret ever falls back to a file. A window may
ask for ``session_fallback``: secrets are then kept in this process's memory only, and
``session_only`` says so.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend
# keyring itself is imported on first use: loading it discovers every backend (about 100 ms),
# which the window and the CLI's profile commands should not pay before they need a secret.

from smtpgui import APP_NAME
from smtpgui.core.errors import SecretStoreUnavailable
from smtpgui.core.redact import remember

SERVICE = APP_NAME
TIMEOUT_ENV = "SMTPGUI_KEYRING_TIMEOUT"
DEFAULT_TIMEOUT_S = 5.0
log = logging.getLogger("smtpgui.secrets")
T = TypeVar("T")


class Slot(str, enum.Enum):
    """The kinds of secret a connection can have."""

    PASSWORD = "password"
    PROXY_PASSWORD = "proxy-password"
    CLIENT_SECRET = "client-secret"
    OAUTH_REFRESH_TOKEN = "oauth-refresh-token"
    OAUTH_CLIENT_SECRET = "oauth-client-secret"


def keyring_timeout() -> float:
    """Seconds a keyring call may take (``$SMTPGUI_KEYRING_TIMEOUT``, default 5)."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if 0 < value < 3600 else DEFAULT_TIMEOUT_S


def backend_label(backend: KeyringBackend) -> str:
    """A human name for a keyring backend, such as 'Secret Service (keyring.backends...)'."""
    name = getattr(backend, "name", "") or type(backend).__name__
    return f"{name}"


def _is_unusable(backend: KeyringBackend) -> bool:
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return True
    chained = getattr(backend, "backends", None)
    return chained is not None and not chained


class SecretStore:
    """Reads and writes connection secrets through keyring."""

    def __init__(self, backend: KeyringBackend | None = None, session_fallback: bool = False) -> None:
        self._backend = backend
        self._session_fallback = session_fallback
        self._memory: dict[str, str] = {}
        self.session_only = False
        self.unavailable_reason = ""
        self._unresponsive: SecretStoreUnavailable | None = None

    @property
    def backend(self) -> KeyringBackend:
        """The keyring backend (found on first use, within the keyring deadline)."""
        return self._within_deadline(self._resolve)

    def _resolve(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            self._backend = _platform_backend() or keyring.get_keyring()
        return self._backend

    @property
    def backend_name(self) -> str:
        """The backend's name; never waits (a backend still being found is named from the
        environment)."""
        if self._backend is not None:
            try:
                return backend_label(self._backend)
            except Exception:
                return "unknown keyring"
        return os.environ.get("PYTHON_KEYRING_BACKEND") or "the system keyring"

    def known_backend_path(self) -> str | None:
        """``module.Class`` of the backend once it is found, else None; never waits (for the window)."""
        backend = self._backend
        return None if backend is None else f"{type(backend).__module__}.{type(backend).__name__}"

    def backend_path(self) -> str:
        """``module.Class`` of the backend (for reports), or why there is none; within the deadline."""
        try:
            backend = self._within_deadline(self._resolve)
        except Exception as exc:
            return f"unavailable ({str(exc).strip() or type(exc).__name__})"
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def is_absent(self) -> bool:
        """True when there is no keyring at all, so no secret can have been stored in one.

        A keyring that cannot be loaded or does not answer is not absent: it may hold secrets,
        and the calls that need them say what is wrong.
        """
        if self.session_only:
            return False
        try:
            return self._within_deadline(lambda: _is_unusable(self._resolve()))
        except Exception:
            return False

    def check(self) -> None:
        """Raise ``SecretStoreUnavailable`` when no usable keyring is present."""
        self._call(lambda backend: None, "reach")

    def get(self, connection_id: str, slot: Slot) -> str | None:
        key = _key(connection_id, slot)
        if self.session_only:
            value = self._memory.get(key)
        else:
            value = self._call(lambda b: b.get_password(SERVICE, key), "read a secret from")
        remember(value)
        return value

    def has(self, connection_id: str, slot: Slot) -> bool:
        return self.get(connection_id, slot) is not None

    def set(self, connection_id: str, slot: Slot, value: str) -> None:
        key = _key(connection_id, slot)
        remember(value)
        if self.session_only:
            self._memory[key] = value
        else:
            self._call(lambda b: self._write_and_check(b, key, value), "store a secret in")
        where = "this session's memory" if self.session_only else "the keyring"
        log.info("stored the %s of %s in %s", Slot(slot).value, connection_id, where)

    def _write_and_check(self, backend: KeyringBackend, key: str, value: str) -> None:
        """Store a secret and read it back: a keyring that accepts it and keeps nothing (or
        something else) must not let a command say the secret was saved."""
        backend.set_password(SERVICE, key, value)
        if backend.get_password(SERVICE, key) != value:
            raise SecretStoreUnavailable(
                f"The keyring ({backend_label(backend)}) accepted the secret but does not give it back, "
                "so it was not stored. Check that the keyring is unlocked and writable, or choose "
                "another one (PYTHON_KEYRING_BACKEND)."
            )

    def delete(self, connection_id: str, slot: Slot) -> None:
        """Forget one secret; forgetting one that does not exist is fine."""
        key = _key(connection_id, slot)
        self._memory.pop(key, None)
        if self.session_only:
            return

        import keyring.errors

        def remove(backend: KeyringBackend) -> None:
            try:
                backend.delete_password(SERVICE, key)
            except keyring.errors.PasswordDeleteError:
                if backend.get_password(SERVICE, key) is not None:
                    raise
                return
            if backend.get_password(SERVICE, key) is not None:  # said done, kept it anyway
                raise SecretStoreUnavailable(
                    f"The keyring ({backend_label(backend)}) did not delete the secret it was asked to "
                    f"remove ({key}); remove that entry of service '{SERVICE}' by hand."
                )

        self._call(remove, "delete a secret from")

    def delete_all(self, connection_id: str) -> None:
        for slot in Slot:
            self.delete(connection_id, slot)

    def drop_all(self, connection_id: str) -> list[Slot]:
        """Remove every secret of a connection; returns the slots that held one."""
        held = [slot for slot in Slot if self.has(connection_id, slot)]
        for slot in held:
            self.delete(connection_id, slot)
        if held:
            log.info("removed the %s of %s", ", ".join(s.value for s in held), connection_id)
        return held

    def _within_deadline(self, work: Callable[[], T]) -> T:
        """Run ``work`` (a keyring call) in a daemon thread and wait at most the keyring timeout.

        A Secret Service that never answers on D-Bus, or a backend stuck loading, would otherwise
        hang the command or the window's worker for good. After one timeout the keyring counts as
        unresponsive for the rest of the process: no call waits again.
        """
        if self._unresponsive is not None:
            raise self._unresponsive
        outcome: list[T] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(work())
            except BaseException as exc:  # handed to the caller's thread below
                failure.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="smtpgui-keyring", daemon=True).start()
        timeout = keyring_timeout()
        if not done.wait(timeout):
            self._unresponsive = SecretStoreUnavailable(
                f"The keyring ({self.backend_name}) did not answer within {timeout:g} seconds. If it is "
                "asking to be unlocked, unlock it and try again; otherwise check that its service "
                "(such as GNOME Keyring or KWallet) is running."
            )
            raise self._unresponsive
        if failure:
            raise failure[0]
        return outcome[0]

    def _on_backend(self, action: Callable[[KeyringBackend], T]) -> T:
        backend = self._resolve()
        if _is_unusable(backend):
            raise SecretStoreUnavailable(_no_keyring_sentence())
        return action(backend)

    def _call(self, action: Callable[[KeyringBackend], T], verb: str) -> T:
        import keyring.errors

        try:
            return self._within_deadline(lambda: self._on_backend(action))
        except SecretStoreUnavailable as exc:
            return self._fallback(exc, action)
        except keyring.errors.KeyringLocked as exc:
            return self._fallback(
                SecretStoreUnavailable(f"The keyring ({self.backend_name}) is locked; unlock it and try again."),
                action,
                exc,
            )
        except keyring.errors.NoKeyringError as exc:
            return self._fallback(
                SecretStoreUnavailable("No system keyring is available, so passwords cannot be stored safely."),
                action,
                exc,
            )
        except ImportError as exc:  # PYTHON_KEYRING_BACKEND names a module that is not there
            return self._fallback(
                SecretStoreUnavailable(
                    f"The keyring backend {self.backend_name} could not be loaded ({exc}); check "
                    "PYTHON_KEYRING_BACKEND, or install the backend it names."
                ),
                action,
                exc,
            )
        except (keyring.errors.KeyringError, OSError, RuntimeError) as exc:
            detail = str(exc).strip() or type(exc).__name__
            return self._fallback(
                SecretStoreUnavailable(
                    f"Could not {verb} the keyring ({self.backend_name}): {detail}. "
                    "Your secret was not saved anywhere else."
                ),
                action,
                exc,
            )
        except Exception as exc:
            detail = str(exc).strip() or type(exc).__name__
            return self._fallback(
                SecretStoreUnavailable(f"The keyring ({self.backend_name}) failed: {detail}."), action, exc
            )

    def _fallback(
        self,
        error: SecretStoreUnavailable,
        action: Callable[[KeyringBackend], T],
        cause: BaseException | None = None,
    ) -> T:
        if not self._session_fallback:
            log.warning("keyring unusable: %s", error)
            raise error from cause
        if not self.session_only:
            log.warning("keyring unusable, secrets kept for this session only: %s", error)
        self.session_only = True
        self.unavailable_reason = str(error)
        return action(cast("KeyringBackend", _MemoryBackend(self._memory)))


# The keyring each platform has, by module and class: tried first when the user chose none.
_PLATFORM_BACKENDS = {
    "linux": ("keyring.backends.SecretService", "Keyring"),
    "darwin": ("keyring.backends.macOS", "Keyring"),
    "win32": ("keyring.backends.Windows", "WinVaultKeyring"),
}


def _platform_backend() -> KeyringBackend | None:
    """The platform's own keyring when the user configured none and it answers, else None.

    keyring's own choice loads every backend it knows through entry points and asks each for
    its priority (macOS libraries on Linux included): 44–85 ms of every command that reads a
    secret. A backend named in ``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg is left to keyring;
    so is a platform whose own keyring is not there (KWallet, say), where keyring finds the rest.
    """
    import importlib
    import sys

    from keyring.util import platform_

    if os.environ.get("PYTHON_KEYRING_BACKEND") or (platform_.config_root() / "keyringrc.cfg").exists():
        return None
    where = _PLATFORM_BACKENDS.get("linux" if sys.platform.startswith("linux") else sys.platform)
    if where is None:
        return None
    try:
        backend_class = getattr(importlib.import_module(where[0]), where[1])
        if backend_class.priority <= 0:  # a class property: raises when the keyring is not there
            return None
        return cast("KeyringBackend", backend_class())
    except Exception:
        return None


def _no_keyring_sentence() -> str:
    """Why no keyring can be used, in the words that help: on Linux without a D-Bus session
    (SSH, a container, cron) the Secret Service is installed but cannot be reached."""
    import sys

    base = "No system keyring is available, so passwords cannot be stored safely"
    if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return (
            f"{base}: there is no D-Bus session here (DBUS_SESSION_BUS_ADDRESS is not set, as in an SSH "
            "session, a container or cron), so the Secret Service (GNOME Keyring, KWallet) cannot be "
            "reached. Run smtpgui in a desktop session, or start a session and unlock a keyring in it: "
            "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets < PASSWORD-FILE "
            "> /dev/null && smtpgui …' (the README's \"Without a desktop session\")"
        )
    return (
        f"{base} (keyring found no usable backend). Install or unlock a keyring such as GNOME Keyring, "
        "KWallet, macOS Keychain or Windows Credential Manager."
    )


def _key(connection_id: str, slot: Slot) -> str:
    return f"{connection_id}:{Slot(slot).value}"


class _MemoryBackend:
    """This process's memory, used only when the user was told the keyring is unusable.

    It has the three methods of a keyring backend but is not one: a KeyringBackend subclass would
    register itself with keyring's backend discovery.
    """

    def __init__(self, memory: dict[str, str]) -> None:
        self._memory = memory

    def get_password(self, service: str, username: str) -> str | None:
        return self._memory.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._memory[username] = password

    def delete_password(self, service: str, username: str) -> None:
        self._memory.pop(username, None)
