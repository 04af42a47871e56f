"""audit(app) on small apps written as real projects write them: holes found (with the probe), sound setups quiet.

Each app is built the way open-source FastAPI projects build theirs: a pydantic-settings class
reading the environment, the middleware added in the project's order, sub-apps mounted, CORS
subclassed or hand-written. No mocks: the audit probes the real app in-process.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import AnyHttpUrl, BeforeValidator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cors_lab import Finding, audit

FRONTEND = "https://dashboard.example.com"
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/login/access-token")  # module level: annotations are strings here


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity != "info"]


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, f"{code} in {codes(findings)}"
    return found[0]


def parse_cors(value: Any) -> list[str] | str:
    """The full-stack-fastapi-template's validator: a comma list or a JSON list."""
    if isinstance(value, str) and not value.startswith("["):
        return [i.strip() for i in value.split(",")]
    if isinstance(value, (list, str)):
        return value
    raise ValueError(value)


def template_app(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, *, strip_slash: bool) -> FastAPI:
    """The full-stack-fastapi-template's CORS: list[AnyHttpUrl] from BACKEND_CORS_ORIGINS, before and after
    it stripped the trailing slash."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore")
        PROJECT_NAME: str = "app"
        BACKEND_CORS_ORIGINS: Annotated[list[AnyHttpUrl] | str, BeforeValidator(parse_cors)] = []

    settings = Settings()
    app = FastAPI(title=settings.PROJECT_NAME)
    router = APIRouter()

    @router.get("/items/")
    def read_items(token: Annotated[str, Depends(oauth2)]) -> list[dict[str, str]]:
        return []

    @router.post("/items/")
    def create_item(token: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
        return {}

    app.include_router(router, prefix="/api/v1")
    if settings.BACKEND_CORS_ORIGINS:
        origins = [str(o).rstrip("/") if strip_slash else str(o) for o in settings.BACKEND_CORS_ORIGINS]
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_credentials=True, allow_methods=["*"], allow_headers=["*"]
        )
    return app


def test_the_template_before_it_stripped_the_slash(monkeypatch):
    env = {"BACKEND_CORS_ORIGINS": f"{FRONTEND},http://localhost:5173"}
    findings = audit(template_app(env, monkeypatch, strip_slash=False))
    slashes = [f for f in findings if f.code == "origin-never-matches"]
    assert len(slashes) == 2 and all("AnyUrl" in f.message for f in slashes)
    assert "str(o).rstrip('/')" in slashes[0].fix
    assert [f.severity for f in findings if f.severity != "info"] == ["error", "error"]


def test_the_template_after_the_fix_is_quiet(monkeypatch):
    env = {"BACKEND_CORS_ORIGINS": f"{FRONTEND},http://localhost:5173"}
    app = template_app(env, monkeypatch, strip_slash=True)
    findings = audit(app)
    assert problems(findings) == []
    assert problems(audit(app, frontend=[FRONTEND])) == []
    # "*" methods and headers for exact origins: said (the lessons' least-privilege rule), not an alarm
    assert only(findings, "wildcard-methods-with-credentials").severity == "info"


def test_production_flags_localhost_and_plain_http_for_an_app(monkeypatch):
    env = {"BACKEND_CORS_ORIGINS": f"{FRONTEND},http://localhost:5173,http://dashboard.example.com"}
    findings = audit(template_app(env, monkeypatch, strip_slash=True), production=True)
    assert {"production-localhost", "production-credentials-over-http"} <= set(codes(findings))
    assert "http-next-to-https" not in codes(findings)  # said once, as the production rule


# --- CORS wherever it is --------------------------------------------------------------------------------


class ReflectingCORS(CORSMiddleware):
    """A project's subclass that "fixes" preview deployments by allowing every origin."""

    def is_allowed_origin(self, origin: str) -> bool:
        return True


class HandmadeCORS:
    """A pure-ASGI CORS middleware that echoes the Origin, as some projects write by hand."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = dict(scope["headers"]).get(b"origin", b"").decode()
        cors = [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-allow-credentials", b"true"),
        ]
        if scope["method"] == "OPTIONS" and origin:
            headers = cors + [(b"access-control-allow-methods", b"GET, POST"), (b"access-control-allow-headers", b"*")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and origin:
                message["headers"] = list(message.get("headers", [])) + cors
            await send(message)

        await self.app(scope, receive, with_cors)


def api() -> FastAPI:
    app = FastAPI()

    @app.get("/users/me")
    def me(request: Request) -> dict[str, Any]:
        return {"session": request.cookies.get("session")}

    @app.post("/orders")
    def order() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def test_a_subclass_that_reflects_every_origin_is_caught_by_probing():
    app = api()
    app.add_middleware(ReflectingCORS, allow_origins=[FRONTEND], allow_credentials=True)
    finding = only(audit(app), "origin-reflected-with-credentials")
    assert finding.severity == "error" and "any website" in finding.message and "ReflectingCORS" in finding.message
    assert finding.probe is not None and finding.probe.startswith(
        "GET /users/me from https://evil.example with a cookie"
    )
    assert "Access-Control-Allow-Origin: https://evil.example, Access-Control-Allow-Credentials: true" in finding.probe


def test_a_handmade_asgi_cors_middleware_is_probed():
    app = api()
    app.add_middleware(HandmadeCORS)
    findings = audit(app)
    assert "no-cors-middleware" not in codes(findings)
    assert only(findings, "origin-reflected-with-credentials").severity == "error"
    assert "null-origin-allowed" not in codes(findings)  # one hole, said once: every origin is echoed


def test_cors_wrapped_around_the_app_object():
    inner = api()
    wrapped = CORSMiddleware(inner, allow_origins=["*"], allow_credentials=True)
    assert "origin-reflected-with-credentials" in codes(audit(wrapped))


def test_cors_on_a_mounted_sub_app():
    app = FastAPI()
    sub = api()
    sub.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    app.mount("/api", sub)
    findings = audit(app)
    wildcard = only(findings, "wildcard-with-credentials")
    assert wildcard.probe is not None and wildcard.probe.startswith("GET /api/users/me from https://evil.example")
    assert "no-cors-middleware" not in codes(findings)


def test_a_sound_mounted_sub_app_is_quiet():
    app = FastAPI()
    sub = api()
    sub.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_methods=["*"])
    app.mount("/api/v1", sub)
    assert problems(audit(app)) == []


def test_no_cors_at_all_is_confirmed_by_the_probes():
    finding = only(audit(api()), "no-cors-middleware")
    assert finding.probe is not None and "no CORS headers" in finding.probe


# --- holes that need probing ----------------------------------------------------------------------------


def test_wildcard_without_credentials_on_unauthenticated_writes():
    app = api()  # a local tool's API: POST /orders with no authentication
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    finding = only(audit(app), "wildcard-unauthenticated-writes")
    assert finding.severity == "warning" and "POST /orders" in finding.message
    assert finding.probe is not None and finding.probe.startswith("preflight OPTIONS /orders from https://evil.example")


def test_wildcard_on_a_read_only_or_authenticated_api_is_quiet():
    public = FastAPI()

    @public.get("/weather")
    def weather() -> dict[str, int]:
        return {"c": 20}

    public.add_middleware(CORSMiddleware, allow_origins=["*"])
    assert problems(audit(public)) == []
    guarded = FastAPI()

    @guarded.post("/notes")
    def note(user: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
        return {}

    guarded.add_middleware(CORSMiddleware, allow_origins=["*"], allow_headers=["*"], allow_methods=["*"])
    assert problems(audit(guarded)) == []


def test_a_loose_regex_is_proved_by_a_lookalike_probe():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*example\.com", allow_credentials=True)
    finding = only(audit(app, frontend=[FRONTEND]), "origin-regex-too-loose")
    assert finding.probe is not None and "evilexample.com" in finding.probe


def test_a_handmade_lookalike_check_is_found():
    app = api()

    class SuffixCORS(CORSMiddleware):
        def is_allowed_origin(self, origin: str) -> bool:
            return origin.endswith("example.com")

    app.add_middleware(SuffixCORS, allow_origins=[FRONTEND], allow_credentials=True)
    finding = only(audit(app), "lookalike-origin-allowed")
    assert finding.severity == "error" and "https://evilexample.com" in finding.message


def test_null_allowed_by_a_handmade_check():
    app = api()

    class NullCORS(CORSMiddleware):
        def is_allowed_origin(self, origin: str) -> bool:
            return origin in (FRONTEND, "null")

    app.add_middleware(NullCORS, allow_origins=[FRONTEND], allow_credentials=True)
    finding = only(audit(app), "null-origin-allowed")
    assert finding.severity == "error" and finding.probe is not None and "from null" in finding.probe


def test_a_string_allow_origins_is_proved_by_a_truncated_origin():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=FRONTEND, allow_credentials=True)  # os.getenv(...) unsplit
    finding = only(audit(app), "allow-origins-string")
    assert finding.probe is not None and "from https://dashboard.example.co " in finding.probe


def test_authorization_read_but_not_allowed():
    app = FastAPI()

    @app.get("/me")
    def me(user: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
        return {}

    @app.post("/posts")
    def post(authorization: Annotated[str, Header()]) -> dict[str, str]:
        return {}

    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_headers=["Content-Type"])
    finding = only(audit(app), "authorization-not-allowed")
    assert "Authorization" in finding.message and "Disallowed CORS headers" in finding.message
    assert finding.probe is not None and "authorization" in finding.probe
    app2 = FastAPI()
    app2.router = app.router
    app2.add_middleware(
        CORSMiddleware,
        allow_origins=[FRONTEND],
        allow_credentials=True,
        allow_headers=["Authorization", "Content-Type"],
    )
    assert problems(audit(app2)) == []


def test_a_frontend_that_is_not_allowed():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=["https://other.example.com"])
    finding = only(audit(app, frontend=[FRONTEND]), "frontend-blocked")
    assert "Disallowed CORS origin" in finding.message


# --- middleware order -----------------------------------------------------------------------------------


def test_an_auth_middleware_outside_cors_that_answers_the_preflight():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_methods=["*"])

    @app.middleware("http")
    async def verify_api_key(request: Request, call_next: Any) -> Any:
        if request.headers.get("x-api-key") != "secret":
            return JSONResponse({"detail": "Invalid API key"}, status_code=401)
        return await call_next(request)

    finding = only(audit(app), "middleware-answers-outside-cors")
    assert finding.severity == "error" and "@app.middleware('http') function verify_api_key" in finding.message
    assert finding.probe is not None and "-> 401, no CORS headers" in finding.probe


def test_pass_through_middleware_outside_cors_is_only_an_info():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_methods=["*"])

    @app.middleware("http")
    async def add_process_time_header(request: Request, call_next: Any) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Process-Time"] = str(time.perf_counter() - started)
        return response

    app.add_middleware(GZipMiddleware)
    findings = audit(app)
    assert problems(findings) == []
    outside = only(findings, "middleware-outside-cors")
    assert (
        "add_process_time_header (@app.middleware('http'))" in outside.message and "GZipMiddleware" in outside.message
    )
    assert "pass-through" in outside.message


class RateLimit(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Any) -> Any:
        return JSONResponse({"detail": "Too many requests"}, status_code=429)


def test_a_class_middleware_that_answers_is_named_by_its_class():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])
    app.add_middleware(RateLimit)
    finding = only(audit(app), "middleware-answers-outside-cors")
    assert finding.message.startswith("RateLimit runs outside CORSMiddleware") and "429" in finding.message


def test_middleware_inside_cors_that_answers_is_fine():
    app = api()

    @app.middleware("http")
    async def verify_api_key(request: Request, call_next: Any) -> Any:
        if request.method != "OPTIONS" and request.headers.get("x-api-key") != "secret":
            return JSONResponse({"detail": "Invalid API key"}, status_code=401)
        return await call_next(request)

    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_methods=["*"], allow_headers=["*"])
    assert problems(audit(app)) == []


# --- errors ---------------------------------------------------------------------------------------------


def test_errors_without_cors_headers_when_nothing_handles_them():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])
    finding = only(audit(app), "errors-without-cors-headers")
    assert finding.severity == "info" and "ServerErrorMiddleware" in finding.message
    assert finding.probe is not None and "-> 500, no CORS headers" in finding.probe


def test_an_exception_handler_for_exception_is_described_precisely():
    app = api()

    @app.exception_handler(Exception)
    async def unhandled_exception_handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "Internal error"}, status_code=500)

    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])
    finding = only(audit(app), "errors-without-cors-headers")
    assert "@app.exception_handler(Exception) handler unhandled_exception_handler" in finding.message
    assert "outside CORSMiddleware" in finding.message


def test_errors_handled_inside_cors_are_quiet():
    app = api()

    @app.middleware("http")
    async def catch_exceptions_middleware(request: Request, call_next: Any) -> Any:
        try:
            return await call_next(request)
        except Exception:
            return JSONResponse({"detail": "Internal server error"}, status_code=500)

    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])  # added last: outermost, around the catcher
    assert "errors-without-cors-headers" not in codes(audit(app))


# --- the probes themselves ------------------------------------------------------------------------------


def test_probes_touch_no_endpoint_but_with_options_get_and_head():
    seen: list[str] = []
    app = FastAPI()

    @app.api_route("/things", methods=["GET", "POST", "DELETE"])
    def things(request: Request) -> dict[str, str]:
        seen.append(request.method)
        return {}

    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_methods=["*"])
    audit(app)
    assert set(seen) <= {"GET", "HEAD"}


def test_an_endpoint_that_needs_a_database_does_not_hang_or_break_the_audit():
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> None:
        import anyio

        await anyio.sleep(30)

    @app.get("/broken")
    def broken() -> None:
        raise ConnectionError("no database")

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    started = time.perf_counter()
    findings = audit(app, timeout=0.5)
    assert "wildcard-with-credentials" in codes(findings)
    assert only(findings, "wildcard-with-credentials").probe is not None
    assert time.perf_counter() - started < 3  # the slow route is given up on after its first timeout
    assert json.dumps([f.as_dict() for f in findings])


# --- more real-project patterns -------------------------------------------------------------------------


def test_trusted_host_and_https_redirect_outside_cors_are_not_alarms():
    from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_methods=["*"])
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=["api.example.com", "*.example.com"])
    app.add_middleware(HTTPSRedirectMiddleware)
    findings = audit(app)
    assert problems(findings) == []
    assert "TrustedHostMiddleware" in only(findings, "middleware-outside-cors").message


def test_a_regex_for_preview_deployments_on_a_shared_host_is_a_hole():
    app = api()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[FRONTEND],
        allow_origin_regex=r"https://.*\.vercel\.app",
        allow_credentials=True,
    )
    finding = only(audit(app), "origin-regex-too-loose")
    assert "'https://attacker.vercel.app'" in finding.message and finding.severity == "error"


def test_a_plain_starlette_app_with_middleware_in_its_constructor():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse as Plain
    from starlette.routing import Route

    async def homepage(request: Request) -> Plain:
        return Plain({"hello": "world"})

    sound = Starlette(
        routes=[Route("/", homepage), Route("/notes", homepage, methods=["POST"])],
        middleware=[Middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_methods=["GET", "POST"])],
    )
    assert problems(audit(sound)) == []
    holed = Starlette(
        routes=[Route("/", homepage)],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)],
    )
    assert only(audit(holed), "wildcard-with-credentials").probe is not None


def get_current_user(request: Request) -> str:
    return request.headers.get("x-user", "")


def test_auth_by_a_dependency_that_reads_the_request_itself():
    app = FastAPI()

    @app.post("/notes")
    def note(user: Annotated[str, Depends(get_current_user)]) -> dict[str, str]:
        return {}

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
    assert problems(audit(app)) == []


def require_token_middleware(app: FastAPI) -> FastAPI:
    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Any:
        if request.headers.get("authorization") != "Bearer let-me-in":
            return JSONResponse({"detail": "not authenticated"}, status_code=401)
        return await call_next(request)

    return app


def test_broken_entries_still_give_the_frontend_and_its_lookalikes_for_the_probes():
    careless = api()
    careless.add_middleware(
        CORSMiddleware,
        allow_origins=["https://shop.example.com/"],
        allow_origin_regex=r"https://.*example.com",
        allow_credentials=True,
    )
    require_token_middleware(careless)
    findings = audit(careless)
    assert codes(problems(findings)) == [
        "origin-never-matches",
        "origin-regex-too-loose",
        "middleware-answers-outside-cors",
    ]
    loose = only(findings, "origin-regex-too-loose")
    assert (
        loose.probe is not None
        and "from https://evilexample.com with a cookie (to the app behind require_token)" in (loose.probe)
    )
    outside = only(findings, "middleware-answers-outside-cors")
    assert outside.probe is not None and "from https://shop.example.com" in outside.probe


class SocketIOStyleApp:
    """Like socketio.ASGIApp: the FastAPI app is its other_asgi_app."""

    def __init__(self, other_asgi_app: ASGIApp) -> None:
        self.other_asgi_app = other_asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.other_asgi_app(scope, receive, send)


def test_an_app_wrapped_by_another_asgi_object_is_read_and_probed():
    inner = api()
    inner.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    assert only(audit(SocketIOStyleApp(inner)), "wildcard-with-credentials").probe is not None


def test_an_api_key_checked_inside_cors_counts_as_authentication():
    app = api()

    @app.middleware("http")
    async def check_api_key(request: Request, call_next: Any) -> Any:
        if request.method != "OPTIONS" and request.headers.get("x-api-key") != "k":
            return JSONResponse({"detail": "missing key"}, status_code=403)
        return await call_next(request)

    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    assert problems(audit(app)) == []


def verify_token() -> None:
    return None


def test_routes_of_included_routers_and_their_router_level_auth():
    router = APIRouter()

    @router.post("/orders")
    def order() -> dict[str, str]:
        return {}

    open_app = FastAPI()
    open_app.include_router(router, prefix="/api/v1")
    open_app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
    finding = only(audit(open_app), "wildcard-unauthenticated-writes")
    assert "POST /api/v1/orders" in finding.message
    guarded = FastAPI()
    guarded.include_router(router, prefix="/api/v1", dependencies=[Depends(verify_token)])
    guarded.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
    assert problems(audit(guarded)) == []


def test_a_refused_frontend_entry_carries_the_preflight_as_proof(monkeypatch):
    env = {"BACKEND_CORS_ORIGINS": FRONTEND}
    (finding,) = [f for f in audit(template_app(env, monkeypatch, strip_slash=False)) if f.severity == "error"]
    assert finding.probe is not None and finding.probe.startswith(f"preflight OPTIONS /api/v1/items/ from {FRONTEND}")
    assert "-> 400" in finding.probe and "'Disallowed CORS origin'" in finding.probe


def test_each_mounted_app_gets_its_own_findings_and_probes(monkeypatch):
    """Open WebUI's shape: CORS_ALLOW_ORIGIN split on ';', the same CORS on the app and on mounted sub-apps."""
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    import os

    origins = os.environ.get("CORS_ALLOW_ORIGIN", "*").split(";")
    cors: dict[str, Any] = {
        "allow_origins": origins,
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
    }
    ollama = FastAPI()

    @ollama.post("/api/chat")
    def chat() -> dict[str, str]:
        return {}

    ollama.add_middleware(CORSMiddleware, **cors)
    app = api()
    app.add_middleware(CORSMiddleware, **cors)
    app.mount("/ollama", ollama)
    findings = audit(app)
    wildcards = [f for f in findings if f.code == "wildcard-with-credentials"]
    assert [f.message.startswith("the app mounted at /ollama: ") for f in wildcards] == [False, True]
    assert all(f.probe for f in wildcards) and wildcards[1].probe.startswith("GET /ollama/")  # type: ignore[union-attr]
    assert "wildcard-methods-with-credentials" not in codes(findings)  # the error says it all
    errors = [f for f in findings if f.code == "errors-without-cors-headers"]
    assert errors and "whose endpoints raise" in str(errors[0].probe)


def test_a_tight_regex_with_credentials_and_wildcard_methods_is_quiet():
    app = api()
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=r"https://([a-z0-9-]+\.)?example\.com",
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    assert problems(audit(app)) == []


def test_a_middleware_that_answers_is_not_also_called_pass_through():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True, allow_methods=["*"])

    @app.middleware("http")
    async def auth(request: Request, call_next: Any) -> Any:
        if request.method != "OPTIONS" and "authorization" not in request.headers:
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        return await call_next(request)

    findings = audit(app)
    answers = only(findings, "middleware-answers-outside-cors")
    assert answers.severity == "warning" and "answered a request itself (401" in answers.message
    assert "middleware-outside-cors" not in codes(findings)


def test_a_middleware_that_fails_without_its_database_is_no_alarm_and_hides_no_hole():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)

    @app.middleware("http")
    async def db_session_middleware(request: Request, call_next: Any) -> Any:
        raise ConnectionError("could not connect to the database")

    findings = audit(app)
    assert "middleware-answers-outside-cors" not in codes(findings)
    wildcard = only(findings, "wildcard-with-credentials")
    assert wildcard.probe is not None and "(to the app behind db_session_middleware)" in wildcard.probe


def test_with_only_a_pattern_the_probes_use_an_origin_it_lets_in():
    app = FastAPI()

    @app.get("/me")
    def me(user: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
        return {}

    app.add_middleware(
        CORSMiddleware, allow_origin_regex=r"https://([a-z0-9-]+\.)?example\.com", allow_credentials=True
    )
    finding = only(audit(app), "authorization-not-allowed")
    assert finding.probe is not None and "from https://example.com" in finding.probe


def test_every_declared_frontend_is_checked():
    app = api()
    app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND])
    findings = audit(app, frontend=[FRONTEND, "https://admin.example.com"])
    blocked = only(findings, "frontend-blocked")
    assert blocked.about == ("https://admin.example.com",)
