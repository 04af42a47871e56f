"""Every measured case (cases.py), through each real engine and through the model, against the same live servers.

Chromium, Firefox and WebKit each make every case's calls (fetch, XMLHttpRequest and, where the
case has it, axios) from a real page; ``cors_lab.Browser(engine=...)`` makes the same calls
(``fetch``, ``xhr``, ``axios``, whose rejection is ``axios_error``), on a token of its own. The
model must agree on what
the script sees (resolved or not, ``Response.type``, status, readable headers and body, the exact
error), on every console line word for word, and on what reached the servers. Tokens are the only
thing normalised: both sides talk to the same servers, so the ports are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cors_lab import Browser
from cors_lab.browser.firefox import is_sporadic
from cors_lab.browser.quirks import QUIRKS
from cors_lab.driver import FetchResult

from .calls import Outcome, new_token, with_token
from .cases import CASES, Case, Via
from .measure import register, urls
from .servers import Hit, Sites
from .session import EngineSession

TOKEN = re.compile(r"call=[0-9a-f]{12}")
ROWS = [(case, via) for case in CASES for via in case.via]


@dataclass(frozen=True)
class Seen:
    """What one call did, as both sides can say it."""

    resolved: bool
    status: int | None
    type: str | None  # Response.type (fetch only)
    headers: tuple[str, ...]
    body: str | None
    error: str
    axios: tuple[Any, ...] | None
    console: tuple[str, ...]
    received: tuple[str, ...]


def _normal(text: str) -> str:
    return TOKEN.sub("call=T", text)


def _received(hits: list[Hit]) -> tuple[str, ...]:
    shown = []
    for hit in hits:
        headers = hit.headers
        parts = [f"origin={headers.get('origin', '-')}", f"content-type={headers.get('content-type', '-')}"]
        parts += [f"{name}={headers[name]}" for name in sorted(headers) if name.startswith("x-")]
        parts += [
            f"{name}={headers[name]}" for name in ("access-control-request-method", "authorization") if name in headers
        ]
        shown.append(f"{hit.server} {hit.method} {' '.join(parts)}")
    return tuple(shown)


def sporadic(engine: str, line: str) -> bool:
    """A warning the engine prints for some calls and not for others alike (firefox.SPORADIC_KEYS)."""
    return engine == "firefox" and is_sporadic(line)


def engine_seen(via: Via, outcome: Outcome, hits: list[Hit], engine: str = "chromium") -> Seen:
    error = outcome.error or ""
    if via == "xhr" and error.endswith(" event"):
        error = ""  # the error event: the script gets no exception
    axios = outcome.axios
    return Seen(
        outcome.resolved,
        outcome.status,
        outcome.response_type if via == "fetch" and outcome.resolved else None,
        tuple(sorted(outcome.headers)) if outcome.resolved else (),
        outcome.body if outcome.resolved else None,
        _normal(error),
        (axios.message, axios.code, axios.response_undefined, axios.request_status) if axios else None,
        tuple(_normal(line.text) for line in outcome.console if not sporadic(engine, line.text)),
        tuple(_normal(line) for line in _received(hits)),
    )


def model_seen(via: Via, result: FetchResult, hits: list[Hit]) -> Seen:
    resolved = result.ok
    status = result.status
    error = result.js_error
    axios = None
    if via == "axios":
        view = result.axios_error
        resolved = view is None
        error = str(view) if view else ""
        axios = (view.message, view.code, view.response_undefined, view.request_status) if view else None
        status = result.status if resolved else None
    return Seen(
        resolved,
        status,
        result.type if via == "fetch" and resolved else None,
        tuple(sorted(result.headers.keys())) if resolved else (),
        result.text if resolved else None,
        _normal(error),
        axios,
        tuple(_normal(line) for line in result.console_messages),
        tuple(_normal(line) for line in _received(hits)),
    )


def page_of(sites: Sites, case: Case) -> str:
    return sites["page"] if case.page == "http" else sites["https_page"]


ENGINES = ("chromium", "firefox", "webkit")


@pytest.fixture(scope="module", params=ENGINES)
def engine_outcomes(
    request: pytest.FixtureRequest, engine_sites: Sites, axios_source: str | None
) -> Iterator[tuple[str, dict[tuple[str, str], Seen]]]:
    """Every case's calls in one engine, one page per scheme, all in two runs."""
    name: str = request.param
    session: EngineSession = request.getfixturevalue(f"{name}_engine")
    register(engine_sites, CASES)
    seen: dict[tuple[str, str], Seen] = {}
    try:
        for page in ("http", "https"):
            rows = [(case, via) for case, via in ROWS if case.page == page and (via != "axios" or axios_source)]
            session.open(page_of(engine_sites, rows[0][0]) + "/")
            outcomes = session.run([case.request.call(via, urls(engine_sites, case)) for case, via in rows])
            for (case, via), outcome in zip(rows, outcomes, strict=True):
                hits = engine_sites.hits.pop(outcome.token, [])
                seen[case.id, via] = engine_seen(via, outcome, hits, name)
        yield name, seen
    finally:
        session.open(engine_sites["page"] + "/")  # as the other engine tests expect it


def run_model(case: Case, via: Via, sites: Sites, engine: str = "chromium") -> tuple[FetchResult, list[Hit]]:
    token = new_token()
    url = with_token(case.request.url.format(**urls(sites, case)), token)
    request = case.request
    with Browser(page_of(sites, case), verify=False, timeout=10, engine=engine) as browser:
        if via == "fetch":
            result = browser.fetch(
                url,
                request.method,
                headers=list(request.headers),
                content=request.body,
                credentials="include" if request.credentials else "same-origin",
                mode=request.extra.get("mode", "cors"),
                redirect=request.extra.get("redirect", "follow"),
            )
        elif via == "xhr":
            result = browser.xhr(
                url,
                request.method,
                headers=list(request.headers),
                body=request.body,
                with_credentials=request.credentials,
            )
        else:
            result = browser.axios(
                url, request.method.lower(), dict(request.headers), request.body, with_credentials=request.credentials
            )
    return result, sites.hits.pop(token, [])


@pytest.mark.parametrize(("case", "via"), ROWS, ids=[f"{case.id}-{via}" for case, via in ROWS])
def test_the_model_says_what_each_engine_says(
    case: Case,
    via: Via,
    engine_outcomes: tuple[str, dict[tuple[str, str], Seen]],
    engine_sites: Sites,
    axios_source: str | None,
) -> None:
    if via == "axios" and axios_source is None:
        pytest.skip("axios was not fetched: run `python scripts/ensure_browsers.py` (needs npm)")
    engine, outcomes = engine_outcomes
    real = outcomes[case.id, via]
    result, hits = run_model(case, via, engine_sites, engine)
    model = model_seen(via, result, hits)
    assert model == real, f"{case.id} via {via} in {engine}:\n  engine: {real}\n  model:  {model}\n{result.explain()}"


def test_every_case_is_compared():
    assert len(ROWS) >= 140
    assert {via for _, via in ROWS} == {"fetch", "xhr", "axios"}
    assert len({case.id for case in CASES}) == len(CASES)


def _origins(seen: Seen) -> dict[tuple[str, str], str]:
    """The Origin each server got, by (method, server), from what reached the servers."""
    got = {}
    for line in seen.received:
        server, method, *parts = line.split(" ")
        got[method, server] = dict(part.split("=", 1) for part in parts)["origin"]
    return got


def test_the_quirks_are_what_the_engine_does(engine_outcomes: tuple[str, dict[tuple[str, str], Seen]]):
    """Each field of cors_lab/browser/quirks.py, against the case that shows it, in the real engine."""
    engine, outcomes = engine_outcomes
    quirks = QUIRKS[engine]
    assert (not outcomes["mixed-content-loopback", "fetch"].resolved) == quirks.loopback_http_is_mixed_content
    preflight_404 = outcomes["preflight-404-without-acao", "fetch"].console
    says_status = any(
        line.rstrip(".").endswith("Status code: 404") and "Allow-Origin" not in line for line in preflight_404
    )
    assert says_status == quirks.preflight_status_checked_before_allow_origin, preflight_404
    star = outcomes["authorization-under-star", "fetch"]
    assert star.resolved and bool(star.console) == quirks.warns_when_star_covers_authorization, star.console
    origins = _origins(outcomes["preflighted-redirect", "fetch"])
    page_origin = origins["OPTIONS", "api"]  # the first preflight carries the page's Origin
    sends_page_origin = origins["OPTIONS", "other"] == page_origin
    assert sends_page_origin == quirks.preflight_after_redirect_sends_page_origin, origins
    assert origins["PUT", "other"] == "null"
    for case, field in (
        ("redirect-error", quirks.silent_redirect_mode_error),
        ("fetch-ws", quirks.silent_unsupported_scheme),
        ("connection-refused", quirks.silent_connection_refused),
    ):
        seen = outcomes[case, "fetch"]
        assert not seen.resolved and (seen.console == ()) == field, (case, seen.console)
