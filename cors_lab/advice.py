"""What to change in a FastAPI (Starlette) app when the browser blocks a fetch: the advice, in one place.

The browser model (:mod:`cors_lab.browser`) says *what* failed, engine-neutrally, as a
:class:`~cors_lab.browser.FailureCode`; this module says what it means and how to fix it in
FastAPI, for the results (``FetchResult.fix``), the audit and the exercises alike. Given the app
(``Browser(origin, app=app)``), the fix names the cause in that app: the ``allow_origins`` entry
that never matches because of its trailing slash, the middleware outside CORSMiddleware that
answered, an origin allowed only because every origin is reflected with credentials.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from .browser.failures import CorsFailure, FailureCode, FailureContext
from .browser.http import display_name
from .browser.machine import FetchWarning, StepKind, Verdict, WarningKind
from .origins import OriginError, compare_origins

__all__ = ["AppFacts", "advise", "advised_verdict", "app_facts", "explain_failure"]


@dataclass(frozen=True)
class AppFacts:
    """What advice needs to know about an app's CORS set-up (read from ``app.user_middleware``)."""

    has_cors: bool
    outside: tuple[str, ...] = ()  # middleware added after CORSMiddleware: it runs outside it
    allow_origins: tuple[str, ...] = ()
    allow_origin_regex: str | None = None
    allow_credentials: bool = False

    def reflects_every_origin(self) -> bool:
        """Starlette echoes any request's origin: '*' with credentials, or a regex that matches anything."""
        if self.allow_credentials and "*" in self.allow_origins:
            return True
        if self.allow_origin_regex is not None:
            try:
                return re.fullmatch(self.allow_origin_regex, "https://evil.example") is not None
            except re.error:
                return False
        return False


def app_facts(app: Any) -> AppFacts | None:
    """The CORS facts of a Starlette/FastAPI app; None for an app that is not one."""
    middleware = getattr(app, "user_middleware", None)
    if middleware is None:
        return None
    from starlette.middleware.cors import CORSMiddleware

    middleware = list(middleware)  # outermost first
    index = next((i for i, m in enumerate(middleware) if m.cls is CORSMiddleware), None)
    if index is None:
        return AppFacts(has_cors=False)
    kwargs = dict(middleware[index].kwargs)
    origins = kwargs.get("allow_origins") or ()
    return AppFacts(
        has_cors=True,
        outside=tuple(getattr(m.cls, "__name__", str(m.cls)) for m in middleware[:index]),
        allow_origins=tuple(origins) if not isinstance(origins, str) else (origins,),
        allow_origin_regex=kwargs.get("allow_origin_regex"),
        allow_credentials=bool(kwargs.get("allow_credentials", False)),
    )


def explain_failure(failure: CorsFailure, facts: AppFacts | None = None) -> tuple[str, str]:
    """(what it means, how to fix it in FastAPI) for a blocked fetch; sharper when the app is known."""
    context = failure.context
    if context is None:
        return "", ""
    explanation, fix = _explain(failure.code.value, failure.parameter, context)
    if facts is not None:
        fix = _app_fix(failure, context, facts) or fix
    return explanation, fix


def advise(failure: CorsFailure, app: Any = None) -> CorsFailure:
    """The failure with its ``explanation`` and ``fix`` filled in."""
    explanation, fix = explain_failure(failure, app_facts(app) if app is not None else None)
    return dataclasses.replace(failure, explanation=explanation, fix=fix)


def advised_verdict(verdict: Verdict, app: Any = None) -> Verdict:
    """The verdict with the advice in: the failure's explanation and fix, on the step that blocked too,
    and the warnings only the app can tell (an origin allowed because every origin is reflected)."""
    facts = app_facts(app) if app is not None else None
    failure = verdict.failure
    steps = verdict.steps
    warnings = verdict.warnings
    if failure is not None:
        explanation, fix = explain_failure(failure, facts)
        failure = dataclasses.replace(failure, explanation=explanation, fix=fix)
        steps = tuple(
            step._replace(detail=explanation, fix=fix) if step.kind is StepKind.BLOCKED else step for step in steps
        )
    elif verdict.ok and facts is not None and facts.reflects_every_origin() and verdict.response is not None:
        allowed = verdict.response.get("access-control-allow-origin")
        credentialed = verdict.response.get("access-control-allow-credentials") == "true"
        if allowed and allowed != "*" and credentialed:
            warnings = warnings + (
                FetchWarning(
                    WarningKind.ORIGIN_REFLECTED_WITH_CREDENTIALS,
                    f"{allowed} was allowed only because the app reflects every origin with credentials "
                    "(allow_origins=['*'] or a catch-all allow_origin_regex with allow_credentials=True): any site "
                    "can read this user's data. List the frontend's exact origins instead.",
                    allowed,
                ),
            )
    return dataclasses.replace(verdict, failure=failure, steps=steps, warnings=warnings)


def _app_fix(failure: CorsFailure, ctx: FailureContext, facts: AppFacts) -> str | None:
    """A fix that names the cause in this app, or None when the generic one is all there is to say."""
    code = failure.code
    if not code.is_origin_check:
        return None
    page = ctx.page_origin
    slashed = [entry for entry in facts.allow_origins if entry != page and entry.rstrip("/") == page]
    if slashed and code.base in (FailureCode.MISSING_ALLOW_ORIGIN_HEADER, FailureCode.ALLOW_ORIGIN_MISMATCH):
        return (
            f"allow_origins has {slashed[0]!r}, which never matches: browsers send the origin without a trailing "
            f"slash. Write {page!r} instead."
        )
    if code.base is FailureCode.MISSING_ALLOW_ORIGIN_HEADER and facts.has_cors and facts.outside:
        if ctx.response.status >= 500 and not code.is_preflight_twin:
            return None  # the unhandled exception's own advice says more
        names = ", ".join(facts.outside)
        one = len(facts.outside) == 1
        return (
            f"The {'preflight ' if code.is_preflight_twin else ''}response ({ctx.response.status}) came from "
            f"{names}, added after CORSMiddleware, so {'it runs' if one else 'they run'} outside it and "
            f"{'its' if one else 'their'} answers carry no CORS headers. Call app.add_middleware(CORSMiddleware, "
            "...) last, after every other add_middleware."
        )
    if not facts.has_cors and code.base is FailureCode.MISSING_ALLOW_ORIGIN_HEADER and ctx.response.status < 500:
        return f"The app has no CORSMiddleware: add it, with allow_origins=[{page!r}]."
    return None


_STARLETTE_REFUSAL = re.compile(r"Disallowed CORS (?P<what>[a-z, -]+)")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _explain(code: str, parameter: str, ctx: FailureContext) -> tuple[str, str]:
    base = FailureCode(code).base.value
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

    if code == "CorsDisabledScheme":
        location = ctx.response.get("location") or "elsewhere"
        explanation = (
            f"The response redirected to {location!r}, which is not an http(s) URL; fetch() follows redirects "
            "only to http and https."
        )
        fix = "Redirect to an http(s) URL, or answer the request directly instead of redirecting."
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
