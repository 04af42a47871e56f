"""Exercises for notebook 06 (debugging): name the CorsError code behind a console message, fix an app whose
auth middleware and exceptions hide behind CORS errors, and tighten an origin regex.

Every check runs live: the console messages come from real fetches through the browser model, the learner's
app and regex are run in Starlette's real CORSMiddleware, and the feedback says what the browser did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..auditing import audit
from ..browser import CODES, CorsFailure, console_message
from ..browser.failures import FailureCode
from ..demo import demo_api
from ..driver import Browser, FetchResult
from . import BadInput, Exercise, NotYet, Problem

__all__ = [
    "API",
    "BAD_ORIGINS",
    "FRONTEND",
    "GOOD_ORIGINS",
    "OTHER_SITE",
    "TOKEN",
    "fix_the_app",
    "name_the_code",
    "scenario",
    "tighten_the_regex",
]

FRONTEND = "http://localhost:3000"
API = "http://localhost:8000"
OTHER_SITE = "https://evil.example"
TOKEN = "let-me-in"


# --- 6.1: from the console message to the CorsError code ---------------------------------------------------


def _auth_outside_cors() -> FastAPI:
    """demo_api with CORS, then an auth middleware added after it: it runs outside CORSMiddleware."""
    app = demo_api(allow_origins=[FRONTEND], allow_headers=["Authorization"])

    @app.middleware("http")
    async def require_token(request: Request, call_next: Callable[..., Any]) -> Any:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"detail": "not authenticated"}, status_code=401)
        return await call_next(request)

    return app


#: number -> (the app, the request the page makes)
_SCENARIOS: dict[int, tuple[Callable[[], FastAPI], dict[str, Any]]] = {
    1: (_auth_outside_cors, {"path": "/users", "headers": {"Authorization": f"Bearer {TOKEN}"}}),
    2: (lambda: demo_api(allow_origins=[FRONTEND]), {"path": "/users", "headers": {"X-Request-Id": "42"}}),
    3: (lambda: demo_api(allow_origins=[FRONTEND]), {"path": "/boom"}),
}


def scenario(number: int) -> FetchResult:
    """Run scenario 1, 2 or 3 live: a page at FRONTEND fetches from an in-process app at API."""
    make_app, request = _SCENARIOS[number]
    page = Browser(FRONTEND, app=make_app())
    try:
        return page.fetch(API + request["path"], headers=request.get("headers"))
    finally:
        page.close()


def _reason(message: str) -> str:
    """The part of a console message after "blocked by CORS policy: "."""
    return message.split("blocked by CORS policy: ", 1)[-1]


def _check_codes(codes: Any) -> str:
    numbers = sorted(_SCENARIOS)
    if not isinstance(codes, Mapping) or sorted(codes) != numbers:
        raise BadInput(f"give a dict with one code per message, keys {numbers}, like the starting value")
    results = {n: scenario(n) for n in numbers}
    problems = []
    for n in numbers:
        given = codes[n]
        result = results[n]
        assert result.console_message is not None and result.error_code is not None
        said = _reason(result.console_message)
        if not isinstance(given, str) or given.strip() not in CODES:
            text = (
                f"message {n}: {given!r} is not one of Chromium's CorsError codes; "
                "cors_lab.browser.CODES lists them all"
            )
            problems.append(Problem(text, text))
            continue
        given = given.strip()
        if given == result.error_code:
            continue
        failure = result.verdict.failure
        assert failure is not None

        def would_say(code: str, failure: CorsFailure = failure) -> str:
            return console_message(code, failure.parameter or "<value>", failure.url, FRONTEND)

        named, actual = FailureCode(given), failure.code
        which = (
            f"message {n}: read its first sentence: is the browser complaining about the preflight (OPTIONS) "
            "or about the actual response?"
        )
        if named.preflight_twin is actual:
            problems.append(
                Problem(
                    which,
                    f"message {n} says 'Response to preflight request doesn't pass access control check': "
                    f"the failure is at the preflight (OPTIONS), so the code is the preflight twin of "
                    f"{given!r}; such codes start with 'Preflight'",
                )
            )
        elif named.is_preflight_twin and named.base is actual:
            problems.append(
                Problem(
                    which,
                    f"message {n} has no 'Response to preflight request' sentence: the actual response "
                    f"failed, not a preflight, so the code does not start with 'Preflight'",
                )
            )
        else:
            problems.append(
                Problem(
                    f"message {n}: {given} names another failure: which header does the message say is missing "
                    "or wrong, and what is wrong with it?",
                    f"message {n}: with {given} the console would say {_reason(would_say(given))!r}, but it "
                    f"says {said!r}",
                )
            )
    if problems:
        raise NotYet.parts(problems, f"{len(problems)} of {len(numbers)} codes are not right yet:")
    causes = "; ".join(
        f"{n}: {results[n].error_code} (the server answered {results[n].exchanges[-1].response.status})"  # type: ignore[union-attr]
        for n in numbers
    )
    return f"all three match what the browser reported. {causes}."


name_the_code = Exercise(
    "6.1",
    "Name the CorsError code",
    _check_codes,
    """
    codes = {
        1: "PreflightMissingAllowOriginHeader",  # an auth middleware answered the preflight with 401
        2: "PreflightInvalidStatus",             # Starlette's 400 "Disallowed CORS headers" (X-Request-Id)
        3: "MissingAllowOriginHeader",           # /boom: the unhandled exception's 500 has no CORS headers
    }
    """,
    ("`exercises.scenario(n)` returns each result, so `show(exercises.scenario(1))` shows what the server answered."),
)


# --- 6.2: fix an app whose errors hide behind CORS errors ----------------------------------------------------

#: (what it is, page origin, path, with the token?, expected status or None when the page must be refused)
_REQUESTS: tuple[tuple[str, str, str, bool, int | None], ...] = (
    ("GET /users/1 with the token", FRONTEND, "/users/1", True, 200),
    ("GET /users/2 (no such user) with the token", FRONTEND, "/users/2", True, 404),
    ("GET /users/1 without a token", FRONTEND, "/users/1", False, 401),
    ("GET /users/1 with the token", OTHER_SITE, "/users/1", True, None),
)


def _describe_exchanges(result: FetchResult) -> str:
    parts = []
    for exchange in result.exchanges:
        sent, got = exchange.request, exchange.response
        if got is None:
            continue
        what = "the preflight (OPTIONS)" if sent.kind == "preflight" else f"the {sent.method}"
        acao = got.get("access-control-allow-origin")
        cors = f"Access-Control-Allow-Origin: {acao}" if acao else "no Access-Control-Allow-Origin"
        parts.append(f"{what} got {got.status} with {cors}")
    return "; ".join(parts)


def _hint(result: FetchResult) -> str:
    """Why this blocked fetch fails, read from what the server really answered."""
    last = result.exchanges[-1]
    got = last.response
    if got is None:
        return ""
    if got.get("access-control-allow-origin"):
        return f"Fix: {result.fix}" if result.fix else ""
    if last.request.kind == "preflight":
        if got.status in (401, 403):
            return (
                "A preflight never carries the Authorization header, and something outside CORSMiddleware "
                "refused it: add CORSMiddleware after your own middleware (the last one added runs first), "
                "or let OPTIONS requests through the auth check."
            )
        return f"Fix: {result.fix}" if result.fix else ""
    if got.status >= 500:
        return (
            "An exception escaped the endpoint, and Starlette's 500 for it is made outside CORSMiddleware. "
            "Turn UserNotFound into a 404 with @app.exception_handler(UserNotFound)."
        )
    return (
        f"That {got.status} was made outside CORSMiddleware (by a middleware added after it, or by a handler for "
        "Exception, which Starlette runs outermost), so it has no CORS headers. Answer it inside: add "
        "CORSMiddleware last, and register handlers for your own exception types, not for Exception."
    )


def _check_app(build_app: Any) -> str:
    if hasattr(build_app, "user_middleware"):
        raise BadInput(
            "pass the function that builds the app (build_app), not the app it returns: each request gets a fresh app"
        )
    if not callable(build_app):
        raise BadInput(f"pass the function that builds the app (build_app), not a {type(build_app).__name__}")
    done = []
    for what, origin, path, with_token, expected in _REQUESTS:
        app = build_app()
        if not hasattr(app, "user_middleware"):
            raise BadInput(f"build_app() returned {type(app).__name__}, not a FastAPI app: end it with `return app`")
        page = Browser(origin, app=app)
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"} if with_token else None
            result = page.fetch(API + path, headers=headers)
        finally:
            page.close()
        where = f"{what} from {origin}"
        if expected is None:
            if result.ok:
                raise NotYet(
                    f"{where} is allowed (status {result.status}): now any site can read your users. "
                    f"Allow only {FRONTEND!r} in allow_origins",
                    idea=f"{where} is allowed: now any site can read your users: look at what lets it in.",
                )
            done.append(f"{origin} is refused")
            continue
        if result.blocked:
            raise NotYet(
                f"{where} is still blocked ({result.error_code}); what the server really answered: "
                f"{_describe_exchanges(result)}. {_hint(result)}".rstrip(),
                idea=f"{where} is still blocked ({result.error_code}): look at what the server really answered "
                "(its status and its headers), not only at the browser's message.",
                hints=(f"what the server really answered: {_describe_exchanges(result)}.",),
            )
        if result.status != expected:
            raise NotYet(
                f"the page can read {where} now, but the status is {result.status}, not {expected}: {result.text[:120]}"
            )
        done.append(f"{what}: {expected}")
    return "every request behaves: " + "; ".join(done) + "."


fix_the_app = Exercise(
    "6.2",
    "Fix the app",
    _check_app,
    """
    def build_app():
        app = FastAPI()

        @app.get("/users/{user_id}")
        def get_user(user_id: int):
            if user_id != 1:
                raise UserNotFound(user_id)
            return {"id": 1, "name": "alice"}

        @app.exception_handler(UserNotFound)  # runs inside CORSMiddleware: the 404 gets CORS headers
        async def user_not_found(request: Request, exc: UserNotFound):
            return JSONResponse({"detail": f"no user {exc}"}, status_code=404)

        @app.middleware("http")
        async def require_token(request: Request, call_next):
            if request.headers.get("authorization") != "Bearer let-me-in":
                return JSONResponse({"detail": "not authenticated"}, status_code=401)
            return await call_next(request)

        # Added last, so it runs first: it answers the preflight before the auth check sees it,
        # and it adds CORS headers to the auth check's 401.
        app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_headers=["Authorization"])
        return app
    """,
)


# --- 6.3: an origin regex that lets only your sites in --------------------------------------------------------

#: Origins the pattern must let in: the site and its subdomains.
GOOD_ORIGINS = ("https://example.com", "https://app.example.com", "https://admin.example.com")
#: Origins anyone can register or serve, and what each one tests.
BAD_ORIGINS = {
    "https://evilexample.com": "other text may run straight into 'example.com': only a subdomain ending in a dot may",
    "https://examplexcom": "an unescaped '.' matches any character: write \\. for a dot",
    "https://example.com.evil.net": "your pattern lets anything follow 'example.com'",
    "https://app.example.com.evil.net": "your pattern lets anything follow 'example.com'",
    "http://example.com": "plain http is let in: spell out https://",
    "https://evil.example": "your pattern matches far more than example.com and its subdomains",
}


def _allowed(pattern: str, origin: str) -> bool:
    page = Browser(origin, app=demo_api(allow_origin_regex=pattern))
    try:
        return page.fetch(f"{API}/users").ok
    finally:
        page.close()


def _check_regex(pattern: Any) -> str:
    if not isinstance(pattern, str):
        raise BadInput(
            f"give the pattern as a string, such as r'https://example\\.com', not a {type(pattern).__name__}"
        )
    try:
        re.compile(pattern)
    except re.error as error:
        raise BadInput(f"{pattern!r} is not a valid regular expression: {error}") from None
    for origin, why in BAD_ORIGINS.items():
        if _allowed(pattern, origin):
            raise NotYet(
                f"a page at {origin} can still read /users (Starlette fullmatches {pattern!r} against "
                f"its Origin): {why}",
                idea=f"a page at {origin} can still read /users: which part of your pattern lets this origin "
                "in? Starlette matches the pattern against the whole Origin.",
            )
    for origin in GOOD_ORIGINS:
        if not _allowed(pattern, origin):
            raise NotYet(
                f"the attackers are out, but so is {origin}: the pattern must still let in {', '.join(GOOD_ORIGINS)}",
                idea=f"the attackers are out, but so is {origin}: the pattern is now too tight for it.",
            )
    loose = [f for f in audit({"allow_origin_regex": pattern}) if f.code == "origin-regex-too-loose"]
    if loose:
        raise NotYet(
            f"the listed origins behave, but audit() finds more: {loose[0].message}",
            idea="the listed origins behave, but the pattern still matches more than you mean: run "
            "audit({'allow_origin_regex': pattern}) and read what it finds.",
        )
    return f"{', '.join(GOOD_ORIGINS)} get in; {', '.join(BAD_ORIGINS)} are refused, and audit() finds no loose match."


tighten_the_regex = Exercise(
    "6.3",
    "Tighten the origin regex",
    _check_regex,
    """
    pattern = r"https://([a-z0-9-]+\\.)?example\\.com"
    """,
    (
        "One optional label followed by a dot, escaped dots, and nothing after `.com` (Starlette "
        "matches the whole origin, so no `^...$` is needed)."
    ),
)
