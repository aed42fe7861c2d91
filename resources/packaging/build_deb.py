"""Package the Linux bundle as a .deb with dpkg-deb.

    python resources/packaging/build_deb.py [--bundle dist/smtpgui] [--out dist]

Installs the bundle under /usr/lib/smtpgui, /usr/bin/smtpgui (a symlink to it), the desktop file,
the AppStream metainfo, the hicolor icons and a copyright file. Recommends names the Secret
Services that keep the passwords (gnome-keyring, KWallet, KeePassXC). Depends lists the Debian packages
that hold the system libraries the bundle links but does not carry (found the way dpkg-shlibdeps
does: NEEDED entries, resolved through ldconfig, owned per dpkg -S). Prints the .deb's path.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from build_bundle import source_date_epoch, tree_size

APP_ID = "io.github.smtpgui.smtpgui"
# The C library and loader come with every Debian system; the rest is named by package.
ALWAYS_THERE = {"libc6", "libc6-dev"}
# Passwords live in a Secret Service (org.freedesktop.secrets): wanted, not required (without one
# the app keeps passwords for the session only and says so). Any of these provides it.
SECRET_SERVICES = "gnome-keyring | kwalletmanager | keepassxc"


def version() -> str:
    return re.search(r'__version__ = "([^"]+)"', (ROOT / "smtpgui" / "__init__.py").read_text()).group(1)


def needed_sonames(path: Path) -> set[str]:
    """The DT_NEEDED sonames of an ELF file, read with objdump."""
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False).stdout
    return {line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")}


def _system_libraries() -> dict[str, str]:
    """soname -> path of the x86-64/native libraries ldconfig knows."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        name, _, path = line.strip().partition(" => ")
        soname = name.split(" (")[0]
        if "x86-64" in name or "x86_64" not in os.uname().machine:
            found.setdefault(soname, path)
    return found


def depends(bundle: Path) -> list[str]:
    """Debian packages owning the system libraries the bundle's ELF files need."""
    shipped = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.read_bytes()[:4] == b"\x7fELF":
            needed |= needed_sonames(path)
    system = _system_libraries()
    packages: set[str] = set()
    missing = []
    for soname in sorted(needed - shipped):
        path = system.get(soname)
        if path is None:
            missing.append(soname)
            continue
        owner = subprocess.run(["dpkg", "-S", os.path.realpath(path)], capture_output=True, text=True, check=False)
        if owner.returncode != 0:
            owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
        if owner.returncode == 0:
            packages.add(owner.stdout.split(":")[0].strip())
        else:
            missing.append(soname)
    for soname in missing:
        # Not on the build machine: Debian's library package naming (policy §8.1) names it.
        packages.add(debian_package_name(soname))
        print(f"build_deb: {soname} is not installed here; depending on {debian_package_name(soname)}")
    return sorted(packages - ALWAYS_THERE)


def debian_package_name(soname: str) -> str:
    """libfoo.so.1 -> libfoo1, libfoo-2.0.so.0 -> libfoo-2.0-0 (Debian policy §8.1)."""
    base, _, number = soname.partition(".so.")
    return f"{base}-{number}" if base[-1].isdigit() else f"{base}{number}"


def _control(bundle: Path, size_kib: int) -> str:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    return (
        "Package: smtpgui\n"
        f"Version: {version()}\n"
        f"Architecture: {arch}\n"
        "Maintainer: smtpgui maintainers <maintainers@smtpgui.invalid>\n"
        f"Installed-Size: {size_kib}\n"
        f"Depends: {', '.join(depends(bundle))}\n"
        f"Recommends: {SECRET_SERVICES}\n"
        "Section: mail\n"
        "Priority: optional\n"
        "Description: manage SMTP connections and prove they work\n"
        " smtpgui keeps the outgoing-mail connections your tools use (host, port,\n"
        " sign-in, encryption, proxy), with passwords in the system keyring, and\n"
        " sends test messages that show where and why a connection fails.\n"
        " The same binary is the window and a command line for scripts.\n"
    )


def _copyright() -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: smtpgui\n\n"
        "Files: *\nCopyright: smtpgui maintainers\nLicense: MIT\n\n"
        "Files: usr/lib/smtpgui/_internal/PySide6/*\nCopyright: The Qt Company Ltd.\nLicense: LGPL-3.0\n"
    )


def stage(bundle: Path, root: Path) -> None:
    """Lay out the package's file tree under root."""
    shutil.copytree(bundle, root / "usr/lib/smtpgui", symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/smtpgui").symlink_to("../lib/smtpgui/smtpgui")
    linux = ROOT / "resources/linux"
    for source, target in (
        (linux / f"{APP_ID}.desktop", root / f"usr/share/applications/{APP_ID}.desktop"),
        (linux / f"{APP_ID}.metainfo.xml", root / f"usr/share/metainfo/{APP_ID}.metainfo.xml"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shutil.copytree(ROOT / "resources/icons/hicolor", root / "usr/share/icons/hicolor")
    doc = root / "usr/share/doc/smtpgui"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright())


def _normalise(root: Path, epoch: int) -> None:
    """Same permissions and times for every build of the same commit."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            os.utime(path, (epoch, epoch), follow_symlinks=False)
            continue
        executable = path.is_dir() or os.access(path, os.X_OK)
        path.chmod(0o755 if executable else 0o644)
        os.utime(path, (epoch, epoch))


def build(bundle: Path, out: Path) -> Path:
    if not (bundle / "smtpgui").is_file():
        raise SystemExit(f"build_deb: no bundle at {bundle}; run resources/packaging/build_bundle.py first")
    epoch = int(source_date_epoch())
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        stage(bundle, root)
        (root / "DEBIAN").mkdir()
        size_kib = (tree_size(root) + 1023) // 1024
        (root / "DEBIAN/control").write_text(_control(bundle, size_kib))
        _normalise(root, epoch)
        arch = (root / "DEBIAN/control").read_text().split("Architecture: ")[1].split()[0]
        deb = out / f"smtpgui_{version()}_{arch}.deb"
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    print(f"deb: {deb} {deb.stat().st_size / 1e6:.1f} MB")
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the smtpgui .deb from the bundle.")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "smtpgui")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    build(args.bundle.resolve(), args.out.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
