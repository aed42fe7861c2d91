"""Secrets in the keyring: keyed by id and slot, and every keyring failure made a sentence."""

from __future__ import annotations

import keyring.errors
import pytest
from keyring.backends import fail

from smtpgui.core.errors import SecretStoreUnavailable
from smtpgui.storage.secrets import SecretStore, Slot
from tests.support.keyrings import LockedKeyring, MemoryKeyring, RaisingKeyring


def test_entries_are_keyed_by_id_and_slot() -> None:
    backend = MemoryKeyring()
    secrets = SecretStore(backend)
    secrets.set("id-1", Slot.PASSWORD, "hunter2")
    secrets.set("id-1", Slot.PROXY_PASSWORD, "socks-pw")
    assert backend.entries == {("smtpgui", "id-1:password"): "hunter2", ("smtpgui", "id-1:proxy-password"): "socks-pw"}
    assert secrets.get("id-1", Slot.PASSWORD) == "hunter2"
    assert secrets.get("id-2", Slot.PASSWORD) is None
    secrets.delete_all("id-1")
    assert backend.entries == {}
    secrets.delete("id-1", Slot.PASSWORD)  # deleting what is gone is fine


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (fail.Keyring(), "No system keyring is available"),
        (LockedKeyring(), "is locked; unlock it"),
        (RaisingKeyring(keyring.errors.PasswordSetError("dbus said no")), "dbus said no"),
        (RaisingKeyring(keyring.errors.InitError("no session bus")), "no session bus"),
        (RaisingKeyring(OSError(5, "Input/output error")), "Input/output error"),
        (RaisingKeyring(RuntimeError("backend exploded")), "backend exploded"),
        (RaisingKeyring(ValueError("odd third-party error")), "odd third-party error"),
    ],
)
def test_every_keyring_failure_is_a_typed_sentence(backend: object, words: str) -> None:
    secrets = SecretStore(backend)  # type: ignore[arg-type]
    for call in (
        lambda: secrets.set("i", Slot.PASSWORD, "pw"),
        lambda: secrets.get("i", Slot.PASSWORD),
        lambda: secrets.delete("i", Slot.PASSWORD),
    ):
        with pytest.raises(SecretStoreUnavailable, match=words):
            call()


def test_session_fallback_keeps_secrets_in_memory_only() -> None:
    secrets = SecretStore(LockedKeyring(), session_fallback=True)
    secrets.set("i", Slot.PASSWORD, "pw")
    assert secrets.session_only
    assert "locked" in secrets.unavailable_reason
    assert secrets.get("i", Slot.PASSWORD) == "pw"
    assert SecretStore(LockedKeyring(), session_fallback=True).get("i", Slot.PASSWORD) is None


def test_absent_keyring_is_recognised() -> None:
    assert SecretStore(fail.Keyring()).is_absent()
    assert not SecretStore(MemoryKeyring()).is_absent()


def test_a_keyring_that_never_answers_is_unavailable_within_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tests.support.keyrings import HangingKeyring

    monkeypatch.setenv("SMTPGUI_KEYRING_TIMEOUT", "0.2")
    release = threading.Event()
    store = SecretStore(HangingKeyring(release))
    try:
        with pytest.raises(SecretStoreUnavailable, match=r"did not answer within 0\.2 seconds"):
            store.get("id", Slot.PASSWORD)
        with pytest.raises(SecretStoreUnavailable, match="did not answer"):
            store.set("id", Slot.PASSWORD, "pw")  # no second wait: known unresponsive
        session = SecretStore(HangingKeyring(release), session_fallback=True)
        session.set("id", Slot.PASSWORD, "pw")
        assert session.session_only and "did not answer" in session.unavailable_reason
        assert session.get("id", Slot.PASSWORD) == "pw"
    finally:
        release.set()


def test_a_keyring_that_keeps_what_it_deleted_is_unavailable() -> None:
    from tests.support.keyrings import KeepsDeletedKeyring

    backend = KeepsDeletedKeyring()
    store = SecretStore(backend)
    store.set("id", Slot.PASSWORD, "pw")
    with pytest.raises(SecretStoreUnavailable, match="did not delete"):
        store.drop_all("id")


def test_no_keyring_without_a_dbus_session_says_so(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On Linux in SSH, a container or cron the Secret Service is installed but unreachable:
    the sentence names the missing D-Bus session and the way out, not "install a keyring"."""
    from keyring.backends import fail

    from smtpgui.core.errors import SecretStoreUnavailable
    from smtpgui.storage.secrets import SecretStore, Slot

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    with pytest.raises(SecretStoreUnavailable, match="no D-Bus session") as caught:
        SecretStore(fail.Keyring()).set("c", Slot.PASSWORD, "x")
    assert "dbus-run-session" in str(caught.value)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    with pytest.raises(SecretStoreUnavailable, match="Install or unlock a keyring"):
        SecretStore(fail.Keyring()).set("c", Slot.PASSWORD, "x")
