"""Make sure a Chromium is there for the browser tests and print its path (used by `make test`).

Order: the one named by $CHROMIUM; else /usr/bin/chromium; else Debian's `chromium` package
through apt-get when running as root; else Playwright's own download, which is what a learner
on macOS or Windows gets. Progress goes to stderr; only the path goes to stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"ensure_chromium: {message}", file=sys.stderr, flush=True)


def from_environment() -> Path | None:
    named = os.environ.get("CHROMIUM")
    if not named:
        return None
    path = Path(named)
    if not (path.is_file() and os.access(path, os.X_OK)):
        sys.exit(f"ensure_chromium: CHROMIUM={named!r} is not an executable file: fix the path or unset CHROMIUM")
    return path


def install_with_apt() -> Path | None:
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return None
    say("installing Debian's chromium package with apt-get (a minute or two, once)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(command, env=env, stdout=sys.stderr).returncode != 0:
            say(f"{' '.join(command)} failed; trying Playwright's Chromium instead")
            return None
    return DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.exists() else None


def install_with_playwright() -> Path:
    say("downloading Playwright's Chromium (python -m playwright install chromium)")
    subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], stdout=sys.stderr, check=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path)


def main() -> None:
    path = from_environment()
    if path is None and DEBIAN_CHROMIUM.exists():
        path = DEBIAN_CHROMIUM
    path = path or install_with_apt() or install_with_playwright()
    print(path)


if __name__ == "__main__":
    main()
