"""Why a fetch was blocked, as a typed identity: :class:`FailureCode` and :class:`CorsFailure`.

The codes are Chromium's CorsError names (the names DevTools shows), used here engine-neutrally:
each says *what* failed. How an engine words it in its console is a table elsewhere
(:mod:`.chromium`); what to change in a FastAPI app is :mod:`cors_lab.advice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .http import HttpResponse

__all__ = ["CODES", "PREFLIGHT_CODES", "CorsFailure", "FailureCode", "FailureContext", "console_message"]


class NamedEnum(str, Enum):
    """An enum of names that prints as its value (``f"{code}"`` is ``MissingAllowOriginHeader``)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class FailureCode(NamedEnum):
    """What made the browser block a fetch (the value is Chromium's CorsError name)."""

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
#: Every failure code the model can give, as Chromium's CorsError names.
CODES: tuple[str, ...] = tuple(code.value for code in FailureCode)


def console_message(code: str, parameter: str, url: str, page_origin: str, redirected_from: str | None = None) -> str:
    """The exact line Chromium prints in the console for this failure."""
    from .chromium import CHROMIUM

    return CHROMIUM.console_message(FailureCode(code), parameter, url, page_origin, redirected_from)


@dataclass(frozen=True)
class FailureContext:
    """What an explanation and a fix may draw on: the request and the response that failed."""

    page_origin: str
    origin_sent: str
    method: str
    credentials: str
    response: HttpResponse
    unsafe_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorsFailure:
    """A blocked fetch: what failed (``code``, ``parameter``), where, and the engine's console line.

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

    @property
    def at_preflight(self) -> bool:
        return self.code.at_preflight
