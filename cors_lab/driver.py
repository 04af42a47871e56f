"""``Browser``: the browser model driven over real HTTP, so lessons see what a browser would do.

The sans-I/O ``cors_lab.browser.Fetch`` decides; this module only sends its requests with httpx
(to a real server, or in-process to an ASGI app) and wraps the verdict for display.
"""

from __future__ import annotations

import asyncio
import json as json_module
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

import anyio
import httpx
from anyio.from_thread import start_blocking_portal

from .browser import CookieJar, Fetch, FetchRequest, PreflightCache, Verdict
from .browser.chromium_headers import browser_headers
from .browser.failures import FailureCode
from .browser.http import HttpRequest, HttpResponse, header_items
from .browser.machine import Credentials, Exchange, FetchWarning, Step
from .browser.rules import normalize_method
from .origins import origin_of

__all__ = ["Browser", "BrowserClosedError", "CorsBlockedError", "FetchResult"]


def _raw(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """Headers with their names spelt as on the wire (httpx lower-cases them elsewhere)."""
    return tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw)


class CorsBlockedError(Exception):
    """Reading a blocked response: the page's fetch() would have rejected with a TypeError."""


class BrowserClosedError(RuntimeError):
    """A fetch through a Browser after its ``close()`` (or the end of its ``with`` block)."""


class FetchResult:
    """What the page's fetch() gets (``ok``, ``status``, readable ``headers``), and the whole story behind it.

    ``verdict`` is the model's, with the FastAPI advice (:mod:`cors_lab.advice`) filled in when
    first read; ``app`` (the Browser's in-process app) makes that advice name causes in the app.
    """

    def __init__(self, page_origin: str, request: FetchRequest, verdict: Verdict, app: Any = None) -> None:
        self.page_origin = page_origin
        self.request = request
        self._raw_verdict = verdict
        self._app = app

    @cached_property
    def verdict(self) -> Verdict:
        from .advice import advised_verdict

        return advised_verdict(self._raw_verdict, self._app)

    @property
    def ok(self) -> bool:
        """fetch() resolves (whatever the HTTP status: a 404 the page may read is still "ok" here)."""
        return self.verdict.ok

    @property
    def blocked(self) -> bool:
        return not self.verdict.ok

    @property
    def status(self) -> int | None:
        """The status the page sees; None when blocked, because the page sees none."""
        return self.verdict.response.status if self.ok and self.verdict.response else None

    @property
    def headers(self) -> httpx.Headers:
        """Only the response headers the page's script may read."""
        return httpx.Headers(
            [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self._raw_verdict.readable_headers]
        )

    @property
    def text(self) -> str:
        return self._readable_response().text

    def json(self) -> Any:
        return json_module.loads(self._readable_response().body)

    @property
    def preflighted(self) -> bool:
        """An OPTIONS request went out for this fetch."""
        return self.verdict.preflighted

    @property
    def preflight_cached(self) -> bool:
        """The request needed a preflight, but an earlier answer in the preflight cache covered it."""
        return self.verdict.preflight_cached

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """Every request sent and response received, including what the browser hid from the page."""
        return self.verdict.exchanges

    @property
    def server_response(self) -> HttpResponse | None:
        """The last response as the server sent it, whether or not the page may see it."""
        return self.verdict.response

    @property
    def error_code(self) -> str | None:
        """Chromium's CorsError name (``MissingAllowOriginHeader``, ...: a ``FailureCode``), or the network error."""
        if self._raw_verdict.failure:
            return self._raw_verdict.failure.code
        return self._raw_verdict.network_error

    @property
    def failure_code(self) -> FailureCode | None:
        """What blocked the fetch, as a typed code (None when it was not blocked by CORS)."""
        return self._raw_verdict.failure.code if self._raw_verdict.failure else None

    @property
    def warnings(self) -> tuple[FetchWarning, ...]:
        """Notes for the page's developer, even on success: a header that came but is not exposed, a
        refused cookie, an origin allowed only because the server reflects every origin with credentials."""
        return self.verdict.warnings

    @property
    def console_message(self) -> str | None:
        """The line Chromium prints in the console when the fetch is blocked."""
        failure = self._raw_verdict.failure
        return failure.console_message if failure and failure.console_message else None

    @property
    def fix(self) -> str | None:
        failure = self.verdict.failure
        return failure.fix if failure else None

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.verdict.steps

    def explain(self) -> str:
        """The browser's steps, each passed or failed, and the fix."""
        marks = {True: "PASS", False: "FAIL", None: "  - "}
        lines = [self.summary]
        for step in self.verdict.steps:
            lines.append(f"  {marks[step.passed]} {step.title}" + (f": {step.detail}" if step.detail else ""))
            if step.fix:
                lines.append(f"       fix: {step.fix}")
        lines.extend(f"  note: {warning.message}" for warning in self.warnings)
        return "\n".join(lines)

    @property
    def summary(self) -> str:
        request = self.request
        what = f"{_shown_method(request.method)} {self.verdict.url}"
        if self.ok:
            how = (
                "after a preflight"
                if self.preflighted
                else "preflight answer from the cache"
                if self.preflight_cached
                else "no preflight"
            )
            return f"allowed: {what} from {self.page_origin} -> {self.status} ({how})"
        return f"blocked: {what} from {self.page_origin} ({self.error_code})"

    def _readable_response(self) -> HttpResponse:
        if self.blocked or self.verdict.response is None:
            reason = self.console_message or self.verdict.network_error or "blocked"
            raise CorsBlockedError(f"TypeError: Failed to fetch. The page cannot read this response: {reason}")
        return self.verdict.response

    def __repr__(self) -> str:
        lines = [f"<FetchResult {self.summary}>"]
        if self.console_message:
            lines.append(f"console: {self.console_message}")
        if self.fix:
            lines.append(f"fix: {self.fix}")
        lines.extend(f"note: {warning.message}" for warning in self.warnings)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from .display import fetch_result_html

        return fetch_result_html(self)


class Browser:
    """A page at ``origin`` making fetch() calls, with its own cookie jar and preflight cache.

    ``Browser("http://localhost:3000").fetch("http://127.0.0.1:8000/users")`` talks to a real
    server; ``Browser(origin, app=asgi_app)`` sends every request to that app in-process. The
    ``clock`` (seconds, monotonic) times the preflight cache; lessons pass one they can move.
    ``cookies`` shares a cookie jar with another Browser (two tabs of one browser).
    """

    def __init__(
        self,
        origin: str,
        *,
        app: Any = None,
        clock: Callable[[], float] | None = None,
        cookies: CookieJar | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.origin = str(origin_of(origin))
        if self.origin == "null":
            raise ValueError(f"{origin!r} has an opaque origin: give the page's http(s) URL")
        self.app = app
        self.timeout = timeout
        self.cache = PreflightCache(clock or time.monotonic)
        # Pages of one browser share its cookie jar: pass the same jar to model two tabs.
        self.cookies = cookies if cookies is not None else CookieJar()
        self._transport: httpx.HTTPTransport | None = None
        self._closed = False

    def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        json: Any = None,
        content: str | bytes | None = None,
        credentials: Credentials = "same-origin",
    ) -> FetchResult:
        """Run ``fetch(url, {method, headers, body, credentials})`` as the page would, and return what happens.

        ``json=`` sends a JSON body with ``Content-Type: application/json`` (what pages usually
        do, and a reason for a preflight); ``content=`` a text body, which fetch() labels
        ``text/plain;charset=UTF-8``.
        """
        machine = self._machine(url, method, headers, json, content, credentials)
        if self.app is not None:
            # An ASGI app runs on an event loop. With none running here, run one for this fetch in
            # this thread; inside a running one (a Jupyter cell), on a loop in a thread of its own,
            # as Starlette's TestClient does (that hop costs about a millisecond).
            if _loop_running():
                with start_blocking_portal() as portal:
                    portal.call(self._drive_async, machine)
            else:
                anyio.run(self._drive_async, machine)
        else:
            self._drive(machine)
        return FetchResult(self.origin, machine.request, machine.verdict, self.app)

    async def afetch(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        json: Any = None,
        content: str | bytes | None = None,
        credentials: Credentials = "same-origin",
    ) -> FetchResult:
        """The same as :meth:`fetch`, for async code: it runs on the caller's event loop."""
        machine = self._machine(url, method, headers, json, content, credentials)
        await self._drive_async(machine)
        return FetchResult(self.origin, machine.request, machine.verdict, self.app)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the HTTP connections; the Browser makes no more requests (its cookie jar and cache stay readable)."""
        self._closed = True
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def __enter__(self) -> Browser:
        self._check_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = " (in-process app)" if self.app is not None else ""
        return (
            f"<Browser page at {self.origin}{where}: {len(self.cookies)} cookies, {len(self.cache)} cached preflights>"
        )

    def _check_open(self) -> None:
        if self._closed:
            raise BrowserClosedError(
                f"this Browser (page at {self.origin}) was closed: create a new Browser({self.origin!r}) to fetch again"
            )

    def _machine(
        self, url: str, method: str, headers: Any, json: Any, content: str | bytes | None, credentials: Credentials
    ) -> Fetch:
        self._check_open()
        request = self._request(url, method, headers, json, content, credentials)
        return Fetch(self.origin, request, cache=self.cache, cookies=self.cookies)

    def _request(
        self, url: str, method: str, headers: Any, json: Any, content: str | bytes | None, credentials: Credentials
    ) -> FetchRequest:
        if json is not None and content is not None:
            raise ValueError("pass json= or content=, not both")
        items = list(header_items(headers))
        names = {name.lower() for name, _ in items}
        body: bytes | None = None
        if json is not None:
            body = json_module.dumps(json).encode()
            if "content-type" not in names:
                items.append(("Content-Type", "application/json"))
        elif isinstance(content, str):
            body = content.encode()
            if "content-type" not in names:
                items.append(("Content-Type", "text/plain;charset=UTF-8"))
        elif content is not None:
            body = bytes(content)
        if url.startswith(("/", "?", "#", ".")):
            url = str(httpx.URL(self.origin).join(url))  # relative to the page, as fetch() does
        else:
            origin_of(url)  # a clear error for 'localhost:8000/users' and other scheme-less URLs
        return FetchRequest(url, method, tuple(items), body, credentials)

    def _drive(self, machine: Fetch) -> None:
        # The transport, not an httpx.Client: a client would work out redirects itself (and fail on
        # a Location such as 'data:,hi'), upper-case every method and keep cookies; the model does
        # all three as the browser does.
        if self._transport is None:
            self._transport = httpx.HTTPTransport(trust_env=False)
        url_list: list[str] = []
        while (outgoing := machine.next_request()) is not None:
            request = self._wire_request(machine, outgoing, url_list)
            try:
                response = _send_retrying(self._transport, request)
            except httpx.TransportError as error:
                machine.network_error(_network_error(error))
                return
            _deliver(machine, outgoing, request, response)

    async def _drive_async(self, machine: Fetch) -> None:
        """Drive the machine on the running event loop: in-process to the app, or over the network."""
        transport: httpx.AsyncBaseTransport = (
            httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            if self.app is not None
            else httpx.AsyncHTTPTransport(trust_env=False)
        )
        url_list: list[str] = []
        async with transport:
            while (outgoing := machine.next_request()) is not None:
                request = self._wire_request(machine, outgoing, url_list)
                try:
                    response = await transport.handle_async_request(request)
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                except httpx.TransportError as error:
                    machine.network_error(_network_error(error))
                    return
                _deliver(machine, outgoing, request, response)

    def _wire_request(self, machine: Fetch, outgoing: HttpRequest, url_list: list[str]) -> httpx.Request:
        """The request as Chromium puts it on the wire: its own headers around the model's, header
        values as Latin-1 bytes, the method as is. ``url_list`` gains ``outgoing``'s URL."""
        if outgoing.kind == "preflight":
            # A redirect that needs a new preflight restarts the request in Chromium: its URL list
            # (which Sec-Fetch-Site is computed over) starts again at the new URL (measured).
            url_list.clear()
        if not url_list or url_list[-1] != outgoing.url:
            url_list.append(outgoing.url)
        named = browser_headers(
            outgoing, page_origin=self.origin, url_list=url_list, credentials=machine.request.credentials
        )
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in named]
        request = httpx.Request(
            outgoing.method,
            outgoing.url,
            headers=headers,
            content=outgoing.body or None,
            extensions={"timeout": httpx.Timeout(self.timeout).as_dict()},
        )
        request.method = outgoing.method  # httpx upper-cases it; fetch() sends "patch" as "patch"
        return request


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _shown_method(method: str) -> str:
    try:
        return normalize_method(method)
    except ValueError:
        return method


def _send_retrying(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
    """Send, and read the whole response; like Chromium, send once more on a new connection when a
    kept-alive connection turns out to be closed (uvicorn closes one after an unhandled 500)."""
    for attempt in (1, 2):
        connected: list[bool] = []

        def trace(event: str, info: dict[str, Any], connected: list[bool] = connected) -> None:
            if event.startswith("connection.connect_tcp"):
                connected.append(True)

        request.extensions = {**request.extensions, "trace": trace}
        try:
            response = transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
            return response
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            if connected or attempt == 2:  # a fresh connection failed: no retry, as in Chromium
                raise
    raise AssertionError("unreachable")


def _deliver(machine: Fetch, outgoing: HttpRequest, sent: httpx.Request, response: httpx.Response) -> None:
    machine.receive(
        HttpResponse(response.status_code, _raw(response.headers), response.content, response.reason_phrase),
        as_sent=HttpRequest(sent.method, str(sent.url), _raw(sent.headers), outgoing.body, outgoing.kind),
    )


def _network_error(error: httpx.TransportError) -> str:
    """The net::ERR_... name Chromium would report for this failure."""
    if isinstance(error, httpx.ConnectError):
        return "net::ERR_CONNECTION_REFUSED"
    if isinstance(error, httpx.TimeoutException):
        return "net::ERR_TIMED_OUT"
    return "net::ERR_FAILED"
