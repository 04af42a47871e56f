"""Exercises for notebook 04 (credentials): cookies, ``allow_credentials``, ``expose_headers`` and fetch's
credentials modes.

Every check runs the learner's answer for real: the settings go into ``demo_api``'s CORSMiddleware and the
browser model makes the requests against it, so the feedback says what the browser actually did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..browser import CookieJar, Credentials, StepKind, credentials_mode
from ..config import CorsConfig
from ..demo import demo_api
from ..driver import Browser, FetchResult
from . import BadInput, Exercise, NotYet, Problem, settings_answer

__all__ = ["API", "ATTACKERS", "FRONTEND", "MODES", "SITUATIONS", "pick_mode", "round_trip", "total_count"]

FRONTEND = "http://localhost:3000"
API = "http://localhost:8000"
#: The pages that must not read /me: another site, and another app on the frontend's own site.
ATTACKERS = ("https://evil.example", "http://localhost:5000")
MODES = ("omit", "same-origin", "include")


def _config(settings: Any) -> CorsConfig:
    """The learner's CORSMiddleware settings as a CorsConfig, or a NotYet that says what is malformed."""
    return settings_answer(settings, "{'allow_origins': ['https://example.com']}")


def _blocked(what: str, result: FetchResult) -> NotYet:
    fix = f" Fix: {result.fix}" if result.fix else ""
    return NotYet(
        f"{what} is blocked ({result.error_code}). The browser says: {result.console_message}{fix}",
        idea=f"{what} is blocked: the browser's console message names what it found missing or wrong in the "
        "answer; start there.",
        hints=(
            "a request with credentials needs more from the answer than one without: the exact origin (never '*') "
            "and Access-Control-Allow-Credentials: true; a preflighted one also needs its method allowed.",
        ),
    )


def _rejected_cookie(result: FetchResult) -> str | None:
    for step in result.steps:
        if step.kind is StepKind.COOKIE_REJECTED:
            return step.detail
    return None


# --- 4.1: the login round trip works for the frontend and for nobody else ------------------------------------


def _login_then_attack(config: CorsConfig, *, samesite: str, third_party_cookies: bool) -> list[str]:
    """Log in from the frontend, read /me, then let each attacker page in the same browser try /me.

    Returns a description of each attacker that read the user's data.
    """
    app = demo_api(config)
    jar = CookieJar(block_third_party=not third_party_cookies)
    frontend = Browser(FRONTEND, app=app)
    frontend.cookies = jar
    query = "" if samesite == "lax" else f"?samesite={samesite}"
    login = frontend.fetch(f"{API}/login{query}", method="POST", json={"name": "alice"}, credentials="include")
    if login.blocked:
        raise _blocked("the frontend's POST /login (credentials: 'include', a JSON body, so preflighted)", login)
    if not len(jar):
        reason = _rejected_cookie(login) or "the response set no cookie"
        raise NotYet(
            f"POST /login answered {login.status}, but the browser did not keep the session cookie: {reason}",
            idea="the login answered, but the browser did not keep the session cookie: when does a browser "
            "refuse a Set-Cookie from a cross-origin answer?",
        )
    me = frontend.fetch(f"{API}/me", credentials="include")
    if me.blocked:
        raise _blocked("the frontend's GET /me (credentials: 'include')", me)
    if me.status != 200:
        raise NotYet(
            f"GET /me from {FRONTEND} answered {me.status}, not 200: the session cookie did not reach the API",
            idea=f"GET /me answered {me.status}: did the session cookie go along with it?",
        )
    leaks = []
    for attacker in ATTACKERS:
        page = Browser(attacker, app=app)
        page.cookies = jar
        stolen = page.fetch(f"{API}/me", credentials="include")
        if stolen.ok and stolen.status == 200:
            response = stolen.server_response
            allow_origin = response.get("access-control-allow-origin") if response else None
            where = (
                "the same site as the frontend, so neither SameSite nor third-party cookie blocking stops it"
                if attacker.startswith("http://localhost")
                else "in a browser that allows third-party cookies, once the session cookie is SameSite=None"
            )
            leaks.append(
                f"a page at {attacker} reads /me as {stolen.json().get('user')!r} ({where}): the API "
                f"answered it with Access-Control-Allow-Origin: {allow_origin} and "
                "Access-Control-Allow-Credentials: true"
            )
    return leaks


def _check_round_trip(settings: Any) -> str:
    config = _config(settings)
    leaks = _login_then_attack(config, samesite="lax", third_party_cookies=False)
    # A frontend on another site needs a SameSite=None cookie and a browser that allows third-party cookies:
    # the settings must hold there too.
    for leak in _login_then_attack(config, samesite="none", third_party_cookies=True):
        if leak not in leaks:
            leaks.append(leak)
    if leaks:
        raise NotYet(
            "the login round trip works, but "
            + "; and ".join(leaks)
            + f". Only {FRONTEND} may read credentialed responses",
            idea="the login round trip works, but another page can read /me too: look at which origins your "
            "settings let read answers sent with credentials.",
            hints=("think of a page on another site, and of another app on the frontend's own site.",),
        )
    return (
        f"the frontend at {FRONTEND} logs in and reads /me as 'alice', and neither "
        f"{' nor '.join(ATTACKERS)} can read /me, even in a browser that allows third-party cookies"
    )


round_trip = Exercise(
    "4.1",
    "Log in from the frontend, and only from the frontend",
    _check_round_trip,
    """
    login_settings = {
        "allow_origins": ["http://localhost:3000"],  # exactly the frontend, never "*" with credentials
        "allow_credentials": True,                   # the browser needs Access-Control-Allow-Credentials: true
        "allow_methods": ["GET", "POST"],            # the login's preflight asks for POST
    }
    """,
)


# --- 4.2: a credentialed page reads X-Total-Count --------------------------------------------------------------


def _check_total_count(settings: Any) -> str:
    config = _config(settings)
    page = Browser(FRONTEND, app=demo_api(config))
    result = page.fetch(f"{API}/users", credentials="include")
    if result.blocked:
        raise _blocked("the frontend's GET /users (credentials: 'include')", result)
    count = result.headers.get("x-total-count")
    if count is not None:
        return f"the page reads X-Total-Count: {count}"
    response = result.server_response
    exposed = response.get("access-control-expose-headers") if response else None
    if exposed is None:
        raise NotYet(
            "the server sent X-Total-Count, but no Access-Control-Expose-Headers, so the page may read "
            "only the safelisted response headers (Cache-Control, Content-Language, Content-Length, "
            "Content-Type, Expires, Last-Modified, Pragma): add 'X-Total-Count' to expose_headers",
            idea="the server sent X-Total-Count, but the page may not read it: which response headers may a "
            "cross-origin page read?",
            hints=("only the safelisted ones, and those the server names in one response header of its own.",),
        )
    names = [name.strip() for name in exposed.split(",")]
    if "*" in names:
        raise NotYet(
            f"the response says Access-Control-Expose-Headers: {exposed}, but this fetch uses "
            "credentials: 'include', and then the browser reads '*' as a header literally named '*', not "
            "as 'every header': list 'X-Total-Count' by name in expose_headers",
            idea="the response exposes '*', but this fetch sends credentials: what does '*' mean then?",
        )
    raise NotYet(
        f"the response says Access-Control-Expose-Headers: {exposed}, which does not name X-Total-Count "
        "(expose_headers must be a list of header names, such as ['X-Total-Count'])",
        idea="the server exposes some headers, but not this one: look at what Access-Control-Expose-Headers names.",
    )


total_count = Exercise(
    "4.2",
    "Let the logged-in page read X-Total-Count",
    _check_total_count,
    """
    count_settings = {
        "allow_origins": ["http://localhost:3000"],
        "allow_credentials": True,
        "expose_headers": ["X-Total-Count"],  # by name: "*" means nothing for credentialed requests
    }
    """,
)


# --- 4.3: which credentials mode? -------------------------------------------------------------------------------

#: The situations of exercise 4.3, by the key the learner answers under.
SITUATIONS = {
    "me": f"a page at {FRONTEND} shows who is logged in: GET {API}/me, which needs the session cookie "
    f"(the API allows {FRONTEND} with allow_credentials=True)",
    "token": f"a page at {FRONTEND} sends 'Authorization: Bearer <token>' to GET {API}/me (the API allows "
    f"{FRONTEND} and the Authorization header, and does not set allow_credentials)",
    "public": f"a page at {API} itself loads GET {API}/users and must send no cookie, because the answer is "
    "cached and shared between users",
}


def _logged_in(config: CorsConfig, page: str) -> tuple[Browser, str]:
    """A browser (page at ``page``) holding alice's session cookie for the API, and her token."""
    app = demo_api(config)
    login_page = Browser(API, app=app)  # same-origin with the API: the cookie is stored without any CORS
    token = login_page.fetch(f"{API}/login", method="POST", json={"name": "alice"}).json()["token"]
    browser = Browser(page, app=app)
    browser.cookies = login_page.cookies
    return browser, token


def _mode_problem(situation: str, mode: Credentials) -> Problem | None:
    if situation == "me":
        browser, _ = _logged_in(CorsConfig(allow_origins=[FRONTEND], allow_credentials=True), FRONTEND)
        result = browser.fetch(f"{API}/me", credentials=mode)
        if result.ok and result.status == 200:
            return None
        why = "'omit' never sends cookies" if mode == "omit" else "'same-origin' sends no cookie to another origin"
        return Problem(
            f"'me' with {mode!r}: /me answered {result.status}: which modes send the cookie to another origin?",
            f"'me' with {mode!r}: /me answered {result.status}, because {why}",
        )
    if situation == "token":
        browser, token = _logged_in(CorsConfig(allow_origins=[FRONTEND], allow_headers=["Authorization"]), FRONTEND)
        result = browser.fetch(f"{API}/me", headers={"Authorization": f"Bearer {token}"}, credentials=mode)
        if result.ok and result.status == 200:
            return None
        if result.blocked:
            return Problem(
                f"'token' with {mode!r}: the browser blocks it: is a token in a header a credential in "
                "fetch()'s sense, and does this API accept credentials?",
                f"'token' with {mode!r}: the browser blocks it ({result.error_code}), because the API does "
                "not send Access-Control-Allow-Credentials: true; a token in a header needs no credentials mode",
            )
        text = f"'token' with {mode!r}: /me answered {result.status}"
        return Problem(text, text)
    browser, _ = _logged_in(CorsConfig(), API)
    result = browser.fetch(f"{API}/users", credentials=mode)
    sent = [exchange.request for exchange in result.exchanges if exchange.request.kind == "actual"]
    if result.ok and not any(request.get("cookie") for request in sent):
        return None
    return Problem(
        f"'public' with {mode!r}: the request still carried the session cookie: look at where the page is.",
        f"'public' with {mode!r}: the request carried the session cookie, because the page is same-origin "
        "with the API and only one mode leaves cookies out even then",
    )


def _check_modes(answers: Any) -> str:
    if not isinstance(answers, Mapping):
        raise BadInput(f"give a dict that maps each situation ({', '.join(SITUATIONS)}) to a credentials mode")
    missing = [key for key in SITUATIONS if key not in answers]
    if missing:
        raise BadInput(
            f"no answer for {', '.join(map(repr, missing))}: give a mode for each of {', '.join(map(repr, SITUATIONS))}"
        )
    for key in SITUATIONS:
        if answers[key] not in MODES:
            raise BadInput(
                f"{answers[key]!r} (for {key!r}) is not a fetch() credentials mode: use 'omit', "
                "'same-origin' or 'include'"
            )
    problems = [p for p in (_mode_problem(key, credentials_mode(answers[key])) for key in SITUATIONS) if p]
    if problems:
        raise NotYet.parts(problems, f"{len(problems)} of {len(SITUATIONS)} modes are not right yet:")
    token_note = "" if answers["token"] == "same-origin" else " (the default 'same-origin' works for 'token' too)"
    return f"each fetch does what its page needs{token_note}"


pick_mode = Exercise(
    "4.3",
    "Pick the credentials mode",
    _check_modes,
    """
    modes = {
        "me": "include",         # a cookie goes to another origin only with "include"
        "token": "same-origin",  # the default: a token is a header, not a credential ("omit" works too)
        "public": "omit",        # the only mode that sends no cookie even to the page's own origin
    }
    """,
)
