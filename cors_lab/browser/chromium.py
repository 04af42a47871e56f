"""Chromium 156's words for each failure code, word for word: its console lines and the script's error.

Measured in Chromium 156 for ``fetch()`` and ``XMLHttpRequest`` (``python -m tests.engines.measure``,
tabled in docs/engines.md) and checked against the installed Chromium by the browser tests
(tests/test_browser_vs_chromium.py, tests/test_engine_cases.py and the generated differential test).
"""

from __future__ import annotations

from .engine import Occasion
from .failures import FailureCode

__all__ = ["CHROMIUM", "REASONS", "ChromiumWording"]

_API_NAMES = {"fetch": "fetch", "xhr": "XMLHttpRequest"}
_PREFLIGHT = "Response to preflight request doesn't pass access control check: "
# fetch() only: XHR's lines leave this sentence out (measured).
_VALID_VALUE = " Have the server send the header with a valid value."
# XHR only: its credentials failures add this sentence (measured).
_WITH_CREDENTIALS = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute."
)
_FAILED_TO_LOAD = "Failed to load resource: {error}"
_FAILED_TO_FETCH = "TypeError: Failed to fetch"
_FETCH_THREW = "TypeError: Failed to execute 'fetch' on 'Window': "

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


_CREDENTIALS_CODES = {C.WILDCARD_ORIGIN_NOT_ALLOWED, C.INVALID_ALLOW_CREDENTIALS}
#: ``code.base`` of every code, looked up rather than worked out from the names for each line.
_BASES = {code: code.base for code in FailureCode}
_CORS_CODES = frozenset(code for code in FailureCode if code.is_cors)
_FAILED = _FAILED_TO_LOAD.format(error="net::ERR_FAILED")
_NOT_LATIN_1 = "String contains non ISO-8859-1 code point."

#: The TypeError text of each call fetch() refuses before sending; ``{p}`` is the parameter
#: (the method, the URL, the header name or value). Measured in Chromium 156.
FETCH_REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: _FETCH_THREW + "'{p}' HTTP method is unsupported.",
    C.INVALID_METHOD: _FETCH_THREW + "'{p}' is not a valid HTTP method.",
    C.INVALID_HEADER_NAME: _FETCH_THREW + "Invalid name",
    C.INVALID_HEADER_VALUE: _FETCH_THREW + "Invalid value",
    C.URL_WITH_CREDENTIALS: _FETCH_THREW + "Request cannot be constructed from a URL that includes credentials: {p}",
    C.INVALID_URL: _FETCH_THREW + "Failed to parse URL from {p}",
    C.BODY_WITH_GET_OR_HEAD: _FETCH_THREW + "Request with GET/HEAD method cannot have body.",
    C.NO_CORS_METHOD: _FETCH_THREW + "'{p}' is unsupported in no-cors mode.",
}
#: What XMLHttpRequest throws where fetch() refuses (it does not refuse a URL with credentials or a
#: GET body: it drops them). ``{p}`` is the method, or the header name or value as given.
XHR_REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: "SecurityError: Failed to execute 'open' on 'XMLHttpRequest': '{p}' HTTP method is "
    "unsupported.",
    C.INVALID_METHOD: "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest': '{p}' is not a valid HTTP method.",
    C.INVALID_URL: "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest': Invalid URL",
    C.INVALID_HEADER_NAME: "SyntaxError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': '{p}' is not a "
    "valid HTTP header field name.",
    C.INVALID_HEADER_VALUE: "SyntaxError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': '{p}' is not a "
    "valid HTTP header field value.",
}


class ChromiumWording:
    """Chromium's console lines and script errors (see :class:`~.engine.Wording`)."""

    engine = "Chromium 156"

    def console_lines(self, code: FailureCode, parameter: str, occasion: Occasion) -> tuple[str, ...]:
        xhr = occasion.api == "xhr"
        url = occasion.url
        if code in _CORS_CODES:
            return (self._cors_line(code, parameter, occasion), _FAILED)
        if code is C.MIXED_CONTENT:
            what = "insecure XMLHttpRequest endpoint" if xhr else "insecure resource"
            return (
                f"Mixed Content: The page at '{occasion.page}' was loaded over HTTPS, but requested an {what} "
                f"'{url}'. This request has been blocked; the content must be served over HTTPS.",
            )
        if code is C.NETWORK_ERROR:
            return (_FAILED_TO_LOAD.format(error=parameter or "net::ERR_FAILED"),)
        if code is C.REDIRECT_MODE_ERROR:
            return (_FAILED_TO_LOAD.format(error="net::ERR_FAILED"),)
        if code is C.SAME_ORIGIN_MODE:
            if occasion.redirected_from:  # a redirect away from the page's origin (measured; the newline is Chromium's)
                return (
                    f"Unsafe attempt to load URL {url} from frame with URL {occasion.page}. Domains, protocols and "
                    "ports must match.\n",
                )
            return (
                f'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s origin is not same as the '
                f"request origin {occasion.page_origin}.",
            )
        if code is C.NO_CORS_REDIRECT_MODE:
            return (f'Fetch API cannot load {url}. Request mode is "no-cors" but the redirect mode is not "follow".',)
        if code is C.UNSUPPORTED_SCHEME:
            scheme = parameter or url.split(":", 1)[0]
            if scheme == "file":
                return (f"Not allowed to load local resource: {url}",)
            if not xhr:
                return (f'Fetch API cannot load {url}. URL scheme "{scheme}" is not supported.',)
            if scheme == "ftp":
                return ("FTP is not supported.",)
            # XMLHttpRequest takes other schemes (ws:, about:, javascript:) to the CORS check.
            return (
                self._cors_line(C.CORS_DISABLED_SCHEME, "", occasion),
                _FAILED_TO_LOAD.format(error="net::ERR_FAILED"),
            )
        return ()  # the refusals before sending: an exception, and nothing in the console

    def js_error(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        if code is C.INVALID_HEADER_VALUE and any(ord(c) > 0xFF for c in parameter):
            # A WebIDL ByteString conversion, before fetch() or setRequestHeader() looks at the value.
            if occasion.api == "xhr":
                return f"TypeError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': {_NOT_LATIN_1}"
            return _FETCH_THREW + f"Failed to read the 'headers' property from 'RequestInit': {_NOT_LATIN_1}"
        if occasion.api == "xhr":
            template = XHR_REFUSALS.get(code)
            return template.format(p=parameter) if template else ""  # else: status 0 and the error event
        template = FETCH_REFUSALS.get(code)
        return template.format(p=parameter) if template else _FAILED_TO_FETCH

    def response_lines(self, occasion: Occasion, reason: str = "") -> tuple[str, ...]:
        """The lines for a response the page gets: Chromium logs every 4xx and 5xx status, with the
        server's reason phrase (empty when it sent none: '499 ()')."""
        if occasion.status is not None and occasion.status >= 400:
            return (f"Failed to load resource: the server responded with a status of {occasion.status} ({reason})",)
        return ()

    def unsafe_header_lines(self, name: str) -> tuple[str, ...]:
        """XMLHttpRequest's setRequestHeader() logs each header it refuses (fetch() drops them silently)."""
        return (f'Refused to set unsafe header "{name}"',)

    def _cors_line(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        xhr = occasion.api == "xhr"
        base = _BASES[code]
        reason = REASONS[base].format(p=_escaped(parameter))
        if xhr:
            reason = reason.removesuffix(_VALID_VALUE) + (_WITH_CREDENTIALS if base in _CREDENTIALS_CODES else "")
        redirect = f"(redirected from '{occasion.redirected_from}') " if occasion.redirected_from else ""
        preflight = _PREFLIGHT if code in _WITH_PREFLIGHT_SENTENCE else ""
        api = _API_NAMES[occasion.api]
        return (
            f"Access to {api} at '{occasion.url}' {redirect}from origin '{occasion.page_origin}' has been blocked by "
            f"CORS policy: {preflight}{reason}"
        )


def _escaped(text: str) -> str:
    """Chromium prints control characters and every byte over 0x7E of a header value as \\uXXXX."""
    if text.isascii() and text.isprintable():  # nothing to escape: the usual case
        return text
    return "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04X}" for c in text)


CHROMIUM = ChromiumWording()
