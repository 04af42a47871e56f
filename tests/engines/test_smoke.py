"""Each engine driver, for real, on a few cases: allowed, blocked (fetch, XHR, axios), and the console words.

The expected words are each engine's own, as measured (docs/engines.md has them all).
"""

from __future__ import annotations

import re

import pytest

from cors_lab.user_agents import parse_user_agent

from .calls import Axios, Fetch, Outcome, Xhr
from .servers import Reply, Sites
from .session import EngineSession

TOKEN = re.compile(r"call=([0-9a-f]+)")
ALLOW_PAGE = ("Access-Control-Allow-Origin", "{page}")

#: What each engine prints when the response has no Access-Control-Allow-Origin; {api} is the
#: URL called (with its token), {page} the page's origin, {initiator} "fetch" or "XMLHttpRequest".
MISSING_ALLOW_ORIGIN = {
    "chromium": [
        "Access to {initiator} at '{url}' from origin '{page}' has been blocked by CORS policy: "
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        "Failed to load resource: net::ERR_FAILED",
    ],
    "firefox": [
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. "
        "(Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 missing). Status code: 200."
    ],
    "webkit": [
        "Origin {page} is not allowed by Access-Control-Allow-Origin. Status code: 200",
        "{webkit_initiator} cannot load {url} due to access control checks.",
    ],
}
FETCH_ERROR = {
    "chromium": "TypeError: Failed to fetch",
    "firefox": "TypeError: NetworkError when attempting to fetch resource.",
    "webkit": "TypeError: Load failed",
}


@pytest.fixture(scope="module")
def routes(engine_sites: Sites) -> Sites:
    engine_sites.api.route("/smoke/allowed", Reply(headers=(ALLOW_PAGE, ("X-Total-Count", "3"))))
    engine_sites.api.route("/smoke/no-cors-headers", Reply())
    return engine_sites


def called_url(sites: Sites, path: str, outcome: Outcome) -> str:
    """The URL as the engine saw it: the path plus the call's token, read back from what reached the server."""
    tokens = [token for token, hits in sites.hits.items() if any(hit.path == path for hit in hits)]
    matching = [t for t in tokens if any(t in line.text for line in outcome.console)]
    assert len(matching) == 1, f"one call to {path} should name its token in its console lines: {outcome.console}"
    return f"{sites['api']}{path}?call={matching[0]}"


def expected_lines(engine: EngineSession, sites: Sites, url: str, initiator: str) -> list[str]:
    webkit_initiator = "Fetch API" if initiator == "fetch" else "XMLHttpRequest"
    return [
        line.format(url=url, page=sites["page"], initiator=initiator, webkit_initiator=webkit_initiator)
        for line in MISSING_ALLOW_ORIGIN[engine.name]
    ]


def test_an_allowed_fetch_resolves_with_only_safelisted_headers_readable(engine: EngineSession, routes: Sites):
    [outcome] = engine.run([Fetch(routes["api"] + "/smoke/allowed")])
    assert outcome.resolved and outcome.status == 200 and outcome.response_type == "cors"
    assert outcome.body == "hello"
    assert "x-total-count" not in outcome.headers and "content-type" in outcome.headers
    assert outcome.console == ()


def test_a_blocked_fetch_rejects_with_the_engines_console_words(engine: EngineSession, routes: Sites):
    [outcome] = engine.run([Fetch(routes["api"] + "/smoke/no-cors-headers")])
    assert not outcome.resolved and outcome.error == FETCH_ERROR[engine.name]
    url = called_url(routes, "/smoke/no-cors-headers", outcome)
    assert list(outcome.errors) == expected_lines(engine, routes, url, "fetch")


def test_a_blocked_xhr_fires_error_with_status_0(engine: EngineSession, routes: Sites):
    [outcome] = engine.run([Xhr(routes["api"] + "/smoke/no-cors-headers")])
    assert not outcome.resolved and outcome.status == 0 and outcome.error == "error event"
    url = called_url(routes, "/smoke/no-cors-headers", outcome)
    assert list(outcome.errors) == expected_lines(engine, routes, url, "XMLHttpRequest")


def test_a_blocked_axios_call_is_a_network_error_without_a_response(
    engine: EngineSession, routes: Sites, axios_source: str | None
):
    if axios_source is None:
        pytest.skip("axios was not fetched: run `python scripts/ensure_browsers.py` (needs npm)")
    [outcome] = engine.run([Axios(routes["api"] + "/smoke/no-cors-headers")])
    assert not outcome.resolved and outcome.axios is not None
    assert (outcome.axios.message, outcome.axios.code) == ("Network Error", "ERR_NETWORK")
    assert outcome.axios.response_undefined and outcome.axios.request_status == 0
    url = called_url(routes, "/smoke/no-cors-headers", outcome)
    assert list(outcome.errors) == expected_lines(engine, routes, url, "XMLHttpRequest")


def test_console_lines_go_to_their_own_call_in_a_batch(engine: EngineSession, routes: Sites):
    api = routes["api"]
    outcomes = engine.run(
        [Fetch(api + "/smoke/no-cors-headers"), Fetch(api + "/smoke/allowed"), Xhr(api + "/smoke/no-cors-headers")]
    )
    blocked_fetch, allowed, blocked_xhr = outcomes
    assert allowed.console == ()
    named = [{m.group(1) for line in o.errors if (m := TOKEN.search(line))} for o in (blocked_fetch, blocked_xhr)]
    assert len(named[0]) == len(named[1]) == 1 and named[0] != named[1]  # each names its own call, only


def test_firefox_warns_when_star_is_taken_to_cover_authorization(firefox_engine: EngineSession, routes: Sites):
    """The warning comes over Firefox's remote debugging protocol: WebDriver BiDi does not forward it."""
    routes.api.route(
        "/smoke/star-headers",
        Reply(headers=(ALLOW_PAGE,)),
        Reply(204, (ALLOW_PAGE, ("Access-Control-Allow-Headers", "*")), b""),
    )
    [outcome] = firefox_engine.run([Fetch(routes["api"] + "/smoke/star-headers", {"headers": {"Authorization": "t"}})])
    assert outcome.resolved and outcome.status == 200
    [warning] = outcome.console
    assert warning.level == "warning"
    assert warning.text.startswith("Cross-Origin Request Warning: The Same Origin Policy will disallow reading")
    assert "the `Authorization` header is not covered" in warning.text


def test_each_engines_user_agent_names_that_engine(engine: EngineSession, routes: Sites):
    """What live_browser reads to know which engine the learner's browser is."""
    [outcome] = engine.run([Fetch(routes["api"] + "/smoke/allowed")])
    assert outcome.resolved
    [hit] = routes.hits[outcome.token]
    assert parse_user_agent(hit.headers["user-agent"]).engine == engine.name
