"""Where each engine is, from what scripts/ensure_browsers.py exported, or the usual Debian paths.

Each finder returns the engine's parts, or raises :class:`Missing` with one line saying what to
install; the fixtures turn that line into a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

#: How Chromium is launched here: as root it needs --no-sandbox; the rest keep it off the (closed) network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_HINT = "run `python scripts/ensure_browsers.py` (or `make test`), which installs it on Debian as root"


class Missing(Exception):
    """An engine, or a part it needs, is not installed."""


def _executable(path: str | None) -> str | None:
    return path if path and Path(path).is_file() and os.access(path, os.X_OK) else None


def chromium() -> str:
    named = os.environ.get("CHROMIUM")
    found = _executable(named) or _executable("/usr/bin/chromium")
    if found is None:
        raise Missing(f"no Chromium at {named or '/usr/bin/chromium'}: {INSTALL_HINT}, or set CHROMIUM")
    return found


def firefox() -> str:
    named = os.environ.get("FIREFOX")
    found = _executable(named) or _executable("/usr/bin/firefox-esr") or shutil.which("firefox-esr")
    if found is None:
        raise Missing(f"no Firefox (FIREFOX is not set and there is no firefox-esr): {INSTALL_HINT}")
    return found


@dataclass(frozen=True)
class WebKitParts:
    python: str  # a Python that has PyGObject and WebKitGTK 4.1
    xvfb: str


def webkit() -> WebKitParts:
    python = _executable(os.environ.get("CORS_LAB_WEBKIT")) or _executable("/usr/bin/python3")
    xvfb = _executable(os.environ.get("CORS_LAB_XVFB")) or shutil.which("Xvfb")
    if python is None or xvfb is None:
        raise Missing(f"no WebKitGTK driver (a Python with PyGObject and WebKit2 4.1, and Xvfb): {INSTALL_HINT}")
    probe = subprocess.run(
        [python, "-c", "import gi; gi.require_version('Gtk', '3.0'); gi.require_version('WebKit2', '4.1')"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        raise Missing(f"{python} cannot load WebKitGTK 4.1 ({last}): {INSTALL_HINT}")
    return WebKitParts(python, xvfb)


def axios_source() -> str | None:
    """axios.min.js as text, or None when it was not fetched (the axios cases then skip)."""
    named = os.environ.get("CORS_LAB_AXIOS")
    if named:
        path = Path(named)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cors-lab"
        bundles = {
            Version(p.parts[-4].removeprefix("axios-")): p for p in base.glob("axios-*/package/dist/axios.min.js")
        }
        if not bundles:
            return None
        path = bundles[max(bundles)]  # the newest that ensure_browsers.py fetched
    return path.read_text("utf-8") if path.is_file() else None
