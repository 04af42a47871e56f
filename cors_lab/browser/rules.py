"""The Fetch Standard's CORS rules, as pure functions, with Chromium's choices where they differ.

Every function here takes plain values and returns plain values: no network, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ada_url

from .http import HeaderItems, display_name, is_token

__all__ = [
    "BAD_PORTS",
    "FORBIDDEN_METHODS",
    "SAFELISTED_METHODS",
    "SAFELISTED_RESPONSE_HEADERS",
    "AllowOriginFailure",
    "check_allow_credentials",
    "check_allow_origin",
    "combine_headers",
    "cors_unsafe_header_names",
    "cors_unsafe_headers",
    "exposed_header_names",
    "is_forbidden_request_header",
    "normalize_header",
    "normalize_method",
    "parse_allow_list",
    "preflight_reasons",
]

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
# fetch() upper-cases only these method names; "patch" stays "patch".
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

_FORBIDDEN_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
#: Client hints a page may set itself: Chromium counts them CORS-safelisted when their value is
#: valid for the header (services/network/public/cpp/cors/cors.cc, IsCorsSafelistedHeader), and
#: so does "Intervention". The Fetch Standard safelists none of them.
CLIENT_HINTS = frozenset({"device-memory", "dpr", "width", "viewport-width", "rtt", "downlink", "ect", "save-data"})
_SAFELISTED_NAMES = frozenset(
    {"accept", "accept-language", "content-language", "content-type", "range", "intervention"}
)
_DOUBLE = re.compile(r"[0-9]+(\.[0-9]+)?")
_INT = re.compile(r"[0-9]+")
_ECT_VALUES = frozenset({"slow-2g", "2g", "3g", "4g"})
_HTTP_WHITESPACE = " \t\r\n"
_SAFELISTED_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
_UNSAFE_BYTES = frozenset(chr(c) for c in range(0x20) if c != 0x09) | set('"():<>?@[\\]{}\x7f')
_LANGUAGE_VALUE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_RANGE_VALUE = re.compile(r"bytes=(\d+)-(\d+)?", re.IGNORECASE)

#: Response headers every CORS response lets the page read.
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)


@lru_cache(maxsize=256)
def normalize_method(method: str) -> str:
    """The method as fetch() sends it; raises ValueError for names fetch() refuses."""
    if not is_token(method):
        raise ValueError(f"{method!r} is not a valid HTTP method name: use a word such as 'GET' or 'PUT'")
    if method.upper() in FORBIDDEN_METHODS:
        raise ValueError(f"fetch() refuses the method {method!r}: browsers never let pages send it")
    return method.upper() if method.upper() in _NORMALIZED_METHODS else method


def normalize_header(name: str, value: str) -> tuple[str, str]:
    """A header as fetch() takes it from a page: the value trimmed of HTTP whitespace; a ValueError
    (fetch()'s TypeError) for a name that is not a token or a value no header can carry."""
    if not is_token(name):
        raise ValueError(f"{name!r} is not a valid HTTP header name: fetch() throws a TypeError")
    value = value.strip(_HTTP_WHITESPACE)
    if any(c in value for c in "\0\r\n"):
        raise ValueError(f"the value of {name} contains NUL, CR or LF: fetch() throws a TypeError")
    if any(ord(c) > 0xFF for c in value):
        # Header values are ByteStrings: each character one byte (Latin-1).
        raise ValueError(
            f"the value of {name} has a character beyond Latin-1 ({value!r}): fetch() throws a TypeError "
            "(String contains non ISO-8859-1 code point)"
        )
    return name, value


def header_bytes(value: str) -> int:
    """The length of a header value on the wire (one byte per character: Latin-1)."""
    return len(value)


def is_forbidden_request_header(name: str, value: str = "") -> bool:
    """A header a page's script may not set; fetch() silently drops it.

    The method-override headers are forbidden only when they name a forbidden method.
    """
    lower = name.lower()
    if lower in _FORBIDDEN_HEADERS or lower.startswith(("proxy-", "sec-")):
        return True
    if lower in ("x-http-method", "x-http-method-override", "x-method-override"):
        return any(item.strip(" \t").upper() in FORBIDDEN_METHODS for item in value.split(","))
    return False


_NO_CORS_SAFELISTED_NAMES = frozenset({"accept", "accept-language", "content-language", "content-type"})


def is_no_cors_safelisted_header(name: str, value: str) -> bool:
    """A header a page may set in mode 'no-cors' (Fetch Standard: no-CORS-safelisted request-header);
    fetch() silently drops every other one."""
    lower = name.lower()
    return lower in _NO_CORS_SAFELISTED_NAMES and _safelist_problem(lower, value) is None


#: The ports fetch() never connects to (Fetch Standard, "bad port"): net::ERR_UNSAFE_PORT in Chromium.
BAD_PORTS = frozenset(
    {0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104}
    | {109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515}
    | {526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049}
    | {3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080}
)


def is_potentially_trustworthy_host(host: str) -> bool:
    """A host an https page may fetch over plain http: loopback counts as secure in Chromium and Firefox
    (127.0.0.0/8, [::1], localhost and *.localhost), so it is no mixed content."""
    host = host.lower().rstrip(".")
    if host in ("localhost", "[::1]") or host.endswith(".localhost"):
        return True
    parts = host.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(p.isdigit() and int(p) < 256 for p in parts)


def _safelist_problem(name: str, value: str, chromium: bool = True, ascii_only: bool = False) -> str | None:
    """Why the header ``name: value`` is not CORS-safelisted, as a sentence; None when it is.

    ``chromium``: Chromium's safelist, which adds the client hints and Intervention to the Fetch
    Standard's (Firefox and WebKit keep to the standard's, measured). ``ascii_only``: Accept and
    Content-Type values beyond ASCII are not safelisted (Firefox, measured: repeated-accept-not-ascii).
    """
    shown = display_name(name)
    chromium_only = name in CLIENT_HINTS or name == "intervention"
    if (name not in _SAFELISTED_NAMES and name not in CLIENT_HINTS) or (chromium_only and not chromium):
        return (
            f"header {shown} is not safelisted (only Accept, Accept-Language, Content-Language, "
            "Content-Type and Range are)"
        )
    if header_bytes(value) > 128:
        return f"header {shown} is not safelisted: its value is longer than 128 bytes ({header_bytes(value)})"
    if name in ("device-memory", "dpr", "downlink") and not _DOUBLE.fullmatch(value):
        return f"header {shown} is not safelisted: {value!r} is not a number such as '1.5'"
    if name in ("width", "viewport-width", "rtt") and not _INT.fullmatch(value):
        return f"header {shown} is not safelisted: {value!r} is not a whole number"
    if name == "ect" and value not in _ECT_VALUES:
        return f"header ECT is not safelisted: {value!r} is not one of slow-2g, 2g, 3g, 4g"
    if name == "save-data" and value.lower() != "on":
        return "header Save-Data is not safelisted: only 'on' is"
    if name in ("accept", "content-type"):
        bad = sorted(set(value) & _UNSAFE_BYTES)
        if bad:
            return f"header {shown} is not safelisted: its value contains {''.join(bad)!r}"
        if ascii_only and not value.isascii():
            return f"header {shown} is not safelisted: its value has characters beyond ASCII"
    if name in ("accept-language", "content-language") and not _LANGUAGE_VALUE.fullmatch(value):
        return f"header {shown} is not safelisted: its value has characters other than 0-9 A-Z a-z space * , - . ; ="
    if name == "content-type":
        essence = _mime_essence(value)
        if essence not in _SAFELISTED_CONTENT_TYPES:
            return (
                f"Content-Type {essence or repr(value)} is not safelisted (only "
                "application/x-www-form-urlencoded, multipart/form-data and text/plain are)"
            )
    if name == "range":
        match = _RANGE_VALUE.fullmatch(value)
        if match is None or (match[2] is not None and int(match[1]) > int(match[2])):
            return f"header Range is not safelisted: {value!r} is not a single range such as 'bytes=0-499'"
    return None


def _mime_essence(value: str) -> str | None:
    """A MIME type's essence, "type/subtype" in lower case (WHATWG MIME Sniffing); None if unparsable."""
    essence = value.split(";", 1)[0].strip(" \t\r\n")
    type_, slash, subtype = essence.partition("/")
    if not slash or not is_token(type_) or not is_token(subtype):
        return None
    return f"{type_}/{subtype}".lower()


def combine_headers(headers: HeaderItems) -> dict[str, str]:
    """Headers as a page's ``Headers`` object holds them: names lower-cased, repeats joined by ", "."""
    combined: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        combined[lower] = f"{combined[lower]}, {value}" if lower in combined else value
    return combined


@dataclass(frozen=True)
class UnsafeHeader:
    name: str  # lower case
    reason: str


def _judged_lines(
    headers: HeaderItems, chromium: bool, line_by_line: bool, ascii_only: bool
) -> list[tuple[str, str, str | None]]:
    """(lower-cased name, value, why it is not safelisted or None) for each header the safelist
    judges: the page's lines joined per name, or with ``line_by_line`` each line by its own value
    (Firefox's fetch(): its Headers keep the lines apart); forbidden headers left out."""
    items = [(n.lower(), v) for n, v in headers] if line_by_line else list(combine_headers(headers).items())
    judged = [
        (n, v, _safelist_problem(n, v, chromium, ascii_only)) for n, v in items if not is_forbidden_request_header(n, v)
    ]
    safelisted_total = sum(header_bytes(v) for _, v, problem in judged if problem is None)
    if safelisted_total <= 1024:
        return judged
    over = (
        "is not safelisted: the safelisted headers' values add up to "
        f"{safelisted_total} bytes, over the 1024-byte limit"
    )
    return [(n, v, problem or f"header {display_name(n)} {over}") for n, v, problem in judged]


@lru_cache(maxsize=1024)
def cors_unsafe_headers(
    headers: HeaderItems, chromium: bool = True, line_by_line: bool = False, ascii_only: bool = False
) -> tuple[UnsafeHeader, ...]:
    """The request headers that make a preflight necessary, sorted by name, each with its reason
    (``chromium``: by Chromium's safelist, else by the Fetch Standard's; ``line_by_line``: each
    header line judged by its own value, as Firefox's fetch() does)."""
    unsafe: dict[str, str] = {}
    for name, _, problem in _judged_lines(headers, chromium, line_by_line, ascii_only):
        if problem is not None:
            unsafe.setdefault(name, problem)
    return tuple(UnsafeHeader(name, unsafe[name]) for name in sorted(unsafe))


@lru_cache(maxsize=1024)
def unsafe_names(
    headers: HeaderItems, chromium: bool = True, line_by_line: bool = False, ascii_only: bool = False
) -> tuple[str, ...]:
    """Lower-cased, de-duplicated, sorted (cached): the value of Access-Control-Request-Headers."""
    return tuple(h.name for h in cors_unsafe_headers(headers, chromium, line_by_line, ascii_only))


@lru_cache(maxsize=1024)
def unsafe_line_names(headers: HeaderItems, chromium: bool = True, ascii_only: bool = False) -> tuple[str, ...]:
    """The name of every header line that is not safelisted by its own value, sorted, repeats kept:
    Firefox's fetch() lists Access-Control-Request-Headers so (``downlink,downlink``)."""
    return tuple(sorted(name for name, _, problem in _judged_lines(headers, chromium, True, ascii_only) if problem))


def cors_unsafe_header_names(headers: HeaderItems) -> list[str]:
    """Lower-cased, de-duplicated, sorted: the value of Access-Control-Request-Headers."""
    return list(unsafe_names(headers))


def preflight_reasons(
    method: str, headers: HeaderItems, chromium: bool = True, line_by_line: bool = False, ascii_only: bool = False
) -> list[str]:
    """Why a cross-origin request needs a preflight; empty for a "simple" request."""
    reasons = []
    if method not in SAFELISTED_METHODS:
        reasons.append(f"method {method} is not safelisted (only GET, HEAD and POST are)")
    reasons.extend(header.reason for header in cors_unsafe_headers(headers, chromium, line_by_line, ascii_only))
    return reasons


# --- the CORS check ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowOriginFailure:
    """Which CORS check failed (a Chromium CorsError name without "Preflight") and its parameter."""

    code: str
    parameter: str = ""


def check_allow_origin(values: list[str], origin: str, include_credentials: bool) -> AllowOriginFailure | None:
    """Access-Control-Allow-Origin against the request's serialised origin, in Chromium's order."""
    if not values:
        return AllowOriginFailure("MissingAllowOriginHeader")
    value = values[0].strip(" \t") if len(values) == 1 else ", ".join(v.strip(" \t") for v in values)
    if value == "*":
        return AllowOriginFailure("WildcardOriginNotAllowed") if include_credentials else None
    if value == origin:
        return None
    if " " in value or "," in value:
        return AllowOriginFailure("MultipleAllowOriginValues", value)
    if value != "null" and (not value.isascii() or not _is_url(value)):
        return AllowOriginFailure("InvalidAllowOriginValue", value)
    return AllowOriginFailure("AllowOriginMismatch", value)


def check_allow_credentials(values: list[str]) -> AllowOriginFailure | None:
    """With credentials mode "include", Access-Control-Allow-Credentials must be exactly "true"."""
    value = values[0].strip(" \t") if len(values) == 1 else ", ".join(v.strip(" \t") for v in values)
    return None if value == "true" else AllowOriginFailure("InvalidAllowCredentials", value)


@lru_cache(maxsize=1024)  # parsing is the slow part of a mismatched origin, and servers send the same few
def _is_url(value: str) -> bool:
    try:
        ada_url.URL(value)
    except ValueError:
        return False
    return True


def parse_allow_list(value: str | None) -> list[str] | None:
    """A comma-separated list of tokens (Allow-Methods, Allow-Headers); None when it does not parse."""
    if value is None:
        return []
    items = _allow_list(value)
    return None if items is None else list(items)


@lru_cache(maxsize=1024)  # every preflight's answer is parsed, and a server gives the same few
def _allow_list(value: str) -> tuple[str, ...] | None:
    items = [item.strip(" \t") for item in value.split(",")]
    items = [item for item in items if item]
    return tuple(items) if all(is_token(item) for item in items) else None


def exposed_header_names(
    response_headers: HeaderItems, expose_header: str | None, include_credentials: bool
) -> set[str]:
    """The lower-cased names of response headers the page's script may read."""
    exposed = set(SAFELISTED_RESPONSE_HEADERS)
    listed = {name.lower() for name in (parse_allow_list(expose_header) or [])}
    if "*" in listed and not include_credentials:
        exposed |= {name.lower() for name, _ in response_headers}
    exposed |= listed - {"*"}
    return exposed - {"set-cookie", "set-cookie2"}
