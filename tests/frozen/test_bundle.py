"""The frozen bundle and the .deb start, paint a window and send through a real server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import build_bundle
import pytest

from smtpgui import __version__
from tests.support.desktop import secret_service, xvfb_display
from tests.support.servers import PASSWORD, USER, Pki, make_pki, smtp_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The frozen app keeps passwords in a real Secret Service, as on a desktop."""
    with secret_service(tmp_path / "home") as env:
        yield env


def run(
    executable: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SMTPGUI_"))}
    clean.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        input=stdin,
        timeout=120,
        check=False,
    )


def self_test(executable: Path, config: Path, env: dict[str, str]) -> dict[str, object]:
    report = config.parent / "report.json"
    done = run(executable, "--config-dir", str(config), "--self-test", "--report", str(report), env=env)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(report.read_text()))


def send_through_server(executable: Path, config: Path, pki: Pki, env: dict[str, str]) -> None:
    """Add a STARTTLS + AUTH connection (password into the keyring) and send a test message."""
    with smtp_server("starttls", pki) as server:
        added = run(
            executable,
            "--config-dir", str(config), "add", "relay", "--host", "127.0.0.1", "--port", str(server.port),
            "--security", "starttls", "--ca-file", str(pki.ca_file), "--auth", "password",
            "--username", USER, "--from", "Frozen <frozen@example.com>", "--password-stdin",
            env=env, stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        sent = run(
            executable, "--config-dir", str(config), "test", "relay", "--to", "ops@example.com", "--json", env=env
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        result = json.loads(sent.stdout)
        assert result["ok"] is True
        assert result["auth_mechanism"] in {"PLAIN", "LOGIN", "CRAM-MD5"}
        assert result["tls"]["version"].startswith("TLSv1.")
        assert [(m.rcpt_tos, m.login) for m in server.handler.messages] == [(["ops@example.com"], USER)]
    shown = json.loads(run(executable, "--config-dir", str(config), "show", "relay", "--json", env=env).stdout)
    assert shown["password_set"] is True
    assert PASSWORD not in (config / "connections.json").read_text()


def test_the_bundle_is_within_its_size_budget(bundle: Path) -> None:
    size = build_bundle.tree_size(bundle)
    print(f"bundle size: {size / 1e6:.1f} MB")
    assert size <= build_bundle.BUDGET_BYTES


def test_frozen_version(bundle: Path) -> None:
    done = run(bundle / "smtpgui", "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"smtpgui {__version__}")


def test_frozen_self_test_offscreen_with_the_real_keyring(
    bundle: Path, tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    report = self_test(bundle / "smtpgui", tmp_path / "config", {**keyring_env, "QT_QPA_PLATFORM": "offscreen"})
    assert report["ok"] is True
    assert report["keyring_backend"] == "keyring.backends.SecretService.Keyring"


def test_frozen_self_test_on_x11_with_the_xcb_plugin(bundle: Path, tmp_path: Path) -> None:
    with xvfb_display() as display:
        report = self_test(bundle / "smtpgui", tmp_path / "config", {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"})
    assert report["ok"] is True


def test_frozen_cli_sends_through_starttls_and_auth(
    bundle: Path, tmp_path: Path, pki: Pki, keyring_env: dict[str, str]
) -> None:
    send_through_server(bundle / "smtpgui", tmp_path / "config", pki, keyring_env)
    report = self_test(bundle / "smtpgui", tmp_path / "config", keyring_env)
    assert report["connections"] == 1


def _dpkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["dpkg", *args], capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture
def installed(deb: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root (CI runs as root)")
    assert not Path("/usr/lib/smtpgui").exists(), "smtpgui is already installed on this machine"
    done = _dpkg("-i", str(deb))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        yield Path("/usr/bin/smtpgui")
    finally:
        removed = _dpkg("--purge", "smtpgui")
        assert removed.returncode == 0, removed.stderr


def test_the_deb_installs_the_command_desktop_file_and_icons(installed: Path, deb: Path) -> None:
    listing = _dpkg("-L", "smtpgui").stdout.splitlines()
    for path in (
        "/usr/bin/smtpgui",
        "/usr/share/applications/io.github.smtpgui.smtpgui.desktop",
        "/usr/share/metainfo/io.github.smtpgui.smtpgui.metainfo.xml",
        "/usr/share/icons/hicolor/48x48/apps/smtpgui.png",
        "/usr/share/icons/hicolor/scalable/apps/smtpgui.svg",
    ):
        assert path in listing
        assert Path(path).exists()
    fields = _dpkg("-f", str(deb)).stdout
    assert f"Version: {__version__}" in fields
    assert "libxcb1" in fields


def test_the_installed_command_paints_a_window_and_sends(
    installed: Path, tmp_path: Path, pki: Pki, keyring_env: dict[str, str]
) -> None:
    done = run(installed, "--version")
    assert done.stdout.strip() == f"smtpgui {__version__}"
    send_through_server(installed, tmp_path / "config", pki, keyring_env)
    assert self_test(installed, tmp_path / "config", keyring_env)["connections"] == 1
