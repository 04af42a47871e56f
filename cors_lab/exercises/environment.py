"""Exercises for notebook 05 · Configuring CORS from the environment.

Every check runs the learner's answer for real: the value goes through ``CorsConfig.from_env``
and ``audit_env``, the settings go into Starlette's CORSMiddleware on the demo API, and
``Browser`` pages (the intended frontends and some look-alikes) fetch from it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx
from fastapi import FastAPI, Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..auditing import audit_env
from ..config import DEFAULT_DEV_ORIGIN, CorsConfig, CorsConfigError
from ..demo import demo_api
from ..driver import Browser, FetchResult
from . import BadInput, Exercise, NotYet, settings_answer, without_fix

__all__ = [
    "CANDIDATES",
    "NEIGHBOUR_ADDRESS",
    "PROXY_ADDRESS",
    "SHOP_PAGES",
    "behind_the_proxy",
    "fix_settings",
    "production_origins",
    "proxied_users_api",
    "spot_refused",
    "trust_the_proxy",
]

API = "https://api.example.invalid"  # Browser(app=...) sends every request to the app in-process


def _fetch(page: str, app: Any, path: str = "/users") -> FetchResult:
    with Browser(page, app=app) as browser:
        return browser.fetch(API + path, credentials="include")


def _allow_origin(result: FetchResult) -> str | None:
    response = result.server_response
    return response.get("access-control-allow-origin") if response is not None else None


# --- 5.1: a production value ----------------------------------------------------------------------

#: The pages of the shop in exercise 5.1: its storefront and its admin panel.
SHOP_PAGES = ("https://www.shop.example", "https://admin.shop.example:8443")
_SHOP_LOOKALIKES = (
    "https://shop.example",
    "http://www.shop.example",
    "https://admin.shop.example",
    "https://www.shop.exampl",
    "https://evil.example",
    DEFAULT_DEV_ORIGIN,
)


def _check_production_origins(value: Any) -> str:
    if not isinstance(value, str):
        raise BadInput(
            f"the answer is {type(value).__name__} {value!r}: an environment variable is a string, "
            "such as 'https://a.example,https://b.example'"
        )
    environ = {"ALLOWED_ORIGINS": value, "CORS_ALLOW_CREDENTIALS": "true"}
    try:
        config = CorsConfig.from_env(environ)
    except CorsConfigError as error:
        raise NotYet(
            f"CorsConfig.from_env refuses this value: {error}",
            idea=f"CorsConfig.from_env refuses this value: {without_fix(str(error))}: how does a browser write it?",
            hints=(
                "a browser's Origin header is a lower-case scheme://host, with the port only when it is not the "
                "scheme's default, and nothing after it.",
            ),
        ) from None
    serious = [f for f in audit_env(environ, production=True) if f.severity != "info"]
    if serious:
        first = serious[0]
        raise NotYet(
            f"audit_env(production=True) reports {first.severity} {first.code}: {first.message} (fix: {first.fix})",
            idea=f"audit_env(production=True) reports {_a(first.severity)}: run it on your value and read "
            "what it finds.",
        )
    app = demo_api(config)
    for page in SHOP_PAGES:
        result = _fetch(page, app)
        if not result.ok:
            raise NotYet(
                f"the shop's page at {page} is still blocked: {result.console_message}",
                idea=f"the shop's page at {page} is still blocked: put the Origin its browser sends next to each "
                "item of your value.",
                hints=(
                    "a browser sends a lower-case scheme and host, the port only when it is not the default "
                    "one, and no path.",
                ),
            )
    extra = [origin for origin in config.allow_origins if origin not in SHOP_PAGES]
    for page in [*extra, *(p for p in _SHOP_LOOKALIKES if p not in extra)]:
        if _fetch(page, app).ok:
            raise NotYet(
                f"a page at {page} can read the API too, but the shop has no page there: "
                "list only the shop's two origins",
                idea="a page where the shop has none can read the API too: list only what the shop's two pages send.",
            )
    return (
        f"from_env accepts it, audit_env(production=True) finds nothing to fix, both shop pages can read "
        f"the API, and none of {len(_SHOP_LOOKALIKES)} look-alike origins can"
    )


production_origins = Exercise(
    "5.1",
    "A production ALLOWED_ORIGINS value",
    _check_production_origins,
    """
    allowed_origins = "https://www.shop.example,https://admin.shop.example:8443"
    """,
    (
        "No trailing slash; the port stays because `8443` is not the default for https; and "
        "`localhost` belongs in the development environment, not in production."
    ),
)


# --- 5.2: fix the settings function ----------------------------------------------------------------

#: (environment, pages that must read the API, pages that must not), as exercise 5.2 tries them.
_SCENARIOS: tuple[tuple[dict[str, str], tuple[str, ...], tuple[str, ...]], ...] = (
    ({}, (DEFAULT_DEV_ORIGIN,), ("http://localhost:300", "http://localhost:3001", "https://evil.example")),
    (
        {"ALLOWED_ORIGINS": "https://myfrontend.com,https://admin.myfrontend.com"},
        ("https://myfrontend.com", "https://admin.myfrontend.com"),
        ("https://myfrontend.co", "https://admin.myfrontend.co", DEFAULT_DEV_ORIGIN, "https://evil.example"),
    ),
    (
        {"ALLOWED_ORIGINS": "https://myfrontend.com, https://admin.myfrontend.com"},
        ("https://myfrontend.com", "https://admin.myfrontend.com"),
        ("https://myfrontend.co", DEFAULT_DEV_ORIGIN, "https://evil.example"),
    ),
)


def _describe(environ: Mapping[str, str]) -> str:
    value = environ.get("ALLOWED_ORIGINS")
    return "ALLOWED_ORIGINS unset" if value is None else f"ALLOWED_ORIGINS={value!r}"


def _as_config(settings: Any) -> CorsConfig:
    return settings_answer(settings, "{'allow_origins': ['https://myfrontend.com']}")


def _check_fix_settings(settings_from: Callable[[dict[str, str]], Any]) -> str:
    if not callable(settings_from):
        raise BadInput(f"the answer is {type(settings_from).__name__}, not a function of the environment")
    for environ, good, evil in _SCENARIOS:
        config = _as_config(settings_from(dict(environ)))
        app = demo_api(config)
        origins = config.allow_origins
        for page in good:
            result = _fetch(page, app)
            if not result.ok:
                hint = ""
                if not isinstance(origins, str):
                    spaced = [o for o in origins if isinstance(o, str) and o != o.strip()]
                    if spaced:
                        hint = f" (allow_origins holds {spaced[0]!r}, spaces included: strip each item)"
                raise NotYet(
                    f"with {_describe(environ)}, the page at {page} is still blocked{hint}: {result.console_message}",
                    idea=f"with {_describe(environ)}, the page at {page} is still blocked: print what your function "
                    "returns for this environment, item by item.",
                    hints=("an environment variable is text as it was typed: look at what surrounds each origin.",),
                )
        for page in evil:
            result = _fetch(page, app)
            if result.ok:
                hint = ""
                if isinstance(origins, str):
                    hint = (
                        f": allow_origins is the string {origins!r}, and Starlette tests `origin in "
                        f"{origins!r}`, a substring match; split the value into a list"
                    )
                elif "*" in origins:
                    hint = (
                        ": allow_origins contains '*', and with allow_credentials=True Starlette echoes any "
                        "Origin; list the exact origins instead"
                    )
                raise NotYet(
                    f"with {_describe(environ)}, a page at {page} can read the API "
                    f"(Access-Control-Allow-Origin: {_allow_origin(result)}), but it is not one of "
                    f"your frontends{hint}",
                    idea=f"with {_describe(environ)}, a page that is not one of your frontends can read the API: "
                    "print the allow_origins your function makes for this environment: its type and its items.",
                )
    return (
        f"in {len(_SCENARIOS)} environments every intended page can read the API with credentials, "
        "and none of the look-alike origins can"
    )


fix_settings = Exercise(
    "5.2",
    "Fix the settings function",
    _check_fix_settings,
    """
    def cors_settings(environ):
        value = environ.get("ALLOWED_ORIGINS", "http://localhost:3000")
        origins = [item.strip() for item in value.split(",") if item.strip()]
        return dict(allow_origins=origins, allow_credentials=True,
                    allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    """,
    (
        "Or let the library split, strip and check: `return "
        'cors_lab.CorsConfig.from_env({"CORS_ALLOW_CREDENTIALS": "true", **environ})`.'
    ),
)


# --- 5.3: which values does from_env refuse? --------------------------------------------------------

#: The values of ALLOWED_ORIGINS in exercise 5.3, by letter.
CANDIDATES: dict[str, str] = {
    "A": "https://myfrontend.com,https://admin.myfrontend.com",
    "B": "https://myfrontend.com/",
    "C": "https://myfrontend.com, https://admin.myfrontend.com",
    "D": "myfrontend.com",
    "E": "https://myfrontend.com:443",
    "F": "*",
    "G": "https://MyFrontend.com",
}


def _from_env_error(value: str) -> str | None:
    try:
        CorsConfig.from_env({"ALLOWED_ORIGINS": value})
    except CorsConfigError as error:
        return str(error)
    return None


def _letters(answer: Any) -> set[str]:
    if isinstance(answer, str):
        answer = [part for part in answer.replace(",", " ").split()]
    if not isinstance(answer, Iterable):
        raise BadInput(f"the answer is {type(answer).__name__} {answer!r}: give a set of letters, such as {{'A', 'B'}}")
    letters = set()
    for item in answer:
        if not isinstance(item, str) or item.strip().upper() not in CANDIDATES:
            raise BadInput(f"{item!r} is not one of the values: pick letters from A to {max(CANDIDATES)}")
        letters.add(item.strip().upper())
    return letters


def _check_spot_refused(answer: Any) -> str:
    chosen = _letters(answer)
    refused = {letter for letter, value in CANDIDATES.items() if _from_env_error(value) is not None}
    for letter in sorted(chosen - refused):
        value = CANDIDATES[letter]
        config = CorsConfig.from_env({"ALLOWED_ORIGINS": value})
        origins = list(config.allow_origins)
        if value == "*":
            flagged = [f for f in audit_env({"ALLOWED_ORIGINS": value}, production=True) if f.severity == "error"]
            codes = ", ".join(f.code for f in flagged)
            raise NotYet(
                f"from_env accepts {letter} ({value!r}): '*' is a valid value, fine in development; "
                f"it is audit_env(production=True) that stops it in production (error: {codes})",
                idea=f"{letter} ({value!r}): is it from_env that keeps it out of production, or something else?",
            )
        detail = " (it strips the spaces around each item)" if value != ",".join(origins) else ""
        raise NotYet(
            f"from_env accepts {letter} ({value!r}){detail}: it gives allow_origins={origins!r}",
            idea=f"{letter} ({value!r}): is that a value from_env refuses? Section 6 says what it does with each "
            "item before it checks it, and what it checks.",
        )
    missing = refused - chosen
    if missing:
        found = len(refused & chosen)
        raise NotYet(
            f"you found {found} of the {len(refused)} values from_env refuses; {len(missing)} more "
            f"{'is' if len(missing) == 1 else 'are'} refused. Compare each with what a browser sends in "
            "its Origin header: lower-case scheme and host, no default port, no path",
            idea=f"you found {found} of the {len(refused)} values from_env refuses: compare each of the others "
            "with what a browser sends in its Origin header.",
        )
    accepted = sorted(set(CANDIDATES) - refused)
    flagged_letters = [
        letter
        for letter in accepted
        if any(f.severity == "error" for f in audit_env({"ALLOWED_ORIGINS": CANDIDATES[letter]}, production=True))
    ]
    return (
        f"from_env refuses exactly {', '.join(sorted(refused))} and accepts {', '.join(accepted)}; of those, "
        f"audit_env(production=True) still reports an error for {', '.join(flagged_letters) or 'none'}"
    )


spot_refused = Exercise(
    "5.3",
    "Which values does from_env refuse?",
    _check_spot_refused,
    """
    refused = {"B", "D", "E", "G"}
    """,
    (
        "B has a trailing slash, D has no scheme, E spells out the default port (browsers send "
        "`https://myfrontend.com`), and G has capitals (browsers send the host in lower case). A is "
        "fine, C is fine because `from_env` strips the spaces, and F (`*`) is accepted: it is "
        "`audit_env(production=True)` that reports it."
    ),
)


# --- 5.4: trust the proxy, and only the proxy ---------------------------------------------------------

#: Exercise 5.4: nginx ends TLS and forwards to uvicorn from this address (a Docker network's); another
#: container on the same network, which must not be able to pose as someone else, is at NEIGHBOUR_ADDRESS.
PROXY_ADDRESS = "172.18.0.5"
NEIGHBOUR_ADDRESS = "172.18.0.9"
_BROWSER_ADDRESS = "203.0.113.7"
_PUBLIC_API = "http://api.myfrontend.com"  # what uvicorn sees: TLS ended at the proxy


def proxied_users_api(forwarded_allow_ips: Any) -> Any:
    """A FastAPI app with ``/users`` (and ``/whoami``), wrapped as ``uvicorn --proxy-headers
    --forwarded-allow-ips=<forwarded_allow_ips>`` wraps it."""
    app = FastAPI()  # redirect_slashes=True, FastAPI's default

    @app.get("/users")
    def users() -> list[dict[str, Any]]:
        return [{"id": 1, "name": "alice"}]

    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, Any]:
        return {"client": request.client.host if request.client else None, "scheme": request.url.scheme}

    asgi: Any = app
    return ProxyHeadersMiddleware(asgi, trusted_hosts=forwarded_allow_ips)


def behind_the_proxy(app: Any, path: str, source: str) -> httpx.Response:
    """GET ``path`` as it arrives from ``source``, carrying the headers nginx adds (X-Forwarded-Proto: https,
    X-Forwarded-For: the browser's address). Runs in a thread of its own, so it works inside a notebook too."""

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(source, 41000))
        async with httpx.AsyncClient(transport=transport, base_url=_PUBLIC_API) as client:
            headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": _BROWSER_ADDRESS}
            return await client.get(path, headers=headers)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, get()).result()


def _check_trust_the_proxy(forwarded_allow_ips: Any) -> str:
    if isinstance(forwarded_allow_ips, (list, tuple)) and all(isinstance(item, str) for item in forwarded_allow_ips):
        forwarded_allow_ips = ",".join(forwarded_allow_ips)
    if not isinstance(forwarded_allow_ips, str):
        raise BadInput(
            f"the answer is {type(forwarded_allow_ips).__name__} {forwarded_allow_ips!r}: give the value of "
            "--forwarded-allow-ips as a string, such as '10.0.0.1' (several separated by commas)"
        )
    redirect = behind_the_proxy(proxied_users_api(forwarded_allow_ips), "/users/", PROXY_ADDRESS)
    location = redirect.headers.get("location", "")
    if not location.startswith("https://"):
        raise NotYet(
            f"the redirect from the proxy still says Location: {location}: the request came from the proxy at "
            f"{PROXY_ADDRESS}, which {forwarded_allow_ips!r} does not trust, so uvicorn ignored its "
            "X-Forwarded-Proto: https",
            idea=f"the redirect still says Location: {location}: uvicorn did not believe the proxy's "
            "X-Forwarded-Proto header. Which address does uvicorn compare with your value?",
            hints=(
                "uvicorn believes X-Forwarded-* only from the addresses in --forwarded-allow-ips: the address "
                "of the machine that connects to uvicorn, not the browser's.",
            ),
        )
    posing = behind_the_proxy(proxied_users_api(forwarded_allow_ips), "/whoami", NEIGHBOUR_ADDRESS).json()
    if posing["client"] != NEIGHBOUR_ADDRESS:
        raise NotYet(
            f"the redirect is right, but {forwarded_allow_ips!r} also trusts the container at {NEIGHBOUR_ADDRESS}: "
            f"its X-Forwarded-For made the app see the client {posing['client']} (and scheme {posing['scheme']}); "
            f"trust only the proxy's address, {PROXY_ADDRESS}",
            idea="the redirect is right now, but another machine on the network can pose as any client: "
            "which addresses does your value trust?",
            hints=("a logged or rate-limited client address is only as good as the list of proxies you trust.",),
        )
    return (
        f"through the proxy the redirect says Location: {location}, and the container at {NEIGHBOUR_ADDRESS} is "
        f"seen as itself ({posing['client']}), whatever X-Forwarded-For it sends"
    )


trust_the_proxy = Exercise(
    "5.4",
    "Trust the proxy, and only the proxy",
    _check_trust_the_proxy,
    """
    forwarded_allow_ips = "172.18.0.5"  # the proxy's address: the machine that connects to uvicorn
    """,
    (
        "uvicorn compares the address of the connection with `--forwarded-allow-ips`. Its default, "
        "`127.0.0.1`, is right only when nginx runs on the same machine; `*` would let every container on "
        "the network set X-Forwarded-For and X-Forwarded-Proto."
    ),
)


def _a(severity: str) -> str:
    """ "an error", "a warning"."""
    return ("an " if severity[:1] in "aeiou" else "a ") + severity
