"""Icons, desktop file and AppStream metainfo: generated, complete and valid."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from smtpgui import __version__

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
LINUX = REPO / "resources" / "linux"
APP_ID = "io.github.smtpgui.smtpgui"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_icon_set(icons: Path) -> None:
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert png_size((icons / "hicolor" / f"{size}x{size}" / "apps" / "smtpgui.png").read_bytes()) == (size, size)
    assert (icons / "hicolor" / "scalable" / "apps" / "smtpgui.svg").read_bytes() == (
        ICONS / "smtpgui.svg"
    ).read_bytes()

    ico = (icons / "smtpgui.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, _planes, _bits, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i])
        assert png_size(ico[offset : offset + length]) == (width or 256, height or 256)
        sizes.append(width or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]

    icns = (icons / "smtpgui.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    offset, found = 8, {}
    while offset < len(icns):
        kind_code, length = struct.unpack(">4sI", icns[offset : offset + 8])
        found[kind_code] = png_size(icns[offset + 8 : offset + length])[0]
        offset += length
    assert found[b"ic10"] == 1024 and found[b"ic07"] == 128 and found[b"icp4"] == 16


def test_committed_icons_are_a_complete_set() -> None:
    check_icon_set(ICONS)


def test_the_script_makes_the_whole_set_from_the_master(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "resources" / "make_icons.py"), "--out", str(tmp_path), "--no-qrc"],
        capture_output=True,
        text=True,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    check_icon_set(tmp_path / "icons")


def test_the_desktop_file_is_valid_and_names_the_icon_and_command() -> None:
    desktop = LINUX / f"{APP_ID}.desktop"
    text = desktop.read_text()
    assert "\nExec=smtpgui\n" in text and "\nIcon=smtpgui\n" in text
    assert shutil.which("desktop-file-validate"), ".ci/run installs desktop-file-utils"
    done = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout


def test_the_metainfo_is_valid_and_current() -> None:
    metainfo = LINUX / f"{APP_ID}.metainfo.xml"
    text = metainfo.read_text()
    assert re.search(r'<release version="([^"]+)"', text).group(1) == __version__
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in text
    assert shutil.which("appstreamcli"), ".ci/run installs appstream"
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("soname", "package"), [("libxcb-cursor.so.0", "libxcb-cursor0"), ("libglib-2.0.so.0", "libglib-2.0-0")]
)
def test_deb_dependencies_follow_debian_library_naming(soname: str, package: str) -> None:
    sys.path.insert(0, str(REPO / "resources" / "packaging"))
    from build_deb import debian_package_name

    assert debian_package_name(soname) == package
