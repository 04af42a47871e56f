"""Exercises for notebook 03 (preflight): settings that let a PUT through, a request made simple,
and a prediction of which fetches the preflight cache spares.

Every check runs the learner's answer through the browser model against a real (in-process)
FastAPI app, so the feedback is what a browser would do, not a comparison with a fixed answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..browser import StepKind, normalize_method, preflight_reasons
from ..config import CorsConfig
from ..demo import demo_api
from ..driver import Browser, FetchResult
from . import BadInput, Exercise, NotYet, Problem, settings_answer

__all__ = [
    "API",
    "CACHE_MAX_AGE",
    "CACHE_SEQUENCE",
    "EVENT",
    "FRONTEND",
    "OTHER_SITE",
    "allow_the_put",
    "events_app",
    "make_it_simple",
    "predict_preflights",
]

FRONTEND = "http://localhost:3000"
API = "http://localhost:8000"
OTHER_SITE = "https://attacker.example"


def _chromium_reason(result: FetchResult) -> str:
    """The end of Chromium's console line: the reason it gives, without the URL and origin."""
    message = result.console_message or result.js_error or result.error_code or "blocked"
    for marker in ("access control check: ", "blocked by CORS policy: "):
        if marker in message:
            return message.split(marker, 1)[1]
    return message


def _hidden_refusal(result: FetchResult) -> str | None:
    """Starlette's refusal, such as "400 'Disallowed CORS method'", which the browser hides from the page."""
    first = result.exchanges[0].response if result.exchanges else None
    if first is not None and first.status >= 400 and first.text.startswith("Disallowed CORS"):
        return f"{first.status} {first.text!r}"
    return None


def _failure_sentence(result: FetchResult) -> str:
    """Which step fails, what Chromium says, what the hidden response says, and the fix."""
    at_preflight = result.verdict.failure is not None and result.verdict.failure.at_preflight
    message = (
        f"{'the preflight' if at_preflight else 'the actual request'} fails; Chromium says only "
        f'"{_chromium_reason(result)}"'
    )
    refusal = _hidden_refusal(result)
    if refusal:
        message += f", and the response it hides from the page is {refusal}"
    message += "."
    if result.fix:
        message += f" Fix: {result.fix}"
    return message


# --- 3.1: CORSMiddleware settings that let a JSON PUT with X-Request-Id through ------------------------


def _put(settings: Mapping[str, Any], origin: str) -> FetchResult:
    page = Browser(origin, app=demo_api(**settings))
    try:
        return page.fetch(f"{API}/users/1", method="PUT", json={"name": "alicia"}, headers={"X-Request-Id": "42"})
    finally:
        page.close()


def _check_put_settings(settings: Any) -> str:
    settings_answer(settings, "{'allow_origins': ['https://example.com']}")
    if not settings:
        raise NotYet(
            "with no settings demo_api() has no CORSMiddleware at all, so nothing answers the preflight: "
            f"start with allow_origins=[{FRONTEND!r}]",
            idea="with no settings nothing answers the browser's OPTIONS question: what must CORSMiddleware "
            "know first?",
        )
    result = _put(settings, FRONTEND)
    if result.blocked:
        raise NotYet(
            f"the PUT from {FRONTEND} with JSON and X-Request-Id does not pass yet: " + _failure_sentence(result),
            idea="the PUT does not pass yet: it is preflighted, so look at what the answer to the OPTIONS "
            "request says (or leaves out).",
            hints=(
                "the answer to the preflight must allow three things: the page's origin, the method, and each "
                "header the page sets itself.",
            ),
        )
    if result.status != 200 or result.json().get("name") != "alicia":
        raise NotYet(
            f"the browser lets the page read the answer, but the server answered {result.status}: {result.text[:200]}"
        )
    if not result.preflighted:  # cannot happen for a PUT; kept so the message below stays true
        raise NotYet("the request was not preflighted, so this check cannot tell whether the settings are right")
    stranger = _put(settings, OTHER_SITE)
    if stranger.ok:
        raise NotYet(
            f"the PUT passes, but so does the same PUT from a page at {OTHER_SITE}: any site can now "
            f"change your users. List only {FRONTEND!r} in allow_origins (no '*', no broad regex)",
            idea="the PUT passes, but so does the same PUT from a site you do not control: look at what lets it in.",
        )
    preflight = result.exchanges[0].response
    assert preflight is not None
    return (
        f"the preflight passes (Access-Control-Allow-Methods: {preflight.get('access-control-allow-methods')}; "
        f"Access-Control-Allow-Headers: {preflight.get('access-control-allow-headers')}), the PUT returns "
        f"200, and a page at {OTHER_SITE} is still refused."
    )


allow_the_put = Exercise(
    "3.1",
    "CORSMiddleware settings that let the PUT through",
    _check_put_settings,
    """
    settings = {
        "allow_origins": ["http://localhost:3000"],
        "allow_methods": ["GET", "POST", "PUT"],
        "allow_headers": ["X-Request-Id"],  # Content-Type needs no listing: Starlette always allows it
    }
    """,
)


# --- 3.2: make a request simple without changing what it says ----------------------------------------------

#: The data the page sends to /events, whatever the encoding.
EVENT = {"event": "signup", "plan": "pro"}


def events_app() -> FastAPI:
    """An analytics endpoint, ``POST /events``, that reads the event from JSON, text/plain JSON or a form.

    Its CORS settings allow the frontend's origin and nothing else (Starlette's defaults), so a
    preflighted POST is refused: allow_methods is ['GET'].
    """
    app = FastAPI(title="events", openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/events")
    async def record(request: Request) -> JSONResponse:
        content_type = request.headers.get("content-type", "")
        essence = content_type.split(";", 1)[0].strip().lower()
        body = (await request.body()).decode("utf-8", "replace")
        if essence in ("application/json", "text/plain"):
            try:
                data = json.loads(body)
            except ValueError:
                return JSONResponse({"detail": f"the {essence} body is not JSON: {body[:60]!r}"}, status_code=400)
        elif essence == "application/x-www-form-urlencoded":
            data = dict(parse_qsl(body, keep_blank_values=True))
        else:
            return JSONResponse(
                {
                    "detail": f"this endpoint reads JSON, text/plain (holding JSON) or a URL-encoded "
                    f"form, not {content_type or 'a body without Content-Type'}"
                },
                status_code=415,
            )
        return JSONResponse({"received": data})

    CorsConfig(allow_origins=[FRONTEND]).apply(app)
    return app


def _check_simple(request: Any) -> str:
    if not isinstance(request, Mapping) or not {"method", "headers", "body"} <= set(request):
        raise BadInput("give the request as a dict with 'method', 'headers' and 'body', like the starting value")
    method, headers, body = request["method"], request["headers"] or {}, request["body"]
    if not isinstance(body, str):
        raise BadInput(f"the body should be a string (what fetch() sends as body), not a {type(body).__name__}")
    page = Browser(FRONTEND, app=events_app())
    try:
        # The exercise's '' means "no body" (the starting value's GET has one), not fetch()'s empty body.
        result = page.fetch(f"{API}/events", method=method, headers=headers, content=body or None)
    finally:
        page.close()
    if result.preflighted:
        sent = result.request.headers
        reasons = preflight_reasons(normalize_method(result.request.method), sent)
        message = "the browser still sends a preflight, because " + "; ".join(reasons)
        if result.blocked:
            refusal = _hidden_refusal(result) or f"blocked ({result.error_code})"
            message += f"; this server refuses it ({refusal}), so the POST never goes out"
        raise NotYet(
            message + ".",
            idea="the browser still sends a preflight: what makes a request not simple? Look at its method, "
            "at each header it sets, and at the value of one of them.",
            hints=(
                "a simple request uses GET, HEAD or POST, sets only safelisted headers, and its Content-Type is "
                "one of the three a plain HTML form can send.",
            ),
        )
    if result.blocked:
        raise NotYet(_failure_sentence(result))
    if result.status == 405:
        raise NotYet(f"/events only takes POST; {result.request.method} gets 405 Method Not Allowed")
    if result.status != 200:
        detail = result.json().get("detail", result.text) if result.text.startswith("{") else result.text
        raise NotYet(f"no preflight now, but the server answered {result.status}: {detail}")
    received = result.json().get("received")
    if received != EVENT:
        raise NotYet(
            f"no preflight now, but the server received {received!r} instead of {EVENT!r}: "
            "send the same data, just encoded differently",
            idea="no preflight now, but the server did not receive the same data: change the encoding, not the data.",
        )
    content_type = dict((n.lower(), v) for n, v in result.request.headers).get("content-type")
    return (
        f"a simple request: no OPTIONS, the POST goes out at once with Content-Type {content_type}, "
        f"and the server received {received!r}."
    )


make_it_simple = Exercise(
    "3.2",
    "Make the request simple",
    _check_simple,
    """
    beacon = {
        "method": "POST",
        "headers": {"Content-Type": "text/plain", "Accept": "application/json"},  # Accept was never the problem
        "body": '{"event": "signup", "plan": "pro"}',
    }
    # or, as a form:
    beacon = {
        "method": "POST",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": "event=signup&plan=pro",
    }
    """,
)


# --- 3.3: how many OPTIONS does the preflight cache spare? ---------------------------------------------------

CACHE_MAX_AGE = 60
#: (seconds since the page loaded, method, path); PUTs send JSON.
CACHE_SEQUENCE = (
    (0, "PUT", "/users/1"),
    (20, "PUT", "/users/1"),
    (25, "PUT", "/users/2"),
    (40, "DELETE", "/users/2"),
    (70, "GET", "/users"),
    (75, "PUT", "/users/1"),
)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_cache_sequence() -> list[tuple[bool, str]]:
    """Run CACHE_SEQUENCE through the browser model; for each fetch: was OPTIONS sent, and why (or why not)."""
    clock = _Clock()
    app = demo_api(allow_origins=[FRONTEND], allow_methods=["GET", "PUT", "DELETE"], max_age=CACHE_MAX_AGE)
    page = Browser(FRONTEND, app=app, clock=clock)
    preflighted_at: dict[str, float] = {}
    outcomes = []
    try:
        for at, method, path in CACHE_SEQUENCE:
            clock.now = at
            url = API + path
            left = page.cache.seconds_left(FRONTEND, url)
            result = page.fetch(url, method=method, json={"name": "x"} if method == "PUT" else None)
            sent = any(exchange.request.method == "OPTIONS" for exchange in result.exchanges)
            needs = any(step.kind is StepKind.PREFLIGHT_NEEDED for step in result.steps)
            if not needs:
                why = f"{method} with no unsafe headers is a simple request, which is never preflighted"
            elif not sent:
                since = preflighted_at[path]
                why = (
                    f"the answer to the preflight for {path} at t={since:g} s is still cached (max_age="
                    f"{CACHE_MAX_AGE}: until t={since + CACHE_MAX_AGE:g} s), and its Access-Control-Allow-Methods "
                    f"lists {method}"
                )
            elif left is None:
                why = f"nothing is cached for {path} yet: the cache keeps one entry per URL (and page origin)"
            elif left == 0:
                since = preflighted_at[path]
                why = f"the answer cached at t={since:g} s expired at t={since + CACHE_MAX_AGE:g} s"
            else:
                why = "the cached answer does not cover this method or these headers"
            if sent:
                preflighted_at[path] = at
            outcomes.append((sent, why))
    finally:
        page.close()
    return outcomes


def _check_predictions(predictions: Any) -> str:
    count = len(CACHE_SEQUENCE)
    if (
        not isinstance(predictions, (list, tuple))
        or len(predictions) != count
        or not all(isinstance(p, bool) for p in predictions)
    ):
        raise BadInput(
            f"give a list of {count} True/False values, one per fetch: True if the browser sends "
            "an OPTIONS request first"
        )
    outcomes = run_cache_sequence()
    wrong = [i for i, (predicted, (sent, _)) in enumerate(zip(predictions, outcomes, strict=True)) if predicted != sent]
    if wrong:
        problems = []
        for i in wrong:
            at, method, path = CACHE_SEQUENCE[i]
            sent, why = outcomes[i]
            said = "an OPTIONS" if predictions[i] else "no OPTIONS"
            did = "sent one" if sent else "sent none"
            fetch = f"fetch {i + 1} ({method} {path} at t={at} s)"
            problems.append(
                Problem(
                    f"{fetch}: is it preflighted at all, and if so, is an answer for this URL cached then?",
                    f"{fetch}: you predicted {said}, but the browser {did}: {why}.",
                    (
                        f"{fetch}: find the last OPTIONS for {path} before t={at} s, add max_age={CACHE_MAX_AGE} s, "
                        f"and check that its Access-Control-Allow-Methods covers {method}.",
                    ),
                )
            )
        verb = "is" if len(wrong) == 1 else "are"
        raise NotYet.parts(problems, f"{len(wrong)} of {count} predictions {verb} not right yet:")
    total = sum(sent for sent, _ in outcomes)
    return f"all {count} right: {total} OPTIONS requests for {count} fetches."


predict_preflights = Exercise(
    "3.3",
    "Predict the preflights",
    _check_predictions,
    """
    predictions = [True, False, True, False, False, True]
    # 1: nothing cached yet. 2: cached until t=60. 3: a new URL. 4: the answer cached for /users/2
    # at t=25 lists DELETE. 5: a simple GET. 6: the entry for /users/1 expired at t=60.
    """,
)
