"""What the responses of a ``check`` say beyond the browser's verdict: who answered, and the fix that follows.

The browser model says what the browser does; the raw responses often say why: a 400 preflight
with CORS headers and "Disallowed CORS origin" in its body came from CORSMiddleware, a 401 or
422 without them came from a route or another middleware, and ``a, c, c, e, p, t`` in
Access-Control-Allow-Headers means a string where a list was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Evidence", "evidence_of"]

_REFUSAL = re.compile(rb"Disallowed CORS ((?:origin|method|headers)(?:, (?:origin|method|headers))*)")


@dataclass(frozen=True)
class Evidence:
    """One thing the responses show, and the fix it points to ("" when the browser's fix stands)."""

    seen: str
    fix: str = ""


_ENTRY_CODES = ("origin-never-matches", "origin-whitespace", "origins-joined", "origin-pydantic-url")


def evidence_of(result: Any, app: Any = None) -> list[Evidence]:
    """Evidence from the exchanges of one ``FetchResult``, and from the app's settings when it is at hand."""
    found: list[Evidence] = []
    origin = result.page_origin if result.page_origin.startswith("http") else "null"
    for exchange in result.exchanges:
        response = exchange.response
        if response is None:
            continue
        headers = {name.lower(): value for name, value in response.headers}
        preflight = exchange.request.kind == "preflight"
        cors_headers = any(name.startswith("access-control-") for name in headers)
        for name, setting in (
            ("access-control-allow-headers", "allow_headers"),
            ("access-control-allow-methods", "allow_methods"),
        ):
            items = [i.strip() for i in headers.get(name, "").split(",") if i.strip()]
            if sum(1 for i in items if len(i) == 1) >= 3:  # Starlette adds the safelisted names to the letters
                found.append(
                    Evidence(
                        f"{name.title()} is {headers[name]!r}: letter by letter, so {setting} was given as a string",
                        f"Give {setting} a list: {setting}=['...', '...'] (split the string on commas)",
                    )
                )
        if not preflight or 200 <= response.status < 300:
            continue
        refusal = _REFUSAL.search(response.body or b"")
        if response.status == 400 and refusal and cors_headers:
            what = refusal.group(1).decode()
            fixes = []
            if "origin" in what:
                fixes.append(
                    f"if {origin} is your own frontend, add it to allow_origins exactly as the browser sends it; "
                    "if it is not yours, this refusal is right"
                )
            if "method" in what:
                method = dict((k.lower(), v) for k, v in exchange.request.headers).get(
                    "access-control-request-method", "the method"
                )
                fixes.append(f"add {method!r} to allow_methods")
            if "headers" in what:
                asked = dict((k.lower(), v) for k, v in exchange.request.headers).get(
                    "access-control-request-headers", ""
                )
                fixes.append(f"add the headers the page sends ({asked}) to allow_headers")
            found.append(
                Evidence(
                    f"the {response.status} preflight came from CORSMiddleware (it has its headers, and its body "
                    f"says 'Disallowed CORS {what}')",
                    "In CORSMiddleware, " + "; ".join(fixes) + ".",
                )
            )
        elif not cors_headers:
            answered = {
                401: "authentication (a middleware or dependency)",
                403: "an authorization or CSRF check",
                404: "the router (no route, and no CORSMiddleware in front of it)",
                405: "the router (the route does not take OPTIONS, and no CORSMiddleware answered first)",
                422: "a route (FastAPI's validation of an OPTIONS request)",
                429: "a rate limiter",
            }.get(response.status, "something other than CORSMiddleware")
            found.append(
                Evidence(
                    f"the {response.status} preflight has no CORS headers: it came from {answered}, not from "
                    "CORSMiddleware",
                    "Make CORSMiddleware the outermost middleware (add it last, on the app that serves this path), "
                    "so it answers preflights before anything else; let OPTIONS through in your own middleware",
                )
            )
    if app is not None and not result.ok and "AllowOrigin" in str(result.error_code):
        from ..auditing import audit

        for finding in audit(app):  # an entry meant for this origin that can never match it
            if finding.code in _ENTRY_CODES and origin in finding.about:
                found.append(Evidence(f"the app's settings: {finding.message}", finding.fix))
    if result.error_code in ("WildcardOriginNotAllowed", "PreflightWildcardOriginNotAllowed"):
        found.append(
            Evidence(
                "the server answers Access-Control-Allow-Origin: * to a request with credentials",
                f"If {origin} is your own frontend, list it exactly in allow_origins (with allow_credentials=True); "
                "never list an origin you do not own. Or drop credentials: 'include' if no cookies are needed",
            )
        )
    return found
