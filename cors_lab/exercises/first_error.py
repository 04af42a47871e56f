"""Exercises for notebook 02 (your first CORS error). Every check runs the learner's answer for real:
the settings go into the tutorial's ``demo_api`` and the browser model fetches from it.

* ``only_the_frontend`` (2.1): an ``allow_origins`` list that lets the frontend in and nobody else.
* ``did_the_server_run_it`` (2.2): read two console messages; did the server run the request?
* ``trailing_slash`` (2.3): fix the seed article's settings, deployed with a trailing slash.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..config import CorsConfig
from ..demo import demo_api
from ..driver import Browser, FetchResult
from ..origins import OriginError, compare_origins
from . import BadInput, Exercise, NotYet, Problem, settings_answer

__all__ = [
    "EVIL_ORIGIN",
    "LESSON_API",
    "LESSON_PAGE",
    "PRODUCTION_PAGE",
    "console_messages",
    "did_the_server_run_it",
    "only_the_frontend",
    "server_ran",
    "trailing_slash",
]

#: A website the learner does not control (it need not exist: the browser model only sends its origin).
EVIL_ORIGIN = "https://evil.example"
#: The lesson's names for the frontend and the backend (exercise 2.2 runs in-process, so the ports are free).
LESSON_PAGE = "http://localhost:3000"
LESSON_API = "http://localhost:8000"
#: The deployed frontend of exercise 2.3 (the seed article's second origin).
PRODUCTION_PAGE = "https://myfrontend.com"


def _fetch(settings: CorsConfig | None, origin: str, path: str = "/users", **options: Any) -> FetchResult:
    """``fetch(LESSON_API + path)`` from a page at ``origin``, against a fresh demo_api with ``settings``."""
    app = demo_api(settings) if settings is not None else demo_api()
    with Browser(origin, app=app) as page:
        return page.fetch(LESSON_API + path, **options)


def _near_miss(entry: str, origin: str) -> str | None:
    """Why a listed ``entry`` does not match the browser's ``origin``, or None when it is unrelated."""
    if entry == origin:
        return None
    if entry.rstrip("/") == origin:
        return (
            f"{entry!r} ends with a slash, but the browser sends its Origin header as {origin!r}, with no "
            "slash, and Starlette compares the two character for character"
        )
    try:
        comparison = compare_origins(entry, origin)
    except OriginError:
        return None
    if comparison.same_origin:
        return f"{entry!r} must be written exactly as the browser sends it: {origin!r}"
    if comparison.differences == ("port",):
        return f"{entry!r} has another port than the page (the port is part of the origin)"
    if comparison.differences == ("host",):
        return f"{entry!r} is not the page's origin {origin!r}: {comparison.explanation}"
    if comparison.differences == ("scheme",):
        return f"{entry!r} has another scheme than the page's {origin!r}"
    return None


def _why_blocked(result: FetchResult, allow_origins: Any) -> str:
    """The reason a listed origin did not let the page in, in words a learner can act on."""
    entries = [allow_origins] if isinstance(allow_origins, str) else list(allow_origins)
    for entry in entries:
        reason = _near_miss(str(entry), result.page_origin)
        if reason:
            return reason
    return f"{result.page_origin!r} is not in your list, so CORSMiddleware sends no Access-Control-Allow-Origin header"


# --- 2.1 ---------------------------------------------------------------------------------------------------


def _check_only_the_frontend(allow_origins: Any, frontend_origin: str) -> str:
    if isinstance(allow_origins, str):
        raise BadInput(
            f"allow_origins must be a list of origins, such as [{allow_origins!r}], not a single string "
            "(Starlette would search inside the string)"
        )
    if not isinstance(allow_origins, (list, tuple)) or not all(isinstance(o, str) for o in allow_origins):
        raise BadInput("allow_origins must be a list of origins written as strings, such as ['https://example.com']")
    settings = CorsConfig(allow_origins=list(allow_origins))
    mine = _fetch(settings, frontend_origin)
    if not mine.ok:
        raise NotYet(
            f"the browser still blocks the frontend at {frontend_origin}: {_why_blocked(mine, allow_origins)}.",
            idea="the browser still blocks the frontend: look at the Origin header the page sends and at "
            "what your list has.",
            hints=(
                "CORSMiddleware compares the Origin header with each entry character for character: the "
                "scheme, the host (localhost and 127.0.0.1 are different hosts), the port, and no trailing slash.",
            ),
        )
    evil = _fetch(settings, EVIL_ORIGIN)
    if evil.ok:
        raise NotYet(
            f"the frontend gets in, but a page at {EVIL_ORIGIN} can read the users too (the server "
            f"answers Access-Control-Allow-Origin: {_allow_origin(evil)}"
            "): '*' lets every website in. List only the frontend's origin.",
            idea="the frontend gets in, but so does a website you do not control: look at what each entry lets in.",
            hints=("an entry names one origin, except one special value, which stands for every origin.",),
        )
    for entry in allow_origins:
        if entry in (frontend_origin, "*"):
            continue
        try:
            other = _fetch(settings, entry)
        except (OriginError, ValueError):
            raise BadInput(f"{entry!r} is not an origin a browser could send: remove it from the list") from None
        if other.ok:
            raise NotYet(
                f"the frontend gets in, but so does a page at {other.page_origin}: remove {entry!r}, "
                "so that only the frontend is allowed.",
                idea="the frontend gets in, but so does another page: the list should let in exactly one origin.",
            )
    return (
        f"the page at {frontend_origin} reads the users (Access-Control-Allow-Origin: "
        f"{_allow_origin(mine)}), and {EVIL_ORIGIN} is blocked."
    )


def _allow_origin(result: FetchResult) -> str | None:
    response = result.server_response
    return response.get("access-control-allow-origin") if response is not None else None


only_the_frontend = Exercise(
    "2.1",
    "Let exactly the frontend in",
    _check_only_the_frontend,
    """
    allowed = [FRONTEND]  # the page's exact origin; not frontend.url: 127.0.0.1 is another host than localhost
    """,
)


# --- 2.2 ---------------------------------------------------------------------------------------------------

#: The two blocked requests of exercise 2.2: a page at LESSON_PAGE calls an API with no CORSMiddleware.
_PUZZLE: dict[str, dict[str, Any]] = {
    "A": {"path": "/login", "method": "POST"},
    "B": {"path": "/users", "method": "POST", "json": {"name": "mallory"}},
}


@lru_cache(maxsize=1)
def _puzzle_results() -> dict[str, FetchResult]:
    return {label: _fetch(None, LESSON_PAGE, **request) for label, request in _PUZZLE.items()}


def console_messages() -> dict[str, str]:
    """The console line Chromium prints for each request of exercise 2.2 (computed, not typed in)."""
    return {label: result.console_message or "" for label, result in _puzzle_results().items()}


def server_ran(result: FetchResult) -> bool:
    """Whether the server received (and so ran) the request the page asked for, not just a preflight."""
    return any(exchange.request.kind == "actual" and exchange.response is not None for exchange in result.exchanges)


def _check_did_the_server_run_it(answers: Any) -> str:
    if not isinstance(answers, Mapping):
        raise BadInput('give a dict such as {"A": ..., "B": ...}, with True or False for each message')
    problems = []
    for label, result in _puzzle_results().items():
        answer = answers.get(label)
        request = result.request
        what = f"{request.method} {request.url.removeprefix(LESSON_API)}"
        if not isinstance(answer, bool):
            say = f"say True or False for message {label}"
            problems.append(Problem(say, say))
            continue
        ran = server_ran(result)
        if answer == ran:
            continue
        first = result.exchanges[0]
        assert first.response is not None
        idea = (
            f"message {label}: read its first words. Is the browser complaining about the response, or about "
            f"the preflight (its OPTIONS question)? Only one of the two means the {request.method} reached the server."
        )
        step = (
            f"message {label}: a CORS error about the response comes after the server has answered the request; "
            "a failed preflight comes before the request is ever sent."
        )
        if ran:
            detail = (
                f"message {label} is about the response ('No Access-Control-Allow-Origin header is present on the "
                f"requested resource'): the server did run {what} and answered {first.response.status}; the "
                "browser only hid that answer from the page"
            )
        else:
            detail = (
                f"message {label} says 'Response to preflight request': the browser only sent its OPTIONS question "
                f"first, the server answered it with {first.response.status} and no CORS headers, so the browser "
                f"never sent the {request.method} itself: the server did not run {what}"
            )
        problems.append(Problem(idea, detail, (step,)))
    if problems:
        raise NotYet.parts(problems, f"{len(problems)} of {len(_PUZZLE)} answers are not right yet:")
    return (
        "a CORS error about the response means the server ran the request and the page just cannot read the "
        "answer; only a failed preflight stops the request from being sent."
    )


did_the_server_run_it = Exercise(
    "2.2",
    "Did the server run it?",
    _check_did_the_server_run_it,
    """
    server_ran = {"A": True, "B": False}
    """,
    (
        "Message A is about the response: the server ran `POST /login`, and the browser hid its "
        "answer. Message B is about the preflight: the server's answer to the OPTIONS question had "
        "no CORS headers, so the POST was never sent."
    ),
)


# --- 2.3 ---------------------------------------------------------------------------------------------------


def _check_trailing_slash(settings: Any) -> str:
    config = settings_answer(settings, "dict(allow_origins=['https://example.com'])")
    origins = config.allow_origins
    if isinstance(origins, str):
        raise BadInput("allow_origins must be a list, such as ['https://example.com'], not a single string")
    get = _fetch(config, PRODUCTION_PAGE)
    if not get.ok:
        raise NotYet(
            f"the page at {PRODUCTION_PAGE} is still blocked on GET /users: {_why_blocked(get, origins)}.",
            idea="the deployed page is still blocked on GET /users: put the Origin header its browser sends "
            "next to your allow_origins entry.",
            hints=(
                "an Origin header is scheme://host[:port] and nothing after it: compare it character by character.",
            ),
        )
    evil = _fetch(config, EVIL_ORIGIN)
    if evil.ok:
        raise NotYet(
            f"{PRODUCTION_PAGE} gets in now, but so does {EVIL_ORIGIN}: '*' lets every website in. Remove "
            "the trailing slash instead.",
            idea="the deployed page gets in now, but so does every other website: the fix is smaller than that.",
        )
    post = _fetch(config, PRODUCTION_PAGE, method="POST", json={"name": "carol"})
    if not post.ok:
        raise NotYet(
            f"GET works, but the page's POST /users with a JSON body is blocked now: {post.fix} Keep the "
            "other settings as they were.",
            idea="GET works, but the page's POST /users with a JSON body is blocked now: did other settings change?",
        )
    return (
        f"the browser sends 'Origin: {PRODUCTION_PAGE}' with no slash, and now the list has exactly that: GET "
        f"and POST /users both pass, and {EVIL_ORIGIN} stays out."
    )


trailing_slash = Exercise(
    "2.3",
    "Fix the trailing slash",
    _check_trailing_slash,
    """
    production_settings = dict(
        allow_origins=["https://myfrontend.com"],  # no slash: exactly what the browser sends as Origin
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    """,
)
