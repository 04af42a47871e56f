"""``Browser``: the browser model driven over real HTTP, so lessons see what a browser would do.

The sans-I/O ``cors_lab.browser.Fetch`` decides; this module only sends its requests with httpx
(to a real server, or in-process to an ASGI app) and wraps the verdict for display.
"""

from __future__ import annotations

import asyncio
import json as json_module
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import anyio
import httpx
from anyio.from_thread import start_blocking_portal

from .browser import CookieJar, Fetch, FetchRequest, PreflightCache, Verdict
from .browser.chromium_headers import browser_headers
from .browser.engine import Api
from .browser.engines import Engine, EngineName, engine_named
from .browser.failures import FailureCode, FailureKind
from .browser.http import HttpRequest, HttpResponse, header_items
from .browser.machine import (
    Credentials,
    Exchange,
    FetchWarning,
    Mode,
    RedirectMode,
    ResponseType,
    Step,
    redirect_mode,
    request_mode,
)
from .browser.rules import normalize_method
from .origins import origin_of

__all__ = [
    "AxiosErrorView",
    "Browser",
    "BrowserClosedError",
    "CorsBlockedError",
    "FetchResult",
    "OpaqueResponseError",
]

#: The page's code that made a call: fetch(), an XMLHttpRequest, or axios (over XMLHttpRequest).
Client = Literal["fetch", "xhr", "axios"]
#: The protocols axios's browser adapter accepts (others it rejects before sending).
_AXIOS_PROTOCOLS = frozenset({"http", "https", "file", "blob", "url", "data"})
#: The Content-Type a string body brings when the page sets none (fetch() and XMLHttpRequest alike).
TEXT_PLAIN = "text/plain;charset=UTF-8"


def _raw(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """Headers with their names spelt as on the wire (httpx lower-cases them elsewhere)."""
    return tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw)


class CorsBlockedError(Exception):
    """Reading a blocked response: the page's fetch() would have rejected with a TypeError."""


class OpaqueResponseError(CorsBlockedError):
    """``json()`` of an opaque response (mode 'no-cors', or redirect 'manual'): its body is empty to the page."""


#: DOMException's legacy ``code`` for the errors XMLHttpRequest throws (axios passes them on as they are).
_DOM_EXCEPTION_CODES = {"SecurityError": 18, "SyntaxError": 12}


@dataclass(frozen=True)
class AxiosErrorView:
    """What axios (its browser adapter, over XMLHttpRequest) rejects with, as application code reads it.

    ``str(view)`` is ``String(error)``: ``AxiosError: Network Error`` for anything that ended in
    XMLHttpRequest's error event (a CORS failure, a network error, mixed content), ``AxiosError:
    Request failed with status code 404`` for a response outside 2xx; the raw exception when the
    XMLHttpRequest call itself threw. ``response_undefined`` is ``error.response === undefined``,
    ``request_status`` is ``error.request.status`` (None when there is no ``error.request``).
    """

    name: str
    message: str
    code: str | int | None
    response_undefined: bool
    request_status: int | None

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class BrowserClosedError(RuntimeError):
    """A fetch through a Browser after its ``close()`` (or the end of its ``with`` block)."""


class FetchResult:
    """What the page's fetch() gets (``ok``, ``status``, readable ``headers``), and the whole story behind it.

    ``verdict`` is the model's, with the FastAPI advice (:mod:`cors_lab.advice`) filled in when
    first read; ``app`` (the Browser's in-process app) makes that advice name causes in the app.
    """

    def __init__(self, page_origin: str, request: FetchRequest, verdict: Verdict, app: Any = None) -> None:
        #: "fetch" or "xhr" (XMLHttpRequest, which axios uses).
        self.api: Api = request.api
        #: The page's code that made the call: "fetch", "xhr" or "axios" (an XHR, made by Browser.axios()).
        self.client: Client = request.api
        #: What axios itself rejected with before sending (an unsupported protocol), for Browser.axios().
        self._axios_refusal: AxiosErrorView | None = None
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
        """fetch() resolves, or the XHR loads (whatever the HTTP status: a 404 the page may read is still
        "ok" here, and so is an opaque response)."""
        return self._raw_verdict.ok

    @property
    def blocked(self) -> bool:
        """The call failed: rejected (fetch), the error event or an exception (XHR)."""
        return not self._raw_verdict.ok

    @property
    def type(self) -> ResponseType:
        """``Response.type``: "basic" (same-origin), "cors", "opaque" (mode 'no-cors'), "opaqueredirect"
        (redirect 'manual'), or "error" when the call failed."""
        return self._raw_verdict.response_type

    @property
    def opaque(self) -> bool:
        """The page got a response it cannot look into: status 0, no headers, an empty body."""
        return self.type in ("opaque", "opaqueredirect")

    @property
    def status(self) -> int | None:
        """The status the page sees: 0 for an opaque response and for an XHR that failed (its error
        event); None when fetch() rejected or the XHR call threw, because there is no response."""
        return self._raw_verdict.status

    @property
    def js_error(self) -> str:
        """The error the page's script gets, exactly (``TypeError: Failed to fetch``, ...); '' when it gets
        none (the call succeeded, or an XHR failed with its error event: see ``axios_error`` for axios)."""
        return self._raw_verdict.js_error

    @property
    def console_messages(self) -> tuple[str, ...]:
        """Every line Chromium prints in the console for this call, in order (including its
        ``Failed to load resource: ...`` lines; a 404 the page may read has one too)."""
        return () if self._axios_refusal else self._raw_verdict.console_lines

    @property
    def failure_kind(self) -> FailureKind | None:
        """What sort of failure: "cors", "mixed-content", "network" or "type-error" (a call the browser
        refuses); None when the call did not fail."""
        failure = self._raw_verdict.failure
        return failure.code.kind if failure else None

    @property
    def axios_error(self) -> AxiosErrorView | None:
        """What axios would reject with for the same request (an XHR), or None when it would resolve.

        For a fetch() result, None: axios does not use fetch().
        """
        if self.api != "xhr":
            return None
        if self._axios_refusal is not None:
            return self._axios_refusal
        if self.js_error:  # the XMLHttpRequest call threw: axios rejects with that very exception
            name, _, message = self.js_error.partition(": ")
            return AxiosErrorView(name, message, _DOM_EXCEPTION_CODES.get(name), True, None)
        if self.blocked:
            return AxiosErrorView("AxiosError", "Network Error", "ERR_NETWORK", True, 0)
        status = self.status or 0
        if 200 <= status < 300:
            return None
        code = {4: "ERR_BAD_REQUEST", 5: "ERR_BAD_RESPONSE"}.get(status // 100)
        return AxiosErrorView("AxiosError", f"Request failed with status code {status}", code, False, status)

    @property
    def headers(self) -> httpx.Headers:
        """Only the response headers the page's script may read."""
        return httpx.Headers(
            [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self._raw_verdict.readable_headers]
        )

    @property
    def text(self) -> str:
        """The body as the page reads it ('' for an opaque response)."""
        return "" if self.opaque else self._readable_response().text

    def json(self) -> Any:
        """The body parsed as JSON; an :class:`OpaqueResponseError` for an opaque response, whose body is
        empty to the page, as ``response.json()`` rejects in the browser."""
        if self.opaque:
            raise OpaqueResponseError(
                f"SyntaxError: Unexpected end of input. The response is {self.type!r}: the page sees status 0, no "
                "headers and an empty body, whatever the server sent. mode: 'no-cors' never makes a response "
                "readable; allow the page's origin in the API (CORSMiddleware) and use the default mode 'cors'."
            )
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
        """A short name for what failed, for people: Chromium's CorsError name for a CORS failure
        (``MissingAllowOriginHeader``, ...), ``MixedContent``, the ``net::ERR_...`` name of a network
        error, and for a call the browser refuses the name of the exception the script gets
        (``TypeError``; ``SecurityError`` or ``SyntaxError`` from XMLHttpRequest). ``failure_code``
        is always the precise, typed code."""
        failure = self._raw_verdict.failure
        if failure is None:
            return None
        if failure.code is FailureCode.NETWORK_ERROR:
            return failure.parameter
        if failure.code.kind == "type-error":
            name = self.js_error.partition(":")[0]
            return name or "TypeError"
        return failure.code.value

    @property
    def failure_code(self) -> FailureCode | None:
        """What made the call fail, as a typed code (None when it did not fail)."""
        return self._raw_verdict.failure.code if self._raw_verdict.failure else None

    @property
    def warnings(self) -> tuple[FetchWarning, ...]:
        """Notes for the page's developer, even on success: a header that came but is not exposed, a
        refused cookie, an origin allowed only because the server reflects every origin with credentials."""
        return self.verdict.warnings

    @property
    def console_message(self) -> str | None:
        """The main line Chromium prints in the console when the call fails (None when it prints none)."""
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
        if self.api == "xhr":
            what = f"{'axios' if self.client == 'axios' else 'XHR'} {what}"
        if self.opaque:
            served = self.verdict.response.status if self.verdict.response else "?"
            return (
                f"opaque: {what} from {self.page_origin} -> status 0, type {self.type} (the server answered {served}; "
                "the page cannot read it)"
            )
        if self.ok:
            how = (
                "after a preflight"
                if self.preflighted
                else "preflight answer from the cache"
                if self.preflight_cached
                else "no preflight"
            )
            return f"allowed: {what} from {self.page_origin} -> {self.status} ({how})"
        kind = self.failure_kind
        label = {"type-error": "refused", "network": "network error", "mixed-content": "mixed content"}.get(
            kind or "", "blocked"
        )
        return f"{label}: {what} from {self.page_origin} ({self.error_code})"

    def _readable_response(self) -> HttpResponse:
        if self.blocked or self.verdict.response is None:
            reason = self.console_message or self.verdict.network_error or "blocked"
            error = self.js_error or "the error event (status 0)"
            raise CorsBlockedError(f"{error}. The page cannot read this response: {reason}")
        return self.verdict.response

    def __repr__(self) -> str:
        lines = [f"<FetchResult {self.summary}>"]
        # A fetch() that CORS blocked reads as it always did: its main console line (every line is in
        # console_messages). What the script gets is worth a line when it is anything else.
        cors_blocked_fetch = self.client == "fetch" and self.failure_kind == "cors"
        if self.client == "axios" and self.axios_error is not None:
            lines.append(f"axios rejects with: {self.axios_error}")
        elif self.js_error and not cors_blocked_fetch:
            lines.append(f"the script gets: {self.js_error}")
        elif self.api == "xhr" and self.blocked:
            lines.append("the script gets: the error event, status 0")
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
    ``cookies`` shares a cookie jar with another Browser (two tabs of one browser). ``engine``
    ('chromium', 'firefox' or 'webkit', Safari's) picks whose decisions and console words the
    model gives, each measured against that engine (docs/engines.md).
    """

    def __init__(
        self,
        origin: str,
        *,
        app: Any = None,
        clock: Callable[[], float] | None = None,
        cookies: CookieJar | None = None,
        timeout: float = 5.0,
        verify: bool | str | ssl.SSLContext = True,
        engine: EngineName = "chromium",
    ) -> None:
        #: The engine the model plays: its decisions where they differ, and its words.
        self.engine: Engine = engine_named(engine)
        self.origin = str(origin_of(origin))
        if self.origin == "null":
            raise ValueError(f"{origin!r} has an opaque origin: give the page's http(s) URL")
        self.app = app
        self.timeout = timeout
        #: The page's URL, as consoles name it ("The page at 'https://...' ...").
        self.page_url = self.origin + "/"
        #: Whether (and how) https certificates are checked: False or a CA bundle for a test server.
        self.verify = verify
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
        mode: Mode = "cors",
        redirect: RedirectMode = "follow",
    ) -> FetchResult:
        """Run ``fetch(url, {method, headers, body, credentials, mode, redirect})`` as the page would, and
        return what happens.

        ``json=`` sends a JSON body with ``Content-Type: application/json`` (what pages usually
        do, and a reason for a preflight); ``content=`` a text body, which fetch() labels
        ``text/plain;charset=UTF-8``. ``mode`` is 'cors' (the default), 'no-cors' (an opaque
        response) or 'same-origin'; ``redirect`` is 'follow' (the default), 'error' or 'manual'.
        """
        request = self._request(url, method, headers, json, content, credentials, mode, redirect, "fetch")
        return self._run(request)

    async def afetch(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        json: Any = None,
        content: str | bytes | None = None,
        credentials: Credentials = "same-origin",
        mode: Mode = "cors",
        redirect: RedirectMode = "follow",
    ) -> FetchResult:
        """The same as :meth:`fetch`, for async code: it runs on the caller's event loop."""
        request = self._request(url, method, headers, json, content, credentials, mode, redirect, "fetch")
        return await self._arun(request)

    def xhr(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        body: str | bytes | None = None,
        with_credentials: bool = False,
        *,
        json: Any = None,
    ) -> FetchResult:
        """Run the same request as an XMLHttpRequest (what axios uses): ``open(method, url)``,
        ``setRequestHeader`` for each header, ``withCredentials``, ``send(body)``.

        The result has Chromium's XHR wording; a failure is status 0 and the ``error`` event
        (``js_error`` '') unless the call throws; ``axios_error`` is what axios rejects with.
        ``json=`` sends a JSON body with ``Content-Type: application/json``, as axios does for an object.
        """
        request = self._xhr_request(url, method, headers, body, with_credentials, json)
        return self._run(request)

    async def axhr(
        self,
        url: str,
        method: str = "GET",
        headers: Any = None,
        body: str | bytes | None = None,
        with_credentials: bool = False,
        *,
        json: Any = None,
    ) -> FetchResult:
        """The same as :meth:`xhr`, for async code: it runs on the caller's event loop."""
        request = self._xhr_request(url, method, headers, body, with_credentials, json)
        return await self._arun(request)

    def axios(
        self,
        url: str,
        method: str = "get",
        headers: Any = None,
        data: Any = None,
        with_credentials: bool = False,
    ) -> FetchResult:
        """``axios({url, method, headers, data, withCredentials})`` in the page: axios 1.x's browser adapter,
        an XMLHttpRequest. ``result.axios_error`` is what axios rejects with (None when it resolves).

        As axios builds the request: ``Accept: application/json, text/plain, */*``; the method
        upper-cased; ``data`` that is not a string or bytes as JSON (``Content-Type: application/json``),
        a string of a POST, PUT or PATCH as ``application/x-www-form-urlencoded``, unless the headers
        say otherwise. A URL whose protocol axios does not support (ws:) is refused by axios itself:
        ``AxiosError: Unsupported protocol ws:``, nothing sent and nothing in the console.
        """
        items = [("Accept", "application/json, text/plain, */*"), *header_items(headers)]
        names = {name.lower() for name, _ in items}
        body: str | bytes | None = None
        json: Any = None
        if isinstance(data, (str, bytes)):
            body = data
            if method.lower() in ("post", "put", "patch") and "content-type" not in names:
                items.append(("Content-Type", "application/x-www-form-urlencoded"))
        elif data is not None:
            json = data
        request = self._xhr_request(url, method.upper(), items, body, with_credentials, json)
        scheme = str(url).split(":", 1)[0].lower() if ":" in str(url) else ""
        if scheme and scheme.isalpha() and scheme not in _AXIOS_PROTOCOLS:
            result = FetchResult(self.origin, request, Fetch(self.origin, request, page_url=self.page_url).verdict)
            result._axios_refusal = AxiosErrorView(
                "AxiosError", f"Unsupported protocol {scheme}:", "ERR_BAD_REQUEST", True, None
            )
        else:
            result = self._run(request)
        result.client = "axios"
        return result

    def _run(self, request: FetchRequest) -> FetchResult:
        machine = self._machine(request)
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

    async def _arun(self, request: FetchRequest) -> FetchResult:
        machine = self._machine(request)
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
        engine = f" as {self.engine.label}" if self.engine.name != "chromium" else ""
        return (
            f"<Browser page at {self.origin}{where}{engine}: {len(self.cookies)} cookies, "
            f"{len(self.cache)} cached preflights>"
        )

    def _check_open(self) -> None:
        if self._closed:
            raise BrowserClosedError(
                f"this Browser (page at {self.origin}) was closed: create a new Browser({self.origin!r}) to fetch again"
            )

    def _machine(self, request: FetchRequest) -> Fetch:
        self._check_open()
        return Fetch(
            self.origin,
            request,
            cache=self.cache,
            cookies=self.cookies,
            page_url=self.page_url,
            wording=self.engine.wording,
            quirks=self.engine.quirks,
        )

    def _request(
        self,
        url: str,
        method: str,
        headers: Any,
        json: Any,
        content: str | bytes | None,
        credentials: Credentials,
        mode: str,
        redirect: str,
        api: Api,
    ) -> FetchRequest:
        if json is not None and content is not None:
            raise ValueError("pass json= or content=, not both")
        items = list(header_items(headers))
        names = {name.lower() for name, _ in items}
        body: bytes | None = None
        body_type: str | None = None
        if json is not None:
            body = json_module.dumps(json).encode()
            body_type = TEXT_PLAIN  # JSON.stringify() gives a string
            if "content-type" not in names:
                items.append(("Content-Type", "application/json"))
        elif isinstance(content, str):
            body, body_type = content.encode(), TEXT_PLAIN
        elif content is not None:
            body = bytes(content)
        return FetchRequest(
            str(url),
            method,
            tuple(items),
            body,
            credentials,
            request_mode(mode),
            redirect_mode(redirect),
            api,
            body_type,
        )

    def _xhr_request(
        self, url: str, method: str, headers: Any, body: str | bytes | None, with_credentials: bool, json: Any
    ) -> FetchRequest:
        credentials: Credentials = "include" if with_credentials else "same-origin"
        content = body
        if json is not None and body is not None:
            raise ValueError("pass body= or json=, not both")
        return self._request(url, method, headers, json, content, credentials, "cors", "follow", "xhr")

    def _drive(self, machine: Fetch) -> None:
        # The transport, not an httpx.Client: a client would work out redirects itself (and fail on
        # a Location such as 'data:,hi'), upper-case every method and keep cookies; the model does
        # all three as the browser does.
        if self._transport is None:
            self._transport = httpx.HTTPTransport(trust_env=False, verify=self.verify)
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
            else httpx.AsyncHTTPTransport(trust_env=False, verify=self.verify)
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
            outgoing,
            page_origin=self.origin,
            url_list=url_list,
            credentials=machine.request.credentials,
            mode=machine.request.mode,
        )
        encoding = "utf-8" if self.engine.quirks.sends_header_values_as_utf8 else "latin-1"
        headers = [(name.encode("latin-1"), value.encode(encoding)) for name, value in named]
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
    causes = _causes(error)
    if any(isinstance(cause, socket.gaierror) for cause in causes) or "name resolution" in str(error).lower():
        return "net::ERR_NAME_NOT_RESOLVED"
    if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes) or "CERTIFICATE_VERIFY" in str(error):
        return "net::ERR_CERT_AUTHORITY_INVALID"
    if isinstance(error, httpx.ConnectError):
        return "net::ERR_CONNECTION_REFUSED"
    if isinstance(error, httpx.TimeoutException):
        return "net::ERR_TIMED_OUT"
    return "net::ERR_FAILED"


def _causes(error: BaseException) -> list[BaseException]:
    """The error and every error it was raised from (httpx wraps httpcore's, which wraps the socket's)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
