"""Shared fixtures (a real headless Chromium for the browser tests) and how tests share the cores."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from engines.locate import CHROMIUM_ARGS  # tests/ is on the path: the one list of launch flags


def chromium_path() -> str:
    """The Chromium that `make test` made sure of ($CHROMIUM), else Debian's."""
    path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"no Chromium at {path!r}: run the tests with `make test` (it installs one), "
            "or set CHROMIUM to a Chromium executable",
            pytrace=False,
        )
    return path


@pytest.fixture
def servers_started_here() -> Iterator[Callable[[], list[Any]]]:
    """Gives a function listing the in-process servers the test started; afterwards stops them and
    checks that their threads ended.

    Only those: with pytest-xdist, servers that other modules' fixtures hold may be running in this
    process too, and must not be touched.
    """
    from cors_lab import running_servers

    before = set(running_servers())
    threads_before = set(_server_threads())
    yield lambda: [server for server in running_servers() if server not in before]
    for server in set(running_servers()) - before:
        server.stop()
    assert set(_server_threads()) - threads_before == set(), "a server thread outlived its test"


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cors-lab")]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium (Playwright Browser) shared by the whole session."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="cors-lab-chromium-home-")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(),
                headless=True,
                args=CHROMIUM_ARGS,
                env={**os.environ, "HOME": home},  # Chromium writes nothing under the real home
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say where the JupyterLab screenshots are, so someone looks at them."""
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts" / "jupyterlab"
    shots = sorted(artifacts.glob("*.png")) if artifacts.is_dir() else []
    if shots:
        terminalreporter.write_line(f"JupyterLab screenshots ({len(shots)}): {artifacts}")
