"""The browser's side of CORS, as pure functions and a sans-I/O state machine (no network here).

``Fetch`` runs one fetch() call: it says which requests to send (the preflight, the actual
request, redirects) and, given the responses, whether the page may read the result, with
a typed failure code and the engine's exact console message (Chromium's table is in
``chromium``; the FastAPI advice is ``cors_lab.advice``, outside this package).
``cors_lab.Browser`` drives it over real HTTP.
"""

from .cache import PreflightCache
from .chromium import CHROMIUM, ChromiumWording
from .cookies import Cookie, CookieJar, is_same_site, site_of
from .engine import API_CHOICES, Api, Occasion, Wording
from .failures import ALL_CODES, CODES, CorsFailure, FailureCode, FailureKind, console_message
from .http import HttpRequest, HttpResponse
from .machine import (
    CREDENTIALS_MODES,
    MODES,
    REDIRECT_MODES,
    Credentials,
    Exchange,
    Fetch,
    FetchRequest,
    FetchWarning,
    Mode,
    RedirectMode,
    ResponseType,
    Step,
    StepKind,
    Verdict,
    WarningKind,
    credentials_mode,
    redirect_mode,
    request_mode,
)
from .rules import cors_unsafe_header_names, exposed_header_names, normalize_method, preflight_reasons

__all__ = [
    "ALL_CODES",
    "API_CHOICES",
    "CHROMIUM",
    "CODES",
    "CREDENTIALS_MODES",
    "MODES",
    "REDIRECT_MODES",
    "Api",
    "ChromiumWording",
    "Cookie",
    "CookieJar",
    "CorsFailure",
    "Credentials",
    "Exchange",
    "FailureCode",
    "FailureKind",
    "Fetch",
    "FetchRequest",
    "FetchWarning",
    "HttpRequest",
    "HttpResponse",
    "Mode",
    "Occasion",
    "PreflightCache",
    "RedirectMode",
    "ResponseType",
    "Step",
    "StepKind",
    "Verdict",
    "WarningKind",
    "Wording",
    "console_message",
    "cors_unsafe_header_names",
    "credentials_mode",
    "exposed_header_names",
    "is_same_site",
    "normalize_method",
    "preflight_reasons",
    "redirect_mode",
    "request_mode",
    "site_of",
]
