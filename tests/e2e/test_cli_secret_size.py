"""A password given on standard input, in a variable or at the prompt is a line, not a file: a
pipe from /dev/zero (no line end, no end at all) or a 20 MB value is refused with a sentence,
read only as far as the limit, and nothing is stored."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, CliRunner


def test_an_endless_standard_input_is_refused_after_the_limit(cli: CliRunner) -> None:
    command = [sys.executable, "-m", "smtpgui", "credential", "add", "Corp", "--username", "u", "--password-stdin"]
    with open("/dev/zero", "rb") as endless:  # never ends, holds no line break
        done = subprocess.run(
            command, stdin=endless, capture_output=True, text=True, env=cli.env(), timeout=60, check=False,
            cwd=REPO,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "too long" in done.stderr and "Traceback" not in done.stderr
    assert cli.secrets() == {}


@pytest.mark.parametrize("way", ["stdin", "env"])
def test_a_twenty_megabyte_password_is_refused(cli: CliRunner, way: str) -> None:
    huge = "a" * 20_000_000
    if way == "stdin":
        r = cli("add", "W", "--host", "h.example", "--username", "u", "--password-stdin", stdin=huge + "\n")
    else:
        cli.extra_env["HUGE"] = "a" * 100_000  # a variable cannot hold 20 MB on Linux (128 KB per string)
        r = cli("credential", "add", "Corp", "--username", "u", "--password-env", "HUGE")
    assert r.returncode == 2 and "too long" in r.stderr, r.stderr
    assert cli.secrets() == {}
    assert json.loads(cli("list", "--json").stdout) == []


def test_a_long_but_sane_password_is_kept(cli: CliRunner) -> None:
    sane = "p" * 1024
    r = cli("credential", "add", "Corp", "--username", "u", "--password-stdin", stdin=sane + "\n")
    assert r.returncode == 0, r.stderr
    assert list(cli.secrets().values()) == [sane]
