"""The installer recipes that only run on GitHub's Windows and macOS machines, checked here.

The workflow is linted with yamllint (dev extra) and read with a YAML loader: every installer is
built, smoke-tested (install, --version, --self-test, uninstall where there is one) and uploaded.
Inno Setup has no linter that runs on Linux (its compiler is a Windows program), so its script is
read here for what the issue asks of it: per user without administrator rights, a Start menu
entry, an uninstaller, the version from the package.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "build.yml"
INNO = REPO / "resources" / "packaging" / "windows" / "smtpgui.iss"
YAMLLINT_CONFIG = (
    "{extends: default, rules: {line-length: {max: 200}, truthy: {check-keys: false}, document-start: disable}}"
)


def _steps() -> list[dict[str, object]]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return list(workflow["jobs"]["bundle"]["steps"])


def _step(name_part: str) -> dict[str, object]:
    matches = [s for s in _steps() if name_part in str(s.get("name", ""))]
    assert len(matches) == 1, (name_part, [s.get("name") for s in _steps()])
    return matches[0]


def test_the_workflow_passes_yamllint() -> None:
    yamllint = shutil.which("yamllint") or str(Path(sys.executable).with_name("yamllint"))
    assert Path(yamllint).exists(), "yamllint not found: pip install -e '.[test,dev]'"
    done = subprocess.run(
        [yamllint, "-f", "parsable", "-d", YAMLLINT_CONFIG, str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_builds_on_the_three_systems() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["bundle"]
    assert job["runs-on"] == "${{ matrix.os }}"
    systems = " ".join(job["strategy"]["matrix"]["os"])
    assert all(name in systems for name in ("ubuntu", "windows", "macos"))
    assert workflow["permissions"] == {"contents": "read"}
    for step in job["steps"]:
        assert "uses" in step or "run" in step, step


def test_each_installer_is_built_installed_run_and_removed() -> None:
    deb = str(_step("Debian package")["run"])
    assert "build_deb.py" in deb and "apt-get install -y ./dist/smtpgui_" in deb
    assert "--version" in deb and "--self-test" in deb and "dpkg -r smtpgui" in deb and "Recommends" in deb

    appimage = _step("AppImage")
    run = str(appimage["run"])
    assert "build_appimage.py --appimagetool" in run and "curl" in run  # the tool is fetched here only
    assert "--version" in run and "--self-test" in run

    inno = str(_step("Windows installer")["run"])
    assert "ISCC.exe" in inno and "/DAppVersion=$version" in inno and "smtpgui.iss" in inno
    assert '"/VERYSILENT"' in inno and "/CURRENTUSER" in inno  # installs per user, silently
    assert "Start Menu" in inno and "--version" in inno and "--self-test" in inno
    assert "unins000.exe" in inno and 'Test-Path "$app\\smtpgui.exe"' in inno

    dmg = str(_step("macOS disk image")["run"])
    assert "hdiutil create" in dmg and "smtpgui.app" in dmg and "hdiutil attach" in dmg
    assert "--version" in dmg and "--self-test" in dmg

    for step, system in (
        ("Debian package", "Linux"),
        ("AppImage", "Linux"),
        ("Windows installer", "Windows"),
        ("macOS disk image", "macOS"),
    ):
        assert _step(step)["if"] == f"runner.os == '{system}'"


def test_the_installers_are_uploaded() -> None:
    upload = next(s for s in _steps() if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    paths = str(upload["with"]["path"]).split()  # type: ignore[index]
    assert paths == ["dist/smtpgui_*.deb", "dist/smtpgui-*.AppImage", "dist/smtpgui-*-setup.exe", "dist/smtpgui-*.dmg"]
    assert upload["with"]["if-no-files-found"] == "error"  # type: ignore[index]


def test_linux_uses_the_one_package_list() -> None:
    assert "sh tests/setup-system.sh --test" in str(_step("Linux system packages")["run"])
    assert "apt-get install -y -qq" not in WORKFLOW.read_text()


def _inno() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in INNO.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        else:
            sections.setdefault(current, []).append(line)
    return sections


def test_the_inno_script_installs_per_user_with_start_menu_and_uninstaller() -> None:
    sections = _inno()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"  # no administrator rights
    assert setup["DefaultDirName"].startswith("{autopf}")  # %LOCALAPPDATA%\Programs for one user
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup.get("Uninstallable", "yes") == "yes" and setup["UninstallDisplayIcon"] == "{app}\\smtpgui.exe"
    assert setup["OutputBaseFilename"] == "smtpgui-{#AppVersion}-setup"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup["AppId"])
    assert any(
        line.startswith('Name: "{autoprograms}\\{#AppName}"') and "smtpgui.exe" in line for line in sections["Icons"]
    )
    assert any('Source: "{#Root}\\dist\\smtpgui\\*"' in line and "recursesubdirs" in line for line in sections["Files"])
    # The version is passed in (from smtpgui/__init__.py), never written into the script.
    text = INNO.read_text()
    assert "#error" in text and not re.search(r"AppVersion=\d", text)
    for path in re.findall(r'(?:SetupIconFile=|Source: ")\{#Root\}\\([^"*]+?)(?:"|$)', text, flags=re.MULTILINE):
        if "dist" not in path:
            assert (REPO / path.replace("\\", "/")).exists(), path
