"""The tutorial's apps: a small users API (the backend) and a page to serve as the frontend."""

from __future__ import annotations

import html
import json
import secrets
import string
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, Literal

from fastapi import Body, Cookie, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .config import CorsConfig

__all__ = ["SESSION_COOKIE", "demo_api", "frontend_app"]

SESSION_COOKIE = "session"


class NewUser(BaseModel):
    name: str


class Login(BaseModel):
    name: str = "alice"


def demo_api(cors: CorsConfig | None = None, **cors_kwargs: Any) -> FastAPI:
    """The backend of the lessons: a users API with a login, and routes that show CORS traps.

    With no CORS settings it has no ``CORSMiddleware`` at all. Pass a ``CorsConfig`` or its
    keyword arguments (``demo_api(allow_origins=["http://localhost:3000"])``) to add one.
    Each call makes a new app with its own users and sessions.

    Routes: ``GET/POST /users`` (``GET`` sends ``X-Total-Count``), ``PUT/DELETE /users/{id}``,
    ``POST /login`` (sets the ``session`` cookie; ``?samesite=none|lax|strict``),
    ``GET /me`` (that cookie or ``Authorization: Bearer <token>``, else 401),
    ``GET /boom`` (an unhandled exception: 500) and ``GET /items/`` (``/items`` redirects to it).
    """
    if cors is not None and not isinstance(cors, CorsConfig):
        raise TypeError(
            f"demo_api() takes a CorsConfig or keyword settings, not {cors!r}: "
            "write demo_api(allow_origins=[...]) or demo_api(CorsConfig(...))"
        )
    if cors is not None and cors_kwargs:
        raise TypeError("pass either a CorsConfig or CORSMiddleware keyword arguments, not both")
    if cors_kwargs:
        cors = CorsConfig(**cors_kwargs)

    app = FastAPI(title="cors-lab demo API", openapi_url=None, docs_url=None, redoc_url=None)
    users: dict[int, str] = {1: "alice", 2: "bob"}
    sessions: dict[str, str] = {}

    @app.get("/users")
    def list_users(response: Response) -> list[dict[str, Any]]:
        response.headers["X-Total-Count"] = str(len(users))
        return [{"id": user_id, "name": name} for user_id, name in users.items()]

    @app.post("/users", status_code=201)
    def create_user(user: NewUser) -> dict[str, Any]:
        user_id = max(users, default=0) + 1
        users[user_id] = user.name
        return {"id": user_id, "name": user.name}

    @app.put("/users/{user_id}")
    def rename_user(user_id: int, user: NewUser) -> dict[str, Any]:
        if user_id not in users:
            raise HTTPException(404, f"no user {user_id}")
        users[user_id] = user.name
        return {"id": user_id, "name": user.name}

    @app.delete("/users/{user_id}")
    def delete_user(user_id: int) -> dict[str, Any]:
        if users.pop(user_id, None) is None:
            raise HTTPException(404, f"no user {user_id}")
        return {"deleted": user_id}

    @app.post("/login")
    def login(
        response: Response,
        credentials: Annotated[Login, Body(default_factory=Login)],
        samesite: Literal["lax", "strict", "none"] = "lax",
    ) -> dict[str, str]:
        token = secrets.token_urlsafe(16)
        sessions[token] = credentials.name
        # Browsers accept Secure cookies from http://localhost, and demand Secure for SameSite=None.
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite=samesite, secure=samesite == "none")
        return {"user": credentials.name, "token": token}

    @app.get("/me")
    def me(
        session: str | None = Cookie(default=None), authorization: str | None = Header(default=None)
    ) -> dict[str, str]:
        token = session
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        if token is None or token not in sessions:
            raise HTTPException(401, "not logged in", headers={"WWW-Authenticate": "Bearer"})
        return {"user": sessions[token]}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom: an unhandled error in the endpoint")

    @app.get("/items/")
    def list_items() -> list[str]:
        return ["apple", "pear"]

    if cors is not None:
        cors.apply(app)
    return app


def frontend_app(
    title: str = "Frontend",
    *,
    api_url: str = "",
    method: str = "GET",
    credentials: str = "same-origin",
    headers: str = "",
    body: str = "",
    on_report: Callable[[dict[str, Any]], None] | None = None,
    page_id: str = "",
) -> FastAPI:
    """A one-page site to serve on a second port as the lessons' "frontend at localhost:3000".

    The page has a form that runs real fetch() calls in the visitor's browser; ``api_url`` and
    the other arguments fill it in. It posts what JavaScript saw to its own ``/report`` endpoint
    (same origin, so no CORS): ``app.state.reports`` collects those reports, and ``on_report``
    is called with each one (in a worker thread, so it may block).

    ``page_id`` names this page: ``GET /whoami`` answers it, and a report from a page with another
    id (an old copy of the page, still open after another app took the port) is refused with 409,
    so an old page can tell that it was replaced instead of reporting into the new one.
    """
    app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.reports = []
    template = string.Template((resources.files(__package__) / "static" / "frontend.html").read_text("utf-8"))
    defaults = {"method": method, "credentials": credentials, "headers": headers, "body": body}
    page = template.safe_substitute(
        title=html.escape(title),
        api_url=html.escape(api_url, quote=True),
        # relative: the page may be served under a path (Jupyter's proxy)
        report_url=json.dumps("report"),
        page_id=json.dumps(page_id),
        defaults=json.dumps(defaults).replace("</", "<\\/"),
    )

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"page": page_id}

    @app.post("/report", status_code=204)
    async def report(request: Request) -> None:
        # Only the page itself may report; a text/plain POST from any other site would reach here too.
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            raise HTTPException(403, "reports come from this page only")
        try:
            received = json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "a report is the JSON the page sends") from None
        if page_id and isinstance(received, dict) and received.get("page", page_id) != page_id:
            raise HTTPException(409, "this page was replaced: another page is served here now")
        if isinstance(received, dict):
            # Which browser the learner runs (live_browser compares it with that engine's prediction).
            received["user_agent"] = request.headers.get("user-agent", "")
        app.state.reports.append(received)
        if on_report is not None:
            # The callback may be slow (LiveBrowser runs the browser model): keep it off the server's loop.
            await run_in_threadpool(on_report, received)

    return app
