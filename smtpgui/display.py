"""Whether the window can open here, and if not, one plain sentence why and what to do instead.

Two checks, both kept off the normal start's path: :func:`display_problem` reads only the
environment (no Qt, no file but one ``stat``) before the window's modules load; when Qt itself
then fails to start its platform plugin (an X server that does not answer, a system library the
plugin needs that is missing), :func:`platform_failure` turns Qt's messages and the plugin's load
error into the same kind of sentence instead of Qt's abort. No PySide6 here.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping

# Qt platforms that need no desktop session (QT_QPA_PLATFORM): nothing to check before Qt starts.
HEADLESS_PLATFORMS = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay", "windows", "cocoa", "direct2d"}
)
FIX = (
    "start smtpgui in a desktop session; or use the commands, which need no window ('smtpgui --help'); "
    "or check the window without a screen: QT_QPA_PLATFORM=offscreen smtpgui --self-test"
)
# Libraries whose Debian package is not named by the usual rule (Debian policy §8.1).
_DEBIAN_PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
_SONAME = re.compile(r"(lib[A-Za-z0-9_.+-]+?\.so(?:\.[0-9]+)*)")


class WindowUnavailable(Exception):
    """The window cannot open here; the message is the whole explanation (cause, then fix)."""


def _platforms(environ: Mapping[str, str]) -> list[str]:
    """The platform names QT_QPA_PLATFORM asks for (Qt 6: ``name:options``, ``a;b`` fallbacks)."""
    value = environ.get("QT_QPA_PLATFORM", "").strip()
    return [item.split(":", 1)[0].strip().lower() for item in value.split(";") if item.strip()]


def display_problem(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why the window cannot open, from the environment alone, or None (Qt may try)."""
    env = os.environ if environ is None else environ
    if platform in ("win32", "darwin", "cygwin"):
        return None
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not wayland and env.get("XDG_RUNTIME_DIR"):  # a compositor's default socket, as Qt finds it
        wayland = os.path.exists(os.path.join(env["XDG_RUNTIME_DIR"], "wayland-0"))
    names = _platforms(env)
    if any(name in HEADLESS_PLATFORMS or not name.startswith(("xcb", "wayland")) for name in names):
        return None  # offscreen and the like, or a platform we do not know: Qt decides
    if names and all(name == "xcb" for name in names) and not x11:
        return f"cannot open the window: QT_QPA_PLATFORM asks for X11 but DISPLAY is not set. Fix: {FIX}"
    if names and all(name.startswith("wayland") for name in names) and not wayland:
        return f"cannot open the window: QT_QPA_PLATFORM asks for Wayland but WAYLAND_DISPLAY is not set. Fix: {FIX}"
    if not (x11 or wayland):
        return (
            "cannot open the window: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set, "
            f"as in an SSH session or a container). Fix: {FIX}"
        )
    return None


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that provides a library: libxcb-cursor.so.0 -> libxcb-cursor0."""
    if soname in _DEBIAN_PACKAGES:
        return _DEBIAN_PACKAGES[soname]
    base, _, number = soname.partition(".so")
    number = number.lstrip(".").split(".")[0]
    base = base.lower()
    return f"{base}-{number}" if base[-1:].isdigit() and number else f"{base}{number}"


def missing_library(error: str) -> str | None:
    """The library a loader error names (``libEGL.so.1: cannot open shared object file…``)."""
    match = _SONAME.search(error)
    return match.group(1) if match else None


def missing_library_sentence(soname: str, needed_by: str) -> str:
    """Cause and fix for a system library that is not installed."""
    package = debian_package(soname)
    return (
        f"cannot open the window: the system library {soname}, which {needed_by} needs, is missing or cannot be "
        f"loaded. Fix: install the package that provides it (Debian/Ubuntu: apt-get install {package}); "
        "or use the commands, which need no window ('smtpgui --help')"
    )


def platform_failure(messages: Iterable[str], environ: Mapping[str, str], plugin_error: str | None) -> str:
    """The sentence for Qt failing to start its platform plugin.

    ``messages`` are what Qt said while it tried; ``plugin_error`` is the loader's error when
    the platform plugin itself was loaded again by hand (None if it loads: then the plugin
    started and could not reach the display).
    """
    said = "\n".join(messages)
    display = environ.get("DISPLAY", "")
    if "could not connect to display" in said:
        if not display and environ.get("WAYLAND_DISPLAY"):
            where = environ["WAYLAND_DISPLAY"]
            return (
                f"cannot open the window: no Wayland compositor answers on WAYLAND_DISPLAY={where}, "
                f"and DISPLAY is not set for X. Fix: {FIX}"
            )
        return (
            f"cannot open the window: the X server on DISPLAY={display or '(empty)'} does not answer or refuses "
            "the connection (one that asks for authorization needs XAUTHORITY, which sudo drops). "
            f"Fix: {FIX}"
        )
    if "wayland" in said.lower() and "connection" in said.lower():
        where = environ.get("WAYLAND_DISPLAY", "wayland-0")
        return f"cannot open the window: no Wayland compositor answers on WAYLAND_DISPLAY={where}. Fix: {FIX}"
    soname = missing_library(plugin_error or "")
    if soname:
        platform = (_platforms(environ) or ["xcb"])[0]
        return missing_library_sentence(soname, f"Qt's {platform} platform plugin")
    first = next((line for line in said.splitlines() if line.strip()), "no reason given")
    return f"cannot open the window: Qt could not start its platform plugin ({first}). Fix: {FIX}"
