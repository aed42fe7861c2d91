"""Where the command line takes a password from: standard input, a variable, or a hidden prompt.

Never from the command line itself (other users see it in the process list). The prompt
(``getpass``: nothing typed is echoed) is used only when standard input is a terminal; a script
whose standard input is a pipe or a file never waits for a person.
"""

from __future__ import annotations

import argparse
import os
import sys

from smtpgui.core.errors import ValidationError
from smtpgui.core.redact import remember

# The ways to give a password, as a refusal names them.
PASSWORD_OPTIONS = "--password-stdin, --password-env VAR, or --password-prompt (on a terminal)"
# The longest password, proxy password or client secret taken (characters). Real ones are well
# under it; a pipe from the wrong place (/dev/zero, a file) is not read past it.
SECRET_MAX = 4096


def _checked(value: str, what: str, option: str) -> str:
    """``value`` when it can be a secret, else ``ValidationError`` (a sentence, never the value)."""
    if len(value) > SECRET_MAX:
        raise ValidationError(
            f"The {what} given with {option} is too long (more than {SECRET_MAX} characters): is it the right input?",
            option,
        )
    remember(value)
    return value


def stdin_is_terminal() -> bool:
    """True when a person can answer a prompt (a windowed, frozen build has no stdin at all)."""
    stream = sys.stdin
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def read_stdin_secret(what: str, option: str = "--password-stdin") -> str:
    """The first line of standard input (an empty one is refused: it is a mistake, not a password)."""
    # At most one character past the limit (plus the line end) is read: an endless input ends here.
    line = sys.stdin.readline(SECRET_MAX + 3) if sys.stdin is not None else ""
    value = line.rstrip("\r\n")
    if not value:
        raise ValidationError(f"No {what} was given on standard input (it reads the first line).", option)
    return _checked(value, what, option)


def read_env_secret(variable: str, option: str) -> str:
    """The value of environment variable ``variable`` (named by ``option``)."""
    value = os.environ.get(variable)
    if value is None:
        raise ValidationError(f"The environment variable {variable!r} named by {option} is not set.", option)
    return _checked(value, "value", option)


def terminal_answer(prompt: str, *, hidden: bool = False) -> str:
    """What a person types at the terminal after ``prompt`` (without echo when ``hidden``).

    The end of input (Ctrl-D on an empty line) is an empty answer, never an error: every question
    the command line asks treats it as "no". Ctrl-C stays KeyboardInterrupt (exit 130).
    """
    try:
        if hidden:
            import getpass  # with its first use: only a person at a terminal needs it

            return getpass.getpass(prompt)
        return input(prompt)
    except EOFError:
        print(file=sys.stderr)  # the prompt's line ends, as Enter would have ended it
        return ""


def prompt_secret(prompt: str, what: str = "password") -> str:
    """Ask without echo on the terminal; refused (exit 2) when standard input is not one."""
    if not stdin_is_terminal():
        raise ValidationError(
            f"--password-prompt needs a terminal; standard input is not one: give the {what} with "
            "--password-stdin or --password-env VAR.",
            "--password-prompt",
        )
    value = terminal_answer(prompt, hidden=True)
    if not value:
        raise ValidationError(f"No {what} was typed; nothing was changed.", "--password-prompt")
    return _checked(value, what, "--password-prompt")


def given_password(options: argparse.Namespace, prompt: str, *, ask_on_terminal: bool) -> str | None:
    """The password named by ``--password-stdin``, ``--password-env`` or ``--password-prompt``.

    With none of them, a person at a terminal is asked when ``ask_on_terminal`` (the password is
    needed); otherwise None. Giving two of them is a usage error.
    """
    given = vars(options)
    chosen = [
        flag
        for key, flag in (
            ("password_stdin", "--password-stdin"),
            ("password_env", "--password-env"),
            ("password_prompt", "--password-prompt"),
        )
        if given.get(key) not in (None, False)
    ]
    if len(chosen) > 1:
        raise ValidationError(f"Use one of {' and '.join(chosen)}, not both.", chosen[0])
    if given.get("password_stdin"):
        return read_stdin_secret("password")
    if given.get("password_env") is not None:
        return read_env_secret(str(given["password_env"]), "--password-env")
    if given.get("password_prompt") or (ask_on_terminal and stdin_is_terminal()):
        return prompt_secret(prompt)
    return None
