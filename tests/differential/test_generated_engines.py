"""The browser model against real Firefox and real WebKit on generated cases, as test_generated does for Chromium.

The same generator, the same servers: every case runs in the engine (a tests/engines session)
and in ``cors_lab.Browser(engine=...)``. Cases whose answers set cookies are left out here: a
cookie outlives its case in these engines' pages, and their cookie policies (Firefox's Total
Cookie Protection, WebKit's ITP) are not modelled.

Firefox driven by Playwright never reuses a cached preflight (four PUTs in a row each send their
own OPTIONS, Access-Control-Max-Age: 600), while the same Firefox run by hand reuses it for a host
name, and for an IP literal only once its DNS cache holds the address (its preflight cache drops
an entry older than the host's DNS record). So a Firefox case is not compared where the model
sends a call on an earlier call's cached preflight; the summary counts them.

Each engine runs CORS_LAB_FUZZ_<ENGINE>_EXAMPLES cases in ``make test`` (100 for WebKit, 50 for
Firefox, which is slower per call); a fresh seed and more cases find more:

    CORS_LAB_FUZZ_FIREFOX_EXAMPLES=300 CORS_LAB_FUZZ_SEED=7 \
        .venv/bin/pytest tests/differential/test_generated_engines.py -s
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from engines import locate
from engines.playwright_engines import FirefoxSession
from engines.webkit_engine import WebKitSession
from hypothesis import HealthCheck, Phase, assume, given, seed, settings

from .harness import EngineTab, WireServers, reproduction, run_case, sets_cookies
from .strategies import cases

EXAMPLES = {
    "firefox": int(os.environ.get("CORS_LAB_FUZZ_FIREFOX_EXAMPLES", "50")),
    "webkit": int(os.environ.get("CORS_LAB_FUZZ_WEBKIT_EXAMPLES", "100")),
}
SEED = int(os.environ.get("CORS_LAB_FUZZ_SEED", "0"))

pytestmark = pytest.mark.browser


def _start(engine: str):  # type: ignore[no-untyped-def]
    if engine == "firefox":
        return FirefoxSession(locate.firefox(), None)
    parts = locate.webkit()
    return WebKitSession(parts.python, parts.xvfb, None)


@pytest.fixture(scope="module")
def engine_tab(request: pytest.FixtureRequest, wire_servers: WireServers) -> Iterator[EngineTab]:
    try:
        session = _start(request.param)
    except locate.Missing as missing:
        pytest.skip(str(missing))
    try:
        yield EngineTab(session, wire_servers.origins["page"] + "/")
    finally:
        session.close()


def _engine(name: str) -> object:
    variable = f"CORS_LAB_FUZZ_{name.upper()}_EXAMPLES"
    skip = pytest.mark.skipif(EXAMPLES[name] == 0, reason=f"{variable}=0 (see the module docstring)")
    return pytest.param(name, marks=skip, id=name)


@pytest.mark.parametrize("engine_tab", [_engine("firefox"), _engine("webkit")], indirect=True)
def test_model_agrees_with_the_engine_on_generated_cases(wire_servers: WireServers, engine_tab: EngineTab) -> None:
    disagreements: list[str] = []
    seen = not_comparable = 0
    started = time.monotonic()

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES[engine_tab.engine],
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def one(case) -> None:  # type: ignore[no-untyped-def]
        nonlocal seen, not_comparable
        assume(not sets_cookies(case))
        seen += 1
        real, model = run_case(wire_servers, engine_tab, case)
        if engine_tab.engine == "firefox" and any(outcome.preflight_reused for outcome in model):
            not_comparable += 1  # see the module docstring
            return
        if real != model:
            disagreements.append(reproduction(case, real, model, engine_tab.engine))

    one()
    elapsed = time.monotonic() - started
    compared = seen - not_comparable
    summary = (
        f"seed {SEED}: {compared - len(disagreements)} of {compared} generated cases agree with {engine_tab.engine} "
        f"({elapsed:.0f} s)" + (f"; {not_comparable} not compared (a reused preflight)" if not_comparable else "")
    )
    print(summary)
    assert not disagreements, summary + "\n\n" + "\n\n".join(disagreements[:10])
