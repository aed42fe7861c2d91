"""Rebuild Qt's ICU data library with only what an English-language widget app can reach.

PySide6's wheels ship ICU's full data (libicudata, about 31 MB): codepage converters, collation,
break dictionaries and display names for every locale. Qt keeps its own locale tables (CLDR),
codecs for UTF-8/16/32 and Latin-1, and its own text-boundary code, so smtpgui uses ICU only
for the root collation (file dialogs sort with QCollator), case mapping, normalisation and the
English and root locale data. Everything else is dropped; ICU falls back to root for other
locales instead of failing. Used by smtpgui.spec on Linux; needs icupkg (Debian's icu-devtools)
and a C compiler.

    python resources/packaging/trim_icu.py LIBICUDATA OUTDIR   # prints the new library's path
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")
_TREES = {"coll", "curr", "lang", "region", "unit", "zone", "rbnf", "brkitr"}


def keep(item: str) -> bool:
    """Whether an ICU data item (for example 'coll/de.res') stays in the trimmed library."""
    folder, _, name = item.rpartition("/")
    if name.endswith(".cnv") or folder == "translit" or (folder == "brkitr" and name.endswith(".dict")):
        return False
    if _LOCALE.match(name):
        return name.startswith("en") or (folder in _TREES and name == "root.res")
    return True


def _symbol(library: Path) -> tuple[str, int, int]:
    """The data symbol's name, file offset and size (a stripped library keeps its dynamic symbols)."""
    symbols = subprocess.run(["objdump", "-T", str(library)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^([0-9a-f]+)\s.*\.rodata\s+([0-9a-f]+)\s+(icudt\d+_dat)$", symbols, re.MULTILINE)
    if not match:
        raise SystemExit(f"trim_icu: no icudt*_dat symbol in {library}")
    address, size, name = int(match.group(1), 16), int(match.group(2), 16), match.group(3)
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], capture_output=True, text=True, check=True).stdout
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if not rodata:
        raise SystemExit(f"trim_icu: no .rodata section in {library}")
    offset = address - int(rodata.group(1), 16) + int(rodata.group(2), 16)
    return name, offset, size


def trim(library: Path, outdir: Path) -> Path:
    """Write a trimmed copy of `library` (same file name and soname) into `outdir` and return it."""
    for tool in ("icupkg", "objdump", "readelf", "cc"):
        if shutil.which(tool) is None:
            raise SystemExit(f"trim_icu: {tool} is needed (apt-get install icu-devtools binutils gcc)")
    symbol, offset, size = _symbol(library)
    package = symbol.removesuffix("_dat") + "l"  # little-endian package name, as ICU looks it up
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full = work / f"{package}.dat"
        with library.open("rb") as handle:
            handle.seek(offset)
            full.write_bytes(handle.read(size))
        items = subprocess.run(["icupkg", "-l", str(full)], capture_output=True, text=True, check=True).stdout.split()
        dropped = [item for item in items if not keep(item)]
        (work / "drop.txt").write_text("\n".join(dropped) + "\n")
        subprocess.run(["icupkg", "--ignore-deps", "-r", str(work / "drop.txt"), str(full)], check=True, cwd=work)
        source = work / "icudata.S"
        source.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n"
            f'\t.incbin "{full}"\n\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n'
        )
        target = outdir / library.name
        subprocess.run(
            ["cc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(target), str(source)], check=True
        )
    print(
        f"trim_icu: kept {len(items) - len(dropped)} of {len(items)} ICU items; "
        f"{library.stat().st_size / 1e6:.1f} MB -> {target.stat().st_size / 1e6:.1f} MB"
    )
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(trim(Path(sys.argv[1]), Path(sys.argv[2])))
