"""``Browser``: the browser model driven over real HTTP, so lessons see what a browser would do.

The sans-I/O ``cors_lab.browser.Fetch`` decides; this module only sends its requests with httpx
(to a real server, or in-process to an ASGI app) and wraps the verdict for display.
"""

from __future__ import annotations

import http.cookiejar
import json as json_module
import time
from collections.abc import Callable
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal

from ._version import __version__
from .browser import CookieJar, Fetch, FetchRequest, PreflightCache, Verdict
from .browser.http import HttpRequest, HttpResponse, header_items
from .browser.machine import Credentials, Exchange, Step
from .origins import origin_of

__all__ = ["Browser", "BrowserClosedError", "CorsBlockedError", "FetchResult"]

USER_AGENT = f"cors-lab/{__version__} (browser model)"


def _raw(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """Headers with their names spelt as on the wire (httpx lower-cases them elsewhere)."""
    return tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw)


class CorsBlockedError(Exception):
    """Reading a blocked response: the page's fetch() would have rejected with a TypeError."""


class BrowserClosedError(RuntimeError):
    """A fetch through a Browser after its ``close()`` (or the end of its ``with`` block)."""


class FetchResult:
    """What the page's fetch() gets (``ok``, ``status``, readable ``headers``), and the whole story behind it."""

    def __init__(self, page_origin: str, request: FetchRequest, verdict: Verdict) -> None:
        self.page_origin = page_origin
        self.request = request
        self.verdict = verdict

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
        return httpx.Headers(list(self.verdict.readable_headers))

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
        """Chromium's CorsError name (``MissingAllowOriginHeader``, ...), or the network error."""
        if self.verdict.failure:
            return self.verdict.failure.code
        return self.verdict.network_error

    @property
    def console_message(self) -> str | None:
        """The line Chromium prints in the console when the fetch is blocked."""
        return self.verdict.failure.console_message if self.verdict.failure else None

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
        return "\n".join(lines)

    @property
    def summary(self) -> str:
        request = self.request
        what = f"{request.method.upper()} {self.verdict.url}"
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
        self._client: httpx.Client | None = None
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
            # An ASGI app runs on an event loop, and the caller may be inside one already (a Jupyter
            # cell): run it on a loop of its own for this fetch, as Starlette's TestClient does.
            with start_blocking_portal() as portal:
                portal.call(self._drive_async, machine)
        else:
            self._drive(machine)
        return FetchResult(self.origin, machine.request, machine.verdict)

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
        return FetchResult(self.origin, machine.request, machine.verdict)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the HTTP connections; the Browser makes no more requests (its cookie jar and cache stay readable)."""
        self._closed = True
        if self._client is not None:
            self._client.close()
            self._client = None

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
        if self._client is None:
            self._client = httpx.Client(**self._client_options())
        while (outgoing := machine.next_request()) is not None:
            try:
                response = self._client.request(
                    outgoing.method, outgoing.url, headers=list(outgoing.headers), content=outgoing.body or None
                )
            except httpx.TransportError as error:
                machine.network_error(_network_error(error))
                return
            _deliver(machine, outgoing, response)

    async def _drive_async(self, machine: Fetch) -> None:
        """Drive the machine on the running event loop: in-process to the app, or over the network."""
        if self.app is not None:
            transport: httpx.AsyncBaseTransport | None = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        else:
            transport = None
        async with httpx.AsyncClient(transport=transport, **self._client_options()) as client:
            while (outgoing := machine.next_request()) is not None:
                try:
                    response = await client.request(
                        outgoing.method, outgoing.url, headers=list(outgoing.headers), content=outgoing.body or None
                    )
                except httpx.TransportError as error:
                    machine.network_error(_network_error(error))
                    return
                _deliver(machine, outgoing, response)

    def _client_options(self) -> dict[str, Any]:
        # The model's CookieJar decides which cookies go out; httpx must keep none of its own.
        no_cookies = http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        return {
            "timeout": self.timeout,
            "follow_redirects": False,
            "headers": {"User-Agent": USER_AGENT},
            "cookies": no_cookies,
            "trust_env": False,
        }


def _deliver(machine: Fetch, outgoing: HttpRequest, response: httpx.Response) -> None:
    sent = response.request
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
