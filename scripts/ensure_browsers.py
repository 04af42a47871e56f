"""Make sure the three browser engines are there for the engine tests, and say where they are.

Chromium comes first and always (the model's own suite needs it): $CHROMIUM, Debian's package,
or Playwright's download, exactly as ``ensure_chromium.py`` finds it. Firefox and WebKit are
optional: an engine that is missing is installed with apt-get when this runs as root on Debian
or Ubuntu; anywhere else this says what to install and carries on, and that engine's tests skip
with one line saying why. axios (for the axios cases) comes from the npm registry into a cache
folder outside the repository, when npm is there.

Only ``NAME=value`` lines go to stdout, ready for ``set -a; eval "$(...)"; set +a``:

    CHROMIUM=/usr/bin/chromium
    FIREFOX=/usr/bin/firefox-esr
    CORS_LAB_WEBKIT=/usr/bin/python3     a Python that has PyGObject and WebKitGTK 4.1
    CORS_LAB_XVFB=/usr/bin/Xvfb          the X server WebKitGTK's window lives in
    CORS_LAB_AXIOS=.../axios.min.js

Progress and advice go to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import ensure_chromium  # the same directory: Chromium is found exactly as `make test` has always found it

#: axios for the axios cases; its MIT licence allows vendoring, but a pinned npm fetch keeps
#: third-party code out of the repository and its version in one place.
AXIOS_VERSION = "1.21.1"

FIREFOX_CANDIDATES = (
    "/usr/bin/firefox-esr",
    "/usr/bin/firefox",
    "/Applications/Firefox.app/Contents/MacOS/firefox",
    r"C:\Program Files\Mozilla Firefox\firefox.exe",
)
DEBIAN_PYTHON = "/usr/bin/python3"
#: What the WebKit driver imports under Debian's own Python (tests/engines/webkit_child.py).
WEBKIT_PROBE = (
    "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1'); "
    "from gi.repository import WebKit2; print(WebKit2.get_major_version(), WebKit2.get_minor_version())"
)
FIREFOX_PACKAGES = ("firefox-esr",)
WEBKIT_PACKAGES = ("python3-gi", "gir1.2-webkit2-4.1", "xvfb")


def say(message: str) -> None:
    print(f"ensure_browsers: {message}", file=sys.stderr, flush=True)


def can_apt() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


class Apt:
    """apt-get, run at most once per package set, timed (the lists are refreshed once)."""

    def __init__(self) -> None:
        self.updated = False

    def install(self, packages: Sequence[str]) -> bool:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        started = time.monotonic()
        if not self.updated:
            if subprocess.run(["apt-get", "update", "-qq"], env=env, stdout=sys.stderr).returncode != 0:
                say("apt-get update failed")
                return False
            self.updated = True
        command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
        if subprocess.run(command, env=env, stdout=sys.stderr).returncode != 0:
            say(f"{' '.join(command)} failed")
            return False
        say(f"installed {' '.join(packages)} in {time.monotonic() - started:.1f} s")
        return True


def executable(path: str | None) -> str | None:
    return path if path and Path(path).is_file() and os.access(path, os.X_OK) else None


def find_firefox() -> str | None:
    named = os.environ.get("FIREFOX")
    if named:
        if not executable(named):
            sys.exit(f"ensure_browsers: FIREFOX={named!r} is not an executable file: fix the path or unset FIREFOX")
        return named
    for candidate in FIREFOX_CANDIDATES:
        if executable(candidate):
            return candidate
    return shutil.which("firefox-esr") or shutil.which("firefox")


def ensure_firefox(apt: Apt | None) -> str | None:
    found = find_firefox()
    if found is None and apt is not None:
        say("installing Debian's firefox-esr with apt-get (once)")
        if apt.install(FIREFOX_PACKAGES):
            found = find_firefox()
    if found is None:
        say(
            "no Firefox: the Firefox engine tests will skip. Install Firefox (Debian/Ubuntu: "
            "`sudo apt-get install firefox-esr`; elsewhere from mozilla.org), or set FIREFOX to its executable"
        )
    return found


def webkit_python() -> str | None:
    """A Python that imports WebKitGTK 4.1 through PyGObject (Debian's own, not the venv's)."""
    named = os.environ.get("CORS_LAB_WEBKIT")
    for candidate in ([named] if named else []) + [DEBIAN_PYTHON]:
        if executable(candidate):
            probe = subprocess.run([candidate, "-c", WEBKIT_PROBE], capture_output=True, text=True)
            if probe.returncode == 0:
                return candidate
            if named:
                say(f"CORS_LAB_WEBKIT={named!r} cannot import WebKit2 4.1: {probe.stderr.strip()[-200:]}")
    return None


def xvfb() -> str | None:
    return os.environ.get("CORS_LAB_XVFB") or shutil.which("Xvfb")


def ensure_webkit(apt: Apt | None) -> tuple[str | None, str | None]:
    if platform.system() != "Linux":
        say(
            "WebKit is driven here through WebKitGTK, which is Linux only: the WebKit engine tests will skip "
            "(Safari itself is not driven by this harness)"
        )
        return None, None
    python, server = webkit_python(), xvfb()
    if (python is None or server is None) and apt is not None:
        say("installing WebKitGTK, PyGObject and Xvfb with apt-get (once)")
        if apt.install(WEBKIT_PACKAGES):
            python, server = webkit_python(), xvfb()
    if python is None or server is None:
        say(
            "no WebKitGTK driver: the WebKit engine tests will skip. On Debian/Ubuntu: "
            f"`sudo apt-get install {' '.join(WEBKIT_PACKAGES)}`"
        )
        return None, None
    return python, server


def axios_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cors-lab" / f"axios-{AXIOS_VERSION}"


def ensure_axios() -> str | None:
    named = os.environ.get("CORS_LAB_AXIOS")
    if named:
        return named if Path(named).is_file() else None
    folder = axios_cache()
    bundle = folder / "package" / "dist" / "axios.min.js"
    if bundle.is_file():
        return str(bundle)
    npm = shutil.which("npm")
    if npm is None:
        say("no npm: the axios cases will skip (install Node.js and npm, or set CORS_LAB_AXIOS to axios.min.js)")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # `npm pack` fetches the published tarball (checked against the registry's integrity hash)
    # without installing anything or touching a package.json.
    packed = subprocess.run(
        [npm, "pack", f"axios@{AXIOS_VERSION}", "--silent"], cwd=folder, capture_output=True, text=True
    )
    tarball = folder / packed.stdout.strip().splitlines()[-1] if packed.returncode == 0 and packed.stdout else None
    if tarball is None or not tarball.is_file():
        say(f"npm pack axios@{AXIOS_VERSION} failed: {packed.stderr.strip()[-300:]}; the axios cases will skip")
        return None
    shutil.unpack_archive(tarball, folder)
    tarball.unlink()
    say(f"fetched axios {AXIOS_VERSION} with npm in {time.monotonic() - started:.1f} s into {folder}")
    return str(bundle) if bundle.is_file() else None


def chromium() -> str:
    path = ensure_chromium.from_environment()
    if path is None and ensure_chromium.DEBIAN_CHROMIUM.exists():
        path = ensure_chromium.DEBIAN_CHROMIUM
    path = path or ensure_chromium.install_with_apt() or ensure_chromium.install_with_playwright()
    return str(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="only look; never run apt-get")
    options = parser.parse_args(argv)
    apt = Apt() if can_apt() and not options.no_install else None
    found = {"CHROMIUM": chromium(), "FIREFOX": ensure_firefox(apt)}
    found["CORS_LAB_WEBKIT"], found["CORS_LAB_XVFB"] = ensure_webkit(apt)
    found["CORS_LAB_AXIOS"] = ensure_axios()
    for name, value in found.items():
        if value:
            print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
