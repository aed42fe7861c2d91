"""Ctrl-C at any moment of start-up ends the program with 130 and one sentence, never a traceback.

Each try starts the program and interrupts it after a different amount of start-up, from right
after the spawn to well past the imports: the delays grow geometrically and are spun on the
clock (the child's progress is what varies, not a condition to wait for), ending early if the
child has already finished.

One stretch is out of smtpgui's reach: the interpreter's own start, before it runs any code of
ours (importing ``site`` and ``runpy``: a few milliseconds). Python reports an interrupt there
itself ("Fatal Python error: init_import_site", "Could not import runpy module", and the frames
of its own start-up); such a try is recognised by holding no frame of smtpgui's code, and is not
counted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.processes import start_with_default_sigint

# What pip writes as the ``smtpgui`` console script (pyproject's [project.scripts]).
CONSOLE_SCRIPT = """\
import re
import sys
from smtpgui.__main__ import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""

DELAYS_MS = [0.0] + [2 * 1.3**n for n in range(22)]  # 0, 2 ms … about 500 ms


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SMTPGUI_"))}
    env.update(
        PYTHONPATH=str(REPO),
        SMTPGUI_CONFIG_DIR=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _interrupt_after(command: list[str], env: dict[str, str], delay_ms: float) -> subprocess.CompletedProcess[str]:
    process = start_with_default_sigint(command, env)
    deadline = time.perf_counter() + delay_ms / 1000
    while time.perf_counter() < deadline and process.poll() is None:
        os.sched_yield()
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _interpreter_start(stderr: str) -> bool:
    """Python's own report of an interrupt while it started, before any code of ours ran: a
    KeyboardInterrupt, or the fatal error Python's initialization ends in when the signal cuts it
    short (``Fatal Python error: init_sys_streams: …``, seen on a busy machine)."""
    python_itself = "KeyboardInterrupt" in stderr or "Fatal Python error: init_" in stderr
    return python_itself and f'File "{REPO / "smtpgui"}' not in stderr


def _check_every_delay(command: list[str], env: dict[str, str]) -> None:
    codes = []
    for delay in DELAYS_MS:
        done = _interrupt_after(command, env, delay)
        if _interpreter_start(done.stderr):
            continue
        codes.append(done.returncode)
        assert "Traceback" not in done.stderr, f"after {delay:.1f} ms: {done.stderr}"
        # 130 from smtpgui; -SIGINT when the signal came before the interpreter set up its own
        # handler (the shell reports that as 130 too); 0 when the program had already finished.
        assert done.returncode in {130, -signal.SIGINT, 0}, f"after {delay:.1f} ms: {done.returncode} {done.stderr}"
        if done.returncode == 130:
            assert done.stderr.strip().endswith("smtpgui: interrupted."), done.stderr
    assert codes.count(130) >= 3, codes  # tries did land in smtpgui's start-up (most do, on an idle machine)


@pytest.mark.parametrize(
    "arguments",
    [["list"], ["--self-test"]],
    ids=["command", "window"],
)
def test_ctrl_c_during_start_up_exits_130_without_a_traceback(tmp_path: Path, arguments: list[str]) -> None:
    _check_every_delay([sys.executable, "-m", "smtpgui", *arguments], _env(tmp_path))


def test_ctrl_c_during_start_up_of_the_console_script(tmp_path: Path) -> None:
    script = tmp_path / "smtpgui"
    script.write_text(CONSOLE_SCRIPT)
    _check_every_delay([sys.executable, str(script), "list"], _env(tmp_path))
