"""The frozen app as installers ship it: the AppImage's AppDir runs, the .deb asks for a Secret
Service, the bundle carries the later runtime libraries within its budget, and the frozen start
says plainly what stops it (no display, Ctrl-C, a keyring backend it does not contain)."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import build_bundle
import build_deb
import pytest

from smtpgui import __version__
from tests.e2e.test_interrupt_at_start import DELAYS_MS, _interrupt_after
from tests.frozen.test_bundle import run
from tests.support.desktop import secret_service

pytestmark = pytest.mark.integration

APP_ID = "io.github.smtpgui.smtpgui"
NO_HANG_SECONDS = 30  # a --self-test takes well under a second; a hang is cut here and fails


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with secret_service(tmp_path / "home") as env:
        yield {k: v for k, v in env.items() if not k.startswith(("PYTHON", "SMTPGUI_"))}


# ---------------------------------------------------------------- AppImage (AppDir)


def test_the_appdir_has_what_appimagetool_packs(appdir: Path) -> None:
    run_script = appdir / "AppRun"
    assert os.access(run_script, os.X_OK)
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(appdir / f"{APP_ID}.desktop")
    entry = desktop["Desktop Entry"]
    assert (appdir / f"{entry['Icon']}.png").is_file()  # the icon named by the desktop file, at the top
    assert (appdir / ".DirIcon").resolve() == (appdir / "smtpgui.png").resolve()
    assert (appdir / "usr/share/metainfo" / f"{APP_ID}.appdata.xml").is_file()
    assert (appdir / "usr/lib/smtpgui/smtpgui").is_file()
    validated = subprocess.run(
        ["desktop-file-validate", str(appdir / f"{APP_ID}.desktop")], capture_output=True, text=True, check=False
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_the_apprun_starts_the_command_line_and_the_window(appdir: Path, tmp_path: Path) -> None:
    # As the AppImage runtime does: AppRun run through a link from elsewhere, with the user's arguments.
    link = tmp_path / "smtpgui.AppImage"
    link.symlink_to(appdir / "AppRun")
    done = run(link, "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"smtpgui {__version__}")
    report = tmp_path / "report.json"
    shown = run(
        link, "--config-dir", str(tmp_path / "config"), "--self-test", "--report", str(report),
        env={"QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert json.loads(report.read_text())["ok"] is True


# ---------------------------------------------------------------- .deb


def test_the_deb_recommends_a_secret_service(deb: Path) -> None:
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Recommends"], capture_output=True, text=True, check=True)
    assert fields.stdout.strip() == build_deb.SECRET_SERVICES == "gnome-keyring | kwalletmanager | keepassxc"


# ---------------------------------------------------------------- size with the later runtime libraries


def test_the_bundle_carries_aiosmtpd_and_dnspython_within_its_budget(bundle: Path) -> None:
    assert build_bundle.bundled_libraries(bundle) == {"aiosmtpd": True, "dns": True}
    assert build_bundle.tree_size(bundle) <= build_bundle.BUDGET_BYTES
    files, folders = build_bundle.largest(bundle)
    assert len(files) == 10 and files == sorted(files, reverse=True)
    assert all(not name.endswith("_internal") for _, name in folders)


# ---------------------------------------------------------------- start-up, frozen


def test_the_frozen_window_without_a_display_exits_2_with_a_sentence(bundle: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    (tmp_path / "runtime").mkdir(mode=0o700)
    done = subprocess.run(
        [str(bundle / "smtpgui"), "--config-dir", str(tmp_path / "config"), "--self-test"],
        env={**env, "XDG_RUNTIME_DIR": str(tmp_path / "runtime")},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("smtpgui: cannot open the window: there is no display")
    assert "QT_QPA_PLATFORM=offscreen" in done.stderr and "Aborted" not in done.stderr


def _bootloader_start(stderr: str) -> bool:
    """PyInstaller's own report of an interrupt while its bootloader started Python, before the
    first runtime hook (resources/packaging/rthook_sigint.py) ran its first instruction: the
    frozen counterpart of the interpreter's start in a source run, out of smtpgui's reach. (An
    interrupt that arrives just before is raised as the hook's frame is entered: "line 0".)"""
    before_ours = stderr.replace('File "rthook_sigint.py", line 0,', "")
    started = "KeyboardInterrupt" in stderr or "Failed to start embedded python interpreter" in stderr
    return started and not any(
        f'File "{frame}' in before_ours for frame in ("pyi_rth_", "rthook_", "smtpgui", "__main__")
    )


def test_ctrl_c_during_the_frozen_start_exits_130_without_a_traceback(bundle: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SMTPGUI_"))}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    codes = []
    for delay in [*DELAYS_MS, *DELAYS_MS[5:12]]:  # the bootstrap is longer than a source start's
        done = _interrupt_after([str(bundle / "smtpgui"), "--config-dir", str(tmp_path / "c"), "list"], env, delay)
        if _bootloader_start(done.stderr):
            continue
        codes.append(done.returncode)
        assert "Traceback" not in done.stderr, f"after {delay:.1f} ms: {done.stderr}"
        assert done.returncode in {130, -2, 0}, (delay, done.returncode, done.stderr)
    assert codes.count(130) >= 3, codes


# ---------------------------------------------------------------- a keyring backend the bundle lacks


def _stored_password(bundle: Path, config: Path, env: dict[str, str]) -> None:
    added = run(
        bundle / "smtpgui", "--config-dir", str(config), "add", "relay", "--host", "127.0.0.1", "--port", "2525",
        "--security", "none", "--auth", "password", "--username", "u", "--from", "A <a@example.com>",
        "--password-stdin", env=env, stdin="secret-pw\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr


def test_a_keyring_backend_the_bundle_lacks_does_not_hang_the_self_test(
    bundle: Path, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    """The issue's report: PYTHON_KEYRING_BACKEND naming a module the bundle does not contain
    raised an error and then hung in --self-test. It ends, in a bounded time, with exit 0 (the
    window's banner says it) or 3 (the self-test's warning), and no traceback."""
    config = tmp_path / "config"
    _stored_password(bundle, config, keyring_env)
    for backend in ("nonexistent.module", "tests.support.keyrings.FileKeyring"):
        env = {**keyring_env, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": backend}
        started = time.monotonic()
        done = subprocess.run(
            [str(bundle / "smtpgui"), "--config-dir", str(config), "--self-test"],
            env=env, capture_output=True, text=True, timeout=NO_HANG_SECONDS, check=False,
        )  # fmt: skip
        assert time.monotonic() - started < NO_HANG_SECONDS
        assert done.returncode in (0, 3), (backend, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr
        if done.returncode == 3:
            assert "keyring" in done.stderr.lower()


def test_a_keyring_backend_the_bundle_lacks_gives_the_keyring_sentence(
    bundle: Path, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    """Issue 22 item 3 (engineer A's keyring work), in the frozen app: a command that needs the
    stored password says the keyring cannot be used (exit 3) instead of 'no password stored'."""
    config = tmp_path / "config"
    _stored_password(bundle, config, keyring_env)
    env = {**keyring_env, "PYTHON_KEYRING_BACKEND": "nonexistent.module"}
    done = subprocess.run(
        [str(bundle / "smtpgui"), "--config-dir", str(config), "test", "relay", "--verify-only"],
        env=env, capture_output=True, text=True, timeout=NO_HANG_SECONDS, check=False,
    )  # fmt: skip
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert "keyring" in done.stderr.lower() and "Traceback" not in done.stderr


def test_the_frozen_sandbox_receives_what_the_frozen_cli_sends(bundle: Path, tmp_path: Path) -> None:
    """The sandbox as the bundle ships it (aiosmtpd, SQLite, its own certificate made without
    cryptography): a connection made with ``add --sandbox`` sends over STARTTLS and ``inbox list``
    shows the message (issue 19)."""
    import re
    import signal

    command = str(bundle / "smtpgui")
    env = {**os.environ, "SMTPGUI_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("QT_QPA_PLATFORM", None)
    sandbox = subprocess.Popen(
        [command, "sandbox", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert sandbox.stderr is not None
        first = sandbox.stderr.readline()
        found = re.search(r"listens on 127\.0\.0\.1:(\d+)", first)
        assert found, first
        port = found.group(1)
        added = subprocess.run([command, "add", "Local", "--sandbox", "--port", port], env=env,
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert added.returncode == 0, added.stderr
        sent = subprocess.run([command, "test", "Local", "--to", "you@example.com", "--subject", "Frozen hello",
                               "--json"], env=env, capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        result = json.loads(sent.stdout)
        assert sent.returncode == 0 and result["ok"] and result["tls"]["version"], sent.stderr
        listed = subprocess.run([command, "inbox", "list", "--json"], env=env, capture_output=True, text=True,
                                timeout=60, check=False)  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        assert [m["subject"] for m in json.loads(listed.stdout)] == ["Frozen hello"]
    finally:
        sandbox.send_signal(signal.SIGINT)
        out, err = sandbox.communicate(timeout=30)
    assert sandbox.returncode == 130, err
    assert "Frozen hello" in out
