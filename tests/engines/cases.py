"""The measured cases: every failure kind the model knows, and the frontend behaviours around them.

A case is a request (written once, engine-neutral) and the hand-written answers the servers give
for it. ``code`` is the model's name for what should happen (Chromium's CorsError names, see
cors_lab/browser/failures.py), or a short label for a frontend behaviour the model does not name.
The request is made with ``fetch()`` and with ``XMLHttpRequest`` (``via``), and with axios where
axios could differ. URLs are templates: ``{api}``, ``{other}``, ``{page}``, ``{https_page}``,
``{mapped}`` and ``{closed}`` become live origins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .calls import Axios, Call, Fetch, Xhr
from .servers import MAPPED_HOST, Reply

Via = Literal["fetch", "xhr", "axios"]
Site = Literal["api", "other", "page"]

PAGE = ("Access-Control-Allow-Origin", "{page}")
ANY = ("Access-Control-Allow-Origin", "*")
CREDS = ("Access-Control-Allow-Credentials", "true")
OTHER_ORIGIN = "http://other.example"


def methods(value: str) -> tuple[str, str]:
    return ("Access-Control-Allow-Methods", value)


def allow_headers(value: str) -> tuple[str, str]:
    return ("Access-Control-Allow-Headers", value)


def to_other(*more: tuple[str, str], status: int = 302) -> Reply:
    """A redirect to the same case's ``/final`` on the other origin, keeping the query (the token)."""
    return Reply(status, (*more, ("Location", "{other}{path}/final?{query}")), b"")


@dataclass(frozen=True)
class Request:
    """One request as page code would write it; ``extra`` holds fetch-only init members (mode, redirect)."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    credentials: bool = False  # credentials: "include" / withCredentials = true
    extra: Mapping[str, Any] = field(default_factory=dict)

    def call(self, via: Via, origins: Mapping[str, str]) -> Call:
        url = self.url.format(**origins)
        if via == "fetch":
            init: dict[str, Any] = {"method": self.method, **self.extra}
            if self.headers:
                init["headers"] = [list(pair) for pair in self.headers]
            if self.body is not None:
                init["body"] = self.body
            if self.credentials:
                init["credentials"] = "include"
            return Fetch(url, init)
        if via == "xhr":
            return Xhr(url, self.method, self.headers, self.body, self.credentials)
        return Axios(url, self.method.lower(), dict(self.headers), self.body, self.credentials)

    def as_js(self, via: Via, url: str) -> str:
        """How the call reads in page code (with ``url`` as shown), for the docs."""
        if via == "fetch":
            init: list[str] = [] if self.method == "GET" else [f"method: {self.method!r}"]
            if self.headers:
                init.append("headers: {" + ", ".join(f"{k!r}: {v!r}" for k, v in self.headers) + "}")
            if self.body is not None:
                init.append(f"body: {self.body!r}")
            if self.credentials:
                init.append("credentials: 'include'")
            init += [f"{k}: {v!r}" for k, v in self.extra.items()]
            return f"fetch('{url}'" + (", {" + ", ".join(init) + "})" if init else ")")
        if via == "xhr":
            lines = [f"xhr.open({self.method!r}, '{url}')"]
            if self.credentials:
                lines.append("xhr.withCredentials = true")
            lines += [f"xhr.setRequestHeader({k!r}, {v!r})" for k, v in self.headers]
            lines.append(f"xhr.send({self.body!r})" if self.body is not None else "xhr.send()")
            return "; ".join(lines)
        config = [f"url: '{url}'", f"method: {self.method.lower()!r}"]
        if self.headers:
            config.append("headers: {" + ", ".join(f"{k!r}: {v!r}" for k, v in self.headers) + "}")
        if self.body is not None:
            config.append(f"data: {self.body!r}")
        if self.credentials:
            config.append("withCredentials: true")
        return "axios({" + ", ".join(config) + "})"


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    code: str  # the model's error code, "allowed", or a frontend behaviour's label
    request: Request
    routes: tuple[tuple[Site, Reply, Reply | None], ...] = ()  # at "/c/<id>" (api, page) or "/c/<id>/final" (other)
    via: tuple[Via, ...] = ("fetch", "xhr")
    page: Literal["http", "https"] = "http"
    group: str = ""

    @property
    def path(self) -> str:
        return f"/c/{self.id}"


def get(path: str = "{api}{path}", **kw: Any) -> Request:
    return Request(path, **kw)


def put(**kw: Any) -> Request:
    return Request("{api}{path}", "PUT", **kw)


def api(actual: Reply, preflight: Reply | None = None) -> tuple[Site, Reply, Reply | None]:
    return ("api", actual, preflight)


def other(actual: Reply) -> tuple[Site, Reply, Reply | None]:
    return ("other", actual, None)


def ok(*headers: tuple[str, str]) -> Reply:
    return Reply(200, headers)


def preflight_ok(*headers: tuple[str, str]) -> Reply:
    return Reply(204, headers, b"")


WITH_AXIOS: tuple[Via, ...] = ("fetch", "xhr", "axios")
CUSTOM = (("X-Custom", "1"),)

CORS_CHECK = "The CORS check of the response"
PREFLIGHT = "The preflight"
PREFLIGHT_TWINS = "The preflight's own CORS check"
REDIRECTS = "Redirects"
FRONTEND = "Frontend behaviours: fetch() modes and options"
MIXED = "Mixed content (an https page)"
ARGUMENTS = "Network errors and calls the browser refuses before sending"

CASES: tuple[Case, ...] = (
    # --- the response's CORS check -----------------------------------------------------------
    Case(
        "allowed",
        "ACAO is the page's origin (control)",
        "allowed",
        get(),
        (api(ok(PAGE)),),
        WITH_AXIOS,
        group=CORS_CHECK,
    ),
    Case(
        "missing-acao",
        "No Access-Control-Allow-Origin",
        "MissingAllowOriginHeader",
        get(),
        (api(ok()),),
        WITH_AXIOS,
        group=CORS_CHECK,
    ),
    Case(
        "missing-acao-500",
        "A 500 without CORS headers (what an unhandled FastAPI exception gives)",
        "MissingAllowOriginHeader",
        get(),
        (api(Reply(500, body=b"Internal Server Error")),),
        WITH_AXIOS,
        group=CORS_CHECK,
    ),
    Case(
        "acao-other-origin",
        f"ACAO is another origin ({OTHER_ORIGIN})",
        "AllowOriginMismatch",
        get(),
        (api(ok(("Access-Control-Allow-Origin", OTHER_ORIGIN))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-trailing-slash",
        "ACAO is the page's origin with a trailing slash",
        "AllowOriginMismatch",
        get(),
        (api(ok(("Access-Control-Allow-Origin", "{page}/"))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-null",
        "ACAO is 'null'",
        "AllowOriginMismatch",
        get(),
        (api(ok(("Access-Control-Allow-Origin", "null"))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-list-in-one-header",
        "ACAO lists two origins in one header",
        "MultipleAllowOriginValues",
        get(),
        (api(ok(("Access-Control-Allow-Origin", f"{{page}}, {OTHER_ORIGIN}"))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-two-origins-without-a-comma",
        "ACAO lists two origins separated by a space only",
        "MultipleAllowOriginValues",
        get(),
        (api(ok(("Access-Control-Allow-Origin", f"{{page}} {OTHER_ORIGIN}"))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-two-header-lines",
        "Two ACAO header lines (the page's origin twice)",
        "MultipleAllowOriginValues",
        get(),
        (api(ok(PAGE, PAGE)),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-empty-line-then-origin",
        "Two ACAO header lines: an empty one, then the page's origin (Firefox drops the empty line)",
        "MultipleAllowOriginValues",
        get(),
        (api(ok(("Access-Control-Allow-Origin", ""), PAGE)),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-not-a-url",
        "ACAO is 'foo'",
        "InvalidAllowOriginValue",
        get(),
        (api(ok(("Access-Control-Allow-Origin", "foo"))),),
        group=CORS_CHECK,
    ),
    Case(
        "acao-non-ascii",
        "ACAO is 'http://b\u00fccher.example' (a non-ASCII byte, sent as Latin-1)",
        "InvalidAllowOriginValue",
        get(),
        (api(ok(("Access-Control-Allow-Origin", "http://b\u00fccher.example"))),),
        group=CORS_CHECK,
    ),
    Case(
        "wildcard-with-credentials",
        "ACAO '*' on a credentialed request",
        "WildcardOriginNotAllowed",
        get(credentials=True),
        (api(ok(ANY)),),
        WITH_AXIOS,
        group=CORS_CHECK,
    ),
    Case(
        "credentials-without-acac",
        "A credentialed request, ACAO right, no Access-Control-Allow-Credentials",
        "InvalidAllowCredentials",
        get(credentials=True),
        (api(ok(PAGE)),),
        group=CORS_CHECK,
    ),
    Case(
        "credentials-acac-True",
        "A credentialed request, Access-Control-Allow-Credentials: True (capital T)",
        "InvalidAllowCredentials",
        get(credentials=True),
        (api(ok(PAGE, ("Access-Control-Allow-Credentials", "True"))),),
        group=CORS_CHECK,
    ),
    Case(
        "credentials-allowed",
        "A credentialed request, ACAO the page's origin and ACAC true (control)",
        "allowed",
        get(credentials=True),
        (api(ok(PAGE, CREDS)),),
        group=CORS_CHECK,
    ),
    # --- the preflight ---------------------------------------------------------------------------
    *(
        Case(
            f"preflight-{status}",
            f"PUT; the preflight answers {status} (with ACAO)",
            "PreflightInvalidStatus",
            put(),
            (api(ok(PAGE), Reply(status, (PAGE, methods("PUT")))),),
            WITH_AXIOS if status == 400 else ("fetch", "xhr"),
            group=PREFLIGHT,
        )
        for status in (400, 401, 404, 500)
    ),
    Case(
        "preflight-404-without-acao",
        "PUT; the preflight answers 404 without CORS headers",
        "PreflightMissingAllowOriginHeader",
        put(),
        (api(ok(PAGE), Reply(404)),),
        group=PREFLIGHT,
    ),
    *(
        Case(
            f"preflight-redirect-{status}",
            f"PUT; the preflight answers {status} to another URL",
            "PreflightDisallowedRedirect",
            put(),
            (api(ok(PAGE), Reply(status, (PAGE, ("Location", "{api}{path}/elsewhere?{query}")), b"")),),
            group=PREFLIGHT,
        )
        for status in (301, 307)
    ),
    Case(
        "preflight-redirect-without-acao",
        "PUT; the preflight answers 301 to another URL, without CORS headers",
        "PreflightMissingAllowOriginHeader",
        put(),
        (api(ok(PAGE), Reply(301, (("Location", "{api}{path}/elsewhere?{query}"),), b"")),),
        group=PREFLIGHT,
    ),
    *(
        Case(
            f"preflight-redirect-to-other-origin{suffix}",
            f"PUT; the preflight answers 307 to another origin, with ACAO {words}",
            "PreflightDisallowedRedirect",
            put(),
            (api(ok(PAGE), Reply(307, (acao, ("Location", "{other}{path}/final?{query}")), b"")),),
            group=PREFLIGHT,
        )
        for suffix, words, acao in (("", "the page's origin", PAGE), ("-star", "*", ANY))
    ),
    *(
        Case(
            f"preflight-redirect-to-other-origin-credentials{suffix}",
            f"PUT with credentials; the preflight answers 307 to another origin, with {words}",
            "PreflightDisallowedRedirect",
            put(credentials=True),
            (api(ok(PAGE), Reply(307, (*headers, ("Location", "{other}{path}/final?{query}")), b"")),),
            group=PREFLIGHT,
        )
        for suffix, words, headers in (
            ("", "ACAO the page's origin and ACAC true", (PAGE, ("Access-Control-Allow-Credentials", "true"))),
            ("-star", "ACAO * and ACAC true", (ANY, ("Access-Control-Allow-Credentials", "true"))),
            (
                "-null",
                "ACAO null and ACAC true",
                (("Access-Control-Allow-Origin", "null"), ("Access-Control-Allow-Credentials", "true")),
            ),
            ("-null-without-acac", "ACAO null", (("Access-Control-Allow-Origin", "null"),)),
        )
    ),
    *(
        Case(
            f"preflight-redirect-to-ftp{suffix}",
            f"PUT; the preflight answers 301 to an ftp: URL{words}",
            code,
            put(),
            (api(ok(PAGE), Reply(301, (*acao, ("Location", "ftp://files.example.test/x")), b"")),),
            group=PREFLIGHT,
        )
        for suffix, words, acao, code in (
            ("", " (with ACAO)", (PAGE,), "PreflightDisallowedRedirect"),
            ("-without-acao", ", without CORS headers", (), "PreflightMissingAllowOriginHeader"),
        )
    ),
    *(
        Case(
            f"preflight-redirect-to-{name}",
            f"PUT; the preflight answers 307, without CORS headers, to {location}",
            "PreflightDisallowedRedirect",
            put(),
            (api(ok(PAGE), Reply(307, (("Location", location),), b"")),),
            group=PREFLIGHT,
        )
        for name, location in (
            ("javascript", "javascript:void(0)"),
            ("data", "data:text/plain,hi"),
            ("blob", "blob:http://127.0.0.1:8000/x"),
            ("file", "file:///etc/hostname"),
            ("chrome", "chrome://settings/"),
            ("ws", "ws://127.0.0.1:8000/x"),
            ("about", "about:blank"),
            ("filesystem", "filesystem:http://127.0.0.1:8000/temporary/x"),
        )
    ),
    Case(
        "preflight-redirect-to-about-with-acao",
        "PUT; the preflight answers 307 with ACAO to about:blank",
        "PreflightDisallowedRedirect",
        put(),
        (api(ok(PAGE), Reply(307, (PAGE, ("Location", "about:blank")), b"")),),
        group=PREFLIGHT,
    ),
    Case(
        "method-not-allowed",
        "PUT; the preflight allows GET, POST",
        "MethodDisallowedByPreflightResponse",
        put(),
        (api(ok(PAGE), preflight_ok(PAGE, methods("GET, POST"))),),
        WITH_AXIOS,
        group=PREFLIGHT,
    ),
    Case(
        "method-lower-case-patch",
        "method 'patch' (lower case); the preflight allows PATCH",
        "MethodDisallowedByPreflightResponse",
        Request("{api}{path}", "patch"),
        (api(ok(PAGE), preflight_ok(PAGE, methods("PATCH"))),),
        group=PREFLIGHT,
    ),
    Case(
        "header-not-allowed",
        "GET with X-Custom; the preflight allows no headers",
        "HeaderDisallowedByPreflightResponse",
        get(headers=CUSTOM),
        (api(ok(PAGE), preflight_ok(PAGE)),),
        group=PREFLIGHT,
    ),
    *(
        Case(
            f"repeated-{name}",
            f"GET with {words}; the preflight allows them",
            "allowed",
            get(headers=headers),
            (api(ok(PAGE), preflight_ok(PAGE, allow_headers(allowed))),),
            group=PREFLIGHT,
        )
        for name, words, headers, allowed in (
            (
                "accept-language-one-unsafe",
                "two Accept-Language lines, the first not safelisted",
                (("Accept-Language", 'x"y'), ("Accept-Language", "en")),
                "accept-language",
            ),
            (
                "content-type-two-values",
                "Content-Type: text/plain, then application/x-www-form-urlencoded",
                (("Content-Type", "text/plain"), ("Content-Type", "application/x-www-form-urlencoded")),
                "content-type",
            ),
            (
                "custom-header-twice",
                "X-Custom: a, then X-Custom: b",
                (("X-Custom", "a"), ("X-Custom", "b")),
                "x-custom",
            ),
            (
                "custom-header-then-empty",
                "X-Custom: a, then an empty X-Custom",
                (("X-Custom", "a"), ("X-Custom", "")),
                "x-custom",
            ),
            (
                "authorization-twice",
                "Authorization: Bearer a, then Authorization: Bearer b",
                (("Authorization", "Bearer a"), ("Authorization", "Bearer b")),
                "authorization",
            ),
            (
                "accept-not-ascii",
                "Accept: José (a Latin-1 letter)",
                (("Accept", "José"),),
                "accept",
            ),
            (
                "content-type-not-ascii",
                "Content-Type: text/plain; x=é",
                (("Content-Type", "text/plain; x=é"),),
                "content-type",
            ),
            (
                "content-type-two-invalid",
                "Content-Type: =1*b, then Content-Type: )0",
                (("Content-Type", "=1*b"), ("Content-Type", ")0")),
                "content-type",
            ),
            (
                "content-type-valid-then-invalid",
                "Content-Type: text/plain, then Content-Type: x",
                (("Content-Type", "text/plain"), ("Content-Type", "x")),
                "content-type",
            ),
            (
                "content-type-invalid-then-valid",
                "Content-Type: x, then Content-Type: text/plain",
                (("Content-Type", "x"), ("Content-Type", "text/plain")),
                "content-type",
            ),
            (
                "content-type-twice",
                "Content-Type: text/plain twice",
                (("Content-Type", "text/plain"), ("Content-Type", "text/plain")),
                "content-type",
            ),
        )
    ),
    Case(
        "repeated-content-type-with-a-body",
        "PUT with a body; Content-Type: text/plain, then application/x-www-form-urlencoded; the preflight allows them",
        "allowed",
        put(
            headers=(("Content-Type", "text/plain"), ("Content-Type", "application/x-www-form-urlencoded")),
            body="x",
        ),
        (api(ok(PAGE), preflight_ok(PAGE, methods("PUT"), allow_headers("content-type"))),),
        group=PREFLIGHT,
    ),
    Case(
        "headers-three-not-allowed",
        "GET with X-B, X-C and X-A; the preflight allows none (which one each engine names)",
        "HeaderDisallowedByPreflightResponse",
        get(headers=(("X-B", "1"), ("X-C", "1"), ("X-A", "1"))),
        (api(ok(PAGE), preflight_ok(PAGE)),),
        group=PREFLIGHT,
    ),
    Case(
        "headers-one-of-several-not-allowed",
        "GET with X-Alpha and X-Beta; the preflight allows X-Alpha",
        "HeaderDisallowedByPreflightResponse",
        get(headers=(("X-Alpha", "1"), ("X-Beta", "2"))),
        (api(ok(PAGE), preflight_ok(PAGE, allow_headers("X-Alpha"))),),
        group=PREFLIGHT,
    ),
    Case(
        "allow-methods-garbled",
        "PUT; Access-Control-Allow-Methods: PUT, (bad)",
        "InvalidAllowMethodsPreflightResponse",
        put(),
        (api(ok(PAGE), preflight_ok(PAGE, methods("PUT, (bad)"))),),
        group=PREFLIGHT,
    ),
    Case(
        "allow-headers-garbled",
        "GET with X-Custom; Access-Control-Allow-Headers: x-custom, x other",
        "InvalidAllowHeadersPreflightResponse",
        get(headers=CUSTOM),
        (api(ok(PAGE), preflight_ok(PAGE, allow_headers("x-custom, x other"))),),
        group=PREFLIGHT,
    ),
    Case(
        "authorization-under-star",
        "GET with Authorization; the preflight allows headers '*'",
        "allowed",
        get(headers=(("Authorization", "Bearer t"),)),
        (api(ok(PAGE), preflight_ok(PAGE, allow_headers("*"))),),
        group=PREFLIGHT,
    ),
    Case(
        "authorization-listed",
        "GET with Authorization; the preflight allows Authorization (control)",
        "allowed",
        get(headers=(("Authorization", "Bearer t"),)),
        (api(ok(PAGE), preflight_ok(PAGE, allow_headers("Authorization"))),),
        group=PREFLIGHT,
    ),
    Case(
        "allow-headers-star-with-credentials",
        "A credentialed GET with X-Custom; the preflight allows headers '*' ('*' is literal then)",
        "HeaderDisallowedByPreflightResponse",
        get(headers=CUSTOM, credentials=True),
        (api(ok(PAGE, CREDS), preflight_ok(PAGE, CREDS, allow_headers("*"))),),
        group=PREFLIGHT,
    ),
    # --- the preflight's own CORS check: the twins -------------------------------------------------
    Case(
        "preflight-missing-acao",
        "PUT; the preflight is 200 without ACAO",
        "PreflightMissingAllowOriginHeader",
        put(),
        (api(ok(PAGE), ok()),),
        group=PREFLIGHT_TWINS,
    ),
    Case(
        "preflight-acao-mismatch",
        f"PUT; the preflight's ACAO is {OTHER_ORIGIN}",
        "PreflightAllowOriginMismatch",
        put(),
        (api(ok(PAGE), preflight_ok(("Access-Control-Allow-Origin", OTHER_ORIGIN), methods("PUT"))),),
        group=PREFLIGHT_TWINS,
    ),
    Case(
        "preflight-acao-two-lines",
        "PUT; the preflight has two ACAO lines",
        "PreflightMultipleAllowOriginValues",
        put(),
        (api(ok(PAGE), preflight_ok(PAGE, PAGE, methods("PUT"))),),
        group=PREFLIGHT_TWINS,
    ),
    Case(
        "preflight-acao-invalid",
        "PUT; the preflight's ACAO is 'foo'",
        "PreflightInvalidAllowOriginValue",
        put(),
        (api(ok(PAGE), preflight_ok(("Access-Control-Allow-Origin", "foo"), methods("PUT"))),),
        group=PREFLIGHT_TWINS,
    ),
    Case(
        "preflight-wildcard-with-credentials",
        "A credentialed PUT; the preflight's ACAO is '*'",
        "PreflightWildcardOriginNotAllowed",
        put(credentials=True),
        (api(ok(PAGE, CREDS), preflight_ok(ANY, CREDS, methods("PUT"))),),
        group=PREFLIGHT_TWINS,
    ),
    Case(
        "preflight-without-acac",
        "A credentialed PUT; the preflight has no Access-Control-Allow-Credentials",
        "PreflightInvalidAllowCredentials",
        put(credentials=True),
        (api(ok(PAGE, CREDS), preflight_ok(PAGE, methods("PUT"))),),
        group=PREFLIGHT_TWINS,
    ),
    # --- redirects -----------------------------------------------------------------------------
    Case(
        "redirect-allowed",
        "302 (with ACAO) to another origin that answers ACAO '*'",
        "allowed",
        get(),
        (api(to_other(PAGE)), other(ok(ANY))),
        group=REDIRECTS,
    ),
    Case(
        "redirect-target-without-acao",
        "302 (with ACAO) to another origin that sends no CORS headers",
        "MissingAllowOriginHeader",
        get(),
        (api(to_other(PAGE)), other(ok())),
        group=REDIRECTS,
    ),
    Case(
        "redirect-without-acao",
        "302 without CORS headers to another origin",
        "MissingAllowOriginHeader",
        get(),
        (api(to_other()), other(ok(ANY))),
        group=REDIRECTS,
    ),
    Case(
        "redirect-origin-null-vs-page-origin",
        "302 (with ACAO) to another origin that allows the page's origin (but Origin is now 'null')",
        "AllowOriginMismatch",
        get(),
        (api(to_other(PAGE)), other(ok(PAGE))),
        group=REDIRECTS,
    ),
    Case(
        "redirect-origin-null-allowed",
        "302 (with ACAO) to another origin that answers ACAO 'null'",
        "allowed",
        get(),
        (api(to_other(PAGE)), other(ok(("Access-Control-Allow-Origin", "null")))),
        group=REDIRECTS,
    ),
    Case(
        "redirect-contains-credentials",
        "302 (with ACAO) to http://user:pw@<other origin>/...",
        "RedirectContainsCredentials",
        get(),
        (api(Reply(302, (ANY, ("Location", "http://user:pw@{other_host}{path}/final?{query}")), b"")), other(ok(ANY))),
        group=REDIRECTS,
    ),
    Case(
        "same-origin-redirect-with-credentials",
        "the page's own URL answers 302 to http://user:pw@<other origin>/..., which allows any origin",
        "RedirectContainsCredentials",
        Request("{page}{path}"),
        (
            ("page", Reply(302, (("Location", "http://user:pw@{other_host}{path}/final?{query}"),), b""), None),
            other(ok(ANY)),
        ),
        group=REDIRECTS,
    ),
    *(
        Case(
            f"{prefix}redirect-to-javascript",
            f"{words} answers 302 to javascript:void(0)",
            "CorsDisabledScheme",
            Request(url),
            ((site, Reply(302, (*acao, ("Location", "javascript:void(0)")), b""), None),),
            group=REDIRECTS,
        )
        for prefix, words, url, site, acao in (
            ("", "the API (with ACAO)", "{api}{path}", "api", (PAGE,)),
            ("same-origin-", "the page's own URL", "{page}{path}", "page", ()),
        )
    ),
    Case(
        "preflight-redirect-invalid-location",
        "PUT; the preflight answers 302 to http://[bad (not a URL)",
        "network error",
        put(),
        (api(ok(PAGE), Reply(302, (("Location", "http://[bad"),), b"")),),
        group=PREFLIGHT,
    ),
    Case(
        "redirect-to-ftp",
        "302 (with ACAO) to ftp://127.0.0.1/file",
        "redirect to a non-http scheme",
        get(),
        (api(Reply(302, (PAGE, ("Location", "ftp://127.0.0.1/file")), b"")),),
        group=REDIRECTS,
    ),
    Case(
        "redirect-to-data",
        "302 (with ACAO) to data:text/plain,hi",
        "redirect to a non-http scheme",
        get(),
        (api(Reply(302, (PAGE, ("Location", "data:text/plain,hi")), b"")),),
        group=REDIRECTS,
    ),
    *(
        Case(
            f"redirect-to-{name}",
            f"302 (with ACAO) to {location}",
            "network error",
            get(),
            (api(Reply(302, (PAGE, ("Location", location)), b"")),),
            group=REDIRECTS,
        )
        for name, location in (
            ("file", "file:///etc/hostname"),
            ("blob", "blob:http://127.0.0.1:8000/x"),
            ("chrome", "chrome://settings/"),
            ("filesystem", "filesystem:http://127.0.0.1:8000/temporary/x"),
        )
    ),
    Case(
        "redirect-to-about-blank",
        "302 (with ACAO) to about:blank",
        "network error",
        get(),
        (api(Reply(302, (PAGE, ("Location", "about:blank")), b"")),),
        group=REDIRECTS,
    ),
    *(
        Case(
            f"same-origin-redirect-to-{name}",
            f"the page's own URL answers 302 to {location}",
            code,
            Request("{page}{path}"),
            (("page", Reply(302, (("Location", location),), b""), None),),
            group=REDIRECTS,
        )
        for name, location, code in (
            ("about-blank", "about:blank", "network error"),
            ("data", "data:text/plain,hi", "network error"),
            ("ftp", "ftp://files.example.test/x", "CorsDisabledScheme"),
        )
    ),
    *(
        Case(
            f"delete-redirected-{status}-to-other-origin{suffix}",
            f"DELETE{words} to the page's own URL, which answers {status} to another origin that allows it",
            "allowed",
            Request("{page}{path}", "DELETE", body=body),
            (
                ("page", to_other(status=status), None),
                ("other", ok(PAGE), preflight_ok(PAGE, methods("DELETE, GET"))),
            ),
            group=REDIRECTS,
        )
        for status in (301, 302)
        for suffix, words, body in (("", "", None), ("-with-a-body", " with a body", "hello"))
    ),
    Case(
        "authorization-redirected-to-other-origin",
        "GET with Authorization to the page's own URL, which answers 302 to another origin that allows it",
        "allowed",
        Request("{page}{path}", headers=(("Authorization", "Bearer t"),)),
        (
            ("page", to_other(status=302), None),
            ("other", ok(PAGE), preflight_ok(PAGE, allow_headers("authorization"))),
        ),
        group=REDIRECTS,
    ),
    Case(
        "put-redirected-302-to-other-origin",
        "PUT to the page's own URL, which answers 302 to another origin that allows it",
        "allowed",
        Request("{page}{path}", "PUT"),
        (("page", to_other(status=302), None), ("other", ok(PAGE), preflight_ok(PAGE, methods("PUT")))),
        group=REDIRECTS,
    ),
    Case(
        "post-redirected-302-to-other-origin",
        "POST with a text body to the page's own URL, which answers 302 to another origin that allows it",
        "allowed",
        Request("{page}{path}", "POST", body="hello"),
        (("page", to_other(status=302), None), ("other", ok(PAGE), None)),
        group=REDIRECTS,
    ),
    Case(
        "preflighted-redirect",
        "PUT (preflight passes); the PUT answers 307 to another origin that allows any origin and PUT",
        "allowed",
        put(),
        (api(to_other(PAGE, status=307), preflight_ok(PAGE, methods("PUT"))), other(ok(ANY, methods("PUT")))),
        group=REDIRECTS,
    ),
    Case(
        "redirect-then-preflight-without-acao",
        "PUT to the page's own URL, which answers 307 to another origin; the preflight there answers 500 "
        "without CORS headers",
        "PreflightMissingAllowOriginHeader",
        Request("{page}{path}", "PUT"),
        (("page", to_other(status=307), None), ("other", Reply(500), Reply(500))),
        group=REDIRECTS,
    ),
    # --- fetch() modes and options ----------------------------------------------------------------
    Case(
        "no-cors-get",
        "mode 'no-cors', no CORS headers on the response",
        "opaque response",
        get(extra={"mode": "no-cors"}),
        (api(ok()),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "no-cors-custom-header",
        "mode 'no-cors' with X-Custom (not safelisted)",
        "opaque response",
        get(headers=CUSTOM, extra={"mode": "no-cors"}),
        (api(ok()),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "no-cors-json-post",
        "mode 'no-cors', POST with Content-Type: application/json",
        "opaque response",
        Request("{api}{path}", "POST", (("Content-Type", "application/json"),), '{"a": 1}', extra={"mode": "no-cors"}),
        (api(ok()),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "no-cors-redirect-manual",
        "mode 'no-cors' with redirect 'manual'",
        "TypeError before sending",
        get(extra={"mode": "no-cors", "redirect": "manual"}),
        (api(to_other()), other(ok(ANY))),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "same-origin-mode-own-origin",
        "mode 'same-origin' to the page's own origin (control)",
        "allowed",
        Request("{page}{path}", extra={"mode": "same-origin"}),
        (("page", ok(), None),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "same-origin-mode-redirected-away",
        "mode 'same-origin'; the page's own URL redirects to the API",
        "TypeError on redirect",
        Request("{page}{path}", extra={"mode": "same-origin"}),
        (("page", Reply(302, (("Location", "{api}{path}?{query}"),), b""), None), api(ok(ANY))),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "allowed-404",
        "ACAO is the page's origin, status 404: the page reads it (axios rejects it)",
        "allowed",
        get(),
        (api(Reply(404, (PAGE,), b"no such user")),),
        WITH_AXIOS,
        group=FRONTEND,
    ),
    Case(
        "no-cors-500",
        "mode 'no-cors'; the response is a 500 without CORS headers",
        "opaque response",
        get(extra={"mode": "no-cors"}),
        (api(Reply(500, body=b"Internal Server Error")),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "credentialed-put-allowed",
        "A credentialed PUT; the preflight and the response allow it (control)",
        "allowed",
        put(credentials=True),
        (api(ok(PAGE, CREDS), preflight_ok(PAGE, CREDS, methods("PUT"))),),
        WITH_AXIOS,
        group=FRONTEND,
    ),
    Case(
        "no-cors-put",
        "mode 'no-cors' with method PUT",
        "TypeError before sending",
        put(extra={"mode": "no-cors"}),
        (api(ok()),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "same-origin-mode",
        "mode 'same-origin' to another origin",
        "TypeError before sending",
        get(extra={"mode": "same-origin"}),
        (api(ok(ANY)),),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "redirect-error",
        "redirect 'error'; the response is a 302 (with ACAO)",
        "TypeError on redirect",
        get(extra={"redirect": "error"}),
        (api(to_other(PAGE)), other(ok(ANY))),
        ("fetch",),
        group=FRONTEND,
    ),
    Case(
        "redirect-manual",
        "redirect 'manual'; the response is a 302 (with ACAO)",
        "opaqueredirect response",
        get(extra={"redirect": "manual"}),
        (api(to_other(PAGE)), other(ok(ANY))),
        ("fetch",),
        group=FRONTEND,
    ),
    # --- mixed content ---------------------------------------------------------------------------
    Case(
        "mixed-content-loopback",
        "https page fetches http://127.0.0.1 (ACAO '*')",
        "allowed (loopback counts as secure)",
        get(),
        (api(ok(ANY)),),
        page="https",
        group=MIXED,
    ),
    Case(
        "mixed-content-named-host",
        f"https page fetches http://{MAPPED_HOST} (ACAO '*'), a name for 127.0.0.1",
        "mixed content blocked",
        Request("{mapped}{path}"),
        (api(ok(ANY)),),
        page="https",
        group=MIXED,
    ),
    Case(
        "mixed-content-via-redirect",
        f"https page fetches its own https URL, which redirects to http://{MAPPED_HOST}",
        "mixed content blocked",
        Request("{https_page}{path}"),
        (("page", Reply(302, (("Location", "{mapped}{path}?{query}"),), b""), None), api(ok(ANY))),
        page="https",
        group=MIXED,
    ),
    Case(
        "mixed-content-localhost",
        "https page fetches http://localhost (ACAO '*')",
        "allowed (loopback counts as secure)",
        Request("{api_localhost}{path}"),
        (api(ok(ANY)),),
        page="https",
        group=MIXED,
    ),
    Case(
        "mixed-content-via-cross-origin-redirect",
        f"https page fetches http://localhost (allowed, loopback), which redirects to http://{MAPPED_HOST}",
        "mixed content blocked",
        Request("{api_localhost}{path}"),
        (api(Reply(302, (ANY, ("Location", "{mapped}{path}?{query}")), b"")),),
        page="https",
        group=MIXED,
    ),
    Case(
        "mixed-content-no-cors",
        f"https page fetches http://{MAPPED_HOST} in mode 'no-cors'",
        "mixed content blocked",
        Request("{mapped}{path}", extra={"mode": "no-cors"}),
        (api(ok(ANY)),),
        ("fetch",),
        page="https",
        group=MIXED,
    ),
    # --- network errors and calls refused before sending ---------------------------------------
    Case(
        "connection-refused",
        "Nothing listens on the port",
        "network error",
        Request("{closed}/nothing"),
        (),
        WITH_AXIOS,
        group=ARGUMENTS,
    ),
    Case(
        "method-connect",
        "method CONNECT",
        "TypeError before sending",
        Request("{api}{path}", "CONNECT"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "method-trace",
        "method TRACE",
        "TypeError before sending",
        Request("{api}{path}", "TRACE"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "header-value-with-newline",
        "a header value with a newline in it",
        "TypeError before sending",
        get(headers=(("X-Custom", "a\nb"),)),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "url-with-credentials",
        "a URL with user:password@",
        "TypeError before sending",
        Request("{api_with_user}{path}"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "get-with-body",
        "GET with a body",
        "TypeError before sending",
        get(body="x"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "fetch-ws",
        "a ws:// URL",
        "TypeError before sending",
        Request("{api_ws}{path}"),
        (),
        WITH_AXIOS,
        group=ARGUMENTS,
    ),
    Case(
        "unsafe-header-cookie",
        "GET with Cookie (which no page may set) and X-Custom; the preflight allows X-Custom",
        "allowed",
        get(headers=(("Cookie", "a=1"), ("X-Custom", "1"))),
        (api(ok(PAGE), preflight_ok(PAGE, allow_headers("x-custom"))),),
        WITH_AXIOS,
        group=ARGUMENTS,
    ),
    Case(
        "unsafe-port",
        "port 6000, one browsers never connect to",
        "network error",
        Request("http://127.0.0.1:6000/nothing"),
        (),
        group=ARGUMENTS,
    ),
    Case(
        "name-not-resolved",
        "a host name that does not resolve",
        "network error",
        Request("http://nothing.invalid/nothing"),
        (),
        WITH_AXIOS,
        group=ARGUMENTS,
    ),
    Case(
        "redirect-invalid-location",
        "302 (with ACAO) to 'http://[bad'",
        "network error",
        get(),
        (api(Reply(302, (PAGE, ("Location", "http://[bad")), b"")),),
        group=ARGUMENTS,
    ),
    Case(
        "too-many-redirects",
        "302 (with ACAO) to itself, again and again",
        "network error",
        get(),
        (api(Reply(302, (PAGE, ("Location", "{api}{path}?{query}")), b"")),),
        group=ARGUMENTS,
    ),
    Case(
        "too-many-redirects-same-origin",
        "the page's own URL answers 302 to itself, again and again",
        "network error",
        Request("{page}{path}"),
        (("page", Reply(302, (("Location", "{page}{path}?{query}"),), b""), None),),
        group=ARGUMENTS,
    ),
    Case(
        "redirect-to-ws",
        "302 (with ACAO) to ws://127.0.0.1:1/x",
        "network error",
        get(),
        (api(Reply(302, (PAGE, ("Location", "ws://127.0.0.1:1/x")), b"")),),
        group=ARGUMENTS,
    ),
    Case(
        "fetch-ftp",
        "an ftp:// URL",
        "TypeError before sending",
        Request("ftp://127.0.0.1/nothing"),
        (),
        group=ARGUMENTS,
    ),
    Case(
        "fetch-file",
        "a file:// URL",
        "TypeError before sending",
        Request("file:///etc/hostname"),
        (),
        group=ARGUMENTS,
    ),
    Case(
        "url-without-scheme",
        "'localhost:PORT/...' without http:// (the host is read as the scheme)",
        "TypeError before sending",
        Request("{api_schemeless}{path}"),
        (),
        group=ARGUMENTS,
    ),
    Case(
        "url-unparsable",
        "a URL with port 99999",
        "TypeError before sending",
        Request("http://127.0.0.1:99999/nothing"),
        (),
        group=ARGUMENTS,
    ),
    Case(
        "method-not-a-token",
        "method 'GE T'",
        "TypeError before sending",
        Request("{api}{path}", "GE T"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "header-name-invalid",
        "a header name with a space in it",
        "TypeError before sending",
        get(headers=(("X Custom", "1"),)),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "header-value-not-latin-1",
        "a header value beyond ISO-8859-1 (\u20ac)",
        "TypeError before sending",
        get(headers=(("X-Custom", "\u20ac"),)),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
    Case(
        "head-with-body",
        "HEAD with a body",
        "TypeError before sending",
        Request("{api}{path}", "HEAD", body="x"),
        (api(ok(ANY)),),
        group=ARGUMENTS,
    ),
)
