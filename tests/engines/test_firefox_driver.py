"""The pinned Playwright must still open a page in the installed Firefox: say so loudly when it cannot.

Playwright speaks WebDriver BiDi to Firefox, and each Playwright release sends commands the
Firefox of its day knows (1.65 sends emulation.setMediaFeaturesOverride, which Firefox ESR 153
answers with "unknown command"). The pin in pyproject.toml's test extra is chosen for the Firefox
ESR that Debian ships; when Debian moves to a new ESR, this is the test that tells.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from . import locate
from .calls import Fetch
from .playwright_engines import FirefoxSession
from .servers import Sites

pytestmark = pytest.mark.browser  # it launches Firefox itself, without an engine fixture


def test_the_pinned_playwright_opens_a_page_in_the_installed_firefox(engine_sites: Sites):
    try:
        executable = locate.firefox()
    except locate.Missing as missing:
        pytest.skip(str(missing))
    playwright = version("playwright")
    try:
        with FirefoxSession(executable) as session:
            session.open(engine_sites["page"] + "/")
            [outcome] = session.run([Fetch(engine_sites["page"] + "/")])  # same-origin: the page itself
            firefox = session.version
    except Exception as error:
        pytest.fail(
            f"Playwright {playwright} cannot open a page in {executable}: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}\n"
            "Pick the Playwright release that drives this Firefox (try the releases around the pin in "
            "pyproject.toml's test extra, with a comment saying why), and keep environment.yml in step.",
            pytrace=False,
        )
    assert outcome.resolved and "cors-lab engine page" in (outcome.body or ""), (
        f"Playwright {playwright} opened the page in Firefox {firefox}, but the page could not fetch itself: {outcome}"
    )
