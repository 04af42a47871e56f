"""The browser's side of CORS, as pure functions and a sans-I/O state machine (no network here).

``Fetch`` runs one fetch() call: it says which requests to send (the preflight, the actual
request, redirects) and, given the responses, whether the page may read the result, with
Chromium's error code, its exact console message, the reason in plain words and the fix.
``cors_lab.Browser`` drives it over real HTTP.
"""

from .cache import PreflightCache
from .cookies import Cookie, CookieJar, is_same_site, site_of
from .failures import CODES, CorsFailure, console_message
from .http import HttpRequest, HttpResponse
from .machine import CREDENTIALS_MODES, Credentials, Exchange, Fetch, FetchRequest, Step, Verdict, credentials_mode
from .rules import cors_unsafe_header_names, exposed_header_names, normalize_method, preflight_reasons

__all__ = [
    "CODES",
    "CREDENTIALS_MODES",
    "Cookie",
    "CookieJar",
    "CorsFailure",
    "Credentials",
    "Exchange",
    "Fetch",
    "FetchRequest",
    "HttpRequest",
    "HttpResponse",
    "PreflightCache",
    "Step",
    "Verdict",
    "console_message",
    "cors_unsafe_header_names",
    "credentials_mode",
    "exposed_header_names",
    "is_same_site",
    "normalize_method",
    "preflight_reasons",
    "site_of",
]
