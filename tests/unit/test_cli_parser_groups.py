"""The command line builds only the command group it needs (smtpgui/cli/parser.py GROUPS): the table
must name exactly what each module registers, and each command must parse with its group alone."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from smtpgui.cli.parser import GROUPS, build_parser, groups_for

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_registers_exactly_the_commands_the_table_names(group: str) -> None:
    registered: list[str] = []

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        registered.append(name)
        return argparse.ArgumentParser(prog=name)

    importlib.import_module(f"smtpgui.cli.{group}").add_commands(command)
    assert tuple(registered) == GROUPS[group]


def test_the_full_parser_has_every_command_once() -> None:
    names = [name for names in GROUPS.values() for name in names]
    assert len(names) == len(set(names))
    assert set(build_parser().commands) == set(names)


@pytest.mark.parametrize(
    ("argv", "groups"),
    [
        ([], ()),  # the window
        (["--self-test", "--report", "list"], ()),  # a global option's value is no command
        (["--config-dir", "test", "list", "--json"], ("profiles",)),
        (["--config-dir=/x", "test", "--to", "a@b.c"], ("send",)),
        (["inbox", "list"], ("sandbox",)),
        (["credential", "add", "x"], ("shared",)),
        (["--help"], tuple(GROUPS)),
        (["bogus"], tuple(GROUPS)),  # argparse lists the choices
    ],
)
def test_the_groups_a_command_line_needs(argv: list[str], groups: tuple[str, ...]) -> None:
    assert groups_for(argv) == groups


def test_a_command_loads_no_other_groups_module() -> None:
    script = (
        "import sys; from smtpgui.cli.parser import build_parser; argv = ['test', 'x', '--to', 'a@b.c'];"
        "build_parser(argv).parse_args(argv);"
        "print(sorted(m for m in sys.modules if m.startswith('smtpgui.cli.') and m.rsplit('.', 1)[1] in "
        "('profiles', 'shared', 'discover', 'sandbox', 'login', 'settings')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
