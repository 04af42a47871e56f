"""The differential test's servers (a child process) and its one Chromium tab, shared by its tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .harness import ChromiumTab, WireServers


@pytest.fixture(scope="session")
def wire_servers() -> Iterator[WireServers]:
    servers = WireServers()
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def chromium_tab(chromium: Any, wire_servers: WireServers) -> Iterator[ChromiumTab]:
    context = chromium.new_context()
    yield ChromiumTab(context, wire_servers.origins["page"] + "/")
    context.close()
