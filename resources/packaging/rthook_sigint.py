"""PyInstaller runtime hook, run before every other one (smtpgui.spec lists it first): Ctrl-C from
here on exits 130 with one sentence, as smtpgui/__main__.py does in a source run. The standard
hooks that follow import large modules (inspect, …), and an interrupt there would otherwise be a
traceback. Only what the bootloader has loaded already is used."""

import _signal
import os


def _exit_interrupted(signum, frame):
    try:
        os.write(2, b"smtpgui: interrupted.\n")
    finally:
        os._exit(130)


if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _exit_interrupted)
