"""One fetch() from a page, as a sans-I/O state machine (in the style of h11).

    fetch = Fetch("http://localhost:3000", FetchRequest("http://localhost:8000/users", method="PUT"))
    while (request := fetch.next_request()) is not None:
        fetch.receive(send_somehow(request))        # the caller does the network I/O
    fetch.verdict                                   # ok or blocked, and why, step by step

It decides what the browser sends (preflight, actual request, redirects, cookies) and what the
page gets to see, following the Fetch Standard and Chromium where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

import ada_url

from ..origins import serialize_origin
from .cache import PreflightCache
from .chromium import CHROMIUM
from .chromium_order import chromium_header_order
from .cookies import CookieJar, Deletion, Rejection
from .engine import Occasion, Wording
from .failures import CorsFailure, FailureCode, FailureContext, NamedEnum
from .http import HeaderItems, HttpRequest, HttpResponse, header_items
from .rules import (
    CLIENT_HINTS,
    SAFELISTED_METHODS,
    check_allow_credentials,
    check_allow_origin,
    exposed_header_names,
    is_forbidden_request_header,
    normalize_header,
    normalize_method,
    parse_allow_list,
    preflight_reasons,
    unsafe_names,
)

__all__ = [
    "CREDENTIALS_MODES",
    "Credentials",
    "Exchange",
    "Fetch",
    "FetchRequest",
    "FetchWarning",
    "Step",
    "StepKind",
    "Verdict",
    "WarningKind",
    "credentials_mode",
]

Credentials = Literal["omit", "same-origin", "include"]
MAX_REDIRECTS = 20
_SILENT_REDIRECT_SCHEMES = frozenset({"data:", "about:", "blob:", "file:", "chrome:", "filesystem:"})
_CONDITIONAL_HEADERS = frozenset({"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"})
_BODY_HEADERS = ("content-type", "content-encoding", "content-language", "content-location")


CREDENTIALS_MODES: tuple[Credentials, ...] = ("omit", "same-origin", "include")


def credentials_mode(value: str) -> Credentials:
    """``value`` as a fetch() credentials mode; a ValueError naming the value and the choices otherwise."""
    for mode in CREDENTIALS_MODES:
        if value == mode:
            return mode
    raise ValueError(
        f"credentials={value!r} is not a fetch() credentials mode: use 'omit', 'same-origin' (the default) or 'include'"
    )


@dataclass(frozen=True)
class FetchRequest:
    """What the page's script asked for: ``fetch(url, {method, headers, body, credentials})``."""

    url: str
    method: str = "GET"
    headers: HeaderItems = ()
    body: bytes | None = None
    credentials: Credentials = "same-origin"

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", header_items(self.headers))
        credentials_mode(self.credentials)


class StepKind(NamedEnum):
    """What a step of the fetch is, for code to match on (a step's ``title`` is for people)."""

    HEADERS_DROPPED = "headers-dropped"
    SAME_ORIGIN = "same-origin"
    SIMPLE_REQUEST = "simple-request"
    PREFLIGHT_NEEDED = "preflight-needed"
    PREFLIGHT_CACHED = "preflight-cached"
    PREFLIGHT_STATUS_OK = "preflight-status-ok"
    METHOD_ALLOWED = "method-allowed"
    HEADERS_ALLOWED = "headers-allowed"
    WILDCARD_AUTHORIZATION = "wildcard-authorization"
    PREFLIGHT_PASSED = "preflight-passed"
    COOKIE_WITHHELD = "cookie-withheld"
    COOKIES_LEFT_OUT = "cookies-left-out"
    COOKIE_REJECTED = "cookie-rejected"
    COOKIE_STORED = "cookie-stored"
    COOKIE_DELETED = "cookie-deleted"
    CORS_CHECK_PASSED = "cors-check-passed"
    REDIRECT_FOLLOWED = "redirect-followed"
    REDIRECT_HEADERS_REMOVED = "redirect-headers-removed"
    REDIRECT_INVALID = "redirect-invalid"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    UNREACHABLE = "unreachable"
    BLOCKED = "blocked"
    RESOLVED = "resolved"


class Step(NamedTuple):
    """One thing the browser checked or did. ``passed`` is None for steps that are not checks.

    ``kind`` says what the step is; ``code`` is the failure's code on the step that blocked.
    """

    title: str
    passed: bool | None = None
    detail: str = ""
    fix: str = ""
    kind: StepKind = StepKind.RESOLVED
    code: FailureCode | None = None


class WarningKind(NamedEnum):
    """A note about a fetch that the page's developer should see, even when it succeeded."""

    HEADER_NOT_EXPOSED = "header-not-exposed"
    COOKIE_REFUSED = "cookie-refused"
    ORIGIN_REFLECTED_WITH_CREDENTIALS = "origin-reflected-with-credentials"


class FetchWarning(NamedTuple):
    kind: WarningKind
    message: str
    subject: str = ""  # the header or cookie it is about


class Exchange(NamedTuple):
    """A request the browser sent and the response the server really gave (even when the page may not see it)."""

    request: HttpRequest
    response: HttpResponse | None = None


@dataclass(frozen=True)
class Verdict:
    """The outcome: does fetch() resolve, and with what the page may read."""

    ok: bool
    url: str
    response: HttpResponse | None
    readable_headers: HeaderItems
    failure: CorsFailure | None
    network_error: str | None
    preflighted: bool
    preflight_cached: bool  # needed one, but an earlier answer still in the cache covered it
    redirected: bool
    exchanges: tuple[Exchange, ...]
    steps: tuple[Step, ...]
    warnings: tuple[FetchWarning, ...] = ()


@dataclass
class _State:
    url: str
    method: str
    headers: HeaderItems
    body: bytes
    origin_sent: str
    tainting: Literal["basic", "cors"]
    redirects: int = 0
    preflight_cached: bool = False
    pending: HttpRequest | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    warnings: list[FetchWarning] = field(default_factory=list)


class Fetch:
    """The browser's side of one fetch() call. Feed it responses; read ``verdict`` when done."""

    def __init__(
        self,
        page_origin: str,
        request: FetchRequest,
        *,
        cache: PreflightCache | None = None,
        cookies: CookieJar | None = None,
        wording: Wording = CHROMIUM,
    ) -> None:
        self.page_origin = serialize_origin(page_origin)
        self.wording = wording
        self.request = request
        self.cache = cache if cache is not None else PreflightCache()
        self.cookies = cookies if cookies is not None else CookieJar()
        self._verdict: Verdict | None = None
        url = _absolute_url(request.url)
        kept: list[tuple[str, str]] = []
        dropped: list[tuple[str, str]] = []
        for name, value in request.headers:
            name, value = normalize_header(name, value)  # fetch() trims values, and throws on bad ones
            (dropped if is_forbidden_request_header(name, value) else kept).append((name, value))
        method = normalize_method(request.method)
        if request.body and method in ("GET", "HEAD"):
            raise ValueError(
                f"fetch() refuses a body with {method}: a {method} request cannot have one "
                "(use POST or PUT to send data)"
            )
        same_origin = serialize_origin(url) == self.page_origin
        self._s = _State(
            url, method, tuple(kept), request.body or b"", self.page_origin, "basic" if same_origin else "cors"
        )
        if dropped:
            names = ", ".join(name for name, _ in dropped)
            self._step(
                f"The browser dropped {names}",
                None,
                "fetch() silently ignores headers a page may not set (Cookie, Origin, Host, ...)",
                kind=StepKind.HEADERS_DROPPED,
            )
        self._prepare()

    # --- the public, sans-I/O interface ----------------------------------------------------------

    def next_request(self) -> HttpRequest | None:
        """The request to send now, or None when the fetch is over."""
        return None if self._verdict else self._s.pending

    def receive(self, response: HttpResponse, *, as_sent: HttpRequest | None = None) -> None:
        """Give the machine the server's response to ``next_request()``.

        ``as_sent`` is the request exactly as it went on the wire (with the Host and other
        headers the HTTP client added), for the record of exchanges.
        """
        request = self._s.pending
        if request is None or self._verdict:
            raise RuntimeError("no request is waiting for a response")
        self._s.exchanges.append(Exchange(as_sent or request, response))
        if request.kind == "preflight":
            self._after_preflight(request, response)
        else:
            self._after_actual(request, response)

    def network_error(self, reason: str) -> None:
        """The request could not be sent or answered (connection refused, timeout, ...)."""
        request = self._s.pending
        if request is not None:
            self._s.exchanges.append(Exchange(request, None))
        self._step(
            "The server could not be reached",
            False,
            reason,
            "Check that the server is running and the URL (scheme, host, port) is right.",
            kind=StepKind.UNREACHABLE,
        )
        self._finish(None, network_error=reason)

    @property
    def done(self) -> bool:
        return self._verdict is not None

    @property
    def verdict(self) -> Verdict:
        if self._verdict is None:
            raise RuntimeError("the fetch is not finished: send next_request() and receive() its response")
        return self._verdict

    # --- the steps of the algorithm --------------------------------------------------------------

    @property
    def _include_credentials(self) -> bool:
        """Cookies go along: credentials 'include', or 'same-origin' while the request is same-origin."""
        mode = self.request.credentials
        return mode == "include" or (mode == "same-origin" and self._s.tainting == "basic")

    def _prepare(self) -> None:
        s = self._s
        if s.tainting == "basic":
            self._step(f"{s.url} is same-origin with the page", None, "no CORS checks apply", kind=StepKind.SAME_ORIGIN)
            self._send_actual()
            return
        reasons = preflight_reasons(s.method, s.headers)
        if not reasons:
            self._step(
                "A simple request: no preflight needed",
                None,
                f"method {s.method} and every header are CORS-safelisted",
                kind=StepKind.SIMPLE_REQUEST,
            )
            self._send_actual()
            return
        self._step("A preflight is needed", None, "; ".join(reasons), kind=StepKind.PREFLIGHT_NEEDED)
        include = self.request.credentials == "include"
        # A conditional header the page set (If-None-Match, ...) makes the request's cache mode
        # "no-store" (Fetch Standard, HTTP-network-or-cache fetch), and then Chromium 156 does not
        # consult the preflight cache, though it still stores the new answer (measured).
        conditional = any(name.lower() in _CONDITIONAL_HEADERS for name, _ in s.headers)
        if not conditional and self.cache.lookup(s.origin_sent, s.url, s.method, s.headers, include):
            left = self.cache.seconds_left(s.origin_sent, s.url) or 0.0
            self._step(
                "The preflight is skipped: an earlier answer is still cached",
                None,
                f"it expires in {left:.0f} s (Access-Control-Max-Age)",
                kind=StepKind.PREFLIGHT_CACHED,
            )
            s.preflight_cached = True
            self._send_actual()
            return
        names = unsafe_names(s.headers)
        headers = [("Accept", "*/*"), ("Origin", s.origin_sent), ("Access-Control-Request-Method", s.method)]
        if names:
            headers.append(("Access-Control-Request-Headers", ",".join(names)))
        s.pending = HttpRequest("OPTIONS", s.url, tuple(headers), b"", "preflight")

    def _send_actual(self) -> None:
        s = self._s
        headers: list[tuple[str, str]] = []
        if s.tainting == "cors" or s.method not in ("GET", "HEAD"):
            headers.append(("Origin", s.origin_sent))
        user_names = {name.lower() for name, _ in s.headers}
        if "accept" not in user_names:
            headers.append(("Accept", "*/*"))
        headers.extend(_combined(s.headers))
        if self._include_credentials:
            cookie = self.cookies.header_for(s.url, page_url=self.page_origin)
            if cookie:
                headers.append(("Cookie", cookie))
            for kept, reason in self.cookies.withheld(s.url, page_url=self.page_origin):
                self._step(
                    f"The browser keeps the cookie {kept.name} back", None, reason, kind=StepKind.COOKIE_WITHHELD
                )
        elif self.request.credentials != "omit" and self.cookies.header_for(s.url, page_url=self.page_origin):
            self._step(
                "Cookies are left out",
                None,
                "fetch()'s default credentials mode 'same-origin' sends no cookies to another origin; "
                "use credentials: 'include' to send them",
                kind=StepKind.COOKIES_LEFT_OUT,
            )
        s.pending = HttpRequest(s.method, s.url, tuple(headers), s.body, "actual")

    def _after_preflight(self, request: HttpRequest, response: HttpResponse) -> None:
        s = self._s
        include = self.request.credentials == "include"
        names = unsafe_names(s.headers)
        if response.is_redirect:
            if not _parses(response.get("location") or "", s.url):
                # The network stack fails a redirect it cannot follow before CORS looks at it: no
                # console line (measured in Chromium 156 with 'Location: http://[bad').
                self._step(
                    "The preflight's redirect Location is not a URL",
                    False,
                    repr(response.get("location")),
                    kind=StepKind.REDIRECT_INVALID,
                )
                self._finish(response, network_error="net::ERR_INVALID_REDIRECT")
                return
            self._fail(FailureCode.PREFLIGHT_DISALLOWED_REDIRECT, "", response, "The preflight was redirected")
            return
        if self._cors_check_fails(response, preflight=True):
            return
        if not 200 <= response.status <= 299:
            self._fail(
                FailureCode.PREFLIGHT_INVALID_STATUS,
                "",
                response,
                f"The preflight's status {response.status} is not ok",
            )
            return
        self._step("The preflight's status is ok", True, f"{response.status}", kind=StepKind.PREFLIGHT_STATUS_OK)
        methods = parse_allow_list(response.get("access-control-allow-methods"))
        if methods is None:
            self._fail(
                FailureCode.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE,
                "",
                response,
                "Access-Control-Allow-Methods is garbled",
            )
            return
        headers = parse_allow_list(response.get("access-control-allow-headers"))
        if headers is None:
            self._fail(
                FailureCode.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE,
                "",
                response,
                "Access-Control-Allow-Headers is garbled",
            )
            return
        if not (s.method in methods or s.method in SAFELISTED_METHODS or ("*" in methods and not include)):
            self._fail(
                FailureCode.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE,
                s.method,
                response,
                f"Method {s.method} is not in Access-Control-Allow-Methods",
            )
            return
        if s.method not in SAFELISTED_METHODS:
            self._step(
                f"Method {s.method} is allowed",
                True,
                f"Access-Control-Allow-Methods: {response.get('access-control-allow-methods')}",
                kind=StepKind.METHOD_ALLOWED,
            )
        allowed = {h.lower() for h in headers}
        wildcard = "*" in allowed and not include
        # Chromium names the first disallowed header in its own order (see chromium_order), not
        # alphabetically and not in the page's order.
        order = chromium_header_order(tuple(n for n, _ in s.headers))
        for name in (n for n in order if n in names):
            if name not in allowed and not wildcard:
                self._fail(
                    FailureCode.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE,
                    name,
                    response,
                    f"Header {name} is not in Access-Control-Allow-Headers",
                )
                return
        if names:
            self._step(
                f"Request headers {', '.join(names)} are allowed",
                True,
                f"Access-Control-Allow-Headers: {response.get('access-control-allow-headers')}",
                kind=StepKind.HEADERS_ALLOWED,
            )
        if wildcard and "authorization" in names and "authorization" not in allowed:
            self._step(
                "Chromium lets '*' cover Authorization",
                None,
                "The Fetch Standard says '*' never covers Authorization, and Firefox and Safari block this "
                "request; Chromium still allows it, with a deprecation warning in DevTools' Issues panel.",
                "List 'Authorization' in allow_headers by name.",
                kind=StepKind.WILDCARD_AUTHORIZATION,
            )
        entry = self.cache.store(
            s.origin_sent,
            s.url,
            methods=methods,
            headers=headers,
            include_credentials=include,
            max_age_header=response.get("access-control-max-age"),
        )
        ttl = round(entry.expires_at - self.cache.clock())
        self._step("The preflight passed", True, f"its answer is cached for {ttl} s", kind=StepKind.PREFLIGHT_PASSED)
        self._send_actual()

    def _after_actual(self, request: HttpRequest, response: HttpResponse) -> None:
        s = self._s
        if self._include_credentials:
            for line in response.get_all("set-cookie"):
                stored = self.cookies.store(line, s.url, page_url=self.page_origin)
                if isinstance(stored, Rejection):
                    cookie_name = line.split(";")[0].split("=")[0].strip()
                    self._step(
                        f"The browser ignored the cookie {cookie_name}",
                        False,
                        stored.reason,
                        kind=StepKind.COOKIE_REJECTED,
                    )
                    s.warnings.append(
                        FetchWarning(
                            WarningKind.COOKIE_REFUSED,
                            f"The browser ignored the cookie {cookie_name}: {stored.reason}",
                            cookie_name,
                        )
                    )
                elif isinstance(stored, Deletion):
                    self._step(
                        f"The browser deleted the cookie {stored.name}",
                        None,
                        f"its expiry is in the past, for {stored.domain}{stored.path}"
                        + ("" if stored.existed else " (the browser held no such cookie)"),
                        kind=StepKind.COOKIE_DELETED,
                    )
                else:
                    self._step(
                        f"The browser stored the cookie {stored.name}",
                        None,
                        f"SameSite={stored.same_site.capitalize()}, for {stored.domain}{stored.path}",
                        kind=StepKind.COOKIE_STORED,
                    )
        if response.is_redirect:
            if s.tainting == "cors" and self._cors_check_fails(response, preflight=False):
                return
            self._follow_redirect(response)
            return
        if s.tainting == "cors" and self._cors_check_fails(response, preflight=False):
            return
        self._finish(response)

    def _follow_redirect(self, response: HttpResponse) -> None:
        s = self._s
        raw_location = response.get("location") or ""
        try:
            parsed = ada_url.URL(raw_location, s.url)
        except ValueError:
            self._step(
                "The redirect's Location is not a URL", False, repr(raw_location), kind=StepKind.REDIRECT_INVALID
            )
            self._finish(response, network_error="net::ERR_INVALID_REDIRECT")
            return
        location = parsed.href
        if parsed.protocol in _SILENT_REDIRECT_SCHEMES or (parsed.protocol in ("ws:", "wss:") and s.tainting == "cors"):
            # Chromium 156 fails these redirects before CORS looks at them, with no console line
            # (measured: data:, about:, blob:, file:, chrome:; ws: only from a cross-origin request).
            self._step(
                f"The redirect leads to a {parsed.protocol} URL", False, location, kind=StepKind.REDIRECT_INVALID
            )
            self._finish(None, network_error="net::ERR_FAILED")
            return
        if parsed.protocol not in ("http:", "https:"):
            # Measured: ftp:, about:, javascript: and the like give Chromium's CorsDisabledScheme line,
            # for same-origin fetches too (fetch()'s mode is "cors").
            self._fail(
                FailureCode.CORS_DISABLED_SCHEME,
                "",
                response,
                "The redirect leads away from http(s)",
                url=location,
                redirected_from=_absolute_url(self.request.url),
            )
            return
        if (parsed.username or parsed.password) and serialize_origin(location) != self.page_origin:
            # Fetch Standard (HTTP-redirect fetch, step 9): in mode "cors", a location with
            # credentials and another origin than the *request's origin* (the page's) is a network
            # error; so a same-origin fetch is caught too. Chromium 156 prints the location empty.
            self._fail(
                FailureCode.REDIRECT_CONTAINS_CREDENTIALS,
                "",
                response,
                "The redirect's Location contains a user name and password",
            )
            return
        s.redirects += 1
        if s.redirects > MAX_REDIRECTS:
            self._step("Too many redirects", False, f"more than {MAX_REDIRECTS}", kind=StepKind.TOO_MANY_REDIRECTS)
            self._finish(None, network_error="net::ERR_TOO_MANY_REDIRECTS")
            return
        current, target = serialize_origin(s.url), serialize_origin(location)
        if target != current and current != s.origin_sent:
            s.origin_sent = "null"
        # Fetch Standard: Authorization is removed when a redirect changes origin. Chromium also
        # removes the client hints a page set (all but Save-Data) whenever a redirect leads to
        # another origin than the page's, as its permissions policy delegates them to 'self' only
        # (measured: api -> api drops them, api -> page keeps them).
        removed = [
            n
            for n, _ in s.headers
            if (n.lower() == "authorization" and target != current)
            or (n.lower() in CLIENT_HINTS and n.lower() != "save-data" and target != self.page_origin)
        ]
        if removed:
            s.headers = tuple((n, v) for n, v in s.headers if n not in removed)
            self._step(
                f"The browser removes {', '.join(removed)}",
                None,
                "a redirect to another origin never carries the page's Authorization along, and Chromium sends "
                "client hints only to the page's own origin",
                kind=StepKind.REDIRECT_HEADERS_REMOVED,
            )
        if target != self.page_origin:
            s.tainting = "cors"
        if (response.status == 303 and s.method not in ("GET", "HEAD")) or (
            response.status in (301, 302) and s.method == "POST"
        ):
            s.method, s.body = "GET", b""
            s.headers = tuple((n, v) for n, v in s.headers if n.lower() not in _BODY_HEADERS)
        detail = f"{response.status} to {location}"
        if s.origin_sent == "null":
            detail += "; after a hop to another origin the browser sends 'Origin: null'"
        self._step("The browser follows the redirect", None, detail, kind=StepKind.REDIRECT_FOLLOWED)
        s.url = location
        self._prepare()

    def _cors_check_fails(self, response: HttpResponse, *, preflight: bool) -> bool:
        s = self._s
        include = self.request.credentials == "include"
        failure = check_allow_origin(response.get_all("access-control-allow-origin"), s.origin_sent, include)
        if failure is None and include:
            failure = check_allow_credentials(response.get_all("access-control-allow-credentials"))
        what = "preflight response" if preflight else "response"
        if failure is None:
            detail = f"Access-Control-Allow-Origin: {response.get('access-control-allow-origin')}"
            if include:
                detail += ", Access-Control-Allow-Credentials: true"
            self._step(f"The {what} passes the CORS check", True, detail, kind=StepKind.CORS_CHECK_PASSED)
            return False
        code = FailureCode(failure.code)
        if preflight:
            code = code.preflight_twin or code
        self._fail(code, failure.parameter, response, f"The {what} fails the CORS check")
        return True

    # --- endings -----------------------------------------------------------------------------------

    def _fail(
        self,
        code: FailureCode,
        parameter: str,
        response: HttpResponse,
        title: str,
        *,
        url: str | None = None,
        redirected_from: str | None = None,
    ) -> None:
        s = self._s
        context = FailureContext(
            self.page_origin, s.origin_sent, s.method, self.request.credentials, response, unsafe_names(s.headers)
        )
        first_url = _absolute_url(self.request.url)
        url = url or s.url
        if redirected_from is None and s.url != first_url:
            redirected_from = first_url
        occasion = Occasion(
            url, self.page_origin, method=s.method, status=response.status, redirected_from=redirected_from
        )
        lines = self.wording.console_lines(code, parameter, occasion)
        failure = CorsFailure(
            code,
            parameter,
            url,
            lines[0] if lines else "",
            context=context,
            redirected_from=redirected_from,
            console_lines=lines,
            js_error=self.wording.js_error(code, parameter, occasion),
        )
        self._step(title, False, "", kind=StepKind.BLOCKED, code=code)
        self._finish(response, failure=failure)

    def _finish(
        self, response: HttpResponse | None, *, failure: CorsFailure | None = None, network_error: str | None = None
    ) -> None:
        s = self._s
        s.pending = None
        ok = failure is None and network_error is None and response is not None
        readable: HeaderItems = ()
        if ok and response is not None:
            if s.tainting == "basic":
                names = {n.lower() for n, _ in response.headers} - {"set-cookie", "set-cookie2"}
            else:
                names = exposed_header_names(
                    response.headers,
                    response.get("access-control-expose-headers"),
                    self.request.credentials == "include",
                )
                # Headers that came but stay hidden, leaving out the ones no page means to read.
                present = {n.lower() for n, _ in response.headers}
                hidden = sorted(
                    n
                    for n in present - names - _TRANSPORT_HEADERS - {"set-cookie", "set-cookie2"}
                    if not n.startswith("access-control-")
                )
                for name in hidden:
                    s.warnings.append(
                        FetchWarning(
                            WarningKind.HEADER_NOT_EXPOSED,
                            f"The response has a {name} header, but the page cannot read it: it is not listed in "
                            "Access-Control-Expose-Headers",
                            name,
                        )
                    )
            readable = tuple((n.lower(), v) for n, v in response.headers if n.lower() in names)
            self._step(
                "fetch() resolves: the page can read the response",
                True,
                f"status {response.status}; readable headers: {', '.join(sorted({n for n, _ in readable}))}",
                kind=StepKind.RESOLVED,
            )
        self._verdict = Verdict(
            ok=ok,
            url=s.url,
            response=response,
            readable_headers=readable,
            failure=failure,
            network_error=network_error,
            preflighted=any(e.request.kind == "preflight" for e in s.exchanges),
            preflight_cached=s.preflight_cached,
            redirected=s.redirects > 0,
            exchanges=tuple(s.exchanges),
            steps=tuple(s.steps),
            warnings=tuple(s.warnings),
        )

    def _step(
        self,
        title: str,
        passed: bool | None,
        detail: str = "",
        fix: str = "",
        *,
        kind: StepKind,
        code: FailureCode | None = None,
    ) -> None:
        self._s.steps.append(Step(title, passed, detail, fix, kind, code))


#: Headers about the connection, not the resource: no page reads them, so hiding them is no news.
_TRANSPORT_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding", "vary"})


def _combined(headers: HeaderItems) -> list[tuple[str, str]]:
    """Headers as fetch()'s header list sends them: one line per name (at its first place), repeated
    values joined by ", ", and the result trimmed (Chromium sends 'a' + '' as 'a,')."""
    values: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        names.setdefault(name.lower(), name)
        values.setdefault(name.lower(), []).append(value)
    return [(names[key], ", ".join(parts).strip(" \t")) for key, parts in values.items()]


def _parses(location: str, base: str) -> bool:
    try:
        ada_url.URL(location, base)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1024)
def _absolute_url(url: str) -> str:
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        raise ValueError(f"{url!r} is not an absolute URL: write it like 'http://localhost:8000/users'") from None
    if parsed.protocol not in ("http:", "https:"):
        raise ValueError(f"{url!r} is not an http(s) URL: fetch() here only speaks http and https")
    return parsed.href
