"""How the whole suite (tests/ and the notebooks under nbval) shares the cores with pytest-xdist.

At the repository root so that it applies to notebooks/ as well as tests/.

Some tests must run one after another on one worker:
- a notebook's cells share one kernel, so a notebook is one unit;
- the notebooks, JupyterLab and ``live_browser`` serve on the lessons' fixed ports (3000 and 8000),
  so they share one worker and never race for those ports;
- the other real-browser tests share a worker, which starts its browsers once.
Everything else spreads over the cores. (xdist's own ``--dist loadgroup`` would do this with
markers, but with pytest 9 its group suffix on node ids has no effect; a scheduler that groups
by path does not depend on that.)
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pytest

#: Fixtures that start a real browser engine: a test using one is marked `browser`.
BROWSER_FIXTURES = frozenset({"chromium", "chromium_engine", "firefox_engine", "webkit_engine"})
#: Test files (besides the notebooks) that serve on the lesson ports or drive JupyterLab.
LESSON_PORT_FILES = frozenset({"tests/test_jupyterlab.py", "tests/test_live.py"})
#: Test files and folders whose tests drive a real browser engine.
BROWSER_PATHS = (
    "tests/test_browser_vs_chromium.py",
    "tests/test_chromium_smoke.py",
    "tests/engines/",
    "tests/differential/",
)


def worker_group(nodeid: str) -> str:
    """The unit of work a test belongs to: tests of one unit run on one worker, in order."""
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb") or path in LESSON_PORT_FILES:
        return "lesson-ports"
    if path.startswith(BROWSER_PATHS):
        return "browsers"
    return nodeid


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a real browser engine `browser` (``-m "not browser"`` leaves them out)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(str(PurePosixPath(nodeid)))

    return SharedWorkerScheduling(config, log)
