"""Requests a browser and an attacker would send, made to the app in-process, and what came back.

The app runs on an event loop in a worker thread (a blocking portal, so this works from a
Jupyter cell too); its lifespan is not run, and no endpoint sees anything but OPTIONS, GET and
HEAD. A copy of the app with a spy between each middleware tells which layer answered a request.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.middleware import Middleware

__all__ = ["Probe", "ProbeResult", "Prober", "probing"]

BASE = "https://testserver"  # https: an HTTPSRedirectMiddleware lets it through, as behind a real proxy
PROBE_COOKIE = "cors_lab_probe=1"


@dataclass(frozen=True)
class Probe:
    """One request: a preflight asking for ``method`` and ``request_headers``, or a simple GET."""

    kind: Literal["preflight", "simple"]
    origin: str
    path: str
    method: str = "GET"
    request_headers: tuple[str, ...] = ()
    credentials: bool = False

    def headers(self) -> list[tuple[str, str]]:
        headers = [("Origin", self.origin), ("Accept", "*/*")]
        if self.kind == "preflight":
            headers.append(("Access-Control-Request-Method", self.method))
            if self.request_headers:
                headers.append(("Access-Control-Request-Headers", ",".join(self.request_headers)))
        elif self.credentials:
            headers.append(("Cookie", PROBE_COOKIE))
        return headers

    def __str__(self) -> str:
        if self.kind == "preflight":
            asked = f"Access-Control-Request-Method: {self.method}"
            if self.request_headers:
                asked += f", Access-Control-Request-Headers: {','.join(self.request_headers)}"
            return f"preflight OPTIONS {self.path} from {self.origin} ({asked})"
        cookie = " with a cookie" if self.credentials else ""
        return f"GET {self.path} from {self.origin}{cookie}"


@dataclass(frozen=True)
class ProbeResult:
    """The response to a probe, and which middleware layer answered it (when the app could be spied on)."""

    probe: Probe
    status: int | None  # None: no answer within the timeout
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    layers_reached: tuple[int, ...] | None = None  # the indexes of the middleware the request went into
    note: str = ""  # how the app was changed for this probe ("to the app behind require_token")

    @property
    def allow_origin(self) -> str | None:
        return self.headers.get("access-control-allow-origin")

    @property
    def allow_credentials(self) -> bool:
        return self.headers.get("access-control-allow-credentials", "").strip().lower() == "true"

    @property
    def origin_allowed(self) -> bool:
        """The response lets the probe's origin read it (credentialed probes need the origin itself and 'true')."""
        if self.allow_origin is None:
            return False
        if self.probe.credentials:
            return self.allow_origin == self.probe.origin and self.allow_credentials
        return self.allow_origin in ("*", self.probe.origin)

    @property
    def passes(self) -> bool:
        """A browser would let the page go on: a preflight needs a 2xx too."""
        ok_status = self.status is not None and (200 <= self.status < 300 or self.probe.kind == "simple")
        return ok_status and self.origin_allowed

    def __str__(self) -> str:
        probe = f"{self.probe} ({self.note})" if self.note else str(self.probe)
        if self.status is None:
            return f"{probe} -> no answer"
        shown = [
            f"{name}: {self.headers[name]}"
            for name in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")
            if name in self.headers
        ]
        text = f"{probe} -> {self.status}" + (f", {', '.join(shown)}" if shown else ", no CORS headers")
        if self.status >= 400 and 0 < len(self.body) <= 80:
            text += f", body {self.body.decode('utf-8', 'replace')!r}"
        return text


class _Spy:
    """Records that a request got this far in the middleware stack."""

    def __init__(self, app: Any, index: int, log: list[int]) -> None:
        self.app, self.index, self.log = app, index, log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.log.append(self.index)
        await self.app(scope, receive, send)


class _Raiser:
    """An app in place of the router whose every request raises, to see where errors get their answer."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("cors-lab audit: an unhandled error, raised on purpose")


def spied(app: Any, log: list[int], *, raising: bool = False) -> Any:
    """A shallow copy of a Starlette app with a spy before each middleware (and after the last)."""
    clone = copy.copy(app)
    stack: list[Any] = []
    for index, middleware in enumerate(app.user_middleware):
        stack += [Middleware(_Spy, index=index, log=log), middleware]
    stack.append(Middleware(_Spy, index=len(app.user_middleware), log=log))
    clone.user_middleware = stack
    clone.middleware_stack = None
    if raising:
        clone.router = _Raiser()
    return clone


class Prober:
    """Sends probes to one ASGI app in-process; use through :func:`probing`."""

    def __init__(self, portal: BlockingPortal, app: Any, timeout: float, *, note: str = "") -> None:
        self._portal = portal
        self.note = note  # how this copy of the app differs from the app, for the record
        self.timeout = timeout
        self._log: list[int] = []
        self._spied = hasattr(app, "user_middleware")
        target = spied(app, self._log) if self._spied else app
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=target, raise_app_exceptions=False), base_url=BASE
        )
        self._app = app
        self._base = f"https://{_allowed_host(app)}"
        self._results: dict[Probe, ProbeResult] = {}

    def inner(self, start: int, left_out: str) -> Prober:
        """A prober for a copy of the app without its first ``start`` middleware (those that answered first)."""
        clone = copy.copy(self._app)
        clone.user_middleware = list(self._app.user_middleware[start:])
        clone.middleware_stack = None
        return Prober(self._portal, clone, self.timeout, note=f"to the app behind {left_out}")

    def send(self, probe: Probe) -> ProbeResult:
        if probe not in self._results:
            self._results[probe] = self._portal.call(self._send, self._client, probe)
        return self._results[probe]

    def error_answer(self, origin: str, *, app: Any, path: str = "/") -> ProbeResult:
        """What the browser gets when an endpoint of ``app`` raises: a copy of it whose every request raises."""
        log: list[int] = []
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=spied(app, log, raising=True), raise_app_exceptions=False),
            base_url=BASE,
        )
        try:
            result = self._portal.call(self._send, client, Probe("simple", origin, path))
            return dataclasses.replace(result, note="to a copy of the app whose endpoints raise an exception")
        finally:
            self._portal.call(client.aclose)

    @property
    def results(self) -> list[ProbeResult]:
        return list(self._results.values())

    async def _send(self, client: httpx.AsyncClient, probe: Probe) -> ProbeResult:
        self._log.clear()
        method = "OPTIONS" if probe.kind == "preflight" else "GET"
        try:
            with anyio.fail_after(self.timeout):
                response = await client.request(method, self._base + probe.path, headers=probe.headers())
        except TimeoutError:
            return ProbeResult(probe, None)
        reached = tuple(self._log) if self._spied and client is self._client else None
        return ProbeResult(probe, response.status_code, response.headers, response.content, reached, self.note)

    def close(self) -> None:
        self._portal.call(self._client.aclose)


def _allowed_host(app: Any) -> str:
    """A Host that TrustedHostMiddleware lets through (its first plain allowed host), else testserver."""
    for middleware in getattr(app, "user_middleware", []):
        if getattr(middleware.cls, "__name__", "") == "TrustedHostMiddleware":
            hosts = middleware.kwargs.get("allowed_hosts") or (middleware.args[0] if middleware.args else ["*"])
            for host in hosts:
                if host != "*":
                    return str(host).replace("*.", "api.")
    return "testserver"


@contextmanager
def probing(app: Any, *, timeout: float = 3.0) -> Iterator[Prober]:
    """A :class:`Prober` for ``app``, on its own event loop for as long as the block lasts."""
    with start_blocking_portal() as portal:
        prober = Prober(portal, app, timeout)
        try:
            yield prober
        finally:
            prober.close()
