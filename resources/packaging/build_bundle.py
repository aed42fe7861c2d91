"""Build the one-dir bundle from smtpgui.spec reproducibly, then print its size against the budget.

    python resources/packaging/build_bundle.py [--dist DIR] [--work DIR]

Sets PYTHONHASHSEED=0 and SOURCE_DATE_EPOCH (the last commit's time, or the one given) for the
PyInstaller run, so two builds of the same commit give the same files. Prints the bundle's size,
its largest contributors (files and folders) and which of the later runtime libraries
(smtpgui.spec's BUNDLED_LIBRARIES) it holds. Exits 1 if the Linux bundle is over budget
(../shared/DESIGN.md §6: 110 MB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 110 * 1000 * 1000
# Libraries the budget must already hold (smtpgui.spec bundles them when they are installed).
BUNDLED_LIBRARIES = ("aiosmtpd", "dns")


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH from the environment, else the last commit's time, else a fixed date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "1767225600"  # 2026-01-01, for a source tree without git


def tree_size(path: Path) -> int:
    """Bytes of every regular file under path (symlinks count once, as their target)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def largest(bundle: Path, count: int = 10) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The ``count`` largest files, and the largest folders below the top two levels (so that
    ``_internal`` and ``_internal/PySide6``, which hold nearly everything, do not crowd the list)."""
    files: list[tuple[int, str]] = []
    folders: dict[str, int] = {}
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        size = path.stat().st_size
        relative = path.relative_to(bundle)
        files.append((size, relative.as_posix()))
        for depth in range(1, len(relative.parts)):
            folder = "/".join(relative.parts[:depth])
            folders[folder] = folders.get(folder, 0) + size
    # A folder that holds nothing but one sub-folder is shown as that sub-folder.
    parents = {name: name.rpartition("/")[0] for name in folders}
    only_child = {parents[name] for name, size in folders.items() if folders.get(parents[name]) == size}
    deep = [
        (size, name)
        for name, size in folders.items()
        if name.count("/") >= 1 and name != "_internal/PySide6" and name not in only_child
    ]
    return sorted(files, reverse=True)[:count], sorted(deep, reverse=True)[:count]


def python_modules(bundle: Path) -> set[str]:
    """The Python modules frozen into the bundle's executable (its embedded PYZ archive)."""
    from PyInstaller.archive.readers import pkg_archive_contents

    executable = next(p for p in (bundle / "smtpgui", bundle / "smtpgui.exe") if p.exists())
    return set(pkg_archive_contents(str(executable)))


def bundled_libraries(bundle: Path) -> dict[str, bool]:
    """Whether each of BUNDLED_LIBRARIES is in the bundle."""
    modules = python_modules(bundle)
    return {name: name in modules for name in BUNDLED_LIBRARIES}


def report(bundle: Path) -> list[str]:
    """The lines build_bundle prints about a built bundle: size, largest parts, libraries."""
    size = tree_size(bundle)
    budget = f"budget {BUDGET_BYTES / 1e6:.0f} MB" if sys.platform.startswith("linux") else "budget applies on Linux"
    files = sum(1 for _ in bundle.rglob("*"))
    lines = [f"bundle: {bundle} {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB) in {files} files; {budget}"]
    biggest_files, biggest_folders = largest(bundle)
    lines.append("bundle: largest files:")
    lines += [f"  {n / 1e6:7.1f} MB  {name}" for n, name in biggest_files]
    lines.append("bundle: largest folders:")
    lines += [f"  {n / 1e6:7.1f} MB  {name}/" for n, name in biggest_folders]
    held = bundled_libraries(bundle)
    states = (f"{name} {'included' if there else 'NOT included (not installed here)'}" for name, there in held.items())
    lines.append("bundle: later runtime libraries: " + ", ".join(states))
    return lines


def bundle_dir(dist: Path) -> Path:
    return dist / "smtpgui"


def build(dist: Path, work: Path) -> Path:
    env = dict(os.environ, PYTHONHASHSEED="0", SOURCE_DATE_EPOCH=source_date_epoch())
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(ROOT / "smtpgui.spec"),
    ]  # fmt: skip
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    return bundle_dir(dist)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the smtpgui bundle with PyInstaller.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    bundle = build(args.dist.resolve(), args.work.resolve())
    size = tree_size(bundle)
    print("\n".join(report(bundle)))
    if sys.platform.startswith("linux") and size > BUDGET_BYTES:
        print(f"bundle: over budget by {(size - BUDGET_BYTES) / 1e6:.1f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
