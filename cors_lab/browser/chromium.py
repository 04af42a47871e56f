"""Chromium 156's console wording for each failure code, word for word.

Captured from Chromium 156 (the ``fetch()`` initiator) and checked against the installed Chromium
by the browser tests (tests/test_browser_vs_chromium.py and the generated differential test).
"""

from __future__ import annotations

from .failures import FailureCode

__all__ = ["CHROMIUM", "REASONS", "ChromiumWording"]

_PREFIX = "Access to fetch at '{url}' {redirect}from origin '{origin}' has been blocked by CORS policy: "
_PREFLIGHT = "Response to preflight request doesn't pass access control check: "
_VALID_VALUE = " Have the server send the header with a valid value."

C = FailureCode

#: The reason part of each console line; ``{p}`` is the failure's parameter.
REASONS: dict[FailureCode, str] = {
    C.MISSING_ALLOW_ORIGIN_HEADER: "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    C.ALLOW_ORIGIN_MISMATCH: "The 'Access-Control-Allow-Origin' header has a value '{p}' that is not equal to the "
    "supplied origin." + _VALID_VALUE,
    C.MULTIPLE_ALLOW_ORIGIN_VALUES: "The 'Access-Control-Allow-Origin' header contains multiple values '{p}', but "
    "only one is allowed." + _VALID_VALUE,
    C.INVALID_ALLOW_ORIGIN_VALUE: "The 'Access-Control-Allow-Origin' header contains the invalid value '{p}'."
    + _VALID_VALUE,
    C.WILDCARD_ORIGIN_NOT_ALLOWED: "The value of the 'Access-Control-Allow-Origin' header in the response must not "
    "be the wildcard '*' when the request's credentials mode is 'include'.",
    C.INVALID_ALLOW_CREDENTIALS: "The value of the 'Access-Control-Allow-Credentials' header in the response is "
    "'{p}' which must be 'true' when the request's credentials mode is 'include'.",
    C.PREFLIGHT_INVALID_STATUS: "It does not have HTTP ok status.",
    C.PREFLIGHT_DISALLOWED_REDIRECT: "Redirect is not allowed for a preflight request.",
    C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE: "Method {p} is not allowed by Access-Control-Allow-Methods in "
    "preflight response.",
    C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE: "Request header field {p} is not allowed by "
    "Access-Control-Allow-Headers in preflight response.",
    C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE: "Cannot parse Access-Control-Allow-Methods response header field in "
    "preflight response.",
    C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE: "Cannot parse Access-Control-Allow-Headers response header field in "
    "preflight response.",
    # Chromium 156 prints the location empty: "Redirect location ''".
    C.REDIRECT_CONTAINS_CREDENTIALS: "Redirect location '{p}' contains a username and password, which is "
    "disallowed for cross-origin requests.",
    # Measured with a redirect to ftp:, about: and javascript: URLs; the list is Chromium's own.
    C.CORS_DISABLED_SCHEME: "Cross origin requests are only supported for protocol schemes: chrome, "
    "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app.",
}
_WITH_PREFLIGHT_SENTENCE = {code for code in FailureCode if code.is_preflight_twin} | {
    C.PREFLIGHT_INVALID_STATUS,
    C.PREFLIGHT_DISALLOWED_REDIRECT,
}


class ChromiumWording:
    """Chromium's console lines (see :class:`~.engine.Wording`)."""

    engine = "Chromium 156"

    def console_message(
        self, code: FailureCode, parameter: str, url: str, page_origin: str, redirected_from: str | None = None
    ) -> str:
        reason = REASONS[code.base].format(p=_escaped(parameter))
        redirect = f"(redirected from '{redirected_from}') " if redirected_from else ""
        preflight = _PREFLIGHT if code in _WITH_PREFLIGHT_SENTENCE else ""
        return _PREFIX.format(url=url, redirect=redirect, origin=page_origin) + preflight + reason


def _escaped(text: str) -> str:
    """Chromium prints control characters and every byte over 0x7E of a header value as \\uXXXX."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04X}" for c in text)


CHROMIUM = ChromiumWording()
