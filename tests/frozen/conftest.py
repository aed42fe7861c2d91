"""The frozen app: the bundle built from smtpgui.spec, and the .deb and AppDir made from it.

.ci/run builds both once with the packaging scripts (which print the size) and points
SMTPGUI_BUNDLE and SMTPGUI_DEB at them; without those variables the fixtures build them here
(about half a minute for the bundle).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "resources" / "packaging"))

import build_bundle  # noqa: E402
import build_deb  # noqa: E402


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SMTPGUI_BUNDLE")
    if given:
        return Path(given).resolve()
    work = tmp_path_factory.mktemp("pyinstaller")
    return build_bundle.build(work / "dist", work / "build")


@pytest.fixture(scope="session")
def deb(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("SMTPGUI_DEB")
    if given:
        return Path(given).resolve()
    return build_deb.build(bundle, tmp_path_factory.mktemp("deb"))


@pytest.fixture(scope="session")
def appdir(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The AppImage's AppDir, laid out from the bundle (the workflow packs it with appimagetool)."""
    import build_appimage

    return build_appimage.build_appdir(bundle, tmp_path_factory.mktemp("appimage"))
