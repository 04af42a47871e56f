"""Why a fetch was blocked: Chromium's error code and console wording, plain words, and the FastAPI fix.

The console templates were captured from Chromium 156 (``fetch()`` initiator) and are checked
against the installed Chromium by the browser test suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..origins import OriginError, compare_origins
from .http import HttpResponse, display_name

__all__ = ["PREFLIGHT_CODES", "CorsFailure", "FailureContext", "console_message"]

_PREFIX = "Access to fetch at '{url}' {redirect}from origin '{origin}' has been blocked by CORS policy: "
_PREFLIGHT = "Response to preflight request doesn't pass access control check: "
_VALID_VALUE = " Have the server send the header with a valid value."

_REASONS = {
    "MissingAllowOriginHeader": "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    "AllowOriginMismatch": "The 'Access-Control-Allow-Origin' header has a value '{p}' that is not equal to the "
    "supplied origin." + _VALID_VALUE,
    "MultipleAllowOriginValues": "The 'Access-Control-Allow-Origin' header contains multiple values '{p}', but only "
    "one is allowed." + _VALID_VALUE,
    "InvalidAllowOriginValue": "The 'Access-Control-Allow-Origin' header contains the invalid value '{p}'."
    + _VALID_VALUE,
    "WildcardOriginNotAllowed": "The value of the 'Access-Control-Allow-Origin' header in the response must not be "
    "the wildcard '*' when the request's credentials mode is 'include'.",
    "InvalidAllowCredentials": "The value of the 'Access-Control-Allow-Credentials' header in the response is '{p}' "
    "which must be 'true' when the request's credentials mode is 'include'.",
    "PreflightInvalidStatus": "It does not have HTTP ok status.",
    "PreflightDisallowedRedirect": "Redirect is not allowed for a preflight request.",
    "MethodDisallowedByPreflightResponse": "Method {p} is not allowed by Access-Control-Allow-Methods in preflight "
    "response.",
    "HeaderDisallowedByPreflightResponse": "Request header field {p} is not allowed by Access-Control-Allow-Headers "
    "in preflight response.",
    "InvalidAllowMethodsPreflightResponse": "Cannot parse Access-Control-Allow-Methods response header field in "
    "preflight response.",
    "InvalidAllowHeadersPreflightResponse": "Cannot parse Access-Control-Allow-Headers response header field in "
    "preflight response.",
    "RedirectContainsCredentials": "Redirect location '{p}' contains a username and password, which is "
    "disallowed for cross-origin requests.",
}
_ORIGIN_CODES = (
    "MissingAllowOriginHeader",
    "AllowOriginMismatch",
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "WildcardOriginNotAllowed",
    "InvalidAllowCredentials",
)
#: The preflight twins of the CORS-check errors; their message carries the preflight sentence.
PREFLIGHT_CODES = {f"Preflight{code}": code for code in _ORIGIN_CODES}
_WITH_PREFLIGHT_SENTENCE = set(PREFLIGHT_CODES) | {"PreflightInvalidStatus", "PreflightDisallowedRedirect"}

#: Every failure code the model can give, Chromium's CorsError names.
CODES = tuple(_REASONS) + tuple(PREFLIGHT_CODES)


def console_message(code: str, parameter: str, url: str, page_origin: str, redirected_from: str | None = None) -> str:
    """The exact line Chromium prints in the console for this failure."""
    reason = _REASONS[PREFLIGHT_CODES.get(code, code)].format(p=parameter)
    redirect = f"(redirected from '{redirected_from}') " if redirected_from else ""
    preflight = _PREFLIGHT if code in _WITH_PREFLIGHT_SENTENCE else ""
    return _PREFIX.format(url=url, redirect=redirect, origin=page_origin) + preflight + reason


@dataclass(frozen=True)
class FailureContext:
    """What the explanation and the fix may draw on: the request and the response that failed."""

    page_origin: str
    origin_sent: str
    method: str
    credentials: str
    response: HttpResponse
    unsafe_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorsFailure:
    """A blocked fetch: Chromium's code and console line, what it means, and how to fix it in FastAPI."""

    code: str
    parameter: str
    url: str
    console_message: str
    explanation: str
    fix: str

    @classmethod
    def build(
        cls, code: str, parameter: str, url: str, context: FailureContext, redirected_from: str | None = None
    ) -> CorsFailure:
        explanation, fix = _explain(code, parameter, context)
        message = console_message(code, parameter, url, context.page_origin, redirected_from)
        return cls(code, parameter, url, message, explanation, fix)

    @property
    def at_preflight(self) -> bool:
        return self.code.startswith("Preflight") or self.code.endswith("PreflightResponse")


_STARLETTE_REFUSAL = re.compile(r"Disallowed CORS (?P<what>[a-z, -]+)")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _explain(code: str, parameter: str, ctx: FailureContext) -> tuple[str, str]:
    base = PREFLIGHT_CODES.get(code, code)
    stage = "the preflight (OPTIONS) response" if code != base else "the response"
    origin = ctx.origin_sent
    status = ctx.response.status
    add_origin = f"add {ctx.page_origin!r} to allow_origins in CORSMiddleware"

    if base == "MissingAllowOriginHeader":
        explanation = (
            f"{_sentence(stage)} (status {status}) has no Access-Control-Allow-Origin header, so the "
            f"browser will not let a page at {ctx.page_origin} read it."
        )
        if status >= 500 and code == base:
            fix = (
                "The server failed with an unhandled exception: Starlette answers that 500 from outside "
                "CORSMiddleware, so it never has CORS headers. Fix the exception (the server's log shows it), "
                "or handle your own exception type with @app.exception_handler(MyError), which runs inside "
                "CORSMiddleware (a handler for Exception does not)."
            )
        elif status in (401, 403) and code != base:
            fix = (
                "Something answered the preflight with 401/403 before CORSMiddleware could: preflights never carry "
                "cookies or Authorization. Add CORSMiddleware last (so it runs first) and let OPTIONS requests "
                "through your authentication."
            )
        elif origin == "null":
            fix = (
                "After a redirect to another origin the browser sends 'Origin: null': have the final server allow "
                "it (answer 'Access-Control-Allow-Origin: *' for public data), or call the final URL directly."
            )
        elif status in (401, 403) and code == base:
            fix = (
                "A 401/403 without CORS headers usually comes from outside CORSMiddleware: an authentication "
                "middleware added after it (so it runs first), or an exception handler for Exception. Add "
                "CORSMiddleware last; if this page should be allowed at all, also check allow_origins."
            )
        else:
            fix = (
                f"If a page at {ctx.page_origin} should read this: add CORSMiddleware with allow_origins="
                f"[{ctx.page_origin!r}], or, if the app has it, {add_origin} (exactly: scheme, host and port, no "
                "trailing slash). If the origin is listed already, the response came from outside "
                "CORSMiddleware: middleware added after it, or an exception handler for Exception."
            )
        return explanation, fix

    if base == "AllowOriginMismatch":
        explanation = (
            f"{_sentence(stage)} allows {parameter!r}, but the request came from {origin!r}: the two must "
            f"be equal, character for character."
        )
        fix = _mismatch_fix(parameter, ctx)
        return explanation, fix

    if base == "MultipleAllowOriginValues":
        explanation = (
            f"{_sentence(stage)}'s Access-Control-Allow-Origin is {parameter!r}: several values (or two "
            "header lines) where the browser accepts exactly one origin or '*'."
        )
        fix = (
            "Send only the request's origin. CORSMiddleware does this for you: put the list in allow_origins "
            "instead of writing the header yourself, and make sure nothing else (another middleware, a proxy) "
            "adds a second Access-Control-Allow-Origin."
        )
        return explanation, fix

    if base == "InvalidAllowOriginValue":
        explanation = f"{_sentence(stage)}'s Access-Control-Allow-Origin {parameter!r} is neither an origin nor '*'."
        fix = f"Send the origin exactly as the request's Origin header has it ({origin!r}); {add_origin}."
        return explanation, fix

    if base == "WildcardOriginNotAllowed":
        explanation = (
            "The request carries credentials (credentials: 'include'), and then the browser does not "
            "accept 'Access-Control-Allow-Origin: *': it wants the exact origin."
        )
        fix = (
            f"List the origin instead of '*': allow_origins=[{ctx.page_origin!r}] with allow_credentials=True "
            "(CORSMiddleware then echoes it); or drop credentials: 'include' if no cookies are needed."
        )
        return explanation, fix

    if base == "InvalidAllowCredentials":
        shown = f"{parameter!r}" if parameter else "missing"
        explanation = (
            f"The request carries credentials (credentials: 'include'), so the browser needs "
            f"'Access-Control-Allow-Credentials: true' exactly; {stage} has it {shown}."
        )
        fix = (
            "Add allow_credentials=True to CORSMiddleware, or drop credentials: 'include' from the fetch call if "
            "no cookies or HTTP authentication are needed."
        )
        return explanation, fix

    if code == "PreflightInvalidStatus":
        explanation = f"The preflight's status is {status}; the browser only accepts 200-299 for a preflight."
        refusal = _STARLETTE_REFUSAL.search(ctx.response.text)
        if refusal:
            explanation += (
                f" The body, which the browser hides from the page and the console, says "
                f"{refusal.group(0)!r}: Starlette's CORSMiddleware refused the preflight."
            )
            fix = _starlette_refusal_fix(refusal["what"], ctx)
        elif status in (401, 403):
            fix = (
                "Authentication answered the preflight: preflights never carry cookies or Authorization. Let "
                "OPTIONS requests through, and add CORSMiddleware last so it runs before other middleware."
            )
        elif status in (404, 405):
            fix = "Nothing handled the OPTIONS request: add CORSMiddleware, which answers preflights for every route."
        else:
            fix = "Make the preflight (OPTIONS) succeed with a 2xx status: CORSMiddleware answers it with 200."
        return explanation, fix

    if code == "PreflightDisallowedRedirect":
        location = ctx.response.get("location") or "elsewhere"
        explanation = (
            f"The preflight got a {status} redirect to {location}; browsers never follow redirects for preflights."
        )
        fix = (
            f"Something answered the preflight with a redirect before CORSMiddleware could: with no "
            f"CORSMiddleware, FastAPI redirects '/items' to '/items/'; a redirecting middleware (such as "
            f"HTTPSRedirectMiddleware) added after CORSMiddleware runs first. Call the final URL ({location}) "
            "directly, and add CORSMiddleware last."
        )
        return explanation, fix

    if code == "MethodDisallowedByPreflightResponse":
        explanation = f"The preflight response does not list the method {parameter} in Access-Control-Allow-Methods."
        if parameter != parameter.upper():
            fix = (
                f"fetch() sent the method as {parameter!r} (it upper-cases only DELETE, GET, HEAD, OPTIONS, POST "
                f"and PUT), and methods are compared case-sensitively: write {parameter.upper()!r} in the fetch call."
            )
        elif ctx.credentials == "include" and "*" in (ctx.response.get("access-control-allow-methods") or ""):
            fix = (
                f"With credentials, '*' in Access-Control-Allow-Methods is taken literally: list {parameter!r} by name "
                f"in allow_methods."
            )
        else:
            fix = f"Add {parameter!r} to allow_methods in CORSMiddleware (its default is ['GET'])."
        return explanation, fix

    if code == "HeaderDisallowedByPreflightResponse":
        explanation = (
            f"The request sends the header {parameter!r}, and the preflight response does not list it in "
            "Access-Control-Allow-Headers."
        )
        name = display_name(parameter)
        if ctx.credentials == "include" and "*" in (ctx.response.get("access-control-allow-headers") or ""):
            fix = f"With credentials, '*' in Access-Control-Allow-Headers is taken literally: list {name!r} by name."
        else:
            fix = f"Add {name!r} to allow_headers in CORSMiddleware."
        return explanation, fix

    if code == "RedirectContainsCredentials":
        location = ctx.response.get("location") or parameter
        explanation = (
            f"The response redirected to {location!r}, another origin with a user name and password in "
            "the URL; browsers refuse to follow such redirects for cross-origin requests (Chromium's "
            "message leaves the location out)."
        )
        fix = "Redirect to a URL without user:password@; send credentials in a header (Authorization) instead."
        return explanation, fix

    what = "Methods" if "Methods" in code else "Headers"
    explanation = f"The preflight's Access-Control-Allow-{what} is not a comma-separated list of names."
    fix = f"Send Access-Control-Allow-{what} as names separated by commas (CORSMiddleware does this for you)."
    return explanation, fix


def _mismatch_fix(allowed: str, ctx: FailureContext) -> str:
    if ctx.origin_sent == "null" and allowed == ctx.page_origin:
        return (
            "After a redirect to another origin the browser sends 'Origin: null', so the page's own origin no "
            "longer matches: call the final URL directly, or have that server answer '*' for public data."
        )
    if allowed == "null":
        return (
            f"Send the page's origin, {ctx.origin_sent!r}, not 'null'; never allow 'null' (sandboxed iframes send it)."
        )
    if allowed.rstrip("/") == ctx.origin_sent:
        return f"Remove the trailing slash: allow {ctx.origin_sent!r}, not {allowed!r}, in allow_origins."
    try:
        comparison = compare_origins(allowed, ctx.origin_sent)
    except OriginError:
        return f"Allow exactly {ctx.origin_sent!r}."
    if comparison.same_origin:
        return f"Write the origin exactly as the browser sends it: {ctx.origin_sent!r}, not {allowed!r}."
    return f"Allow {ctx.origin_sent!r} (the header names another origin: {comparison.explanation})."


def _starlette_refusal_fix(what: str, ctx: FailureContext) -> str:
    fixes = []
    refused = {part.strip() for part in what.split(",")}
    if "origin" in refused:
        fixes.append(f"add {ctx.page_origin!r} to allow_origins")
    if "method" in refused:
        fixes.append(f"add {ctx.method!r} to allow_methods")
    if "headers" in refused:
        allowed = {h.strip().lower() for h in (ctx.response.get("access-control-allow-headers") or "").split(",")}
        missing = [h for h in ctx.unsafe_headers if h not in allowed] or list(ctx.unsafe_headers)
        names = ", ".join(repr(display_name(h)) for h in missing)
        fixes.append(f"add {names} to allow_headers")
    if "private-network" in refused:
        fixes.append("set allow_private_network=True")
    return "In CORSMiddleware, " + " and ".join(fixes) + "." if fixes else "Check the CORSMiddleware settings."
