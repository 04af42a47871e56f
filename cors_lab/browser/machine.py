"""One fetch() from a page, as a sans-I/O state machine (in the style of h11).

    fetch = Fetch("http://localhost:3000", FetchRequest("http://localhost:8000/users", method="PUT"))
    while (request := fetch.next_request()) is not None:
        fetch.receive(send_somehow(request))        # the caller does the network I/O
    fetch.verdict                                   # ok or blocked, and why, step by step

It decides what the browser sends (preflight, actual request, redirects, cookies) and what the
page gets to see, following the Fetch Standard and Chromium where they differ: for ``fetch()`` in
each mode and redirect mode, and for an XMLHttpRequest (``FetchRequest(api="xhr")``). A call the
browser refuses (a TypeError), mixed content and a bad port end it before anything is sent:
``next_request()`` is None from the start. Every failure is a typed ``FailureCode``; the words
(console lines, the script's error) come from the engine's ``Wording``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import MISSING, dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal, NamedTuple, cast

import ada_url

from ..origins import serialize_origin
from .cache import PreflightCache
from .chromium import CHROMIUM
from .chromium_order import chromium_header_order
from .cookies import CookieJar, Deletion, Rejection
from .engine import (
    API_CHOICES,
    Api,
    Occasion,
    RequestWording,
    ResponseWording,
    WildcardAuthorizationWording,
    Wording,
)
from .failures import CorsFailure, FailureCode, FailureContext, NamedEnum
from .http import HeaderItems, HttpRequest, HttpResponse, Kind, header_items, is_token, without_empty_repeats
from .quirks import CHROMIUM_QUIRKS, EngineQuirks
from .rules import (
    BAD_PORTS,
    CLIENT_HINTS,
    FORBIDDEN_METHODS,
    SAFELISTED_METHODS,
    check_allow_credentials,
    check_allow_origin,
    exposed_header_names,
    is_forbidden_request_header,
    is_no_cors_safelisted_header,
    is_potentially_trustworthy_host,
    normalize_method,
    parse_allow_list,
    preflight_reasons,
    unsafe_line_names,
    unsafe_names,
)

__all__ = [
    "CREDENTIALS_MODES",
    "MODES",
    "REDIRECT_MODES",
    "Credentials",
    "Exchange",
    "Fetch",
    "FetchRequest",
    "FetchWarning",
    "Mode",
    "RedirectMode",
    "ResponseType",
    "Step",
    "StepKind",
    "Verdict",
    "WarningKind",
    "credentials_mode",
    "redirect_mode",
    "request_mode",
]

Credentials = Literal["omit", "same-origin", "include"]
#: fetch()'s ``mode``: CORS (the default), no CORS at all (an opaque response), or same-origin only.
Mode = Literal["cors", "no-cors", "same-origin"]
#: fetch()'s ``redirect``: follow (the default), fail on a redirect, or hand the page an opaque redirect.
RedirectMode = Literal["follow", "error", "manual"]
#: ``Response.type`` as the page reads it; "error" when the fetch failed.
ResponseType = Literal["basic", "cors", "opaque", "opaqueredirect", "error"]
MAX_REDIRECTS = 20
#: Redirects to these fail in the network stack with net::ERR_UNSAFE_REDIRECT (measured in Chromium 156).
_UNSAFE_REDIRECT_SCHEMES = frozenset({"data:", "about:", "blob:", "file:", "chrome:", "filesystem:"})
_CONDITIONAL_HEADERS = frozenset({"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"})
_BODY_HEADERS = ("content-type", "content-encoding", "content-language", "content-location")


CREDENTIALS_MODES: tuple[Credentials, ...] = ("omit", "same-origin", "include")
MODES: tuple[Mode, ...] = ("cors", "no-cors", "same-origin")
REDIRECT_MODES: tuple[RedirectMode, ...] = ("follow", "error", "manual")


def credentials_mode(value: str) -> Credentials:
    """``value`` as a fetch() credentials mode; a ValueError naming the value and the choices otherwise."""
    for mode in CREDENTIALS_MODES:
        if value == mode:
            return mode
    raise ValueError(
        f"credentials={value!r} is not a fetch() credentials mode: use 'omit', 'same-origin' (the default) or 'include'"
    )


def request_mode(value: str) -> Mode:
    """``value`` as a fetch() mode; a ValueError naming the value and the choices otherwise."""
    for mode in MODES:
        if value == mode:
            return mode
    raise ValueError(f"mode={value!r} is not a fetch() mode: use 'cors' (the default), 'no-cors' or 'same-origin'")


def redirect_mode(value: str) -> RedirectMode:
    """``value`` as a fetch() redirect mode; a ValueError naming the value and the choices otherwise."""
    for mode in REDIRECT_MODES:
        if value == mode:
            return mode
    raise ValueError(
        f"redirect={value!r} is not a fetch() redirect mode: use 'follow' (the default), 'error' or 'manual'"
    )


@dataclass(frozen=True)
class FetchRequest:
    """What the page's script asked for: ``fetch(url, {method, headers, body, credentials, mode, redirect})``,
    or with ``api="xhr"`` the same as an XMLHttpRequest (``credentials`` 'include' is
    ``withCredentials = true``; XHR has no mode or redirect option).

    ``body_type`` is the Content-Type the body brings when the page sets none: a string body's
    ``text/plain;charset=UTF-8`` (None for bytes, which bring none).
    """

    url: str
    method: str = "GET"
    headers: HeaderItems = ()
    body: bytes | None = None
    credentials: Credentials = "same-origin"
    mode: Mode = "cors"
    redirect: RedirectMode = "follow"
    api: Api = "fetch"
    body_type: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", header_items(self.headers))
        credentials_mode(self.credentials)
        request_mode(self.mode)
        redirect_mode(self.redirect)
        if self.api not in API_CHOICES:
            raise ValueError(f"api={self.api!r} is not a way to make a request: use 'fetch' or 'xhr'")
        if self.api == "xhr" and (self.mode, self.redirect) != ("cors", "follow"):
            raise ValueError("XMLHttpRequest has no mode or redirect option: leave them 'cors' and 'follow'")
        if self.api == "xhr" and self.credentials == "omit":
            raise ValueError("XMLHttpRequest's credentials are 'same-origin' or, with withCredentials, 'include'")


class StepKind(NamedEnum):
    """What a step of the fetch is, for code to match on (a step's ``title`` is for people)."""

    HEADERS_DROPPED = "headers-dropped"
    REFUSED = "refused"
    NO_CORS = "no-cors"
    MIXED_CONTENT = "mixed-content"
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
    REDIRECT_NOT_FOLLOWED = "redirect-not-followed"
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
    OPAQUE_RESPONSE = "opaque-response"


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
    #: ``Response.type`` ("basic", "cors", "opaque", "opaqueredirect"); "error" when the fetch failed.
    response_type: ResponseType = "error"
    #: Every line the engine prints in its console for this request, in order.
    console_lines: tuple[str, ...] = ()
    #: The error the page's script gets ('' when none: resolved, or XMLHttpRequest's error event).
    js_error: str = ""
    api: Api = "fetch"

    @property
    def status(self) -> int | None:
        """The status the script reads: the response's, 0 for an opaque one or an XHR that failed with
        its error event, None when fetch() rejected or the XHR call threw."""
        if self.ok and self.response is not None:
            return 0 if self.response_type in ("opaque", "opaqueredirect") else self.response.status
        return 0 if self.api == "xhr" and not self.js_error else None

    def __getstate__(self) -> dict[str, Any]:
        # A verdict the machine made may not have worked out its words yet (see _Deferred): a copy or
        # a pickle carries them, not the finished fetch they come from.
        for name in _DEFERRED_FIELDS:
            getattr(self, name)
        return {name: value for name, value in self.__dict__.items() if name != "_account"}


class _Deferred:
    """A field of the verdicts the machine makes that is worked out when first read (then it is an
    ordinary instance attribute): most callers never read a fetch's steps or console lines, and
    wording them costs more than deciding the fetch. A Verdict made by its constructor has every field
    set, so this is never consulted for it."""

    def __init__(self, name: str, default: Any) -> None:
        self.name, self.default = name, default

    def __get__(self, verdict: Verdict | None, owner: type | None = None) -> Any:
        if verdict is None:
            if self.default is MISSING:
                raise AttributeError(f"type object 'Verdict' has no attribute {self.name!r}")
            return self.default
        attributes = verdict.__dict__
        account = attributes.get("_account")
        if account is None:  # another thread has just filled them in
            return attributes[self.name]
        fields = account.deferred_fields()
        attributes.update(fields)
        attributes.pop("_account", None)
        return fields[self.name]


#: The verdict's fields that only put the fetch into words (the machine's decisions are the others).
_DEFERRED_FIELDS = ("failure", "steps", "warnings", "console_lines", "js_error")
for _name in _DEFERRED_FIELDS:
    setattr(Verdict, _name, _Deferred(_name, getattr(Verdict, _name, MISSING)))


@dataclass
class _State:
    url: str
    method: str
    headers: HeaderItems
    body: bytes
    origin_sent: str
    tainting: Literal["basic", "cors", "opaque"]
    redirects: int = 0
    preflight_cached: bool = False
    preflighted: bool = False  # an exchange so far was a preflight
    pending: HttpRequest | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    #: The steps so far, each as a function that words it and what it needs: wording waits until asked.
    recipes: list[tuple[Any, ...]] = field(default_factory=list)
    warnings: list[FetchWarning] = field(default_factory=list)
    early_lines: tuple[str, ...] = ()  # console lines printed while the call was being made
    #: The Authorization lines a redirect to another origin removed (some engines still count them).
    dropped_authorization: HeaderItems = ()

    @property
    def steps(self) -> list[Step]:
        return [recipe[0](*recipe[1:]) for recipe in self.recipes]


class Fetch:
    """The browser's side of one fetch() call (or XMLHttpRequest). Feed it responses; read ``verdict`` when done.

    ``page_url`` is the page's own URL, which some console lines name (its origin and ``/`` by
    default); relative URLs are resolved against it.
    """

    def __init__(
        self,
        page_origin: str,
        request: FetchRequest,
        *,
        cache: PreflightCache | None = None,
        cookies: CookieJar | None = None,
        wording: Wording = CHROMIUM,
        quirks: EngineQuirks = CHROMIUM_QUIRKS,
        page_url: str = "",
    ) -> None:
        self.page_origin = serialize_origin(page_origin)
        self.page_url = page_url or self.page_origin + "/"
        self.wording = wording
        self.quirks = quirks
        self._request_wording, self._response_wording = _optional_wordings(wording)
        self.request = request
        self.cache = cache if cache is not None else PreflightCache()
        self.cookies = cookies if cookies is not None else CookieJar()
        self._verdict: Verdict | None = None
        #: The name of the header whose value the call refused (an engine may print it).
        self._refused_header = ""
        # Asked at nearly every step; neither the request nor the engine changes during a fetch.
        self._xhr = request.api == "xhr"
        #: Chromium's CORS safelist (client hints and Intervention too), or the Fetch Standard's.
        self._chromium_safelist = not quirks.fetch_standard_safelist
        #: Each header line judged by its own value (Firefox's fetch()), not the lines joined per name.
        self._line_by_line = quirks.judges_fetch_header_lines_one_by_one and not self._xhr
        self._ascii_only = quirks.safelists_ascii_accept_and_content_type_only
        self._include = request.credentials == "include"
        self._https_page = self.page_origin.startswith("https:")
        self._s = _State(request.url, request.method, (), b"", self.page_origin, "basic")
        refusal = self._construct()
        if refusal is None:
            refusal = self._start()
        if refusal is not None:
            code, parameter, title = refusal
            self._fail(code, parameter, None, title)
            return
        self._prepare()

    def _construct(self) -> tuple[FailureCode, str, str] | None:
        """What fetch()'s Request constructor (or XHR's open() and setRequestHeader()) refuses, in
        Chromium's order; on the way, the URL, method, headers and body as they will be sent."""
        s, request, xhr = self._s, self.request, self._xhr
        call = "XMLHttpRequest" if xhr else "fetch()"
        headers = request.headers
        if not xhr:  # fetch(): converting the init dictionary comes first
            for name, value in headers:
                if not (name + value).isascii() and max(map(ord, name + value)) > 0xFF:
                    self._refused_header = name
                    culprit = name if any(ord(c) > 0xFF for c in name) else value
                    return FailureCode.INVALID_HEADER_VALUE, culprit, f"{call} refuses a header beyond Latin-1"
        method = request.method
        if xhr:  # open(method, url) checks the method first
            if not is_token(method):
                return FailureCode.INVALID_METHOD, method, f"{call} refuses the method {method!r}"
            if method.upper() in FORBIDDEN_METHODS:
                return FailureCode.FORBIDDEN_METHOD, method, f"{call} refuses the method {method}"
        try:
            parsed = _url_parts(request.url, self.page_url)  # a relative URL is the page's, as in a browser
        except ValueError:
            return FailureCode.INVALID_URL, request.url, f"{call} cannot parse the URL {request.url!r}"
        href = parsed.href
        if parsed.has_credentials:
            if not xhr:
                return FailureCode.URL_WITH_CREDENTIALS, href, f"{call} refuses a URL with user:password@"
            plain = ada_url.URL(href)
            plain.username, plain.password = "", ""
            href = plain.href
            self._step(
                "XMLHttpRequest leaves user:password out of the URL",
                None,
                "it uses them only to answer an HTTP authentication challenge",
                kind=StepKind.HEADERS_DROPPED,
            )
        s.url = href
        if not xhr:
            if not is_token(method):
                return FailureCode.INVALID_METHOD, method, f"{call} refuses the method {method!r}"
            if method.upper() in FORBIDDEN_METHODS:
                return FailureCode.FORBIDDEN_METHOD, method, f"{call} refuses the method {method}"
        s.method = normalize_method(method)
        if request.mode == "no-cors" and s.method not in SAFELISTED_METHODS:
            return FailureCode.NO_CORS_METHOD, s.method, f"{call} refuses {s.method} in mode 'no-cors'"
        kept: list[tuple[str, str]] = []
        dropped: list[str] = []
        no_cors_dropped: list[str] = []
        for name, value in headers:
            if not is_token(name):
                return FailureCode.INVALID_HEADER_NAME, name, f"{call} refuses the header name {name!r}"
            trimmed = value.strip(" \t\r\n")
            if "\0" in trimmed or "\r" in trimmed or "\n" in trimmed:
                self._refused_header = name
                return FailureCode.INVALID_HEADER_VALUE, value, f"{call} refuses the value of {name}"
            if xhr and any(ord(c) > 0xFF for c in value):
                self._refused_header = name
                return FailureCode.INVALID_HEADER_VALUE, value, f"{call} refuses a header beyond Latin-1"
            if is_forbidden_request_header(name, trimmed):
                dropped.append(name)
                if xhr and self._request_wording is not None:
                    s.early_lines += self._request_wording.unsafe_header_lines(name)
            elif request.mode == "no-cors" and not is_no_cors_safelisted_header(name, trimmed):
                no_cors_dropped.append(name)
            else:
                kept.append((name, trimmed))
        # An empty string is still a body: fetch() sends it with its Content-Type, and refuses it on
        # a GET (measured: DELETE with body '' goes out with Content-Type: text/plain;charset=UTF-8).
        body = request.body
        if body is not None and s.method in ("GET", "HEAD"):
            if not xhr:
                return FailureCode.BODY_WITH_GET_OR_HEAD, "", f"{call} refuses a body with {s.method}"
            body = None
            self._step(
                f"XMLHttpRequest sends no body with {s.method}",
                None,
                "send(body) ignores the body of a GET or HEAD request",
                kind=StepKind.HEADERS_DROPPED,
            )
        if body is not None and request.body_type and not any(n.lower() == "content-type" for n, _ in kept):
            kept.append(("Content-Type", request.body_type))
        s.headers, s.body = tuple(kept), body or b""
        if dropped:
            self._step(
                f"The browser dropped {', '.join(dropped)}",
                None,
                f"{call} silently ignores headers a page may not set (Cookie, Origin, Host, ...)",
                kind=StepKind.HEADERS_DROPPED,
            )
        if no_cors_dropped:
            self._step(
                f"The browser dropped {', '.join(no_cors_dropped)}",
                None,
                "in mode 'no-cors' a page may set only Accept, Accept-Language, Content-Language and a "
                "safelisted Content-Type; fetch() silently leaves the others out",
                kind=StepKind.HEADERS_DROPPED,
            )
        return None

    def _start(self) -> tuple[FailureCode, str, str] | None:
        """What fetch() checks before it sends anything, in Chromium's order; then the response tainting."""
        s, request = self._s, self.request
        parsed = _url_parts(s.url)
        scheme = parsed.protocol.rstrip(":")
        same_origin = parsed.origin == self.page_origin
        if request.mode == "no-cors" and request.redirect != "follow":
            return FailureCode.NO_CORS_REDIRECT_MODE, "", "fetch() refuses mode 'no-cors' with this redirect mode"
        if request.mode == "same-origin" and not same_origin:
            return FailureCode.SAME_ORIGIN_MODE, "", "The URL is not same-origin with the page (mode 'same-origin')"
        if scheme not in ("http", "https"):
            return FailureCode.UNSUPPORTED_SCHEME, scheme, f"{scheme}: is not a scheme fetch() can load"
        if self._https_page and self._mixed_content(parsed):
            return FailureCode.MIXED_CONTENT, "", "Mixed content: an https page asks for an http URL"
        if parsed.bad_port:
            self._step(f"Port {parsed.port} is one browsers never connect to", False, kind=StepKind.UNREACHABLE)
            return FailureCode.NETWORK_ERROR, "net::ERR_UNSAFE_PORT", "The browser refuses the port"
        s.tainting = "basic" if same_origin else "opaque" if request.mode == "no-cors" else "cors"
        return None

    def _mixed_content(self, url: ada_url.URL | _UrlParts) -> bool:
        """An https page asking for an http URL that is not loopback: blocked before anything is sent."""
        return (
            self._https_page
            and url.protocol == "http:"
            and (self.quirks.loopback_http_is_mixed_content or not is_potentially_trustworthy_host(url.hostname))
        )

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
        sent = as_sent or request
        self._s.exchanges.append(Exchange(sent, response))
        if sent.kind == "preflight":
            self._s.preflighted = True
        if self.quirks.merges_header_lines_without_empty_ones:
            response = replace(response, headers=without_empty_repeats(response.headers))
        if request.kind == "preflight":
            self._after_preflight(request, response)
        else:
            self._after_actual(request, response)

    def network_error(self, reason: str) -> None:
        """The request could not be sent or answered (``net::ERR_CONNECTION_REFUSED``, a timeout, ...)."""
        request = self._s.pending
        if request is None or self._verdict:
            raise RuntimeError("no request is waiting for a response")
        self._s.exchanges.append(Exchange(request, None))
        if request.kind == "preflight":
            self._s.preflighted = True
        self._step(
            "The server could not be reached",
            False,
            reason,
            "Check that the server is running and the URL (scheme, host, port) is right.",
            kind=StepKind.UNREACHABLE,
        )
        self._network_failure(reason, None)

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
    def _request_header_names(self) -> tuple[str, ...]:
        """The CORS-unsafe header names, as Access-Control-Request-Headers lists them: sorted, once
        each; Firefox's fetch() once per header line that is not safelisted (measured)."""
        headers = self._s.headers
        if self.quirks.dropped_authorization_still_counts == "listed":
            headers += self._s.dropped_authorization
        if self._line_by_line:
            return unsafe_line_names(headers, self._chromium_safelist, self._ascii_only)
        return unsafe_names(headers, self._chromium_safelist, False, self._ascii_only)

    def _disallowed_header_order(self) -> tuple[str, ...]:
        """The lower-cased header names in the order the engine looks for one the preflight did not
        allow: Chromium's own (see chromium_order), alphabetical (Firefox), or the page's (WebKit)."""
        page_names = tuple([n for n, _ in self._s.headers])
        order = self.quirks.disallowed_header_order
        if order == "alphabetical":
            return tuple(sorted({n.lower() for n in page_names}))
        if order == "page":
            return tuple(dict.fromkeys(n.lower() for n in page_names))
        return chromium_header_order(page_names)

    @property
    def _preflight_origin(self) -> str:
        """The Origin a preflight carries: the request's, except that after a redirect to another
        origin Firefox's preflight still says the page's (measured: preflighted-redirect)."""
        s = self._s
        if s.origin_sent == "null" and self.quirks.preflight_after_redirect_sends_page_origin:
            return self.page_origin
        return s.origin_sent

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
        if s.tainting == "opaque":
            self._step(
                "Mode 'no-cors': no preflight and no CORS check",
                None,
                "the request goes out, but the page gets an opaque response: status 0, no headers, an empty body",
                kind=StepKind.NO_CORS,
            )
            self._send_actual()
            return
        chromium, line_by_line = self._chromium_safelist, self._line_by_line
        # The same test as preflight_reasons() being empty, which only the step's words need.
        # The headers that decide whether a preflight is needed: Firefox and WebKit still count an
        # Authorization a redirect to another origin removed (authorization-redirected-to-other-origin).
        judged = s.headers + s.dropped_authorization if self.quirks.dropped_authorization_still_counts else s.headers
        if s.method in SAFELISTED_METHODS and not unsafe_names(judged, chromium, line_by_line, self._ascii_only):
            s.recipes.append((_simple_request_step, s.method))
            self._send_actual()
            return
        s.recipes.append((_preflight_needed_step, s.method, judged, chromium, line_by_line, self._ascii_only))
        # A conditional header the page set (If-None-Match, ...) makes the request's cache mode
        # "no-store" (Fetch Standard, HTTP-network-or-cache fetch), and then Chromium 156 does not
        # consult the preflight cache, though it still stores the new answer (measured).
        if not _has_conditional_header(s.headers) and self.cache.lookup(
            s.origin_sent,
            s.url,
            s.method,
            judged,
            self._include,
            chromium=chromium,
            line_by_line=line_by_line,
            ascii_only=self._ascii_only,
        ):
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
        names = self._request_header_names
        headers: HeaderItems = (
            ("Accept", "*/*"),
            ("Origin", self._preflight_origin),
            ("Access-Control-Request-Method", s.method),
        )
        if names:
            headers += (("Access-Control-Request-Headers", ",".join(names)),)
        s.pending = _http_request("OPTIONS", s.url, headers, b"", "preflight")

    def _send_actual(self) -> None:
        s = self._s
        headers: list[tuple[str, str]] = []
        if s.tainting == "cors" or s.method not in ("GET", "HEAD"):
            headers.append(("Origin", s.origin_sent))
        page_set_accept, combined = _header_lines(s.headers)
        if not page_set_accept:
            headers.append(("Accept", "*/*"))
        if self._line_by_line:
            with_body = self.request.body is not None and s.method not in ("GET", "HEAD")
            headers.extend(_lines_kept_apart(s.headers, self.quirks.single_valued_request_headers, with_body))
        else:
            headers.extend(combined)
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
                (
                    "XMLHttpRequest sends no cookies to another origin unless withCredentials is true "
                    "(axios: withCredentials: true)"
                    if self._xhr
                    else "fetch()'s default credentials mode 'same-origin' sends no cookies to another origin; "
                    "use credentials: 'include' to send them"
                ),
                kind=StepKind.COOKIES_LEFT_OUT,
            )
        s.pending = _http_request(s.method, s.url, tuple(headers), s.body, "actual")

    def _after_preflight(self, request: HttpRequest, response: HttpResponse) -> None:
        s = self._s
        include = self._include
        names = self._request_header_names
        status_first = self.quirks.preflight_status_checked_before_allow_origin
        if response.is_redirect:
            # An engine that judges the preflight's status first fails it there, wherever the
            # redirect points (WebKit, measured: preflight-redirect-invalid-location).
            if not status_first and not _parses(response.get("location") or "", s.url):
                # The network stack fails a redirect it cannot follow before CORS looks at it: no
                # console line (measured in Chromium 156 with 'Location: http://[bad').
                self._step(
                    "The preflight's redirect Location is not a URL",
                    False,
                    repr(response.get("location")),
                    kind=StepKind.REDIRECT_INVALID,
                )
                self._network_failure("net::ERR_INVALID_REDIRECT", response, location=response.get("location") or "")
                return
            if self.quirks.preflight_redirect_checks_allow_origin_first:
                location = ada_url.URL(response.get("location") or "", s.url)
                if location.protocol in self.quirks.preflight_redirect_fails_first_to:
                    self._network_failure("net::ERR_UNSAFE_REDIRECT", response)
                    return
                if self._cors_check_fails(response, preflight=True):
                    return
                if location.protocol not in ("http:", "https:"):
                    # Firefox then fails a redirect it cannot follow in its network layer (measured:
                    # preflight-redirect-to-ftp and its twin without Access-Control-Allow-Origin).
                    self._network_failure("net::ERR_UNSAFE_REDIRECT", response)
                    return
            # The parameter: the redirect's Access-Control-Allow-Origin, which Firefox checks once more.
            self._fail(
                FailureCode.PREFLIGHT_DISALLOWED_REDIRECT,
                response.get("access-control-allow-origin") or "",
                response,
                "The preflight was redirected",
            )
            return
        if not status_first and self._cors_check_fails(response, preflight=True):
            return
        if not 200 <= response.status <= 299:
            self._fail(
                FailureCode.PREFLIGHT_INVALID_STATUS,
                "",
                response,
                f"The preflight's status {response.status} is not ok",
            )
            return
        if status_first and self._cors_check_fails(response, preflight=True):
            return
        s.recipes.append((_preflight_status_ok_step, response.status))
        methods = parse_allow_list(response.get("access-control-allow-methods"))
        if methods is None:
            self._fail(
                FailureCode.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE,
                response.get("access-control-allow-methods") or "",
                response,
                "Access-Control-Allow-Methods is garbled",
            )
            return
        headers = parse_allow_list(response.get("access-control-allow-headers"))
        if headers is None:
            self._fail(
                FailureCode.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE,
                response.get("access-control-allow-headers") or "",
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
            s.recipes.append((_method_allowed_step, s.method, response))
        allowed = {h.lower() for h in headers}
        wildcard = "*" in allowed and not include
        # Chromium names the first disallowed header in its own order (see chromium_order), not
        # alphabetically and not in the page's order.
        if names and not wildcard:
            for name in (n for n in self._disallowed_header_order() if n in names):
                if name not in allowed:
                    self._fail(
                        FailureCode.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE,
                        name,
                        response,
                        f"Header {name} is not in Access-Control-Allow-Headers",
                    )
                    return
        if names:
            s.recipes.append((_headers_allowed_step, names, response))
        if wildcard and "authorization" in names and "authorization" not in allowed:
            self._step(
                f"{self.wording.engine.split()[0]} lets '*' cover Authorization",
                None,
                "The Fetch Standard says '*' never covers Authorization; Chromium, Firefox and WebKit still "
                "allow it (measured), Chromium with a deprecation warning in DevTools' Issues panel and Firefox "
                "with one in its console, both saying it will stop.",
                "List 'Authorization' in allow_headers by name.",
                kind=StepKind.WILDCARD_AUTHORIZATION,
            )
            if self.quirks.warns_when_star_covers_authorization and isinstance(
                self.wording, WildcardAuthorizationWording
            ):
                s.early_lines += (self.wording.authorization_warning(s.url),)
        entry = self.cache.store(
            s.origin_sent,
            s.url,
            methods=methods,
            headers=headers,
            include_credentials=include,
            max_age_header=response.get("access-control-max-age"),
        )
        ttl = round(entry.expires_at - self.cache.clock())
        s.recipes.append((_preflight_passed_step, ttl))
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
            # The CORS check comes before the redirect mode (measured: redirect 'error' and 'manual'
            # both give the CORS line when the redirect lacks Access-Control-Allow-Origin).
            if s.tainting == "cors" and self._cors_check_fails(response, preflight=False):
                return
            if self.request.redirect == "error":
                self._fail(
                    FailureCode.REDIRECT_MODE_ERROR, "", response, "A redirect, and the redirect mode is 'error'"
                )
                return
            if self.request.redirect == "manual":
                self._step(
                    "The redirect is not followed (redirect 'manual')",
                    None,
                    "the page gets an opaque redirect: type 'opaqueredirect', status 0, no headers, no Location",
                    kind=StepKind.REDIRECT_NOT_FOLLOWED,
                )
                self._finish(response, response_type="opaqueredirect")
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
            self._network_failure("net::ERR_INVALID_REDIRECT", response, location=raw_location)
            return
        location = parsed.href
        unsafe = parsed.protocol in _UNSAFE_REDIRECT_SCHEMES
        if unsafe or (parsed.protocol in ("ws:", "wss:") and s.tainting != "basic"):
            # Chromium 156 fails these redirects before CORS looks at them (measured: data:, about:,
            # blob:, file:, chrome: give net::ERR_UNSAFE_REDIRECT; ws: from a cross-origin request
            # net::ERR_UNKNOWN_URL_SCHEME).
            self._step(
                f"The redirect leads to a {parsed.protocol} URL", False, location, kind=StepKind.REDIRECT_INVALID
            )
            self._network_failure(
                "net::ERR_UNSAFE_REDIRECT" if unsafe else "net::ERR_UNKNOWN_URL_SCHEME", None, location=location
            )
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
                redirected_from=self._first_url,
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
            self._network_failure("net::ERR_TOO_MANY_REDIRECTS", None, location=location)
            return
        current, target = serialize_origin(s.url), serialize_origin(location)
        if self.request.mode == "same-origin" and target != self.page_origin:
            self._fail(
                FailureCode.SAME_ORIGIN_MODE,
                "",
                None,
                "The redirect leads away from the page's origin (mode 'same-origin')",
                url=location,
                redirected_from=s.url,
            )
            return
        if self._mixed_content(parsed):
            self._fail(
                FailureCode.MIXED_CONTENT,
                "",
                None,
                "Mixed content: the redirect leads an https page to an http URL",
                url=location,
                redirected_from=s.url,
            )
            return
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
            or (
                self._chromium_safelist
                and n.lower() in CLIENT_HINTS
                and n.lower() != "save-data"
                and target != self.page_origin
            )
        ]
        if removed:
            s.dropped_authorization += tuple(
                (n, v) for n, v in s.headers if n in removed and n.lower() == "authorization"
            )
            s.headers = tuple((n, v) for n, v in s.headers if n not in removed)
            self._step(
                f"The browser removes {', '.join(removed)}",
                None,
                "a redirect to another origin never carries the page's Authorization along, and Chromium sends "
                "client hints only to the page's own origin",
                kind=StepKind.REDIRECT_HEADERS_REMOVED,
            )
        if target != self.page_origin and s.tainting == "basic":
            s.tainting = "opaque" if self.request.mode == "no-cors" else "cors"
        if (response.status == 303 and s.method not in ("GET", "HEAD")) or (
            response.status in (301, 302) and s.method == "POST"
        ):
            s.method, s.body = "GET", b""
            s.headers = tuple((n, v) for n, v in s.headers if n.lower() not in _BODY_HEADERS)
        elif (
            response.status in (301, 302)
            and s.method == "DELETE"
            and target != current
            and self.quirks.redirect_to_another_origin_makes_delete_get
        ):
            s.method, s.body = "GET", b""  # the headers stay, Content-Type too (measured: WebKit)
        detail = f"{response.status} to {location}"
        if s.origin_sent == "null":
            detail += "; after a hop to another origin the browser sends 'Origin: null'"
        self._step("The browser follows the redirect", None, detail, kind=StepKind.REDIRECT_FOLLOWED)
        s.url = location
        self._prepare()

    def _cors_check_fails(self, response: HttpResponse, *, preflight: bool) -> bool:
        s = self._s
        include = self._include
        origin = self._preflight_origin if preflight else s.origin_sent
        failure = check_allow_origin(response.get_all("access-control-allow-origin"), origin, include)
        if failure is None and include:
            failure = check_allow_credentials(response.get_all("access-control-allow-credentials"))
        if failure is None:
            s.recipes.append((_cors_check_passed_step, preflight, response, include))
            return False
        code = _CODES[failure.code]
        if preflight:
            code = _AT_PREFLIGHT[code]
        title = "The preflight response fails the CORS check" if preflight else "The response fails the CORS check"
        self._fail(code, failure.parameter, response, title)
        return True

    # --- endings -----------------------------------------------------------------------------------

    def _fail(
        self,
        code: FailureCode,
        parameter: str,
        response: HttpResponse | None,
        title: str,
        *,
        url: str | None = None,
        redirected_from: str | None = None,
        location: str | None = None,
    ) -> None:
        s = self._s
        is_cors = code in _CORS_CODES
        url = url or s.url
        if redirected_from is None and is_cors and s.exchanges:
            first_url = s.exchanges[0].request.url
            if s.url != first_url:
                redirected_from = first_url
        occasion = _occasion(
            url,
            self.page_origin,
            self.page_url,
            s.method,
            response.status if response is not None else None,
            redirected_from,
            self.request.api,
            location if location is not None or response is None else _redirect_target(response, url),
            "" if s.origin_sent == self.page_origin else s.origin_sent,
            self._header_name(code, parameter),
            bool(s.exchanges) and s.exchanges[-1].request.kind == "preflight",
            s.tainting == "basic",
        )
        # The engine's words come now, as the fetch fails: a wording may watch what it is asked.
        lines = self.wording.console_lines(code, parameter, occasion)
        js_error = self.wording.js_error(code, parameter, occasion)
        s.recipes.append((Step, title, False, "", "", StepKind.BLOCKED if is_cors else StepKind.REFUSED, code))
        self._finish(response, failure=(code, parameter, url, redirected_from, lines, js_error))

    def _header_name(self, code: FailureCode, parameter: str) -> str:
        """The header a failure is about, as the page wrote it ('' for the failures about no header)."""
        if code not in _HEADER_CODES:
            return ""
        if code is FailureCode.INVALID_HEADER_VALUE and self._refused_header:
            return self._refused_header
        return self._spelling(parameter)

    def _spelling(self, name: str) -> str:
        """A header's name as the page wrote it (WebKit prints it so)."""
        spelt = [n for n, _ in (*self._s.headers, *self.request.headers) if n.lower() == name.lower()]
        return spelt[0] if spelt else name

    def _network_failure(self, reason: str, response: HttpResponse | None, *, location: str | None = None) -> None:
        """No usable response: the request failed in the network stack with ``reason`` (``net::ERR_...``);
        ``location`` is where the redirect that failed pointed, as its Location said (WebKit prints it)."""
        self._fail(FailureCode.NETWORK_ERROR, reason, response, f"Network error: {reason}", location=location)

    @property
    def _first_url(self) -> str:
        return self._s.exchanges[0].request.url if self._s.exchanges else self._s.url

    def _finish(
        self,
        response: HttpResponse | None,
        *,
        failure: _FailureFacts | None = None,
        response_type: ResponseType | None = None,
    ) -> None:
        s = self._s
        s.pending = None
        ok = failure is None and response is not None
        readable: HeaderItems = ()
        kind: ResponseType = "error"
        names: set[str] = set()
        lines: tuple[str, ...] = failure[4] if failure is not None else ()
        if ok and response is not None:
            kind = response_type or ("opaque" if s.tainting == "opaque" else s.tainting)
            if kind in ("opaque", "opaqueredirect"):
                pass
            elif s.tainting == "basic":
                names = {n.lower() for n, _ in response.headers} - {"set-cookie", "set-cookie2"}
            else:
                names = exposed_header_names(
                    response.headers,
                    response.get("access-control-expose-headers"),
                    self._include,
                )
            readable = tuple([(n.lower(), v) for n, v in response.headers if n.lower() in names])
            if self._response_wording is not None:
                occasion = _occasion(
                    s.url, self.page_origin, self.page_url, s.method, response.status, None, self.request.api
                )
                lines = self._response_wording.response_lines(occasion, response.reason)
        network_error = failure[1] if failure is not None and failure[0] is FailureCode.NETWORK_ERROR else None
        verdict = object.__new__(Verdict)
        # Verdict's own __init__ would set every field; the words are left to _Deferred.
        verdict.__dict__.update(
            ok=ok,
            url=s.url,
            response=response,
            readable_headers=readable,
            network_error=network_error,
            preflighted=s.preflighted,
            preflight_cached=s.preflight_cached,
            redirected=s.redirects > 0,
            exchanges=tuple(s.exchanges),
            response_type=kind,
            api=self.request.api,
            _account=_Account(self, response, failure, kind, names, readable, lines),
        )
        self._verdict = verdict

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
        self._s.recipes.append((Step, title, passed, detail, fix, kind, code))


#: A failure as the machine found it: its code, parameter, URL, the URL it was redirected from,
#: and the engine's words (console lines, the script's error).
_FailureFacts = tuple[FailureCode, str, str, str | None, tuple[str, ...], str]


class _Account:
    """A finished fetch's words: its steps, warnings, failure and console lines, worked out from what
    the machine decided when a caller first reads one of them (the fetch does not change after it
    ends; what it shares with other fetches, the cookie jar and the preflight cache, is not read here)."""

    __slots__ = (
        "ascii_only",
        "chromium_safelist",
        "failure",
        "kind",
        "line_by_line",
        "lines",
        "names",
        "page_origin",
        "readable",
        "request",
        "response",
        "state",
    )

    def __init__(
        self,
        fetch: Fetch,
        response: HttpResponse | None,
        failure: _FailureFacts | None,
        kind: ResponseType,
        names: set[str],
        readable: HeaderItems,
        lines: tuple[str, ...],
    ) -> None:
        self.state = fetch._s
        self.page_origin = fetch.page_origin
        self.request = fetch.request
        self.chromium_safelist = fetch._chromium_safelist
        self.line_by_line = fetch._line_by_line
        self.ascii_only = fetch._ascii_only
        self.response, self.failure, self.kind, self.names, self.readable = response, failure, kind, names, readable
        self.lines = lines

    def deferred_fields(self) -> dict[str, Any]:
        s, response, kind = self.state, self.response, self.kind
        warnings = list(s.warnings)
        failure = self._failure() if self.failure is not None else None
        steps = s.steps
        if failure is None and response is not None:
            if kind not in ("opaque", "opaqueredirect") and s.tainting != "basic":
                # Headers that came but stay hidden, leaving out the ones no page means to read.
                present = {n.lower() for n, _ in response.headers}
                hidden = sorted(
                    n
                    for n in present - self.names - _TRANSPORT_HEADERS - {"set-cookie", "set-cookie2"}
                    if not n.startswith("access-control-")
                )
                for name in hidden:
                    warnings.append(
                        FetchWarning(
                            WarningKind.HEADER_NOT_EXPOSED,
                            f"The response has a {name} header, but the page cannot read it: it is not listed in "
                            "Access-Control-Expose-Headers",
                            name,
                        )
                    )
            what = "XMLHttpRequest loads" if self.request.api == "xhr" else "fetch() resolves"
            if kind in ("opaque", "opaqueredirect"):
                warnings.append(
                    FetchWarning(
                        WarningKind.OPAQUE_RESPONSE,
                        "The page got an opaque response: status 0, no headers, an empty body, whatever the server "
                        "answered"
                        + (
                            ". mode: 'no-cors' is not a fix for CORS: it only stops the browser from reporting the "
                            "error. To read the response, allow the page's origin in the API (CORSMiddleware)."
                            if kind == "opaque"
                            else " (redirect: 'manual' does not let the page see where the redirect leads)."
                        ),
                    )
                )
                steps.append(
                    Step(
                        f"{what}, with an {kind} response",
                        True,
                        f"the server answered {response.status}, but the page sees status 0, no headers and an "
                        "empty body",
                        kind=StepKind.RESOLVED,
                    )
                )
            else:
                steps.append(
                    Step(
                        f"{what}: the page can read the response",
                        True,
                        f"status {response.status}; readable headers: "
                        + ", ".join(sorted({n for n, _ in self.readable})),
                        kind=StepKind.RESOLVED,
                    )
                )
        return {
            "failure": failure,
            "steps": tuple(steps),
            "warnings": tuple(warnings),
            "console_lines": s.early_lines + self.lines,
            "js_error": failure.js_error if failure is not None else "",
        }

    def _failure(self) -> CorsFailure:
        assert self.failure is not None
        code, parameter, url, redirected_from, lines, js_error = self.failure
        s, request, response = self.state, self.request, self.response
        context = FailureContext(
            self.page_origin,
            s.origin_sent,
            s.method,
            request.credentials,
            response,
            unsafe_names(s.headers, self.chromium_safelist, self.line_by_line, self.ascii_only),
            api=request.api,
            url=url,
            redirected_from=redirected_from,
        )
        return CorsFailure(
            code,
            parameter,
            url,
            lines[0] if lines else "",
            context=context,
            redirected_from=redirected_from,
            console_lines=lines,
            js_error=js_error,
        )


# The words of the steps most fetches take, from what the machine recorded (see _State.recipes).


def _simple_request_step(method: str) -> Step:
    return Step(
        "A simple request: no preflight needed",
        None,
        f"method {method} and every header are CORS-safelisted",
        kind=StepKind.SIMPLE_REQUEST,
    )


def _preflight_needed_step(
    method: str, headers: HeaderItems, chromium: bool, line_by_line: bool, ascii_only: bool
) -> Step:
    reasons = preflight_reasons(method, headers, chromium, line_by_line, ascii_only)
    return Step("A preflight is needed", None, "; ".join(reasons), kind=StepKind.PREFLIGHT_NEEDED)


def _preflight_status_ok_step(status: int) -> Step:
    return Step("The preflight's status is ok", True, f"{status}", kind=StepKind.PREFLIGHT_STATUS_OK)


def _method_allowed_step(method: str, response: HttpResponse) -> Step:
    return Step(
        f"Method {method} is allowed",
        True,
        f"Access-Control-Allow-Methods: {response.get('access-control-allow-methods')}",
        kind=StepKind.METHOD_ALLOWED,
    )


def _headers_allowed_step(names: tuple[str, ...], response: HttpResponse) -> Step:
    return Step(
        f"Request headers {', '.join(names)} are allowed",
        True,
        f"Access-Control-Allow-Headers: {response.get('access-control-allow-headers')}",
        kind=StepKind.HEADERS_ALLOWED,
    )


def _preflight_passed_step(ttl: int) -> Step:
    return Step("The preflight passed", True, f"its answer is cached for {ttl} s", kind=StepKind.PREFLIGHT_PASSED)


def _cors_check_passed_step(preflight: bool, response: HttpResponse, include: bool) -> Step:
    what = "preflight response" if preflight else "response"
    detail = f"Access-Control-Allow-Origin: {response.get('access-control-allow-origin')}"
    if include:
        detail += ", Access-Control-Allow-Credentials: true"
    return Step(f"The {what} passes the CORS check", True, detail, kind=StepKind.CORS_CHECK_PASSED)


#: Headers about the connection, not the resource: no page reads them, so hiding them is no news.
_TRANSPORT_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding", "vary"})


@lru_cache(maxsize=1024)
def _header_lines(headers: HeaderItems) -> tuple[bool, HeaderItems]:
    """Whether the page set Accept, and its headers as fetch()'s header list sends them: one line per
    name (at its first place), repeated values joined by ", ", and the result trimmed (Chromium
    sends 'a' + '' as 'a,'). Cached: a page sends the same few header lists again and again."""
    values: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        names.setdefault(name.lower(), name)
        values.setdefault(name.lower(), []).append(value)
    return "accept" in names, tuple((names[key], ", ".join(parts).strip(" \t")) for key, parts in values.items())


def _has_conditional_header(headers: HeaderItems) -> bool:
    for name, _ in headers:
        if name.lower() in _CONDITIONAL_HEADERS:
            return True
    return False


def _http_request(method: str, url: str, headers: HeaderItems, body: bytes, kind: Kind) -> HttpRequest:
    """``HttpRequest(method, url, headers, body, kind)``, made without the frozen dataclass's
    object.__setattr__ per field (it has no __post_init__): a fetch makes one per request."""
    request = object.__new__(HttpRequest)
    request.__dict__.update(method=method, url=url, headers=headers, body=body, kind=kind)
    return request


def _occasion(
    url: str,
    page_origin: str,
    page_url: str,
    method: str,
    status: int | None,
    redirected_from: str | None,
    api: Api,
    location: str | None = None,
    origin_sent: str = "",
    header_name: str = "",
    preflight: bool = False,
    same_origin: bool = False,
) -> Occasion:
    """``Occasion(...)`` with every field given, made as _http_request makes a request (and for the same reason)."""
    occasion = object.__new__(Occasion)
    occasion.__dict__.update(
        url=url,
        page_origin=page_origin,
        page_url=page_url,
        method=method,
        status=status,
        redirected_from=redirected_from,
        api=api,
        location=location,
        origin_sent=origin_sent,
        header_name=header_name,
        preflight=preflight,
        same_origin=same_origin,
    )
    return occasion


_CODES = {code.value: code for code in FailureCode}
#: Each code as the CORS check on a preflight's response gives it (its preflight twin, if it has one).
_AT_PREFLIGHT = {code: code.preflight_twin or code for code in FailureCode}
_CORS_CODES = frozenset(code for code in FailureCode if code.is_cors)


def _lines_kept_apart(headers: HeaderItems, single_valued: frozenset[str], with_body: bool) -> list[tuple[str, str]]:
    """Headers as Firefox's fetch() sends the lines its Headers kept apart: one line per name (at its
    first place); a single-valued name's last value, but a body's Content-Type is its first (measured:
    repeated-content-type-*); another's values after its last empty line, joined by ", " (each empty
    line resets the header, and a value is added to an empty one bare)."""
    values: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        names.setdefault(lower, name)
        if with_body and lower == "content-type":
            values.setdefault(lower, [value])
        elif lower in single_valued or not value:
            values[lower] = [value] if value else []
        else:
            values.setdefault(lower, []).append(value)
    return [(names[key], ", ".join(parts)) for key, parts in values.items()]


def _optional_wordings(wording: Wording) -> tuple[RequestWording | None, ResponseWording | None]:
    """The optional parts of an engine's wording, looked up once per wording (a Protocol isinstance is slow)."""
    return _optional_wordings_of(cast(Hashable, wording))


@lru_cache(maxsize=16)
def _optional_wordings_of(wording: Any) -> tuple[RequestWording | None, ResponseWording | None]:
    return (
        wording if isinstance(wording, RequestWording) else None,
        wording if isinstance(wording, ResponseWording) else None,
    )


class _UrlParts(NamedTuple):
    """The parts of a parsed URL the machine reads, parsed once per URL (ada's attribute access is slow)."""

    href: str
    protocol: str
    origin: str
    hostname: str
    port: str
    has_credentials: bool
    bad_port: bool  # no port is the scheme's default, which is fine


@lru_cache(maxsize=4096)
def _url_parts(url: str, base: str | None = None) -> _UrlParts:
    """``url`` parsed (against ``base``); a ValueError when it does not parse."""
    parsed = ada_url.URL(url, base) if base is not None else ada_url.URL(url)
    return _UrlParts(
        parsed.href,
        parsed.protocol,
        parsed.origin,
        parsed.hostname,
        parsed.port,
        bool(parsed.username or parsed.password),
        bool(parsed.port) and int(parsed.port) in BAD_PORTS,
    )


#: The failures about one of the page's headers, whose name an engine may print as the page spelt it.
_HEADER_CODES = frozenset({FailureCode.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE, FailureCode.INVALID_HEADER_VALUE})


def _redirect_target(response: HttpResponse | None, base: str) -> str | None:
    """Where a redirect response points, resolved against ``base`` (None for other responses)."""
    if response is None or not response.is_redirect:
        return None
    location = response.get("location")
    if location is None:
        return None
    try:
        return str(ada_url.URL(location, base).href)
    except ValueError:
        return location  # as it came: WebKit names it so ("Cross-origin redirection to http://[bad denied ...")


def _parses(location: str, base: str) -> bool:
    try:
        ada_url.URL(location, base)
    except ValueError:
        return False
    return True
