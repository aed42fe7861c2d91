"""Generate every icon the app and its installers use from the SVG master.

    python resources/make_icons.py [--out DIR]

Writes, next to the master (or into DIR):
  icons/hicolor/<N>x<N>/apps/smtpgui.png   PNGs for 16..512 px (freedesktop layout, also used by the
                                           window through resources/smtpgui.qrc)
  icons/smtpgui.ico                        Windows (PNG-compressed entries, 16..256 px)
  icons/smtpgui.icns                       macOS (PNG entries, 16..1024 px incl. @2x)
  icons/actions/<theme>/<name>-<N>.png     toolbar and menu icons from icons/actions/*.svg, drawn
                                           in a dark ink for light palettes and a light ink for
                                           dark ones (16..48 px)
and compiles resources/smtpgui.qrc into smtpgui/ui/resources_rc.py with pyside6-rcc, so an
installed wheel, the frozen bundle and a source checkout all find the icons the same way.

The .ico and .icns containers are written here by hand: both are a small header and a table
of PNG payloads, which every supported Windows and macOS version reads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
MASTER = HERE / "icons" / "smtpgui.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ACTIONS = HERE / "icons" / "actions"
ACTION_SIZES = (16, 24, 32, 48)
# The action SVGs are drawn in #000000; each theme replaces it with an ink readable on its palette.
ACTION_INKS = {"light": "#303030", "dark": "#E6E6E6"}
# Apple's OSTypes for PNG payloads: (type, pixel size).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The master rendered at size × size, antialiased, on a transparent background, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG", 0)  # quality 0 = strongest compression; Qt writes no timestamp
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding one PNG-compressed entry per size (Vista and later)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    table, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the ICONDIRENTRY
        table += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + table + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with PNG payloads for every standard and @2x size."""
    body = b"".join(struct.pack(">4sI", kind, 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return struct.pack(">4sI", b"icns", 8 + len(body)) + body


def compile_qrc(qrc: Path, target: Path) -> None:
    rcc = shutil.which("pyside6-rcc")
    if rcc is None:
        raise SystemExit("make_icons: pyside6-rcc is not on PATH (it comes with PySide6).")
    subprocess.run([rcc, "--format-version", "1", "--compress-algo", "zlib", "-o", str(target), str(qrc)], check=True)


def render_action_icons(out: Path) -> int:
    """Every icons/actions/*.svg in both inks at every action size; returns how many PNGs."""
    count = 0
    for svg in sorted(ACTIONS.glob("*.svg")):
        source = svg.read_text(encoding="utf-8")
        for theme, ink in ACTION_INKS.items():
            renderer = QSvgRenderer(QByteArray(source.replace("#000000", ink).encode("utf-8")))
            if not renderer.isValid():
                raise SystemExit(f"make_icons: {svg} is not a valid SVG.")
            folder = out / "icons" / "actions" / theme
            folder.mkdir(parents=True, exist_ok=True)
            for size in ACTION_SIZES:
                (folder / f"{svg.stem}-{size}.png").write_bytes(render_png(renderer, size))
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="resources folder to write into (default: this one)")
    parser.add_argument("--no-qrc", action="store_true", help="do not recompile smtpgui/ui/resources_rc.py")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {MASTER} is not a valid SVG.")
    sizes = sorted({*PNG_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(renderer, size) for size in sizes}
    icons = args.out / "icons"
    for size in PNG_SIZES:
        path = icons / "hicolor" / f"{size}x{size}" / "apps" / "smtpgui.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pngs[size])
    scalable = icons / "hicolor" / "scalable" / "apps" / "smtpgui.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, scalable)
    (icons / "smtpgui.ico").write_bytes(ico_bytes(pngs))
    (icons / "smtpgui.icns").write_bytes(icns_bytes(pngs))
    actions = render_action_icons(args.out)
    if not args.no_qrc:
        compile_qrc(args.out / "smtpgui.qrc", HERE.parent / "smtpgui" / "ui" / "resources_rc.py")
    print(f"make_icons: wrote {len(PNG_SIZES)} PNGs, smtpgui.ico, smtpgui.icns and {actions} action icons into {icons}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
