"""WebKit 2.50's words for each failure code, word for word: its console lines and the script's error.

WebKit is Safari's engine; these are WebKitGTK 2.50's words (Debian's ``gir1.2-webkit2-4.1``),
measured with ``python -m tests.engines.measure`` (tabled in docs/engines.md) and checked against
the installed WebKitGTK by tests/engines/test_model_vs_engines.py. A Safari release may
word a line differently from a given WebKitGTK release.

WebKit prints a reason (often without the URL), then ``Fetch API cannot load <URL> due to access
control checks.`` (``XMLHttpRequest cannot load ...`` for XHR and axios). The lines are the
console's text; WebKitGTK's stderr prefixes each with its source and level
(``CONSOLE SECURITY ERROR ...``), and Safari's "copy" with ``[Error]``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .engine import Occasion
from .failures import FailureCode

__all__ = ["CANNOT_LOAD", "REASONS", "REFUSALS", "WEBKIT", "XHR_REFUSALS", "WebKitWording"]

C = FailureCode

_NOT_ALLOWED = "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}"
_MORE_THAN_ONE = "Access-Control-Allow-Origin cannot contain more than one origin."
_WILDCARD = "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
_CREDENTIALS = 'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'

#: The reason line of each code; ``{origin}`` is the Origin the request carried, ``{status}`` the
#: failing response's status, ``{p}`` the parameter, ``{header}`` the header as the page wrote it,
#: ``{url}`` and ``{location}`` the failing URL and the redirect's target. No entry: no reason line.
REASONS: dict[FailureCode, str] = {
    # A missing header, a mismatch and an invalid value all read the same (measured: missing-acao,
    # acao-other-origin, acao-null, acao-not-a-url, acao-non-ascii).
    C.MISSING_ALLOW_ORIGIN_HEADER: _NOT_ALLOWED,
    C.ALLOW_ORIGIN_MISMATCH: _NOT_ALLOWED,
    C.INVALID_ALLOW_ORIGIN_VALUE: _NOT_ALLOWED,
    C.MULTIPLE_ALLOW_ORIGIN_VALUES: _MORE_THAN_ONE,
    C.WILDCARD_ORIGIN_NOT_ALLOWED: _WILDCARD,
    C.INVALID_ALLOW_CREDENTIALS: _CREDENTIALS,
    # The twins: the same words, with the preflight's status.
    C.PREFLIGHT_MISSING_ALLOW_ORIGIN_HEADER: _NOT_ALLOWED,
    C.PREFLIGHT_ALLOW_ORIGIN_MISMATCH: _NOT_ALLOWED,
    C.PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE: _NOT_ALLOWED,
    C.PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES: _MORE_THAN_ONE,
    C.PREFLIGHT_WILDCARD_ORIGIN_NOT_ALLOWED: _WILDCARD,
    C.PREFLIGHT_INVALID_ALLOW_CREDENTIALS: _CREDENTIALS,
    C.PREFLIGHT_INVALID_STATUS: "Preflight response is not successful. Status code: {status}",
    # A redirected preflight is an unsuccessful one, with the redirect's status.
    C.PREFLIGHT_DISALLOWED_REDIRECT: "Preflight response is not successful. Status code: {status}",
    C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE: "Method {p} is not allowed by Access-Control-Allow-Methods.",
    C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE: "Request header field {header} is not allowed by "
    "Access-Control-Allow-Headers.",
    C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE: "Header Access-Control-Allow-Methods has an invalid value: {p}",
    C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE: "Header Access-Control-Allow-Headers has an invalid value: {p}",
    C.REDIRECT_CONTAINS_CREDENTIALS: "Cross-origin redirection to {plain_location} denied by Cross-Origin Resource "
    "Sharing policy: redirection URL {location} has credentials",
    C.CORS_DISABLED_SCHEME: "Cross-origin redirection to {url} denied by Cross-Origin Resource Sharing policy: not "
    "allowed to follow a cross-origin CORS redirection with non CORS scheme",
    C.REDIRECT_MODE_ERROR: "Not allowed to follow a redirection while loading {url}",
    C.UNSUPPORTED_SCHEME: "Cross origin requests are only supported for HTTP.",
}
#: A redirect to ftp: has words of its own (measured: redirect-to-ftp).
FTP_DISABLED = "FTP URLs are disabled"
#: The prefix of a reason when the response that failed the check was a redirect (measured:
#: redirect-without-acao).
REDIRECT_DENIED = "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: "
#: The line after the reason; ``{api}`` is "Fetch API" or "XMLHttpRequest", ``{url}`` the URL the
#: page asked for.
CANNOT_LOAD = "{api} cannot load {url} due to access control checks."
_API_NAMES = {"fetch": "Fetch API", "xhr": "XMLHttpRequest"}
#: Mixed content: a warning, then (unless a redirect led there) an error, then the CANNOT_LOAD line.
MIXED_CONTENT_WARNING = (
    "[blocked] The page at {page} requested insecure content from {url}. This content was blocked and must be "
    "served over HTTPS."
)
#: WebKit cuts the warning short when the insecure URL is a loopback one (measured: mixed-content-loopback,
#: and pasted from Safari for http://localhost).
MIXED_CONTENT_WARNING_LOOPBACK = (
    "[blocked] The page at {page} requested insecure content from {url}. This content was blocked and must"
)
MIXED_CONTENT_ERROR = "Not allowed to request resource"
#: mode: 'same-origin' to another origin: this line alone.
SAME_ORIGIN_MODE = "Fetch API cannot load {url}."
#: mode: 'same-origin', redirected to another origin: this line, then CANNOT_LOAD (measured:
#: same-origin-mode-redirected-away); ``{url}`` is the redirect's target.
SAME_ORIGIN_MODE_REDIRECTED = (
    "Unsafe attempt to load URL {url} from origin {origin}. Domains, protocols and ports must match."
)
#: mode: 'no-cors' with redirect 'error' or 'manual': these lines, then CANNOT_LOAD (measured:
#: no-cors-redirect-manual).
NO_CORS_REDIRECT_MODE = ("No-Cors mode requires follow redirect mode", MIXED_CONTENT_ERROR)
#: The network errors WebKit words, by the model's ``net::ERR_...`` name (measured: unsafe-port,
#: too-many-redirects; redirect-to-data, redirect-to-ws and redirect-invalid-location are denied as a
#: non-CORS scheme, naming the Location as it was). Others (a refused connection): no line at all.
RESTRICTED_PORT = "Not allowed to use restricted network port {port}: {url}"
TOO_MANY_REDIRECTS = "Load cannot follow more than 20 redirections"
_REDIRECT_REFUSED = frozenset({"net::ERR_UNSAFE_REDIRECT", "net::ERR_UNKNOWN_URL_SCHEME", "net::ERR_INVALID_REDIRECT"})
#: XMLHttpRequest's setRequestHeader() with a header no page may set (measured: unsafe-header-cookie).
UNSAFE_HEADER = 'Refused to set unsafe header "{name}"'

_LOAD_FAILED = "TypeError: Load failed"
#: What fetch() rejects with for each call it refuses; ``{p}`` is the parameter, ``{header}`` the
#: header's name as the page wrote it, ``{method}`` the method. Every other failure: "Load failed".
REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: "TypeError: Method is forbidden.",
    C.INVALID_HEADER_VALUE: "TypeError: Header '{header}' has invalid value: '{p}'",
    C.URL_WITH_CREDENTIALS: "TypeError: URL is not valid or contains user credentials.",
    C.BODY_WITH_GET_OR_HEAD: "TypeError: Request has method '{method}' and cannot have a body",
    C.NO_CORS_METHOD: "TypeError: Method must be GET, POST or HEAD in no-cors mode.",
    C.INVALID_METHOD: "TypeError: Method is not a valid HTTP token.",
    C.INVALID_HEADER_NAME: "TypeError: Invalid header name: '{p}'",
    # The same words as a URL with credentials (measured: url-unparsable).
    C.INVALID_URL: "TypeError: URL is not valid or contains user credentials.",
}
#: A header name or value beyond Latin-1 fails WebIDL's ByteString conversion, for fetch() and
#: XMLHttpRequest alike (measured: header-value-not-latin-1).
NOT_BYTE_STRING = "TypeError: Type error"
_NO_MATCH = "SyntaxError: The string did not match the expected pattern."
#: What XMLHttpRequest throws where it refuses (it sends the others, or fires ``error``).
XHR_REFUSALS: dict[FailureCode, str] = {
    C.FORBIDDEN_METHOD: "SecurityError: The operation is insecure.",
    C.INVALID_HEADER_VALUE: _NO_MATCH,
    C.INVALID_METHOD: _NO_MATCH,
    C.INVALID_HEADER_NAME: _NO_MATCH,
    C.INVALID_URL: _NO_MATCH,
}
_LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


class WebKitWording:
    """WebKit's console lines and script errors (see :class:`~.engine.Wording`)."""

    engine = "WebKit 2.50"

    def console_lines(self, code: FailureCode, parameter: str, occasion: Occasion) -> tuple[str, ...]:
        # The last URL WebKit loaded: a redirect to a URL it will not load names the one before.
        unloaded = code in (C.MIXED_CONTENT, C.CORS_DISABLED_SCHEME, C.NETWORK_ERROR)
        requested = (occasion.redirected_from or occasion.url) if unloaded else occasion.url
        cannot_load = CANNOT_LOAD.format(api=_API_NAMES[occasion.api], url=requested)
        if code is C.MIXED_CONTENT:
            host = _host(occasion.url)
            warning = MIXED_CONTENT_WARNING_LOOPBACK if host in _LOOPBACK else MIXED_CONTENT_WARNING
            lines = [warning.format(page=occasion.page, url=occasion.url)]
            if occasion.redirected_from is None:
                lines.append(MIXED_CONTENT_ERROR)
            return (*lines, cannot_load)
        if code is C.SAME_ORIGIN_MODE:
            if occasion.redirected_from:
                reason = SAME_ORIGIN_MODE_REDIRECTED.format(url=occasion.url, origin=occasion.page_origin)
                return (reason, CANNOT_LOAD.format(api=_API_NAMES[occasion.api], url=occasion.url))
            return (SAME_ORIGIN_MODE.format(url=occasion.url),)
        if code is C.NO_CORS_REDIRECT_MODE:
            return (*NO_CORS_REDIRECT_MODE, cannot_load)
        if code is C.NETWORK_ERROR:
            if parameter == "net::ERR_UNSAFE_PORT":
                return (RESTRICTED_PORT.format(port=_port(occasion.url), url=occasion.url),)
            if parameter == "net::ERR_TOO_MANY_REDIRECTS":
                return (TOO_MANY_REDIRECTS, cannot_load)
            target = occasion.location
            if parameter in _REDIRECT_REFUSED and target is not None:
                # A redirect to data:, ws: or what is no URL: denied as a non-CORS scheme.
                return (REASONS[C.CORS_DISABLED_SCHEME].format(url=target), cannot_load)
            return ()  # a refused connection: nothing at all (measured: connection-refused)
        template = REASONS.get(code)
        if template is None:
            return ()  # the calls refused before sending: an exception, and nothing in the console
        if code is C.CORS_DISABLED_SCHEME and occasion.url.split(":", 1)[0].lower() == "ftp":
            template = FTP_DISABLED
        if code.base is C.MULTIPLE_ALLOW_ORIGIN_VALUES and "," not in parameter:
            template = _NOT_ALLOWED  # only a comma means "more than one" (measured: acao-two-origins-without-a-comma)
        location = occasion.location or ""
        reason = template.format(
            origin=occasion.origin_sent or occasion.page_origin,
            status="" if occasion.status is None else occasion.status,
            p=parameter,
            header=occasion.header_name or parameter,
            url=occasion.url,
            location=location,
            plain_location=_without_credentials(location),
        )
        if code.is_origin_check and not code.at_preflight and occasion.location is not None:
            reason = REDIRECT_DENIED.format(location=location) + reason
        return (reason, cannot_load)

    def js_error(self, code: FailureCode, parameter: str, occasion: Occasion) -> str:
        if code is C.INVALID_HEADER_VALUE and any(ord(c) > 0xFF for c in parameter):
            return NOT_BYTE_STRING
        if occasion.api == "xhr":
            return XHR_REFUSALS.get(code, "")
        template = REFUSALS.get(code)
        if template is None:
            return _LOAD_FAILED
        return template.format(p=parameter, header=occasion.header_name or parameter, method=occasion.method)

    def unsafe_header_lines(self, name: str) -> tuple[str, ...]:
        """XMLHttpRequest's setRequestHeader() logs each header it refuses (fetch() drops them silently)."""
        return (UNSAFE_HEADER.format(name=name),)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # no URL at all ('http://[bad')
        return ""


def _port(url: str) -> str:
    """The port of ``url`` as written (after the host's last colon)."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return ""
    return netloc.rsplit(":", 1)[1] if ":" in netloc.rsplit("]", 1)[-1] else ""


def _without_credentials(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # no URL at all ('http://[bad'): nothing to take out
        return url
    if not (parts.username or parts.password):
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


WEBKIT = WebKitWording()
