"""Firefox's and WebKit's wordings, checked live: every measured case, in the real engine, word for word.

Each engine makes every call of every case in tests/engines/cases.py (the same run as
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

from cors_lab.browser.engine import Api, Occasion, Wording
from cors_lab.browser.failures import FailureCode
from cors_lab.browser.firefox import FIREFOX, SPORADIC_KEYS, TEMPLATES
from cors_lab.browser.quirks import QUIRKS, EngineQuirks
from cors_lab.browser.webkit import WEBKIT

from . import locate
from .calls import Outcome
from .cases import CASES, Case
from .firefox_reasons import PROPERTIES
from .measure import register
from .report import TOKEN
from .servers import Sites
from .session import EngineSession

pytestmark = pytest.mark.browser

C = FailureCode
WORDINGS: dict[str, Wording] = {"firefox": FIREFOX, "webkit": WEBKIT}
#: Each engine's whole run must stay well under this (it takes ~15 s for Firefox, ~2 s for WebKit).
RUN_BUDGET_S = 60.0


@dataclass(frozen=True)
class Model:
    """What the model decides for a case: ``code`` None means allowed. URLs are templates over the
    live origins (``{api}``, ``{path}``...), like the cases' own."""

    code: FailureCode | None
    parameter: str = ""
    url: str = "{api}{path}"
    status: int | None = None
    redirected_from: str | None = None
    location: str | None = None
    origin_sent: str = ""
    header_name: str = ""
    method: str = "GET"
    #: XMLHttpRequest sends what fetch() refuses (a URL with credentials, a GET with a body).
    xhr_allowed: bool = False
    #: An https page asking for http://127.0.0.1 (see EngineQuirks.loopback_http_is_mixed_content).
    loopback_from_https: bool = False


FINAL = "{other}{path}/final"
MODEL: dict[str, Model] = {
    "allowed": Model(None),
    "missing-acao": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=200),
    "missing-acao-500": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=500),
    "acao-other-origin": Model(C.ALLOW_ORIGIN_MISMATCH, "http://other.example", status=200),
    "acao-trailing-slash": Model(C.ALLOW_ORIGIN_MISMATCH, "{page}/", status=200),
    "acao-null": Model(C.ALLOW_ORIGIN_MISMATCH, "null", status=200),
    "acao-list-in-one-header": Model(C.MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, http://other.example", status=200),
    "acao-two-header-lines": Model(C.MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, {page}", status=200),
    "acao-not-a-url": Model(C.INVALID_ALLOW_ORIGIN_VALUE, "foo", status=200),
    "acao-non-ascii": Model(C.INVALID_ALLOW_ORIGIN_VALUE, "http://b\u00fccher.example", status=200),
    "wildcard-with-credentials": Model(C.WILDCARD_ORIGIN_NOT_ALLOWED, status=200),
    "credentials-without-acac": Model(C.INVALID_ALLOW_CREDENTIALS, status=200),
    "credentials-acac-True": Model(C.INVALID_ALLOW_CREDENTIALS, "True", status=200),
    "credentials-allowed": Model(None),
    **{
        f"preflight-{status}": Model(C.PREFLIGHT_INVALID_STATUS, status=status, method="PUT")
        for status in (400, 401, 404, 500)
    },
    "preflight-404-without-acao": Model(C.PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER, status=404, method="PUT"),
    "preflight-redirect-301": Model(C.PREFLIGHT_DISALLOWED_REDIRECT, status=301, method="PUT"),
    "preflight-redirect-307": Model(C.PREFLIGHT_DISALLOWED_REDIRECT, status=307, method="PUT"),
    "method-not-allowed": Model(C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE, "PUT", status=204, method="PUT"),
    "method-lower-case-patch": Model(C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE, "patch", status=204, method="patch"),
    "header-not-allowed": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-custom", status=204, header_name="X-Custom"
    ),
    "headers-one-of-several-not-allowed": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-beta", status=204, header_name="X-Beta"
    ),
    "allow-methods-garbled": Model(C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE, "PUT, (bad)", status=204, method="PUT"),
    "allow-headers-garbled": Model(C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE, "x-custom, x other", status=204),
    "authorization-under-star": Model(None),
    "authorization-listed": Model(None),
    "allow-headers-star-with-credentials": Model(
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, "x-custom", status=204, header_name="X-Custom"
    ),
    "preflight-missing-acao": Model(C.PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER, status=200, method="PUT"),
    "preflight-acao-mismatch": Model(
        C.PREFLIGHT_ALLOW_ORIGIN_MISMATCH, "http://other.example", status=204, method="PUT"
    ),
    "preflight-acao-two-lines": Model(
        C.PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES, "{page}, {page}", status=204, method="PUT"
    ),
    "preflight-acao-invalid": Model(C.PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE, "foo", status=204, method="PUT"),
    "preflight-wildcard-with-credentials": Model(C.PREFLIGHT_WILDCARD_ORIGIN_NOT_ALLOWED, status=204, method="PUT"),
    "preflight-without-acac": Model(C.PREFLIGHT_INVALID_ALLOW_CREDENTIALS, status=204, method="PUT"),
    "redirect-allowed": Model(None),
    "redirect-target-without-acao": Model(
        C.MISSING_ALLOW_ORIGIN_HEADER, url=FINAL, status=200, redirected_from="{api}{path}", origin_sent="null"
    ),
    "redirect-without-acao": Model(C.MISSING_ALLOW_ORIGIN_HEADER, status=302, location=FINAL),
    "redirect-origin-null-vs-page-origin": Model(
        C.ALLOW_ORIGIN_MISMATCH, "{page}", url=FINAL, status=200, redirected_from="{api}{path}", origin_sent="null"
    ),
    "redirect-origin-null-allowed": Model(None),
    "redirect-contains-credentials": Model(
        C.REDIRECT_CONTAINS_CREDENTIALS, status=302, location="http://user:pw@{other_host}{path}/final"
    ),
    "redirect-to-ftp": Model(
        C.CORS_DISABLED_SCHEME, url="ftp://127.0.0.1/file", status=302, redirected_from="{api}{path}"
    ),
    "redirect-to-data": Model(
        C.NETWORK_ERROR, "net::ERR_UNSAFE_REDIRECT", url="data:text/plain,hi", status=302, redirected_from="{api}{path}"
    ),
    "preflighted-redirect": Model(None),
    "no-cors-get": Model(None),
    "no-cors-custom-header": Model(None),
    "no-cors-json-post": Model(None),
    "no-cors-put": Model(C.NO_CORS_METHOD, "PUT", method="PUT"),
    "same-origin-mode": Model(C.SAME_ORIGIN_MODE),
    "redirect-error": Model(C.REDIRECT_MODE_ERROR, status=302, location=FINAL),
    "redirect-manual": Model(None),
    "mixed-content-loopback": Model(None, loopback_from_https=True),
    "mixed-content-named-host": Model(C.MIXED_CONTENT, url="{mapped}{path}"),
    "mixed-content-via-redirect": Model(C.MIXED_CONTENT, url="{mapped}{path}", redirected_from="{https_page}{path}"),
    "connection-refused": Model(C.NETWORK_ERROR, "net::ERR_CONNECTION_REFUSED", url="{closed}/nothing"),
    "method-connect": Model(C.FORBIDDEN_METHOD, "CONNECT", method="CONNECT"),
    "method-trace": Model(C.FORBIDDEN_METHOD, "TRACE", method="TRACE"),
    "header-value-with-newline": Model(C.INVALID_HEADER_VALUE, "a\nb", header_name="X-Custom"),
    "url-with-credentials": Model(
        C.URL_WITH_CREDENTIALS, "{api_with_user}{path}", url="{api_with_user}{path}", xhr_allowed=True
    ),
    "get-with-body": Model(C.BODY_WITH_GET_OR_HEAD, xhr_allowed=True),
    "fetch-ws": Model(C.UNSUPPORTED_SCHEME, url="{api_ws}{path}"),
}


def for_engine(model: Model, quirks: EngineQuirks) -> Model:
    """The model's decision adjusted by the engine's quirks."""
    if model.loopback_from_https and quirks.loopback_http_is_mixed_content:
        return replace(model, code=C.MIXED_CONTENT)
    if (
        quirks.preflight_status_checked_before_allow_origin
        and model.code is not None
        and model.code.is_preflight_twin
        and not 200 <= (model.status or 200) < 300
    ):
        return replace(model, code=C.PREFLIGHT_INVALID_STATUS)
    return model


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


@pytest.fixture(scope="module", params=["firefox", "webkit"])
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
    fill = lambda t: None if t is None else _fill(t, run.origins, case)  # noqa: E731
    occasion = Occasion(
        _fill(model.url, run.origins, case),
        page_origin,
        method=model.method,
        status=model.status,
        redirected_from=fill(model.redirected_from),
        api=api,
        location=fill(model.location),
        origin_sent=model.origin_sent,
        header_name=model.header_name,
    )
    wording = WORDINGS[run.engine]
    parameter = _fill(model.parameter, run.origins, case) if "{" in model.parameter else model.parameter
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
