"""Firefox 153's words for each failure code, word for word: its console lines and the script's error.

Firefox builds each console line from one localisation key, most of them in its en-US
``security.properties`` (``CORSMissingAllowOrigin2``, ...). :data:`TEMPLATES` holds every key the
wording uses with its template exactly as the installed Firefox ESR 153 has it (the engine tests
check them against the installed ``omni.ja``), and :data:`KEYS` says which keys each failure code
prints, in order. Measured with ``python -m tests.engines.measure`` (tabled in docs/engines.md)
and checked against the installed Firefox by tests/engines/test_model_vs_engines.py (the templates
by tests/engines/test_firefox_templates.py).

The quotes are Firefox's own: ‘ ’ around names and values, “ ” in the mixed-content line.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..origins import serialize_origin
from .engine import Occasion
from .failures import FailureCode

__all__ = [
    "FIREFOX",
    "KEYS",
    "REFUSALS",
    "SPORADIC_KEYS",
    "TEMPLATES",
    "XHR_REFUSALS",
    "FirefoxWording",
    "format_template",
    "is_sporadic",
]

C = FailureCode

_BLOCKED = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "

#: The template of every key the wording prints, as in the installed Firefox's en-US
#: ``security.properties`` (``CheckSameOriginError`` is in ``caps.properties``). ``%1$S``, ``%2$S``
#: and ``%S`` are Firefox's placeholders.
TEMPLATES: dict[str, str] = {
    "CORSMissingAllowOrigin2": _BLOCKED + "%1$S. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "
    "Status code: %2$S.",
    "CORSAllowOriginNotMatchingOrigin": _BLOCKED
    + "%1$S. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘%2$S’).",
    "CORSMultipleAllowOriginNotAllowed": _BLOCKED
    + "%1$S. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).",
    "CORSNotSupportingCredentials": _BLOCKED
    + "‘%1$S’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).",
    "CORSMissingAllowCredentials": _BLOCKED
    + "%1$S. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).",
    "CORSPreflightDidNotSucceed3": _BLOCKED + "%1$S. (Reason: CORS preflight response did not succeed). "
    "Status code: %2$S.",
    "CORSExternalRedirectNotAllowed": _BLOCKED + "%1$S. (Reason: CORS request external redirect not allowed).",
    "CORSMethodNotFound": _BLOCKED
    + "%1$S. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).",
    "CORSMissingAllowHeaderFromPreflight2": _BLOCKED + "%1$S. (Reason: header ‘%2$S’ is not allowed according to "
    "header ‘Access-Control-Allow-Headers’ from CORS preflight response).",
    "CORSInvalidAllowMethod": _BLOCKED + "%1$S. (Reason: invalid token ‘%2$S’ in CORS header "
    "‘Access-Control-Allow-Methods’).",
    "CORSInvalidAllowHeader": _BLOCKED + "%1$S. (Reason: invalid token ‘%2$S’ in CORS header "
    "‘Access-Control-Allow-Headers’).",
    "CORSRequestNotHttp": _BLOCKED + "%1$S. (Reason: CORS request not http).",
    "CORSDidNotSucceed2": _BLOCKED + "%1$S. (Reason: CORS request did not succeed). Status code: %2$S.",
    "CORSDisabled": _BLOCKED + "%1$S. (Reason: CORS disabled).",
    "CORSOriginHeaderNotAdded": _BLOCKED + "%1$S. (Reason: CORS header ‘Origin’ cannot be added).",
    # A warning: the request goes through (authorization-under-star).
    "CORSAllowHeaderFromPreflightDeprecation": "Cross-Origin Request Warning: The Same Origin Policy will disallow "
    "reading the remote resource at %1$S soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the "
    "`Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed "
    "in CORS header `Access-Control-Allow-Headers`).",
    "BlockMixedActiveContent": "Blocked loading mixed active content “%1$S”",
    # A warning that a redirect to data: may come with, or not: one run printed it for the fetch() of
    # redirect-to-data, the next for no call. The wording leaves it out (SPORADIC_KEYS).
    "BlockRedirectToDataURI": "Redirecting to data: URI not allowed (Blocked loading of: “%1$S”)",
    "CheckSameOriginError": "Security Error: Content at %S may not load data from %S.",
    # fetch('file:///...') (caps.properties, measured: fetch-file).
    "CheckLoadURIError": "Security Error: Content at %S may not load or link to %S.",
    # XMLHttpRequest's setRequestHeader() with a header no page may set (dom.properties): one run
    # printed it for the axios call of unsafe-header-cookie, the next for no call. The wording leaves
    # it out (SPORADIC_KEYS).
    "ForbiddenHeaderWarning": "Attempt to set a forbidden header was denied: %S",
}

#: Keys that ``cors-lab explain`` reads but the wording never prints, with the code each means: the
#: installed Firefox's key it did not print in the measured cases, and two keys of older releases
#: (before the "Status code" ones) that people still paste.
READ_ONLY_KEYS: dict[str, tuple[str, FailureCode]] = {
    "CORSMultipleAllowOriginNotAllowed": (
        TEMPLATES["CORSMultipleAllowOriginNotAllowed"],
        C.MULTIPLE_ALLOW_ORIGIN_VALUES,
    ),
    "CORSPreflightDidNotSucceed": (
        _BLOCKED + "%1$S. (Reason: CORS preflight channel did not succeed).",
        C.PREFLIGHT_INVALID_STATUS,
    ),
    "CORSMissingAllowHeaderFromPreflight": (
        _BLOCKED + "%1$S. (Reason: missing token ‘%2$S’ in CORS header ‘Access-Control-Allow-Headers’ from CORS "
        "preflight channel).",
        C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE,
    ),
}

#: The keys of the lines Firefox prints for each code, in order (no entry: it prints nothing).
#: ``CORSDidNotSucceed2`` ("CORS request did not succeed", status "(null)") follows a failure of
#: the preflight, of a redirect and of the connection; alone it means that nothing answered.
KEYS: dict[FailureCode, tuple[str, ...]] = {
    C.MISSING_ALLOW_ORIGIN_HEADER: ("CORSMissingAllowOrigin2",),
    # Firefox says "does not match" for a mismatch, several values and an invalid value alike: its
    # CORSMultipleAllowOriginNotAllowed was not printed, not even for two header lines.
    C.ALLOW_ORIGIN_MISMATCH: ("CORSAllowOriginNotMatchingOrigin",),
    C.MULTIPLE_ALLOW_ORIGIN_VALUES: ("CORSAllowOriginNotMatchingOrigin",),
    C.INVALID_ALLOW_ORIGIN_VALUE: ("CORSAllowOriginNotMatchingOrigin",),
    C.WILDCARD_ORIGIN_NOT_ALLOWED: ("CORSNotSupportingCredentials",),
    C.INVALID_ALLOW_CREDENTIALS: ("CORSMissingAllowCredentials",),
    C.PREFLIGHT_INVALID_STATUS: ("CORSPreflightDidNotSucceed3", "CORSDidNotSucceed2"),
    C.PREFLIGHT_DISALLOWED_REDIRECT: (
        "CORSExternalRedirectNotAllowed",
        "CORSPreflightDidNotSucceed3",
        "CORSDidNotSucceed2",
    ),
    C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE: ("CORSMethodNotFound", "CORSDidNotSucceed2"),
    C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE: ("CORSMissingAllowHeaderFromPreflight2", "CORSDidNotSucceed2"),
    C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE: ("CORSInvalidAllowMethod", "CORSDidNotSucceed2"),
    C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE: ("CORSInvalidAllowHeader", "CORSDidNotSucceed2"),
    C.REDIRECT_CONTAINS_CREDENTIALS: ("CORSDidNotSucceed2",),
    C.CORS_DISABLED_SCHEME: ("CORSRequestNotHttp", "CORSDidNotSucceed2"),
    # The preflight twins: the actual response's words, then "did not succeed" (the only hint
    # that it was the preflight).
    **{
        twin: (*keys, "CORSDidNotSucceed2")
        for code, keys in (
            (C.MISSING_ALLOW_ORIGIN_HEADER, ("CORSMissingAllowOrigin2",)),
            (C.ALLOW_ORIGIN_MISMATCH, ("CORSAllowOriginNotMatchingOrigin",)),
            (C.MULTIPLE_ALLOW_ORIGIN_VALUES, ("CORSAllowOriginNotMatchingOrigin",)),
            (C.INVALID_ALLOW_ORIGIN_VALUE, ("CORSAllowOriginNotMatchingOrigin",)),
            (C.WILDCARD_ORIGIN_NOT_ALLOWED, ("CORSNotSupportingCredentials",)),
            (C.INVALID_ALLOW_CREDENTIALS, ("CORSMissingAllowCredentials",)),
        )
        if (twin := code.preflight_twin) is not None
    },
    C.MIXED_CONTENT: ("BlockMixedActiveContent",),
    C.NETWORK_ERROR: ("CORSDidNotSucceed2",),
    # fetch() of a URL that is not http(s): ftp:, or a URL without a scheme ('localhost:8000/x' has
    # the scheme localhost:) is "not http"; file: is a security error; ws: is silent (NETWORK_SILENT).
    C.UNSUPPORTED_SCHEME: ("CORSRequestNotHttp",),
    C.SAME_ORIGIN_MODE: ("CheckSameOriginError",),
    # Silent: REDIRECT_MODE_ERROR (redirect: 'error') and the calls refused before sending.
}
#: The schemes fetch() and XMLHttpRequest fail silently, and the one with a key of its own (measured:
#: fetch-ws, fetch-file).
SILENT_SCHEMES = frozenset({"ws", "wss"})
SCHEME_KEYS = {"file": "CheckLoadURIError"}
#: The network errors (by the model's ``net::ERR_...`` name) Firefox fails without a line (measured:
#: unsafe-port).
NETWORK_SILENT = frozenset({"net::ERR_UNSAFE_PORT"})

#: The line a redirect to each scheme Chromium calls unsafe (net::ERR_UNSAFE_REDIRECT) gets in
#: Firefox, before "did not succeed" (measured: redirect-to-about-blank, -filesystem, -file, -blob;
#: data: and chrome: get no line of their own: redirect-to-data, redirect-to-chrome).
UNSAFE_REDIRECT_KEYS = {
    "about": "CORSRequestNotHttp",
    "filesystem": "CORSRequestNotHttp",
    "file": "CheckLoadURIError",
    "blob": "CheckSameOriginError",
}

#: Keys of warnings Firefox prints for some calls and not for others alike: never in the wording's lines.
SPORADIC_KEYS = frozenset({"BlockRedirectToDataURI", "ForbiddenHeaderWarning"})


def is_sporadic(line: str) -> bool:
    """A console line of a warning Firefox prints for some calls and not for others alike (SPORADIC_KEYS):
    a comparison with the wording leaves it out."""
    return any(line.startswith(TEMPLATES[key].split("%", 1)[0]) for key in SPORADIC_KEYS)


_FETCH = "TypeError: Window.fetch: "
_NETWORK_ERROR = "TypeError: NetworkError when attempting to fetch resource."
#: What fetch() rejects with for each call it refuses; ``{p}`` is the parameter (the method, the
#: header value, the URL). Every other failure rejects with :data:`_NETWORK_ERROR`.
REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: _FETCH + "Invalid request method {p}.",
    # Not a token reads the same (measured: method-not-a-token).
    C.INVALID_METHOD: _FETCH + "Invalid request method {p}.",
    # The name lower-cased, as Firefox's Headers keep it (measured: header-name-invalid).
    C.INVALID_HEADER_NAME: _FETCH + "{lower} is an invalid header name.",
    C.INVALID_URL: _FETCH + "{p} is not a valid URL.",
    # The same words as a forbidden method (measured: no-cors-put).
    C.NO_CORS_METHOD: _FETCH + "Invalid request method {p}.",
    C.INVALID_HEADER_VALUE: _FETCH + "{p} is an invalid header value.",
    C.URL_WITH_CREDENTIALS: _FETCH + "{p} is an url with embedded credentials.",
    C.BODY_WITH_GET_OR_HEAD: _FETCH + "HEAD or GET Request cannot have a body.",
}
#: What XMLHttpRequest throws where it refuses (it sends the others, or fires ``error``).
XHR_REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: "SecurityError: The operation is insecure.",
    C.INVALID_METHOD: "SyntaxError: An invalid or illegal string was specified",
    C.INVALID_HEADER_NAME: "SyntaxError: Invalid header name.",
    C.INVALID_URL: "SyntaxError: XMLHttpRequest.open: '{p}' is not a valid URL.",
    # Sic: a bad header *value* is reported as a bad name (measured: header-value-with-newline).
    C.INVALID_HEADER_VALUE: "SyntaxError: Invalid header name.",
}

#: A header name or value beyond Latin-1 fails WebIDL's ByteString conversion first (measured:
#: header-value-not-latin-1, with the headers given as a list of pairs); ``{at}`` and ``{value}`` are
#: the index and the UTF-16 code unit of the first character over 255.
_BYTE_STRING = (
    "Cannot convert {what} to ByteString because the character at index {at} has value {value} which is greater "
    "than 255."
)
NOT_BYTE_STRING = {
    "fetch": _FETCH
    + _BYTE_STRING.replace(
        "{what}",
        "element of element of sequence<sequence<ByteString>> branch of (sequence<sequence<ByteString>> or "
        "record<ByteString, ByteString>)",
    ),
    "xhr": "TypeError: XMLHttpRequest.setRequestHeader: " + _BYTE_STRING.replace("{what}", "argument 2"),
}

_PLACEHOLDER = re.compile(r"%(?:(\d)\$)?S")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
#: The keys of failures that did not happen on the final response (a preflight, a redirect, the
#: connection): "did not succeed" names the URL the page asked for.
_ABOUT_THE_REQUEST = {"CORSDidNotSucceed2"}


def format_template(template: str, *values: str) -> str:
    """Firefox's ``%1$S``/``%S`` placeholders filled in, in order for the unnumbered ones."""
    unnumbered = iter(values)

    def fill(match: re.Match[str]) -> str:
        return values[int(match.group(1)) - 1] if match.group(1) else next(unnumbered)

    return _PLACEHOLDER.sub(fill, template)


class FirefoxWording:
    """Firefox's console lines and script errors (see :class:`~.engine.Wording`).

    Its lines read the same for ``fetch()`` and ``XMLHttpRequest``.
    """

    engine = "Firefox 153"

    def console_lines(self, code: FailureCode, parameter: str, occasion: Occasion) -> tuple[str, ...]:
        keys = KEYS.get(code, ())
        if code is C.UNSUPPORTED_SCHEME:
            scheme = parameter or occasion.url.split(":", 1)[0]
            keys = () if scheme in SILENT_SCHEMES else (SCHEME_KEYS.get(scheme, "CORSRequestNotHttp"),)
        if code is C.NETWORK_ERROR and parameter == "net::ERR_UNSAFE_REDIRECT" and occasion.location:
            own = UNSAFE_REDIRECT_KEYS.get(occasion.location.split(":", 1)[0].lower())
            if occasion.preflight and own == "CORSRequestNotHttp":
                own = None  # a preflight's redirect says only "did not succeed" (preflight-redirect-to-about-with-acao)
            keys = (own, *keys) if own else keys
        if code is C.CORS_DISABLED_SCHEME and occasion.url.lower().startswith("javascript:"):
            # javascript: gets no line of its own (measured: redirect-to-javascript, same-origin too).
            keys = tuple(key for key in keys if key != "CORSRequestNotHttp")
        if (code is C.NETWORK_ERROR or code is C.CORS_DISABLED_SCHEME) and occasion.same_origin:
            # "did not succeed" is said only of a CORS request (measured: too-many-redirects-same-origin,
            # same-origin-redirect-to-ftp, -about-blank, -data).
            keys = tuple(key for key in keys if key != "CORSDidNotSucceed2")
        if code is C.NETWORK_ERROR and parameter in NETWORK_SILENT:
            keys = ()
        if code is C.MIXED_CONTENT and _cross_origin(occasion.redirected_from, occasion.page_origin):
            # The CORS request whose redirect led there failed too (measured: mixed-content-via-cross-origin-
            # redirect; a redirect of a same-origin request, mixed-content-via-redirect, prints one line).
            keys = (*keys, "CORSDidNotSucceed2")
        if code is C.PREFLIGHT_DISALLOWED_REDIRECT and parameter not in ("", "*") and occasion.location:
            if _origin(occasion.location) != _origin(occasion.url):
                # A redirect to another origin makes the origin null: Firefox checks the redirect's
                # Access-Control-Allow-Origin against that too, and says so in place of the status
                # (measured: preflight-redirect-to-other-origin; with '*': preflight-redirect-to-other-origin-star).
                keys = ("CORSExternalRedirectNotAllowed", "CORSAllowOriginNotMatchingOrigin", "CORSDidNotSucceed2")
        if code is C.NETWORK_ERROR and occasion.preflight and _is_redirect(occasion.status):
            keys = (*keys, "CORSDidNotSucceed2")  # the redirect, then the preflight (preflight-redirect-to-ftp)
        if code.is_origin_check and _is_redirect(occasion.status):
            # A redirect that fails the check fails as a request too: one more line, for the actual
            # request (measured: redirect-without-acao) and for a preflight, after the twin's own
            # (generated cases: a 301 answer to OPTIONS without Access-Control-Allow-Origin).
            keys = (*keys, "CORSDidNotSucceed2")
        return tuple(self.line(key, code, parameter, occasion) for key in keys)

    def line(self, key: str, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        """The line ``key`` makes for this failure."""
        # A preflight's lines name the URL it went to, also after a redirect of the request
        # (generated cases: a redirect to another origin, then a preflight there that fails).
        requested = occasion.url if occasion.preflight else occasion.redirected_from or occasion.url
        if key in _ABOUT_THE_REQUEST:
            return format_template(TEMPLATES[key], requested, "(null)")
        redirected_to = occasion.location if code is C.NETWORK_ERROR and occasion.location else None
        if key in ("CheckSameOriginError", "CheckLoadURIError"):
            if redirected_to:  # fetch(): the redirect's URL may not load where it points; XHR: the page
                loader = occasion.page if occasion.api == "xhr" else occasion.url
                return format_template(TEMPLATES[key], loader, redirected_to)
            return format_template(TEMPLATES[key], occasion.page, occasion.url)
        if key == "CORSRequestNotHttp" and redirected_to:
            return format_template(TEMPLATES[key], redirected_to)
        status = "" if occasion.status is None else str(occasion.status)
        second = {
            "CORSMissingAllowOrigin2": status,
            "CORSPreflightDidNotSucceed3": status,
            "CORSAllowOriginNotMatchingOrigin": _replaced(parameter),
            "CORSMissingAllowHeaderFromPreflight2": parameter.lower(),
            "CORSInvalidAllowMethod": _bad_token(parameter),
            "CORSInvalidAllowHeader": _bad_token(parameter),
        }.get(key, "")
        return format_template(TEMPLATES[key], occasion.url, second)

    def js_error(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        beyond = _beyond_latin_1(parameter) if code is C.INVALID_HEADER_VALUE else None
        if beyond is not None:
            return NOT_BYTE_STRING[occasion.api].format(at=beyond[0], value=beyond[1])
        if occasion.api == "xhr":
            return XHR_REFUSALS.get(code, "").format(p=parameter)
        template = REFUSALS.get(code)
        return template.format(p=parameter, lower=parameter.lower()) if template else _NETWORK_ERROR

    def authorization_warning(self, url: str) -> str:
        """The warning Firefox prints when ``Access-Control-Allow-Headers: *`` is taken to cover
        Authorization (the request goes through; see :data:`~.quirks.FIREFOX_QUIRKS`)."""
        return format_template(TEMPLATES["CORSAllowHeaderFromPreflightDeprecation"], url)


def _beyond_latin_1(text: str) -> tuple[int, int] | None:
    """The index and value of the first UTF-16 code unit of ``text`` over 255, as WebIDL names it."""
    units = text.encode("utf-16-le")
    for at in range(len(units) // 2):
        value = int.from_bytes(units[2 * at : 2 * at + 2], "little")
        if value > 0xFF:
            return at, value
    return None


def _cross_origin(url: str | None, page_origin: str) -> bool:
    if url is None:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # no URL at all
        return True
    return f"{parts.scheme}://{parts.netloc}".lower() != page_origin.rstrip("/").lower()


def _origin(url: str) -> str:
    """The URL's origin as a page's Origin header says it ('' for what is no URL)."""
    try:
        return serialize_origin(url)
    except ValueError:
        return ""


def _is_redirect(status: int | None) -> bool:
    return status is not None and 300 <= status < 400


def _replaced(value: str) -> str:
    """Firefox reads a header value as UTF-8: a Latin-1 byte over 0x7F shows as U+FFFD."""
    return "".join("\ufffd" if ord(c) > 0x7F else c for c in value)


def _bad_token(value: str) -> str:
    """The first item of a comma-separated header value that is not an HTTP token, as Firefox names it."""
    for item in value.split(","):
        item = item.strip(" \t")
        if item and not _TOKEN.match(item):
            return item
    return value


FIREFOX = FirefoxWording()
