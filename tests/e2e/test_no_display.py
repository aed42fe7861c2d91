"""Without a usable display the window exits 2 with one plain sentence, never Qt's abort (134).

Real conditions only: no display variables; a display number no X server listens on; a real
Xvfb with a system library that the loader finds but cannot load (a file that is not a library,
put first on LD_LIBRARY_PATH), which is what a missing one looks like to Qt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smtpgui.display import debian_package, display_problem, missing_library
from tests.conftest import REPO
from tests.support.desktop import xvfb_display

DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "LD_LIBRARY_PATH")


def _window(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in DISPLAY_VARIABLES and not k.startswith("SMTPGUI_")}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    base.update(
        PYTHONPATH=str(REPO),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_RUNTIME_DIR=str(runtime),  # no Wayland socket in it
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "smtpgui", "--config-dir", str(tmp_path / "config"), "--self-test"],
        env=base, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _assert_said_plainly(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("smtpgui: cannot open the window: "), done.stderr
    for word in words:
        assert word in done.stderr
    for noise in ("Traceback", "Aborted", "This application failed to start", "xcb-cursor0 or libxcb-cursor0"):
        assert noise not in done.stderr
    assert not (REPO / "config").exists()


def _free_display_number() -> int:
    """A display number with no X server socket or lock file on this machine."""
    for number in range(157, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise AssertionError("no free display number")


def _not_a_library(folder: Path, soname: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / soname).write_bytes(b"this is not a shared library\n")
    return str(folder)


def test_no_display_at_all_exits_2_with_the_ways_out(tmp_path: Path) -> None:
    done = _window(tmp_path)
    _assert_said_plainly(
        done,
        "no display",
        "DISPLAY",
        "desktop session",
        "smtpgui --help",
        "QT_QPA_PLATFORM=offscreen smtpgui --self-test",
    )
    assert done.stderr.count("\n") == 1  # one line


def test_x11_asked_for_without_display_exits_2(tmp_path: Path) -> None:
    _assert_said_plainly(_window(tmp_path, QT_QPA_PLATFORM="xcb"), "X11", "DISPLAY is not set")


def test_a_display_no_x_server_answers_on_exits_2(tmp_path: Path) -> None:
    number = _free_display_number()
    _assert_said_plainly(_window(tmp_path, DISPLAY=f":{number}"), f"the X server on DISPLAY=:{number} does not answer")


def test_a_wayland_display_no_compositor_answers_on_is_named(tmp_path: Path) -> None:
    done = _window(tmp_path, WAYLAND_DISPLAY="wayland-smtpgui-test")  # no such socket in the runtime folder
    _assert_said_plainly(done, "WAYLAND_DISPLAY=wayland-smtpgui-test")
    assert "DISPLAY=(empty)" not in done.stderr


def test_a_library_the_xcb_plugin_needs_is_named_with_its_package(tmp_path: Path) -> None:
    libs = _not_a_library(tmp_path / "libs", "libxcb-cursor.so.0")
    with xvfb_display() as display:
        done = _window(tmp_path, DISPLAY=display, LD_LIBRARY_PATH=libs)
    _assert_said_plainly(done, "libxcb-cursor.so.0", "xcb platform plugin", "apt-get install libxcb-cursor0")


def test_a_library_qt_itself_needs_is_named_with_its_package(tmp_path: Path) -> None:
    libs = _not_a_library(tmp_path / "libs", "libEGL.so.1")
    _assert_said_plainly(
        _window(tmp_path, DISPLAY=":0", LD_LIBRARY_PATH=libs), "libEGL.so.1", "apt-get install libegl1"
    )


def test_offscreen_and_a_real_display_still_open_the_window(tmp_path: Path) -> None:
    assert _window(tmp_path, QT_QPA_PLATFORM="offscreen").returncode == 0
    with xvfb_display() as display:
        done = _window(tmp_path, DISPLAY=display)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("env", "platform", "blocked"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-1"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "minimal:enable_fonts"}, "linux", False),
        ({"QT_QPA_PLATFORM": "vnc"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "win32", False),
        ({}, "darwin", False),
        ({}, "freebsd14", True),
    ],
)
def test_which_environments_can_open_a_window(env: dict[str, str], platform: str, blocked: bool) -> None:
    assert (display_problem(env, platform) is not None) is blocked


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libEGL.so.1", "libegl1"),
        ("libGL.so.1", "libgl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libfontconfig.so.1", "libfontconfig1"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_debian_package_names(soname: str, package: str) -> None:
    assert debian_package(soname) == package
    assert missing_library(f"{soname}: cannot open shared object file: No such file or directory") == soname
