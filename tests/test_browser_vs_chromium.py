"""The browser model against real headless Chromium, case by case.

Each case serves a page from origin A and an app from origin B (and sometimes C), both real
in-process servers, makes the same fetch() calls in Chromium and through ``cors_lab.Browser``,
and asserts the same outcome: resolved or blocked, status, readable headers, Chromium's console
message word for word, and the same requests reaching the servers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from cors_lab import Browser, CorsConfig, demo_api, frontend_app, serve

PAGE_JS = """async ({url, init}) => {
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    return {ok: true, status: response.status, headers: [...response.headers.keys()].sort(), body};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


# --- servers -------------------------------------------------------------------------------------


class Recorder:
    """Wraps an app and notes every request that reaches it."""

    def __init__(self, app: Any, hits: list[str], name: str) -> None:
        self.app, self.hits, self.name = app, hits, name

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            origin = dict(scope["headers"]).get(b"origin", b"-").decode()
            self.hits.append(f"{self.name} {scope['method']} origin={origin}")
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class Reply:
    """A hand-written response; '{page}', '{b}' and '{c}' in header values become the live origins."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"hello"


def raw_app(actual: Reply, preflight: Reply | None = None) -> Callable[[dict[str, str]], Any]:
    """An ASGI app that sends exactly the given status and header lines (repeats included)."""

    def build(origins: dict[str, str]) -> Any:
        async def app(scope, receive, send):
            if scope["type"] != "http":
                return
            while (await receive()).get("more_body"):
                pass
            reply = preflight if (preflight is not None and scope["method"] == "OPTIONS") else actual
            headers = [
                (name.lower().encode(), value.format(**origins).encode("latin-1")) for name, value in reply.headers
            ]
            if not any(name == b"content-type" for name, _ in headers):
                headers.append((b"content-type", b"text/plain; charset=utf-8"))
            await send({"type": "http.response.start", "status": reply.status, "headers": headers})
            await send({"type": "http.response.body", "body": reply.body})

        return app

    return build


def demo(**cors: Any) -> Callable[[dict[str, str]], Any]:
    """The tutorial's API; '{page}' in allow_origins becomes the page's live origin."""

    def build(origins: dict[str, str]) -> Any:
        if not cors:
            return demo_api()
        settings = dict(cors)
        if "allow_origins" in settings:
            settings["allow_origins"] = [o.format(**origins) for o in settings["allow_origins"]]
        if "allow_origin_regex" in settings:
            settings["allow_origin_regex"] = settings["allow_origin_regex"].format(**origins)
        return demo_api(CorsConfig(**settings))

    return build


# --- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    json: Any = None
    content: str | None = None
    credentials: str = "same-origin"
    wait: float = 0.0  # seconds to let pass before this call (moves the model's clock the same)


@dataclass(frozen=True)
class Case:
    id: str
    backend: Callable[[dict[str, str]], Any]
    calls: tuple[Call, ...]
    third: Callable[[dict[str, str]], Any] | None = None  # the app at origin C, for redirects
    page_host: str = "localhost"
    backend_host: str = "localhost"
    fresh: bool = False  # a fresh browser context: empty cookie jar and preflight cache
    expect: tuple[str | None, ...] = field(default=())  # the model's error codes, a sanity check on the case


def get(path: str = "/users", **kw: Any) -> tuple[Call, ...]:
    return (Call(path, **kw),)


PAGE = ("Access-Control-Allow-Origin", "{page}")
CREDS = ("Access-Control-Allow-Credentials", "true")
ANY_HEADERS = dict(allow_headers=["*"])

CASES = [
    # Starlette's CORSMiddleware, configured as the lessons do.
    Case("no-middleware", demo(), get(), expect=("MissingAllowOriginHeader",)),
    Case("exact-origin", demo(allow_origins=["{page}"]), get(), expect=(None,)),
    Case("other-origin", demo(allow_origins=["http://localhost:9"]), get(), expect=("MissingAllowOriginHeader",)),
    Case(
        "trailing-slash-in-allow-origins", demo(allow_origins=["{page}/"]), get(), expect=("MissingAllowOriginHeader",)
    ),
    Case("wildcard", demo(allow_origins=["*"]), get(), expect=(None,)),
    Case(
        "wildcard-credentials-not-allowed",
        demo(allow_origins=["*"]),
        get(credentials="include"),
        expect=("WildcardOriginNotAllowed",),
    ),
    Case(
        "wildcard-with-allow-credentials-reflects-origin",
        demo(allow_origins=["*"], allow_credentials=True),
        get(credentials="include"),
        expect=(None,),
    ),
    Case(
        "credentials-without-allow-credentials",
        demo(allow_origins=["{page}"]),
        get(credentials="include"),
        expect=("InvalidAllowCredentials",),
    ),
    Case(
        "credentials-allowed",
        demo(allow_origins=["{page}"], allow_credentials=True),
        get(credentials="include"),
        expect=(None,),
    ),
    Case(
        "put-default-methods",
        demo(allow_origins=["{page}"]),
        (Call("/users/1", "PUT", json={"name": "x"}),),
        expect=("PreflightInvalidStatus",),
    ),
    Case(
        "delete-default-methods",
        demo(allow_origins=["{page}"]),
        (Call("/users/2", "DELETE"),),
        expect=("PreflightInvalidStatus",),
    ),
    Case(
        "put-allowed",
        demo(allow_origins=["{page}"], allow_methods=["GET", "PUT"]),
        (Call("/users/1", "PUT", json={"name": "x"}),),
        expect=(None,),
    ),
    Case(
        "delete-allowed",
        demo(allow_origins=["{page}"], allow_methods=["*"]),
        (Call("/users/2", "DELETE"),),
        expect=(None,),
    ),
    Case(
        "custom-header-not-allowed",
        demo(allow_origins=["{page}"]),
        get(headers=(("X-Custom", "1"),)),
        expect=("PreflightInvalidStatus",),
    ),
    Case(
        "custom-header-allowed",
        demo(allow_origins=["{page}"], allow_headers=["X-Custom"]),
        get(headers=(("X-Custom", "1"),)),
        expect=(None,),
    ),
    Case(
        "authorization-under-star",
        demo(allow_origins=["{page}"], **ANY_HEADERS),
        get("/me", headers=(("Authorization", "Bearer nope"),)),
        expect=(None,),
    ),
    Case(
        "authorization-listed-with-credentials",
        demo(allow_origins=["{page}"], allow_credentials=True, allow_headers=["Authorization"]),
        get("/me", headers=(("Authorization", "Bearer nope"),), credentials="include"),
        expect=(None,),
    ),
    Case(
        "json-post-default-methods",
        demo(allow_origins=["{page}"]),
        (Call("/users", "POST", json={"name": "carol"}),),
        expect=("PreflightInvalidStatus",),
    ),
    Case(
        "json-post-allowed",
        demo(allow_origins=["{page}"], allow_methods=["GET", "POST"]),
        (Call("/users", "POST", json={"name": "carol"}),),
        expect=(None,),
    ),
    Case(
        "text-post-is-simple-and-reaches-the-server",
        demo(),
        (Call("/users", "POST", content='{"name": "dave"}'),),
        expect=("MissingAllowOriginHeader",),
    ),
    Case(
        "http-exception-404-is-readable",
        demo(allow_origins=["{page}"], allow_methods=["PUT"]),
        (Call("/users/99", "PUT", json={"name": "x"}),),
        expect=(None,),
    ),
    Case(
        "unhandled-500-has-no-cors-headers",
        demo(allow_origins=["{page}"]),
        get("/boom"),
        expect=("MissingAllowOriginHeader",),
    ),
    Case(
        "preflight-redirected-by-trailing-slash",
        demo(),
        get("/items", headers=(("X-Custom", "1"),)),
        expect=("PreflightDisallowedRedirect",),
    ),
    Case(
        "trailing-slash-redirect-then-preflight-again",
        demo(allow_origins=["{page}"], **ANY_HEADERS),
        get("/items", headers=(("X-Custom", "1"),)),
        expect=(None,),
    ),
    Case("expose-headers", demo(allow_origins=["{page}"], expose_headers=["X-Total-Count"]), get(), expect=(None,)),
    Case("no-expose-headers-hides-x-total-count", demo(allow_origins=["{page}"]), get(), expect=(None,)),
    Case(
        "max-age-cache-hit-then-expiry",
        demo(allow_origins=["{page}"], allow_methods=["PUT"], max_age=1),
        (
            Call("/users/1", "PUT", json={"name": "a"}),
            Call("/users/1", "PUT", json={"name": "b"}),
            Call("/users/1", "PUT", json={"name": "c"}, wait=1.3),
        ),
        fresh=True,
        expect=(None, None, None),
    ),
    Case("origin-regex-match", demo(allow_origin_regex=r"http://localhost:\d+"), get(), expect=(None,)),
    Case(
        "origin-regex-miss",
        demo(allow_origin_regex=r"https://.*\.example\.com"),
        get(),
        expect=("MissingAllowOriginHeader",),
    ),
    Case(
        "localhost-is-not-127-0-0-1",
        demo(allow_origins=["http://127.0.0.1:1"]),
        get(),
        expect=("MissingAllowOriginHeader",),
    ),
    Case(
        "login-cookie-same-site",
        demo(allow_origins=["{page}"], allow_credentials=True, allow_methods=["GET", "POST"]),
        (
            Call("/login", "POST", json={"name": "erin"}, credentials="include"),
            Call("/me", credentials="include"),
            Call("/me"),
        ),
        fresh=True,
        expect=(None, None, None),
    ),
    Case(
        "login-cookie-cross-site-lax-is-refused",
        demo(allow_origins=["{page}"], allow_credentials=True, allow_methods=["GET", "POST"]),
        (Call("/login", "POST", json={"name": "erin"}, credentials="include"), Call("/me", credentials="include")),
        page_host="127.0.0.1",
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "login-cookie-cross-site-samesite-none",
        demo(allow_origins=["{page}"], allow_credentials=True, allow_methods=["GET", "POST"]),
        (
            Call("/login?samesite=none", "POST", json={"name": "erin"}, credentials="include"),
            Call("/me", credentials="include"),
        ),
        page_host="127.0.0.1",
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "cookie-not-sent-with-default-credentials",
        demo(allow_origins=["{page}"], allow_credentials=True, allow_methods=["GET", "POST"]),
        (Call("/login", "POST", json={"name": "erin"}), Call("/me", credentials="include")),
        fresh=True,
        expect=(None, None),
    ),
    # Hand-written responses: what Starlette never sends.
    Case(
        "two-allow-origin-headers",
        raw_app(Reply(headers=(PAGE, PAGE))),
        get("/x"),
        expect=("MultipleAllowOriginValues",),
    ),
    Case(
        "allow-origin-list",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", "{page}, http://b.example"),))),
        get("/x"),
        expect=("MultipleAllowOriginValues",),
    ),
    Case(
        "allow-origin-trailing-slash",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", "{page}/"),))),
        get("/x"),
        expect=("AllowOriginMismatch",),
    ),
    Case(
        "allow-origin-null",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", "null"),))),
        get("/x"),
        expect=("AllowOriginMismatch",),
    ),
    Case(
        "allow-origin-not-a-url",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", "foo"),))),
        get("/x"),
        expect=("InvalidAllowOriginValue",),
    ),
    Case(
        "allow-origin-upper-case",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", "HTTP://LOCALHOST"),))),
        get("/x"),
        expect=("AllowOriginMismatch",),
    ),
    Case(
        "allow-credentials-True",
        raw_app(Reply(headers=(PAGE, ("Access-Control-Allow-Credentials", "True")))),
        get("/x", credentials="include"),
        expect=("InvalidAllowCredentials",),
    ),
    Case(
        "allow-methods-lower-case",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "put")))),
        (Call("/x", "PUT"),),
        expect=("MethodDisallowedByPreflightResponse",),
    ),
    Case(
        "patch-is-not-upper-cased-by-fetch",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PATCH")))),
        (Call("/x", "patch"),),
        expect=("MethodDisallowedByPreflightResponse",),
    ),
    Case(
        "allow-methods-star-with-credentials",
        raw_app(Reply(headers=(PAGE, CREDS)), Reply(headers=(PAGE, CREDS, ("Access-Control-Allow-Methods", "*")))),
        (Call("/x", "PUT", credentials="include"),),
        expect=("MethodDisallowedByPreflightResponse",),
    ),
    Case(
        "preflight-without-allow-methods",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE,))),
        (Call("/x", "PUT"),),
        expect=("MethodDisallowedByPreflightResponse",),
    ),
    Case(
        "allow-headers-star",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Headers", "*")))),
        get("/x", headers=(("X-Custom", "1"),)),
        expect=(None,),
    ),
    Case(
        "allow-headers-star-with-credentials",
        raw_app(Reply(headers=(PAGE, CREDS)), Reply(headers=(PAGE, CREDS, ("Access-Control-Allow-Headers", "*")))),
        get("/x", headers=(("X-Custom", "1"),), credentials="include"),
        expect=("HeaderDisallowedByPreflightResponse",),
    ),
    Case(
        "authorization-under-hand-written-star",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Headers", "*")))),
        get("/x", headers=(("Authorization", "Bearer t"),)),
        expect=(None,),
    ),
    Case(
        "expose-headers-star",
        raw_app(Reply(headers=(PAGE, ("X-Total-Count", "3"), ("Access-Control-Expose-Headers", "*")))),
        get("/x"),
        expect=(None,),
    ),
    Case(
        "expose-headers-star-with-credentials",
        raw_app(Reply(headers=(PAGE, CREDS, ("X-Total-Count", "3"), ("Access-Control-Expose-Headers", "*")))),
        get("/x", credentials="include"),
        expect=(None,),
    ),
    Case(
        "preflight-204",
        raw_app(Reply(headers=(PAGE,)), Reply(204, (PAGE, ("Access-Control-Allow-Methods", "PUT")), b"")),
        (Call("/x", "PUT"),),
        expect=(None,),
    ),
    Case(
        "preflight-404-without-cors-headers",
        raw_app(Reply(headers=(PAGE,)), Reply(404)),
        (Call("/x", "PUT"),),
        expect=("PreflightMissingAllowOriginHeader",),
    ),
    Case(
        "preflight-500-with-allow-origin",
        raw_app(Reply(headers=(PAGE,)), Reply(500, (PAGE,))),
        (Call("/x", "PUT"),),
        expect=("PreflightInvalidStatus",),
    ),
    Case(
        "preflight-redirect",
        raw_app(Reply(headers=(PAGE,)), Reply(301, (PAGE, ("Location", "{b}/elsewhere")))),
        (Call("/x", "PUT"),),
        expect=("PreflightDisallowedRedirect",),
    ),
    Case(
        "preflight-wildcard-with-credentials",
        raw_app(
            Reply(headers=(PAGE, CREDS)),
            Reply(headers=(("Access-Control-Allow-Origin", "*"), CREDS, ("Access-Control-Allow-Methods", "PUT"))),
        ),
        (Call("/x", "PUT", credentials="include"),),
        expect=("PreflightWildcardOriginNotAllowed",),
    ),
    Case(
        "preflight-without-allow-credentials",
        raw_app(Reply(headers=(PAGE, CREDS)), Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PUT")))),
        (Call("/x", "PUT", credentials="include"),),
        expect=("PreflightInvalidAllowCredentials",),
    ),
    Case(
        "preflight-allow-origin-mismatch",
        raw_app(
            Reply(headers=(PAGE,)),
            Reply(
                headers=(("Access-Control-Allow-Origin", "http://localhost:1"), ("Access-Control-Allow-Methods", "PUT"))
            ),
        ),
        (Call("/x", "PUT"),),
        expect=("PreflightAllowOriginMismatch",),
    ),
    Case(
        "preflight-two-allow-origins",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, PAGE, ("Access-Control-Allow-Methods", "PUT")))),
        (Call("/x", "PUT"),),
        expect=("PreflightMultipleAllowOriginValues",),
    ),
    Case(
        "preflight-invalid-allow-origin",
        raw_app(
            Reply(headers=(PAGE,)),
            Reply(headers=(("Access-Control-Allow-Origin", "**"), ("Access-Control-Allow-Methods", "PUT"))),
        ),
        (Call("/x", "PUT"),),
        expect=("PreflightInvalidAllowOriginValue",),
    ),
    Case(
        "allow-methods-garbled",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PUT, (bad)")))),
        (Call("/x", "PUT"),),
        expect=("InvalidAllowMethodsPreflightResponse",),
    ),
    Case(
        "allow-headers-garbled",
        raw_app(Reply(headers=(PAGE,)), Reply(headers=(PAGE, ("Access-Control-Allow-Headers", "x-custom, x other")))),
        get("/x", headers=(("X-Custom", "1"),)),
        expect=("InvalidAllowHeadersPreflightResponse",),
    ),
    Case(
        "allow-origin-padded-wildcard",
        raw_app(Reply(headers=(("Access-Control-Allow-Origin", " * "),))),
        get("/x"),
        expect=(None,),
    ),
    Case(
        "max-age-not-a-number",
        raw_app(
            Reply(headers=(PAGE,)),
            Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "soon"))),
        ),
        (Call("/x", "PUT"), Call("/x", "PUT")),
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "max-age-negative",
        raw_app(
            Reply(headers=(PAGE,)),
            Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "-1"))),
        ),
        (Call("/x", "PUT"), Call("/x", "PUT")),
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "max-age-zero",
        raw_app(
            Reply(headers=(PAGE,)),
            Reply(headers=(PAGE, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "0"))),
        ),
        (Call("/x", "PUT"), Call("/x", "PUT")),
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "credentialed-preflight-serves-a-plain-request",
        raw_app(Reply(headers=(PAGE, CREDS)), Reply(headers=(PAGE, CREDS, ("Access-Control-Allow-Methods", "PUT")))),
        (Call("/x", "PUT", credentials="include"), Call("/x", "PUT")),
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "plain-preflight-does-not-serve-a-credentialed-request",
        raw_app(Reply(headers=(PAGE, CREDS)), Reply(headers=(PAGE, CREDS, ("Access-Control-Allow-Methods", "PUT")))),
        (Call("/x", "PUT"), Call("/x", "PUT", credentials="include")),
        fresh=True,
        expect=(None, None),
    ),
    Case(
        "redirect-to-other-origin-wildcard",
        raw_app(Reply(302, (PAGE, ("Location", "{c}/final")))),
        get("/x"),
        third=raw_app(Reply(headers=(("Access-Control-Allow-Origin", "*"),))),
        expect=(None,),
    ),
    Case(
        "redirect-to-other-origin-page-origin",
        raw_app(Reply(302, (PAGE, ("Location", "{c}/final")))),
        get("/x"),
        third=raw_app(Reply(headers=(PAGE,))),
        expect=("AllowOriginMismatch",),
    ),
    Case(
        "redirect-to-a-url-with-credentials",
        raw_app(Reply(302, (("Access-Control-Allow-Origin", "*"), ("Location", "http://user:pw@{c_host}/final")))),
        get("/x"),
        third=raw_app(Reply(headers=(("Access-Control-Allow-Origin", "*"),))),
        expect=("RedirectContainsCredentials",),
    ),
    Case(
        "method-override-naming-trace-is-dropped",
        demo(allow_origins=["{page}"]),
        get(headers=(("X-HTTP-Method-Override", "TRACE"),)),
        expect=(None,),
    ),
    Case(
        "get-with-a-body-is-refused-by-fetch",
        demo(allow_origins=["{page}"]),
        (Call("/users", content="x"),),
        expect=("TypeError",),
    ),
    Case(
        "redirect-without-cors-headers",
        raw_app(Reply(302, (("Location", "{c}/final"),))),
        get("/x"),
        third=raw_app(Reply(headers=(("Access-Control-Allow-Origin", "*"),))),
        expect=("MissingAllowOriginHeader",),
    ),
]


# --- running a case in Chromium and in the model -----------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    status: int | None
    headers: list[str]
    console: list[str]
    hits: list[str]


@pytest.fixture(scope="module")
def servers():
    page = serve(frontend_app(title="cors-lab test page"), name="chromium-test-page")
    backend = serve(demo_api(), name="chromium-test-b")
    third = serve(demo_api(), name="chromium-test-c")
    yield page, backend, third
    for server in (page, backend, third):
        server.stop()


@pytest.fixture(scope="module")
def shared_context(chromium):
    context = chromium.new_context()
    yield context
    context.close()


class ChromiumPage:
    """A Chromium tab at the page origin that runs fetch() and collects CORS console errors."""

    def __init__(self, context, url: str) -> None:
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.goto(url)

    def fetch(self, url: str, init: dict[str, Any]) -> dict[str, Any]:
        self.console.clear()
        return self.page.evaluate(PAGE_JS, {"url": url, "init": init})


_shared_tabs: dict[str, ChromiumPage] = {}
_shared_browsers: dict[str, Browser] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_shared_browsers():
    yield
    for browser in _shared_browsers.values():
        browser.close()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_model_matches_chromium(case: Case, servers, chromium, shared_context, request):
    page_server, backend, third = servers
    page_origin = f"http://{case.page_host}:{page_server.port}"
    origins = {
        "page": page_origin,
        "b": f"http://{case.backend_host}:{backend.port}",
        "c": f"http://127.0.0.1:{third.port}",
        "c_host": f"127.0.0.1:{third.port}",
    }
    urls = [f"{origins['b']}{call.path}{'&' if '?' in call.path else '?'}case={case.id}" for call in case.calls]
    hits: list[str] = []

    def fresh_apps() -> None:
        # Every run gets new app instances: the demo API keeps state (users, sessions).
        backend.swap(Recorder(case.backend(origins), hits, "B"))
        third.swap(Recorder(case.third(origins) if case.third else demo_api(), hits, "C"))

    context = chromium.new_context() if case.fresh else shared_context
    try:
        if case.fresh:
            tab = ChromiumPage(context, page_origin + "/")
        else:
            tab = _shared_tabs.get(page_origin) or _shared_tabs.setdefault(
                page_origin, ChromiumPage(shared_context, page_origin + "/")
            )
        fresh_apps()
        real = []
        for url, call in zip(urls, case.calls, strict=True):
            time.sleep(call.wait)
            hits.clear()
            real.append(chromium_outcome(tab, url, call, hits))
    finally:
        if case.fresh:
            context.close()

    clock = FakeClock()
    if case.fresh:
        model = Browser(page_origin, clock=clock)
        request.addfinalizer(model.close)
    else:
        model = _shared_browsers.get(page_origin) or Browser(page_origin)
        _shared_browsers[page_origin] = model
    fresh_apps()
    for number, (url, call) in enumerate(zip(urls, case.calls, strict=True)):
        clock.advance(call.wait)
        hits.clear()
        where = f"{case.id}, call {number + 1}: {call.method} {call.path}"
        try:
            result = model.fetch(
                url,
                method=call.method,
                headers=call.headers,
                json=call.json,
                content=call.content,
                credentials=call.credentials,
            )
        except ValueError as refused:  # fetch() itself throws a TypeError: no request is made
            assert Outcome(False, None, [], [], list(hits)) == real[number], f"{where}: {refused}"
            assert case.expect[number] == "TypeError", where
            continue
        predicted = Outcome(
            result.ok,
            result.status,
            sorted(result.headers.keys()),
            [result.console_message] if result.console_message else [],
            list(hits),
        )
        assert predicted == real[number], (
            f"{where}\nmodel:    {predicted}\nchromium: {real[number]}\n\n{result.explain()}"
        )
        if case.expect:
            assert result.error_code == case.expect[number], where


def chromium_outcome(tab: ChromiumPage, url: str, call: Call, hits: list[str]) -> Outcome:
    init: dict[str, Any] = {"method": call.method, "credentials": call.credentials}
    headers = dict(call.headers)
    if call.json is not None:
        init["body"] = json.dumps(call.json)
        headers.setdefault("Content-Type", "application/json")
    elif call.content is not None:
        init["body"] = call.content
    init["headers"] = headers
    answer = tab.fetch(url, init)
    cors_errors = [line for line in tab.console if line.startswith("Access to fetch at")]
    return Outcome(answer["ok"], answer.get("status"), answer.get("headers", []), cors_errors, list(hits))


class FakeClock:
    """Moves only when told to, so the model's preflight cache sees the same waits as Chromium."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
