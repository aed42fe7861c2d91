"""A keyring backend for benchmarks: answers every lookup with $SMTPGUI_BENCH_PASSWORD.

``smtpgui test`` run as a child process must find a password without a desktop keyring; this
backend is loaded the way a real one is (``PYTHON_KEYRING_BACKEND=env_keyring.EnvKeyring`` with
bench/ on PYTHONPATH), so the timed process still imports keyring and resolves its backend.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend


class EnvKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get("SMTPGUI_BENCH_PASSWORD") if username.endswith(":password") else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("the benchmark keyring is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("the benchmark keyring is read-only")
