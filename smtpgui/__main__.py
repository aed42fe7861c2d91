"""Entry point for ``python -m smtpgui``, the ``smtpgui`` console script and the bundle's executable.

Ctrl-C is answered from the first statement on: exit 130 with one sentence, no traceback. Only
what the interpreter has loaded already is used for that (``_signal``, ``os``); then
:mod:`smtpgui.interrupt` takes over and the program itself (:mod:`smtpgui.cli`) is imported.
"""

import _signal
import os


def _exit_interrupted(signum, frame):  # type: ignore[no-untyped-def]
    try:
        os.write(2, b"smtpgui: interrupted.\n")
    finally:
        os._exit(130)


if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
    _signal.signal(_signal.SIGINT, _exit_interrupted)

from smtpgui.interrupt import exit_on_ctrl_c  # noqa: E402

exit_on_ctrl_c()


def main() -> None:
    """Run the program (the console script's entry point); never returns."""
    from smtpgui.cli import run

    run()


if __name__ == "__main__":
    main()
