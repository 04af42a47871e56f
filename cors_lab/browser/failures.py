"""Why a fetch failed, as a typed identity: :class:`FailureCode` and :class:`CorsFailure`.

The CORS codes are Chromium's CorsError names (the names DevTools shows), used here
engine-neutrally: each says *what* failed. The failures that are not CORS (mixed content, a
network error, a call the browser refuses before sending anything) have names of ours. How an
engine words each (console lines, the script's error) is a table elsewhere (:mod:`.chromium`);
what to change in a FastAPI app is :mod:`cors_lab.advice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from .http import HttpResponse

__all__ = [
    "ALL_CODES",
    "CODES",
    "PREFLIGHT_CODES",
    "REFUSAL_CODES",
    "CorsFailure",
    "FailureCode",
    "FailureContext",
    "FailureKind",
    "console_message",
]

#: What sort of failure a code is: a CORS check, mixed content, a network error, or a call the
#: browser refuses (a TypeError before anything is sent, or on a redirect with redirect: 'error').
FailureKind = Literal["cors", "mixed-content", "network", "type-error"]


class NamedEnum(str, Enum):
    """An enum of names that prints as its value (``f"{code}"`` is ``MissingAllowOriginHeader``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class FailureCode(NamedEnum):
    """What made the browser fail a fetch.

    The CORS codes' values are Chromium's CorsError names (``MissingAllowOriginHeader``, ...);
    the other codes (``MixedContent``, ``NetworkError`` and the refusals, from ``ForbiddenMethod``
    on) are our names: Chromium reports those as a console line or a TypeError, not as a CorsError.
    ``kind`` says which sort a code is.
    """

    MISSING_ALLOW_ORIGIN_HEADER = "MissingAllowOriginHeader"
    ALLOW_ORIGIN_MISMATCH = "AllowOriginMismatch"
    MULTIPLE_ALLOW_ORIGIN_VALUES = "MultipleAllowOriginValues"
    INVALID_ALLOW_ORIGIN_VALUE = "InvalidAllowOriginValue"
    WILDCARD_ORIGIN_NOT_ALLOWED = "WildcardOriginNotAllowed"
    INVALID_ALLOW_CREDENTIALS = "InvalidAllowCredentials"
    PREFLIGHT_INVALID_STATUS = "PreflightInvalidStatus"
    PREFLIGHT_DISALLOWED_REDIRECT = "PreflightDisallowedRedirect"
    METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE = "MethodDisallowedByPreflightResponse"
    HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE = "HeaderDisallowedByPreflightResponse"
    INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE = "InvalidAllowMethodsPreflightResponse"
    INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE = "InvalidAllowHeadersPreflightResponse"
    REDIRECT_CONTAINS_CREDENTIALS = "RedirectContainsCredentials"
    CORS_DISABLED_SCHEME = "CorsDisabledScheme"
    # The CORS check failing on the preflight's response: the twins of the six above.
    PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER = "PreflightMissingAllowOriginHeader"
    PREFLIGHT_ALLOW_ORIGIN_MISMATCH = "PreflightAllowOriginMismatch"
    PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES = "PreflightMultipleAllowOriginValues"
    PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE = "PreflightInvalidAllowOriginValue"
    PREFLIGHT_WILDCARD_ORIGIN_NOT_ALLOWED = "PreflightWildcardOriginNotAllowed"
    PREFLIGHT_INVALID_ALLOW_CREDENTIALS = "PreflightInvalidAllowCredentials"
    # Not CORS: an https page asking for an http URL (directly or through a redirect).
    MIXED_CONTENT = "MixedContent"
    # Not CORS: the request got no response (connection refused, a redirect it cannot follow, ...).
    NETWORK_ERROR = "NetworkError"
    # Not CORS: calls the browser refuses, before sending (or, for REDIRECT_MODE_ERROR, on a redirect).
    FORBIDDEN_METHOD = "ForbiddenMethod"
    INVALID_HEADER_VALUE = "InvalidHeaderValue"
    URL_WITH_CREDENTIALS = "UrlWithCredentials"
    BODY_WITH_GET_OR_HEAD = "BodyWithGetOrHead"
    NO_CORS_METHOD = "NoCorsMethod"
    SAME_ORIGIN_MODE = "SameOriginMode"
    REDIRECT_MODE_ERROR = "RedirectModeError"
    UNSUPPORTED_SCHEME = "UnsupportedScheme"
    INVALID_METHOD = "InvalidMethod"  # not a token, such as 'GE T'
    INVALID_HEADER_NAME = "InvalidHeaderName"
    INVALID_URL = "InvalidUrl"  # an absolute URL that does not parse, such as port 99999
    NO_CORS_REDIRECT_MODE = "NoCorsRedirectMode"  # mode 'no-cors' with redirect 'error' or 'manual'

    @property
    def kind(self) -> FailureKind:
        """ "cors", "mixed-content", "network" or "type-error" (a refused call)."""
        if self is FailureCode.MIXED_CONTENT:
            return "mixed-content"
        if self is FailureCode.NETWORK_ERROR:
            return "network"
        if self in REFUSAL_CODES:
            return "type-error"
        return "cors"

    @property
    def is_cors(self) -> bool:
        """A failure of CORS proper: one of Chromium's CorsError names."""
        return self.kind == "cors"

    @property
    def is_preflight_twin(self) -> bool:
        """The CORS check on a preflight response (``Preflight`` + a CORS-check code)."""
        return (
            self.value.startswith("Preflight")
            and FailureCode.__members__.get(self.name.removeprefix("PREFLIGHT_"), None) in ORIGIN_CHECK_CODES
        )

    @property
    def base(self) -> FailureCode:
        """The CORS-check code behind a preflight twin; the code itself otherwise."""
        return FailureCode(self.value.removeprefix("Preflight")) if self.is_preflight_twin else self

    @property
    def preflight_twin(self) -> FailureCode | None:
        """The preflight twin of a CORS-check code (None for other codes)."""
        return FailureCode("Preflight" + self.value) if self in ORIGIN_CHECK_CODES else None

    @property
    def is_origin_check(self) -> bool:
        """A failure of the CORS check proper (Access-Control-Allow-Origin/-Credentials), on either response."""
        return self.base in ORIGIN_CHECK_CODES

    @property
    def at_preflight(self) -> bool:
        return self.value.startswith("Preflight") or self.value.endswith("PreflightResponse")


#: The CORS check's own failures (Access-Control-Allow-Origin and -Credentials).
ORIGIN_CHECK_CODES = frozenset(
    {
        FailureCode.MISSING_ALLOW_ORIGIN_HEADER,
        FailureCode.ALLOW_ORIGIN_MISMATCH,
        FailureCode.MULTIPLE_ALLOW_ORIGIN_VALUES,
        FailureCode.INVALID_ALLOW_ORIGIN_VALUE,
        FailureCode.WILDCARD_ORIGIN_NOT_ALLOWED,
        FailureCode.INVALID_ALLOW_CREDENTIALS,
    }
)
#: The preflight twins of the CORS-check codes, each mapped to its CORS-check code.
PREFLIGHT_CODES: dict[str, str] = {code.value: code.base.value for code in FailureCode if code.is_preflight_twin}
#: The calls the browser refuses (the page's script gets a TypeError, or for XHR an exception of its own).
REFUSAL_CODES = frozenset(
    {
        FailureCode.FORBIDDEN_METHOD,
        FailureCode.INVALID_HEADER_VALUE,
        FailureCode.URL_WITH_CREDENTIALS,
        FailureCode.BODY_WITH_GET_OR_HEAD,
        FailureCode.NO_CORS_METHOD,
        FailureCode.SAME_ORIGIN_MODE,
        FailureCode.REDIRECT_MODE_ERROR,
        FailureCode.UNSUPPORTED_SCHEME,
        FailureCode.INVALID_METHOD,
        FailureCode.INVALID_HEADER_NAME,
        FailureCode.INVALID_URL,
        FailureCode.NO_CORS_REDIRECT_MODE,
    }
)
#: Every CORS failure code the model can give: Chromium's CorsError names.
CODES: tuple[str, ...] = tuple(code.value for code in FailureCode if code.is_cors)
#: Every failure code, CORS or not.
ALL_CODES: tuple[str, ...] = tuple(code.value for code in FailureCode)


def console_message(code: str, parameter: str, url: str, page_origin: str, redirected_from: str | None = None) -> str:
    """The main line Chromium prints in the console for this failure of a fetch() ('' when it prints none)."""
    from .chromium import CHROMIUM
    from .engine import Occasion

    lines = CHROMIUM.console_lines(
        FailureCode(code), parameter, Occasion(url, page_origin, redirected_from=redirected_from)
    )
    return lines[0] if lines else ""


@dataclass(frozen=True)
class FailureContext:
    """What an explanation and a fix may draw on: the request and the response that failed."""

    page_origin: str
    origin_sent: str
    method: str
    credentials: str
    response: HttpResponse | None  # None when nothing answered (refused, blocked before sending, unreachable)
    unsafe_headers: tuple[str, ...] = ()
    api: str = "fetch"  # "fetch" or "xhr"
    url: str = ""  # the URL the failure is about
    redirected_from: str | None = None


@dataclass(frozen=True)
class CorsFailure:
    """A failed fetch: what failed (``code``, ``parameter``), where, and the engine's words for it.

    ``explanation`` and ``fix`` are empty as the model gives them; ``cors_lab.Browser`` fills them
    in from :mod:`cors_lab.advice`, which knows FastAPI and Starlette.
    """

    code: FailureCode
    parameter: str
    url: str
    console_message: str
    explanation: str = ""
    fix: str = ""
    context: FailureContext | None = None
    redirected_from: str | None = None
    #: Every console line the engine prints for it, in order (``console_message`` is the main one).
    console_lines: tuple[str, ...] = ()
    #: The error the page's script gets ('' when it gets none, as with XMLHttpRequest's error event).
    js_error: str = ""

    @property
    def at_preflight(self) -> bool:
        return self.code.at_preflight
