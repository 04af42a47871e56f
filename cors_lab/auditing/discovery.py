"""Where an app's CORS is: every middleware of the app and of its mounted sub-apps, its routes, its handlers.

Nothing here runs the app; ``probing`` does that. This is the static half: it explains *why*.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, WebSocketRoute

__all__ = ["Layer", "RouteInfo", "Site", "discover", "unwrap"]

LayerKind = Literal["cors", "cors-subclass", "cors-like", "http-function", "other"]
_WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_AUTH_WORDS = ("auth", "token", "user", "permission", "api_key", "apikey", "login", "session", "jwt", "verify")


@dataclass(frozen=True)
class Layer:
    """One ``add_middleware`` (or ``@app.middleware("http")``) of an app; ``index`` 0 is the outermost."""

    index: int
    name: str  # the class name, or the function's name for @app.middleware("http")
    cls: type
    kwargs: Mapping[str, Any]
    kind: LayerKind

    @property
    def reads_settings(self) -> bool:
        """Its keyword arguments are CORSMiddleware's (Starlette's class or a subclass)."""
        return self.kind in ("cors", "cors-subclass")


@dataclass(frozen=True)
class RouteInfo:
    """A route, its path with parameters filled in so it can be requested, and what it reads."""

    declared: str
    path: str
    methods: frozenset[str]
    reads_headers: frozenset[str]  # lower-case request headers its parameters and security read
    authenticated: bool

    @property
    def writes(self) -> bool:
        return any(m in self.methods for m in _WRITE_METHODS)


@dataclass
class Site:
    """An app at a path prefix ("" for the top-level app) and what it holds."""

    app: Any
    prefix: str
    layers: list[Layer] = field(default_factory=list)
    routes: list[RouteInfo] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    error_handler: str | None = None  # the name of its @app.exception_handler(Exception) or (500)
    wrappers: list[str] = field(default_factory=list)  # middleware instances wrapped around the app object

    @property
    def cors(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.kind in ("cors", "cors-subclass", "cors-like")]

    @property
    def where(self) -> str:
        return f"the app mounted at {self.prefix}" if self.prefix else "the app"


def unwrap(target: Any) -> tuple[Any, list[Any]]:
    """The Starlette app inside ``target`` and the middleware instances wrapped around it, outermost first."""
    wrappers: list[Any] = []
    current = target
    while not hasattr(current, "user_middleware") and len(wrappers) < 20:
        inner = getattr(current, "app", None) or getattr(current, "other_asgi_app", None)  # socketio.ASGIApp
        if inner is None or not callable(inner):
            break
        wrappers.append(current)
        current = inner
    return current, wrappers


def discover(target: Any) -> list[Site]:
    """The top-level app and each mounted Starlette/FastAPI sub-app, with their middleware and routes."""
    app, wrappers = unwrap(target)
    sites = list(_sites(app, ""))
    if sites:
        sites[0].wrappers = [type(w).__name__ for w in wrappers]
    return sites


def _sites(app: Any, prefix: str) -> Iterator[Site]:
    site = Site(app, prefix)
    site.layers = [_layer(i, m) for i, m in enumerate(getattr(app, "user_middleware", []))]
    for key, handler in getattr(app, "exception_handlers", {}).items():
        if key in (500, Exception):
            site.error_handler = getattr(handler, "__name__", type(handler).__name__)
    mounted: list[tuple[Any, str]] = []
    for route, path, guards in _walk(getattr(app, "routes", []), prefix):
        if isinstance(route, WebSocketRoute):
            site.websockets.append(path)
        elif isinstance(route, Mount):
            inner, _ = unwrap(route.app)
            if hasattr(inner, "user_middleware"):
                mounted.append((inner, path))
        elif getattr(route, "methods", None):
            site.routes.append(_route(route, path, guards))
    yield site
    for inner, path in mounted:
        yield from _sites(inner, path)


def _walk(routes: list[Any], prefix: str, guards: tuple[Any, ...] = ()) -> Iterator[tuple[Any, str, tuple[Any, ...]]]:
    """Routes with their full paths and the dependencies of the routers that include them.

    Mounts of plain routers are walked into, app Mounts are yielded; so are routers that newer
    FastAPI versions include lazily (``original_router`` with an ``include_context``).
    """
    for route in routes:
        context = getattr(route, "include_context", None)
        included = getattr(route, "original_router", None)
        if context is not None and included is not None:
            extra = tuple(getattr(d, "dependency", d) for d in getattr(context, "dependencies", []) or [])
            yield from _walk(included.routes, prefix + str(getattr(context, "prefix", "")), guards + extra)
            continue
        path = prefix + getattr(route, "path", "")
        if isinstance(route, Mount):
            inner, _ = unwrap(route.app)
            if hasattr(inner, "user_middleware"):
                yield route, path, guards
            else:
                yield from _walk(getattr(route, "routes", []) or [], path, guards)
        else:
            yield route, path, guards


def _layer(index: int, middleware: Any) -> Layer:
    cls = middleware.cls
    kwargs = dict(getattr(middleware, "kwargs", {}) or {})
    name = getattr(cls, "__name__", repr(cls))
    kind: LayerKind = "other"
    if cls is CORSMiddleware:
        kind = "cors"
    elif isinstance(cls, type) and issubclass(cls, CORSMiddleware):
        kind = "cors-subclass"
    elif isinstance(cls, type) and issubclass(cls, BaseHTTPMiddleware) and callable(kwargs.get("dispatch")):
        name = getattr(kwargs["dispatch"], "__name__", name)
        kind = "cors-like" if "cors" in name.lower() else "http-function"
    elif "cors" in name.lower():
        kind = "cors-like"
    return Layer(index, name, cls, kwargs, kind)


def _route(route: Any, path: str, guards: tuple[Any, ...] = ()) -> RouteInfo:
    headers: set[str] = set()
    authenticated = False
    dependant = getattr(route, "dependant", None)
    if dependant is not None:
        headers, authenticated = _reads(dependant)
    for guard in guards:  # the including router's dependencies=[Depends(...)]
        guard_headers, guarded = _reads_call(guard)
        headers |= guard_headers
        authenticated = authenticated or guarded
    filled = path
    for name in getattr(route, "param_convertors", {}) or {}:
        for pattern in (f"{{{name}:path}}", f"{{{name}:int}}", f"{{{name}:str}}", f"{{{name}:uuid}}", f"{{{name}}}"):
            value = "00000000-0000-0000-0000-000000000001" if pattern.endswith(":uuid}") else "1"
            filled = filled.replace(pattern, value)
    return RouteInfo(path, filled, frozenset(route.methods), frozenset(headers), authenticated)


def _reads(dependant: Any) -> tuple[set[str], bool]:
    """The request headers a FastAPI dependant reads, and whether a security scheme guards it."""
    headers = {str(getattr(p, "alias", "")).lower() for p in dependant.header_params}
    authenticated = bool(dependant.cookie_params) or "authorization" in headers
    for sub in dependant.dependencies:
        own_headers, own = _reads_call(sub.call)
        inner, guarded = _reads(sub)
        headers |= own_headers | inner
        authenticated = authenticated or own or guarded
    return headers, authenticated


def _reads_call(call: Any) -> tuple[set[str], bool]:
    """What one dependency callable reads by itself: a security scheme, or a function named like auth."""
    from fastapi.security import APIKeyCookie, APIKeyHeader, APIKeyQuery, OAuth2, OpenIdConnect
    from fastapi.security.http import HTTPBase

    if isinstance(call, (OAuth2, HTTPBase, OpenIdConnect)):
        return {"authorization"}, True
    if isinstance(call, APIKeyHeader):
        return {call.model.name.lower()}, True
    if isinstance(call, (APIKeyCookie, APIKeyQuery)):
        return set(), True
    return set(), any(word in getattr(call, "__name__", "").lower() for word in _AUTH_WORDS)
