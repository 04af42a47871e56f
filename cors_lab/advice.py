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

import ada_url

from .browser.failures import CorsFailure, FailureCode, FailureContext
from .browser.http import HttpResponse, display_name
from .browser.machine import FetchWarning, StepKind, Verdict, WarningKind
from .origins import OriginError, compare_origins, origin_of

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
    """(what it means, how to fix it in FastAPI) for a failed fetch; sharper when the app is known."""
    context = failure.context
    if context is None:
        return "", ""
    if not failure.code.is_cors:
        return _explain_not_cors(failure, context)
    if context.response is None:
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
            step._replace(detail=explanation, fix=fix) if step.kind in (StepKind.BLOCKED, StepKind.REFUSED) else step
            for step in steps
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


def _response(ctx: FailureContext) -> HttpResponse:
    """The response a CORS failure is about (every CORS failure has one)."""
    if ctx.response is None:
        raise ValueError("a CORS failure without a response")
    return ctx.response


def _include(ctx: FailureContext) -> str:
    """How the page's code asked for credentials, in its own API's words."""
    return "withCredentials: true" if ctx.api == "xhr" else "credentials: 'include'"


def _include_call(ctx: FailureContext) -> str:
    return "the XMLHttpRequest (axios: the request config)" if ctx.api == "xhr" else "the fetch call"


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
        if _response(ctx).status >= 500 and not code.is_preflight_twin:
            return None  # the unhandled exception's own advice says more
        names = ", ".join(facts.outside)
        one = len(facts.outside) == 1
        return (
            f"The {'preflight ' if code.is_preflight_twin else ''}response ({_response(ctx).status}) came from "
            f"{names}, added after CORSMiddleware, so {'it runs' if one else 'they run'} outside it and "
            f"{'its' if one else 'their'} answers carry no CORS headers. Call app.add_middleware(CORSMiddleware, "
            "...) last, after every other add_middleware."
        )
    if not facts.has_cors and code.base is FailureCode.MISSING_ALLOW_ORIGIN_HEADER and _response(ctx).status < 500:
        return f"The app has no CORSMiddleware: add it, with allow_origins=[{page!r}]."
    return None


_STARLETTE_REFUSAL = re.compile(r"Disallowed CORS (?P<what>[a-z, -]+)")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _explain(code: str, parameter: str, ctx: FailureContext) -> tuple[str, str]:
    base = FailureCode(code).base.value
    stage = "the preflight (OPTIONS) response" if code != base else "the response"
    origin = ctx.origin_sent
    status = _response(ctx).status
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
            f"The request carries credentials ({_include(ctx)}), and then the browser does not "
            "accept 'Access-Control-Allow-Origin: *': it wants the exact origin."
        )
        fix = (
            f"List the origin instead of '*': allow_origins=[{ctx.page_origin!r}] with allow_credentials=True "
            f"(CORSMiddleware then echoes it); or drop {_include(ctx)} if no cookies are needed."
        )
        return explanation, fix

    if base == "InvalidAllowCredentials":
        shown = f"{parameter!r}" if parameter else "missing"
        explanation = (
            f"The request carries credentials ({_include(ctx)}), so the browser needs "
            f"'Access-Control-Allow-Credentials: true' exactly; {stage} has it {shown}."
        )
        fix = (
            f"Add allow_credentials=True to CORSMiddleware, or drop {_include(ctx)} from {_include_call(ctx)} "
            "if no cookies or HTTP authentication are needed."
        )
        return explanation, fix

    if code == "PreflightInvalidStatus":
        explanation = f"The preflight's status is {status}; the browser only accepts 200-299 for a preflight."
        refusal = _STARLETTE_REFUSAL.search(_response(ctx).text)
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
        location = _response(ctx).get("location") or "elsewhere"
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
        elif ctx.credentials == "include" and "*" in (_response(ctx).get("access-control-allow-methods") or ""):
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
        if ctx.credentials == "include" and "*" in (_response(ctx).get("access-control-allow-headers") or ""):
            fix = f"With credentials, '*' in Access-Control-Allow-Headers is taken literally: list {name!r} by name."
        else:
            fix = f"Add {name!r} to allow_headers in CORSMiddleware."
        return explanation, fix

    if code == "RedirectContainsCredentials":
        location = _response(ctx).get("location") or parameter
        explanation = (
            f"The response redirected to {location!r}, another origin with a user name and password in "
            "the URL; browsers refuse to follow such redirects for cross-origin requests (Chromium's "
            "message leaves the location out)."
        )
        fix = "Redirect to a URL without user:password@; send credentials in a header (Authorization) instead."
        return explanation, fix

    if code == "CorsDisabledScheme":
        location = _response(ctx).get("location") or "elsewhere"
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
        allowed = {h.strip().lower() for h in (_response(ctx).get("access-control-allow-headers") or "").split(",")}
        missing = [h for h in ctx.unsafe_headers if h not in allowed] or list(ctx.unsafe_headers)
        names = ", ".join(repr(display_name(h)) for h in missing)
        fixes.append(f"add {names} to allow_headers")
    if "private-network" in refused:
        fixes.append("set allow_private_network=True")
    return "In CORSMiddleware, " + " and ".join(fixes) + "." if fixes else "Check the CORSMiddleware settings."


# --- failures that are not CORS ------------------------------------------------------------------------

_NOT_CORS = "No CORS setting can change this: it is not a CORS error."


def _explain_not_cors(failure: CorsFailure, ctx: FailureContext) -> tuple[str, str]:
    """What a failure that is not CORS means (mixed content, a network error, a refused call), and its fix."""
    code, parameter, url = failure.code, failure.parameter, failure.url
    if code is FailureCode.MIXED_CONTENT:
        return _mixed_content(ctx, url)
    if code is FailureCode.NETWORK_ERROR:
        return _network_error(parameter, url)
    if code is FailureCode.UNSUPPORTED_SCHEME:
        return _unsupported_scheme(parameter, url)
    call = "XMLHttpRequest" if ctx.api == "xhr" else "fetch()"
    refusals: dict[FailureCode, tuple[str, str]] = {
        FailureCode.FORBIDDEN_METHOD: (
            f"{call} refuses the method {parameter}: browsers never let a page send CONNECT, TRACE or TRACK. "
            "Nothing was sent.",
            "Use an ordinary method (GET, POST, PUT, PATCH, DELETE) and give the FastAPI route that method.",
        ),
        FailureCode.INVALID_METHOD: (
            f"{parameter!r} is not a method name (a token: letters, digits and !#$%&'*+-.^_`|~). Nothing was sent.",
            "Spell the method as one word, such as 'GET' or 'PATCH'.",
        ),
        FailureCode.INVALID_HEADER_NAME: (
            f"{parameter!r} is not a header name (a token, no spaces or colons). Nothing was sent.",
            "Fix the header's name in the page's code.",
        ),
        FailureCode.INVALID_HEADER_VALUE: (
            "A header value has a character no header may carry (a newline, CR or NUL, or one beyond "
            "ISO-8859-1). Nothing was sent.",
            "Remove the newline (often a token read from a file or a textarea: trim it), or encode the value "
            "(encodeURIComponent, or base64) and decode it in FastAPI.",
        ),
        FailureCode.URL_WITH_CREDENTIALS: (
            "fetch() refuses a URL with user:password@ in it. Nothing was sent.",
            "Send the credentials in a header instead: headers: {Authorization: 'Basic ' + btoa('user:password')} "
            "(a cross-origin request with it needs a preflight, so allow_headers=['Authorization'] in "
            "CORSMiddleware), and read it in FastAPI with HTTPBasic.",
        ),
        FailureCode.BODY_WITH_GET_OR_HEAD: (
            f"fetch() refuses a body with {ctx.method}. Nothing was sent.",
            "Send data with POST (or PUT/PATCH) and a body, or with GET as query parameters "
            "(FastAPI reads them as function parameters).",
        ),
        FailureCode.NO_CORS_METHOD: (
            f"In mode 'no-cors' fetch() sends only GET, HEAD and POST, so it refuses {parameter}. Nothing was sent. "
            "And mode 'no-cors' never lets the page read the answer anyway.",
            "Remove mode: 'no-cors' (the default mode is 'cors') and allow the page in the API instead: "
            f"CORSMiddleware with allow_origins=[{ctx.page_origin!r}] and allow_methods=[{parameter!r}].",
        ),
        FailureCode.NO_CORS_REDIRECT_MODE: (
            "In mode 'no-cors' fetch() requires redirect: 'follow'. Nothing was sent.",
            "Remove mode: 'no-cors' (it makes the response unreadable anyway) and allow the page with "
            "CORSMiddleware, or remove the redirect option.",
        ),
        FailureCode.SAME_ORIGIN_MODE: (
            f"mode: 'same-origin' lets fetch() load only URLs of the page's own origin ({ctx.page_origin}), and "
            f"{url} is another origin" + (", reached by a redirect." if ctx.redirected_from else ". Nothing was sent."),
            "Remove mode: 'same-origin' (the default mode is 'cors') and allow the page's origin with "
            f"CORSMiddleware (allow_origins=[{ctx.page_origin!r}]), or serve the page and the API from one origin "
            "(a dev-server proxy).",
        ),
        FailureCode.REDIRECT_MODE_ERROR: _redirect_error(ctx),
    }
    explanation, fix = refusals.get(code, ("", ""))
    return explanation, fix


def _redirect_error(ctx: FailureContext) -> tuple[str, str]:
    response = ctx.response
    location = (response.get("location") if response is not None else None) or "elsewhere"
    status = response.status if response is not None else "a"
    return (
        f"The server answered {status} with a redirect to {location}, and redirect: 'error' makes fetch() fail "
        "on any redirect.",
        "Call the final URL directly. FastAPI redirects '/items' to '/items/' (redirect_slashes) when the route "
        "has the trailing slash: write the URL exactly as the route is declared. Or drop redirect: 'error'.",
    )


def _mixed_content(ctx: FailureContext, url: str) -> tuple[str, str]:
    via_redirect = ctx.redirected_from is not None
    explanation = (
        f"The page was loaded over https, and {url} is plain http: browsers block such mixed content before "
        "sending anything (only loopback, such as http://localhost or http://127.0.0.1, is exempt). " + _NOT_CORS
    )
    if via_redirect:
        explanation = (
            f"The page asked for {ctx.redirected_from}, and the server redirected it to {url}, which is plain "
            "http: the page was loaded over https, so the browser blocks the redirect before sending anything. "
            + _NOT_CORS
        )
        fix = (
            "The app builds its redirect URLs with http because it does not know the request came over https: "
            "behind a proxy that terminates TLS (nginx, Traefik, a load balancer), run uvicorn with "
            "--proxy-headers --forwarded-allow-ips=<the proxy's address> (or '*' when only the proxy can reach "
            "it) so that it honours X-Forwarded-Proto. The redirect itself is often FastAPI's redirect_slashes "
            "('/items' to '/items/'): call the URL with the trailing slash the route has, and there is no redirect."
        )
    else:
        fix = (
            "Call the API over https (an https URL for the API in the frontend's configuration), or in "
            "development serve both over http, or use http://localhost, which browsers treat as secure."
        )
    return explanation, fix


_NETWORK_ERRORS: dict[str, tuple[str, str]] = {
    "net::ERR_CONNECTION_REFUSED": (
        "Nothing accepted the connection to {where}: the browser got no response at all.",
        "Check that the server is running (uvicorn main:app --port {port}) and listens on that port; that the "
        "URL's host is one it listens on (a server started with --host 127.0.0.1 does not answer on other "
        "addresses, and 'localhost' may mean ::1 where it does not listen: try 127.0.0.1); and, in Docker, that "
        "the port is published (-p {port}:{port}) and uvicorn listens on 0.0.0.0 inside the container (the "
        "container's loopback is its own; only what -p publishes reaches it from outside).",
    ),
    "net::ERR_NAME_NOT_RESOLVED": (
        "The host name in {url} does not resolve: the browser found no address to connect to.",
        "Check the host name for typos. A Docker Compose service name resolves only inside its network, not in "
        "the user's browser: call the API through a published port (http://localhost:PORT) or a real domain.",
    ),
    "net::ERR_TIMED_OUT": (
        "The server at {where} did not answer in time.",
        "Check that the server is up and not stuck (the log shows the requests it got), and that no firewall "
        "drops the connection.",
    ),
    "net::ERR_UNSAFE_PORT": (
        "Browsers never connect to port {port}: it belongs to another protocol (the Fetch Standard's 'bad ports').",
        "Serve the API on an ordinary port, such as 8000.",
    ),
    "net::ERR_TOO_MANY_REDIRECTS": (
        "The server redirected more than 20 times: a redirect loop.",
        "Find the loop in the redirects (the exchanges show each Location). Common causes: HTTPSRedirectMiddleware "
        "behind a TLS-terminating proxy without uvicorn's --proxy-headers, or a proxy and FastAPI's "
        "redirect_slashes undoing each other's trailing slash.",
    ),
    "net::ERR_INVALID_REDIRECT": (
        "The server redirected to a Location that is not a URL.",
        "Send a valid absolute URL (or an absolute path) in Location.",
    ),
    "net::ERR_UNSAFE_REDIRECT": (
        "The server redirected to a URL that is not http(s) (data:, about:, file:...), and browsers never "
        "follow such redirects.",
        "Redirect to an http(s) URL, or answer the request directly.",
    ),
    "net::ERR_UNKNOWN_URL_SCHEME": (
        "The server redirected a cross-origin request to a URL whose scheme the browser cannot load (ws:, wss:...).",
        "Redirect to an http(s) URL; open WebSockets with new WebSocket(url), not with a redirect.",
    ),
}


def _network_error(reason: str, url: str) -> tuple[str, str]:
    where = url
    port = ""
    try:
        parsed = ada_url.URL(url)
        where, port = parsed.host, parsed.port or ("443" if parsed.protocol == "https:" else "80")
    except ValueError:
        pass
    explanation, fix = _NETWORK_ERRORS.get(
        reason,
        (
            "The request failed in the network ({reason}) before any response came.",
            "Check that the server is running and that the URL (scheme, host, port) is right.",
        ),
    )
    explanation = explanation.format(where=where, port=port, url=url, reason=reason)
    explanation += " It is not CORS, though the console of a CORS failure looks similar: no CORS header can fix it."
    return explanation, fix.format(port=port)


def _unsupported_scheme(scheme: str, url: str) -> tuple[str, str]:
    if scheme in ("ws", "wss"):
        return (
            f"fetch() and XMLHttpRequest cannot load {scheme}: URLs: a WebSocket is opened with "
            f"new WebSocket({url!r}). CORS does not apply to WebSockets at all: the browser sends an Origin "
            "header with the handshake and never checks an answer, so no CORS setting allows or blocks one.",
            "Open it with new WebSocket(url), and have the FastAPI WebSocket route check the Origin header "
            "itself (websocket.headers['origin'] against a list of allowed origins) before websocket.accept(): "
            "CORSMiddleware does nothing for WebSockets. Notebook 06 shows this.",
        )
    if scheme == "file":
        return (
            "Pages may not load local files (file: URLs).",
            "Serve the file over http, for example with FastAPI's StaticFiles.",
        )
    try:
        origin_of(url)
        fix = "Use an http(s) URL."
    except OriginError as mistake:  # 'localhost:8000/users': the host read as the scheme, and the like
        fix = f"{_sentence(str(mistake))}."
    return (
        f"fetch() and XMLHttpRequest load only http(s) URLs (and data:), not {scheme}: URLs.",
        fix,
    )
