"""Fixtures for the engine tests: the servers, and one session per engine for the whole run.

An engine that is not installed skips its tests with one line naming what to install
(scripts/ensure_browsers.py installs them all on Debian as root).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from . import locate
from .playwright_engines import ChromiumSession, FirefoxSession
from .servers import Sites
from .session import EngineSession
from .webkit_engine import WebKitSession


@pytest.fixture(scope="session")
def engine_sites() -> Iterator[Sites]:
    sites = Sites()
    yield sites
    sites.stop()


@pytest.fixture(scope="session")
def axios_source() -> str | None:
    return locate.axios_source()


def _session(start: Callable[[], EngineSession], sites: Sites) -> Iterator[EngineSession]:
    try:
        session = start()
    except locate.Missing as missing:
        pytest.skip(str(missing))
    try:
        session.open(sites["page"] + "/")
        yield session
    finally:
        session.close()


@pytest.fixture(scope="session")
def chromium_engine(engine_sites: Sites, axios_source: str | None) -> Iterator[EngineSession]:
    yield from _session(lambda: ChromiumSession(locate.chromium(), axios_source), engine_sites)


@pytest.fixture(scope="session")
def firefox_engine(engine_sites: Sites, axios_source: str | None) -> Iterator[EngineSession]:
    yield from _session(lambda: FirefoxSession(locate.firefox(), axios_source), engine_sites)


@pytest.fixture(scope="session")
def webkit_engine(engine_sites: Sites, axios_source: str | None) -> Iterator[EngineSession]:
    def start() -> EngineSession:
        parts = locate.webkit()
        return WebKitSession(parts.python, parts.xvfb, axios_source)

    yield from _session(start, engine_sites)


@pytest.fixture(params=["chromium", "firefox", "webkit"])
def engine(request: pytest.FixtureRequest) -> EngineSession:
    """Each engine in turn (a test using it runs three times)."""
    session: EngineSession = request.getfixturevalue(f"{request.param}_engine")
    return session
