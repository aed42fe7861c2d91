#!/bin/sh
# The system packages smtpgui needs, in one place: the README's two commands and .ci/run call this.
#
#   sh tests/setup-system.sh --app    what running smtpgui from source needs (Python's venv, Qt's libraries)
#   sh tests/setup-system.sh --test   that and everything the tests use (the default)
#
# On Debian and Ubuntu it installs what is missing with apt-get: as root directly, otherwise
# through sudo; it runs `apt-get update` first when the package lists were never fetched, and
# again (then retries) when an install fails because a package was not found. Without root or
# sudo it prints the command to run as root. Without apt-get (Fedora, Arch, macOS, Windows) it
# prints the packages to install by name for the package manager it finds and exits 0: the
# tests that need only Python still run. POSIX sh; exits non-zero only when apt-get fails.
# shellcheck disable=SC2086,SC2116 # package lists are split into words on purpose
set -eu

# ---- the one list (Debian package names) ---------------------------------------------------
# Running the app from source: Python with venv (Debian's system Python refuses `pip install`
# outside a venv, PEP 668) and the system libraries Qt's xcb platform plugin loads.
APP_PACKAGES="python3 python3-venv
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 fonts-dejavu-core"
# The tests: SOCKS5 and HTTP proxies, Xvfb, a real Secret Service on its own bus, the packaging
# tools (PyInstaller's binutils, ICU trimming, .deb, desktop-file checks), and the benchmark
# suite's reference client; msmtp, curl and secret-tool run the exported settings (issue 21).
TEST_PACKAGES="microsocks tinyproxy xvfb xauth
  binutils gcc icu-devtools dpkg desktop-file-utils appstream
  gnome-keyring dbus
  swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
  msmtp curl libsecret-tools"

say() { printf 'smtpgui setup: %s\n' "$*" >&2; }

mode="test"
case "${1:-}" in
  --app) mode=app ;;
  --test | "") mode="test" ;;
  -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
  *) say "unknown option '$1' (use --app or --test)"; exit 2 ;;
esac
wanted=$APP_PACKAGES purpose="smtpgui needs"
[ "$mode" = test ] && wanted="$APP_PACKAGES $TEST_PACKAGES" purpose="smtpgui and its tests need"
wanted=$(printf '%s\n' $wanted)  # one per line, blanks gone

# ---- without apt: name the packages for the package manager that is here -------------------
# Debian name -> name elsewhere ("-" where it has none, or none is needed there).
other_name() {  # manager debian-name
  case "$1:$2" in
    dnf:python3-venv | pacman:python3-venv | brew:python3-venv) echo - ;;
    pacman:python3) echo python ;;
    brew:python3) echo python@3.11 ;;
    dnf:libegl1) echo mesa-libEGL ;; dnf:libgl1) echo mesa-libGL ;;
    pacman:libegl1 | pacman:libgl1) echo libglvnd ;;
    dnf:libxkbcommon0 | pacman:libxkbcommon0) echo libxkbcommon ;;
    dnf:libxkbcommon-x11-0 | pacman:libxkbcommon-x11-0) echo libxkbcommon-x11 ;;
    dnf:libfontconfig1 | pacman:libfontconfig1) echo fontconfig ;;
    dnf:libdbus-1-3) echo dbus-libs ;; pacman:libdbus-1-3) echo dbus ;;
    dnf:libxcb-cursor0 | pacman:libxcb-cursor0) echo xcb-util-cursor ;;
    dnf:libxcb-icccm4 | pacman:libxcb-icccm4) echo xcb-util-wm ;;
    dnf:libxcb-keysyms1 | pacman:libxcb-keysyms1) echo xcb-util-keysyms ;;
    dnf:libxcb-image0 | pacman:libxcb-image0) echo xcb-util-image ;;
    dnf:libxcb-render-util0 | pacman:libxcb-render-util0) echo xcb-util-renderutil ;;
    dnf:libxcb-shape0 | dnf:libxcb-xinerama0 | dnf:libxcb-randr0) echo libxcb ;;
    pacman:libxcb-shape0 | pacman:libxcb-xinerama0 | pacman:libxcb-randr0) echo libxcb ;;
    dnf:fonts-dejavu-core) echo dejavu-sans-fonts ;; pacman:fonts-dejavu-core) echo ttf-dejavu ;;
    dnf:xvfb) echo xorg-x11-server-Xvfb ;; pacman:xvfb) echo xorg-server-xvfb ;;
    dnf:xauth) echo xorg-x11-xauth ;; pacman:xauth) echo xorg-xauth ;;
    dnf:icu-devtools | pacman:icu-devtools) echo icu ;;
    dnf:libnet-ssleay-perl) echo perl-Net-SSLeay ;; pacman:libnet-ssleay-perl) echo perl-net-ssleay ;;
    dnf:libio-socket-ssl-perl) echo perl-IO-Socket-SSL ;; pacman:libio-socket-ssl-perl) echo perl-io-socket-ssl ;;
    dnf:libauthen-sasl-perl) echo perl-Authen-SASL ;; pacman:libauthen-sasl-perl) echo perl-authen-sasl ;;
    dnf:libsecret-tools | pacman:libsecret-tools) echo libsecret ;; brew:libsecret-tools) echo - ;;
    # macOS: Qt comes inside the PySide6 wheel, the keyring is the Keychain, no X server or .deb.
    brew:lib* | brew:fonts-* | brew:xvfb | brew:xauth | brew:gnome-keyring | brew:dbus | brew:dpkg) echo - ;;
    brew:desktop-file-utils | brew:appstream | brew:gcc) echo - ;;
    brew:icu-devtools) echo icu4c ;;
    *) echo "$2" ;;
  esac
}

without_apt() {
  manager="" install=""
  if command -v dnf >/dev/null 2>&1; then manager=dnf install="sudo dnf install -y"
  elif command -v pacman >/dev/null 2>&1; then manager=pacman install="sudo pacman -S --needed"
  elif command -v brew >/dev/null 2>&1; then manager=brew install="brew install"
  fi
  case "$(uname -s 2>/dev/null || echo unknown)" in
    MINGW* | MSYS* | CYGWIN* | Windows*) manager=windows ;;
  esac
  case "$manager" in
    windows)
      say "this is Windows: no system packages to install for the app (Qt comes with PySide6, passwords go to the Windows Credential Manager)."
      [ "$mode" = test ] && say "the proxies, Xvfb, Secret Service and .deb tools the tests use ($(echo $TEST_PACKAGES)) are Debian packages; the tests that need them fail here with a sentence naming them."
      ;;
    "")
      say "no apt-get, dnf, pacman or brew here: install these packages (Debian names) with your package manager:"
      say "  $(echo $wanted)"
      ;;
    *)
      names=""
      for pkg in $wanted; do
        name=$(other_name "$manager" "$pkg")
        [ "$name" = - ] && continue
        case " $names " in *" $name "*) ;; *) names="$names $name" ;; esac
      done
      say "no apt-get here; with $manager, install what $purpose (names can differ between releases):"
      say "  $install$names"
      ;;
  esac
  [ "$mode" = test ] && say "the tests that need only Python run without them."
  exit 0
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  without_apt
fi

# ---- with apt ------------------------------------------------------------------------------
missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in *"install ok installed"*) ;; *) missing="$missing $pkg" ;; esac
done
if [ -z "$missing" ]; then
  say "all $(echo $wanted | wc -w | tr -d ' ') system packages for --$mode are installed."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || { [ -t 0 ] && sudo -v; }; }; then
  as_root="sudo"  # password-less, or the person typed the password at the terminal
else
  say "missing:$missing"
  if command -v sudo >/dev/null 2>&1; then
    say "sudo cannot be used here (not in the sudoers, or no terminal to ask for the password); as root, run:"
  else
    say "you are not root and there is no sudo; as root, run:"
  fi
  say "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
  [ "$mode" = test ] && say "the tests that need only Python run without them."
  exit 0
fi

apt_get() {  # apt-get with the given arguments, as root, never asking questions, waiting for
  # another apt or dpkg that holds the lock (unattended upgrades on a fresh machine)
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"
}

# Package lists that were never fetched (a fresh container): update before the first install.
lists=/var/lib/apt/lists
eval "$(apt-config shell lists Dir::State::Lists/d 2>/dev/null || true)"
fetched=no
for list in "${lists%/}"/*_Packages*; do
  [ -e "$list" ] && fetched=yes && break
done

say "installing:$missing${as_root:+ (with sudo)}"
if [ "$fetched" = no ]; then
  say "the package lists were never fetched: apt-get update first."
  apt_get update -q
fi
if ! apt_get install -y -q --no-install-recommends $missing; then
  say "the install failed; fetching the package lists again (apt-get update) and retrying once."
  apt_get update -q
  apt_get install -y -q --no-install-recommends $missing
fi
