"""Lay out the AppImage's AppDir from the Linux bundle; pack it when appimagetool is given.

    python resources/packaging/build_appimage.py [--bundle dist/smtpgui] [--out dist] [--appimagetool PATH]

The AppDir (``dist/smtpgui.AppDir``) holds the bundle under usr/lib/smtpgui, an ``AppRun`` that
starts it with the arguments given, the desktop file and icon at the top (as the AppImage format
asks) and under usr/share, and the AppStream metainfo. The packing tool is not part of this
repository: the GitHub workflow fetches appimagetool and passes it here (``--appimagetool``), which
writes ``dist/smtpgui-VERSION-ARCH.AppImage``. tests/frozen builds the AppDir and runs its AppRun.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from build_deb import APP_ID, version

# AppRun: the AppImage runtime (or anyone) runs it with the user's arguments; it finds the bundle
# next to itself, wherever the AppDir was mounted or extracted.
APP_RUN = """#!/bin/sh
# smtpgui's AppImage entry point: the window without arguments, the command line with them.
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/lib/smtpgui/smtpgui" "$@"
"""


def build_appdir(bundle: Path, out: Path) -> Path:
    """Lay out ``out/smtpgui.AppDir`` from the bundle; returns the AppDir."""
    if not (bundle / "smtpgui").is_file():
        raise SystemExit(f"build_appimage: no bundle at {bundle}; run resources/packaging/build_bundle.py first")
    appdir = out / "smtpgui.AppDir"
    if appdir.exists():
        shutil.rmtree(appdir)
    shutil.copytree(bundle, appdir / "usr/lib/smtpgui", symlinks=True)
    run = appdir / "AppRun"
    run.write_text(APP_RUN)
    run.chmod(0o755)
    linux, icons = ROOT / "resources/linux", ROOT / "resources/icons"
    desktop = appdir / "usr/share/applications" / f"{APP_ID}.desktop"
    desktop.parent.mkdir(parents=True)
    shutil.copyfile(linux / f"{APP_ID}.desktop", desktop)
    shutil.copyfile(desktop, appdir / f"{APP_ID}.desktop")
    metainfo = appdir / "usr/share/metainfo" / f"{APP_ID}.appdata.xml"  # the name appimagetool checks
    metainfo.parent.mkdir(parents=True)
    shutil.copyfile(linux / f"{APP_ID}.metainfo.xml", metainfo)
    shutil.copytree(icons / "hicolor", appdir / "usr/share/icons/hicolor")
    shutil.copyfile(icons / "hicolor/256x256/apps/smtpgui.png", appdir / "smtpgui.png")  # Icon=smtpgui
    (appdir / ".DirIcon").symlink_to("smtpgui.png")
    return appdir


def pack(appdir: Path, appimagetool: Path, out: Path) -> Path:
    """Pack the AppDir into an AppImage with appimagetool (fetched by the workflow)."""
    arch = platform.machine()
    image = out / f"smtpgui-{version()}-{arch}.AppImage"
    env = dict(os.environ, ARCH=arch, APPIMAGE_EXTRACT_AND_RUN="1")  # no FUSE needed on CI runners
    subprocess.run([str(appimagetool), "--no-appstream", str(appdir), str(image)], check=True, env=env)
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the smtpgui AppDir (and AppImage) from the bundle.")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "smtpgui")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--appimagetool", type=Path, help="pack the AppDir with this appimagetool")
    args = parser.parse_args(argv)
    appdir = build_appdir(args.bundle.resolve(), args.out.resolve())
    print(f"appdir: {appdir}")
    if args.appimagetool:
        print(f"appimage: {pack(appdir, args.appimagetool.resolve(), args.out.resolve())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
