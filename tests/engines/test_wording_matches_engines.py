"""Each engine's wording, checked live: every measured case, in the real engine, word for word.

Chromium, Firefox and WebKit each make every call of every case in tests/engines/cases.py (the same run as
``python -m tests.engines.measure``), once per test session. For each call, :data:`MODEL` says
what the model decides (its failure code, parameter and what the words may name), the engine's
quirks (cors_lab/browser/quirks.py) adjust that where the engine decides differently, and the
engine's Wording must then print exactly the console lines the engine printed and give exactly
its script error. The harness's ``call=`` token is left out of URLs on both sides, as in the
tables of docs/engines.md.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import pytest

from cors_lab.browser.chromium import CHROMIUM
from cors_lab.browser.engine import Api, Wording
from cors_lab.browser.failures import FailureCode
from cors_lab.browser.firefox import FIREFOX, SPORADIC_KEYS, TEMPLATES
from cors_lab.browser.quirks import QUIRKS
from cors_lab.browser.webkit import WEBKIT

from . import locate
from .calls import Outcome
from .cases import CASES, Case
from .firefox_reasons import PROPERTIES
from .measure import register
from .models import MODEL, Model, for_engine
from .report import TOKEN
from .servers import Sites
from .session import EngineSession

pytestmark = pytest.mark.browser

C = FailureCode
WORDINGS: dict[str, Wording] = {"chromium": CHROMIUM, "firefox": FIREFOX, "webkit": WEBKIT}
#: Each engine's whole run must stay well under this (~10 s for Firefox, ~2 s for Chromium and WebKit).
RUN_BUDGET_S = 60.0


@dataclass(frozen=True)
class Run:
    """One engine's outcomes for every call of every case, by (case id, via)."""

    engine: str
    origins: Mapping[str, str]
    outcomes: dict[tuple[str, str], Outcome]
    hits: dict[tuple[str, str], list[tuple[str, str, str | None]]]
    seconds: float


def _run_all(session: EngineSession, sites: Sites, axios: bool) -> Run:
    began = time.monotonic()
    outcomes: dict[tuple[str, str], Outcome] = {}
    hits: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    try:
        for page in ("https", "http"):  # http last: the session is left on the page the other tests use
            session.open((sites["page"] if page == "http" else sites["https_page"]) + "/")
            for case in (c for c in CASES if c.page == page):
                vias = [via for via in case.via if via != "axios" or axios]
                calls = [case.request.call(via, {**sites.origins.values, "path": case.path}) for via in vias]
                for via, outcome in zip(vias, session.run(calls), strict=True):
                    outcomes[case.id, via] = outcome
                    hits[case.id, via] = [
                        (hit.method, hit.server, hit.headers.get("origin")) for hit in sites.hits.pop(outcome.token, [])
                    ]
    finally:
        session.open(sites["page"] + "/")
    return Run(session.name, dict(sites.origins.values), outcomes, hits, time.monotonic() - began)


_registered: set[int] = set()


@pytest.fixture(scope="module", params=["chromium", "firefox", "webkit"])
def run(request: pytest.FixtureRequest, engine_sites: Sites, axios_source: str | None) -> Iterator[Run]:
    # The session fixture skips, naming what to install, when the engine is not there.
    session: EngineSession = request.getfixturevalue(f"{request.param}_engine")
    if id(engine_sites) not in _registered:
        register(engine_sites, CASES)
        _registered.add(id(engine_sites))
    yield _run_all(session, engine_sites, axios_source is not None)


def sporadic(engine: str, line: str) -> bool:
    """A warning the engine prints for some calls and not for others alike (firefox.SPORADIC_KEYS)."""
    return engine == "firefox" and any(line.startswith(TEMPLATES[key].split("%", 1)[0]) for key in SPORADIC_KEYS)


def _fill(template: str, origins: Mapping[str, str], case: Case) -> str:
    return template.format(**origins, path=case.path)


def expected(run: Run, case: Case, via: str) -> tuple[Model, tuple[str, ...], str]:
    """The model's decision for this engine, and the console lines and script error the wording gives."""
    model = for_engine(MODEL[case.id], QUIRKS[run.engine])
    api: Api = "fetch" if via == "fetch" else "xhr"
    if model.code is None or (api == "xhr" and model.xhr_allowed):
        lines: tuple[str, ...] = ()
        if case.id == "authorization-under-star" and QUIRKS[run.engine].warns_when_star_covers_authorization:
            lines = (FIREFOX.authorization_warning(_fill("{api}{path}", run.origins, case)),)
        return replace(model, code=None), lines, ""
    page_origin = run.origins["https_page" if case.page == "https" else "page"]
    parameter, occasion = model.occasion(run.origins, case.path, page_origin, api)
    wording = WORDINGS[run.engine]
    return (
        model,
        wording.console_lines(model.code, parameter, occasion),
        wording.js_error(model.code, parameter, occasion),
    )


def test_every_case_has_the_models_decision():
    assert {case.id for case in CASES} == set(MODEL), "describe each case of tests/engines/cases.py in MODEL"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_wording_prints_what_the_engine_printed(run: Run, case: Case):
    problems = []
    for via in case.via:
        outcome = run.outcomes.get((case.id, via))
        if outcome is None:
            continue  # axios was not fetched
        model, lines, js_error = expected(run, case, via)
        printed = tuple(TOKEN.sub("", line.text) for line in outcome.console if not sporadic(run.engine, line.text))
        if printed != lines:
            problems.append(f"{via}: the engine printed\n    {printed}\n  the wording gives\n    {lines}")
        if model.code is None:
            if not outcome.resolved:
                problems.append(f"{via}: the model allows it, the engine failed it: {outcome.error}")
            continue
        if outcome.resolved:
            problems.append(f"{via}: the model fails it ({model.code}), the engine let it through")
        if via == "axios":
            continue  # axios's own error, the same for every failure (test_smoke.py)
        error = TOKEN.sub("", outcome.error or "")
        want = js_error or ("error event" if via == "xhr" else "")
        if error != want:
            problems.append(f"{via}: the script got {error!r}, the wording gives {want!r}")
    assert not problems, f"{run.engine} {case.id}:\n" + "\n".join(problems)


def test_the_quirks_are_what_the_engine_does(run: Run):
    quirks = QUIRKS[run.engine]
    page = run.origins["page"]
    loopback = run.outcomes["mixed-content-loopback", "fetch"]
    assert (not loopback.resolved) == quirks.loopback_http_is_mixed_content
    preflight_404 = run.outcomes["preflight-404-without-acao", "fetch"]
    says_status = any(
        line.text.rstrip(".").endswith("Status code: 404") and "Allow-Origin" not in line.text
        for line in preflight_404.console
    )
    assert says_status == quirks.preflight_status_checked_before_allow_origin, preflight_404.console
    star = run.outcomes["authorization-under-star", "fetch"]
    assert star.resolved and any(line.level == "warning" for line in star.console) == (
        quirks.warns_when_star_covers_authorization
    )
    origins = {(method, server): origin for method, server, origin in run.hits["preflighted-redirect", "fetch"]}
    assert (origins["OPTIONS", "other"] == page) == quirks.preflight_after_redirect_sends_page_origin, origins
    assert origins["PUT", "other"] == "null"
    for case, field in (
        ("redirect-error", quirks.silent_redirect_mode_error),
        ("fetch-ws", quirks.silent_unsupported_scheme),
        ("connection-refused", quirks.silent_connection_refused),
    ):
        outcome = run.outcomes[case, "fetch"]
        assert not outcome.resolved and (outcome.console == ()) == field, (case, outcome.console)


def test_a_run_stays_fast(run: Run):
    assert run.seconds < RUN_BUDGET_S, f"{run.engine} took {run.seconds:.0f} s for every case"


def test_firefox_templates_are_the_installed_firefoxs():
    """The wording's templates, key by key, against the installed Firefox's en-US localisation."""
    try:
        executable = locate.firefox()
    except locate.Missing as missing:
        pytest.skip(str(missing))
    import zipfile
    from pathlib import Path

    omni = Path(executable).resolve().parent / "omni.ja"
    if not omni.is_file():
        pytest.skip(f"{executable} has no omni.ja next to it: cannot read its localisation")
    installed: dict[str, str] = {}
    with zipfile.ZipFile(omni) as archive:
        for name in (PROPERTIES, PROPERTIES.replace("security.properties", "caps.properties")):
            for line in archive.read(name).decode("utf-8").splitlines():
                if "=" in line and not line.startswith("#"):
                    key, template = line.split("=", 1)
                    installed[key.strip()] = template.strip()
    differ = {
        key: (template, installed.get(key)) for key, template in TEMPLATES.items() if installed.get(key) != template
    }
    assert not differ, f"templates that differ from {omni}: {differ}"
