"""Fake programs that print how they were called, to prove what a generated shell line runs.

``fake_bin(folder)`` makes ``swaks``, ``curl`` and ``secret-tool`` in ``folder``: the first two
write their argv and the ``SWAKS_OPT_*`` variables as JSON on standard output; ``secret-tool``
prints ``FAKE_SECRET`` (the "keyring's" password) and records that it was asked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FAKE_SECRET = "pw from the keyring 'x' \"y\" $(z)"

_PRINTER = """#!{python}
import json, os, sys
print(json.dumps({{"argv": sys.argv[1:], "env": {{k: v for k, v in os.environ.items() if k.startswith("SWAKS_OPT_")}}}}))
"""
_SECRET_TOOL = """#!{python}
import json, sys
with open({log!r}, "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
sys.stdout.write({secret!r})
"""


def fake_bin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("swaks", "curl"):
        (folder / name).write_text(_PRINTER.format(python=sys.executable))
    (folder / "secret-tool").write_text(
        _SECRET_TOOL.format(python=sys.executable, log=str(folder / "secret-tool.log"), secret=FAKE_SECRET)
    )
    for path in folder.iterdir():
        path.chmod(0o755)
    return folder


def run_in_sh(script: str, bin_folder: Path, cwd: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``script`` with ``sh`` (the fakes first on PATH) and return what the fake printed."""
    full_env = {"PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}", "SMTP_TO": "rcpt@example.com", **(env or {})}
    done = subprocess.run(
        check=False, args=["sh", "-c", script], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=30
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout  # exactly one command ran
    return dict(json.loads(lines[0]))
