"""Decode a pasted CORS console message (Chromium, Firefox or Safari/WebKit) into its cause and the FastAPI fix.

    >>> explanation = explain_message(
    ...     "Access to fetch at 'http://localhost:8000/items' from origin 'http://localhost:3000' has been "
    ...     "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    ... )
    >>> explanation.engine, explanation.api, explanation.code.value
    ('Chromium', 'fetch', 'MissingAllowOriginHeader')

The patterns are not written here: they are made from the three engines' wording tables
(:mod:`cors_lab.browser.chromium`, :mod:`~cors_lab.browser.firefox`, :mod:`~cors_lab.browser.webkit`),
by asking each wording for its lines with placeholder values and turning the placeholders into
named groups. A message is matched line by line; the code whose lines explain the most of the
pasted lines wins, the engine's main line for it before its generic ones ("Failed to load
resource", "... due to access control checks.", the script's TypeError). Typographic quotes may
be retyped (‘ ’ as '), and the older Chromium wordings people still paste (the "If an opaque
response serves your needs ..." suffix, "Failed to load URL: ... Origin 'X' is therefore not
allowed access.") are read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from .browser.chromium import _PREFLIGHT, _VALID_VALUE, _WITH_CREDENTIALS, CHROMIUM, REASONS
from .browser.engine import API_CHOICES, Api, Occasion, Wording
from .browser.failures import FailureCode
from .browser.firefox import FIREFOX, KEYS, READ_ONLY_KEYS, format_template
from .browser.webkit import WEBKIT

__all__ = ["ENGINES", "Explanation", "NotACorsMessageError", "advice_for", "explain_message"]

C = FailureCode
#: The engines whose words are decoded, by the name an explanation gives.
ENGINES: dict[str, Wording] = {"Chromium": CHROMIUM, "Firefox": FIREFOX, "WebKit": WEBKIT}


class NotACorsMessageError(ValueError):
    """The text is not a console message (or script error) of a failed cross-origin request that cors-lab knows."""


@dataclass(frozen=True)
class Explanation:
    """What a pasted message says: which engine and API, which check failed, and what to change in FastAPI.

    ``engine`` is "Chromium", "Firefox" or "WebKit" (Safari's engine), or "Firefox or WebKit" when
    their words are the same; ``api`` is "fetch" or "xhr" when the text says which (Firefox's lines
    do not); ``url`` and ``origin`` are None when the text does not name them. ``causes`` are the
    likely causes in a FastAPI app, most likely first.
    """

    engine: str
    api: Api | None
    code: FailureCode
    url: str | None
    origin: str | None
    causes: tuple[str, ...]
    fix: str
    parameter: str = ""
    status: int | None = None
    #: The pasted line the explanation rests on (the most telling one), as it was read.
    line: str = ""

    def as_json(self) -> dict[str, Any]:
        """The keys of ``cors-lab explain --json``."""
        return {
            "engine": self.engine,
            "api": self.api,
            "code": self.code.value,
            "url": self.url,
            "origin": self.origin,
            "causes": list(self.causes),
            "fix": self.fix,
        }


# --- the patterns, made from the wording tables ------------------------------------------------

#: Placeholder values given to the wordings, and the group each becomes. They are chosen to pass
#: through every wording unchanged (lower-case ASCII: Firefox lower-cases header names).
_URLS = ("zzscheme:zzurlzz", "http://127.0.0.1/zzurlzz", "ftp://zzurlzz")
_PLACEHOLDERS: dict[str, str] = {
    **dict.fromkeys(_URLS, "url"),
    "zzfromzz": "redirected_from",
    "zzlocationzz": "location",
    "zzoriginzz": "origin",
    "zzpagezz": "page",
    "zzparamzz": "parameter",
    "zzheaderzz": "parameter",
    "zzmethodzz": "method",
    "987": "status",
    "387": "status",
    "zzscheme": "scheme",
}
#: What each group matches: URLs and origins have no spaces in a console (browsers percent-encode
#: them); a parameter may be anything, empty too (Chromium's "Redirect location ''").
_GROUP_PATTERNS = {
    "status": r"\d{3}",
    "scheme": r"[A-Za-z][A-Za-z0-9+.-]*",
    "parameter": r".*?",
    "location": r"\S*?",
}
_URL_PATTERN = r"\S+?"
#: A redirect's status (3xx) and any other: Firefox adds "did not succeed" after a redirect's failure.
_SENTINEL_PATTERNS = {"987": r"(?!3)\d{3}", "387": r"3\d\d"}
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in sorted(_PLACEHOLDERS, key=len, reverse=True)))
#: Sentences an engine adds or leaves out by API or by release: read with or without them.
_OPTIONAL = (
    _VALID_VALUE,
    _WITH_CREDENTIALS,
    " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with "
    "CORS disabled.",
)
#: Older Chromium words for today's: (older, today).
_OLDER = (
    (
        ", or, if an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with "
        "CORS disabled.",
        ".",
    ),
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"'})


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    engine: str
    code: FailureCode
    api: Api
    #: The engine's main line for this code: its first console line (or the script's error when
    #: the console says nothing), the one that names the cause.
    main: bool
    #: Made only by a redirect's response failing (which is rarer than the preflight failing, whose
    #: words may be the same in Firefox).
    redirect: bool = False
    #: How many lines the engine's whole message for this code has, where this line is in it (a
    #: paste of exactly that many lines reads as this code before one whose message has more).
    sizes: frozenset[int] = frozenset()


#: Numbers an engine's words carry that no placeholder of the wording stands for: read as any number.
_ANY_NUMBER = (
    # Firefox's WebIDL ByteString error: where the first character over 255 is, and its code.
    (re.compile(r"the character at index \d+ has value \d+ "), "the character at index 0 has value 256 "),
    # WebKit's restricted port (the wording's port is the URL's, which the patterns leave out).
    (re.compile(r"^Not allowed to use restricted network port \d*: "), "Not allowed to use restricted network port : "),
)


def _canonical(text: str) -> str:
    """Quotes retyped, optional sentences out: what patterns and pasted lines are compared as."""
    text = text.translate(_QUOTES).strip()
    for number, any_number in _ANY_NUMBER:
        text = number.sub(any_number, text)
    for older, today in _OLDER:
        text = text.replace(older, today)
    for sentence in _OPTIONAL:
        text = text.replace(sentence.translate(_QUOTES), "")
    return text


def _regex(line: str, code: FailureCode | None = None) -> re.Pattern[str]:
    pieces: list[str] = []
    seen: dict[str, int] = {}
    position = 0
    for match in _PLACEHOLDER_RE.finditer(line):
        pieces.append(re.escape(line[position : match.start()]))
        group = _PLACEHOLDERS[match.group(0)]
        seen[group] = seen.get(group, 0) + 1
        name = group if seen[group] == 1 else f"{group}_{seen[group]}"
        pattern = (
            _SENTINEL_PATTERNS.get(match.group(0))
            or (_URL_PATTERN if group == "parameter" and code is C.NETWORK_ERROR else None)  # a net::ERR_ name
            or _GROUP_PATTERNS.get(group, _URL_PATTERN)
        )
        pieces.append(f"(?P<{name}>{pattern})")
        position = match.end()
    pieces.append(re.escape(line[position:]))
    return re.compile("^" + "".join(pieces) + "$", re.DOTALL)


def _occasions(api: Api) -> list[Occasion]:
    variants = []
    for url in _URLS:
        for redirected_from in (None, "zzfromzz"):
            for location in (None, "zzlocationzz"):
                for status in (987, 387):
                    variants.append(
                        Occasion(
                            url,
                            "zzoriginzz",
                            page_url="zzpagezz",
                            method="zzmethodzz",
                            status=status,
                            redirected_from=redirected_from,
                            api=api,
                            location=location,
                            header_name="zzheaderzz",
                        )
                    )
    return variants


_STATUS_AT_END = {
    "WebKit": re.compile(r" Status code: [39]87$"),
    "Firefox": re.compile(r"\. Status code: (?:[39]87|\(null\))\.$"),
}
_STATUS_CUT = {"WebKit": "", "Firefox": "."}
#: axios's error for every failed request (AxiosError since axios 1.0, a plain Error before).
_AXIOS_ERRORS = ("AxiosError: Network Error", "Error: Network Error", "Network Error")
#: What only fetch() refuses or has: XMLHttpRequest has no mode or redirect option, and sends the others.
_FETCH_ONLY = frozenset(
    {C.SAME_ORIGIN_MODE, C.NO_CORS_METHOD, C.REDIRECT_MODE_ERROR, C.URL_WITH_CREDENTIALS, C.BODY_WITH_GET_OR_HEAD}
)


#: Parameters some wordings look into (a network error's name, a URL's scheme, a character beyond
#: Latin-1) besides the placeholder: their words are read too.
_PARAMETERS: dict[FailureCode, tuple[str, ...]] = {
    C.NETWORK_ERROR: (
        "net::ERR_UNSAFE_PORT",
        "net::ERR_TOO_MANY_REDIRECTS",
        "net::ERR_UNSAFE_REDIRECT",
        "net::ERR_UNKNOWN_URL_SCHEME",
        "net::ERR_INVALID_REDIRECT",
    ),
    C.UNSUPPORTED_SCHEME: ("file", "ftp", "ws"),
    C.INVALID_HEADER_VALUE: ("zzparamzz\u20ac",),
    # WebKit says "more than one origin" only when the value has a comma.
    C.MULTIPLE_ALLOW_ORIGIN_VALUES: ("zzparamzz, zzparamzz",),
    C.PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES: ("zzparamzz, zzparamzz",),
}


@cache
def _patterns() -> tuple[_Pattern, ...]:
    made: dict[tuple[str, str, FailureCode, Api, bool], _Pattern] = {}
    for engine, wording in ENGINES.items():
        for code in FailureCode:
            for api in API_CHOICES:
                if api == "xhr" and code in _FETCH_ONLY:
                    continue
                for occasion, parameter in (
                    (o, p) for o in _occasions(api) for p in ("zzparamzz", *_PARAMETERS.get(code, ()))
                ):
                    lines = wording.console_lines(code, parameter, occasion)
                    error = wording.js_error(code, parameter, occasion)
                    shown = [(line, index == 0) for index, line in enumerate(lines)]
                    if error:
                        # The script's error names the cause only when it is not the one every failure
                        # gives (a refusal's TypeError); "Failed to fetch" alone never says which.
                        generic = wording.js_error(C.MISSING_ALLOW_ORIGIN_HEADER, "", occasion)
                        shown.append((error, error != generic))
                    redirect = occasion.status is not None and 300 <= occasion.status < 400
                    size = len(lines) or 1
                    for line, main in shown:
                        canonical = _canonical(line)
                        # Older Safari and Firefox releases leave out " Status code: N".
                        shortened = (
                            _STATUS_AT_END[engine].sub(_STATUS_CUT[engine], canonical)
                            if engine in _STATUS_AT_END
                            else canonical
                        )
                        for text in {canonical, shortened}:
                            key = (text, engine, code, api, main)
                            # (the script's error is no line of the console's message)
                            sizes = frozenset({size} if line in lines else ()) | (
                                made[key].sizes if key in made else frozenset()
                            )
                            if key not in made or (made[key].redirect and not redirect):
                                made[key] = _Pattern(_regex(text, code), engine, code, api, main, redirect, sizes)
                            else:
                                made[key] = replace(made[key], sizes=sizes)
    for template, code in READ_ONLY_KEYS.values():
        line = _canonical(format_template(template, _URLS[0], "zzparamzz"))
        for api in API_CHOICES:
            made.setdefault((line, "Firefox", code, api, True), _Pattern(_regex(line), "Firefox", code, api, True))
    # axios turns every failure into one error, whatever the engine and the cause (measured: docs/engines.md).
    for line in _AXIOS_ERRORS:
        for engine in ENGINES:
            made[(line, engine, C.MISSING_ALLOW_ORIGIN_HEADER, "xhr", False)] = _Pattern(
                re.compile(f"^{re.escape(line)}$"), engine, C.MISSING_ALLOW_ORIGIN_HEADER, "xhr", False
            )
    # Firefox's network panel names the key in words: "CORS Missing Allow Origin" (its Transferred
    # column), "Response body is not available to scripts (Reason: CORS Missing Allow Origin)".
    named = [(printed[0], code) for code, printed in KEYS.items() if printed and printed[0].startswith("CORS")]
    named += [(name, code) for name, (_, code) in READ_ONLY_KEYS.items()]
    labelled: set[str] = set()
    for name, code in sorted(named, key=lambda item: _LIKELIHOOD[item[1]]):
        label = "CORS " + " ".join(re.findall(r"[A-Z][a-z]+", name.removeprefix("CORS")))
        if label in labelled:
            continue  # one code per label: the likeliest
        labelled.add(label)
        for line in (label, f"Response body is not available to scripts (Reason: {label})"):
            for api in API_CHOICES:
                made[(line, "Firefox", code, api, True)] = _Pattern(
                    re.compile(f"^{re.escape(line)}$"), "Firefox", code, api, True
                )
    return tuple(made.values())


# --- reading what was pasted --------------------------------------------------------------------

#: What consoles and their "copy" put around a message: WebKitGTK's stderr prefix, Safari's level,
#: Chromium's "Uncaught (in promise)", DevTools' buttons.
_PREFIX = re.compile(
    r"^(?:CONSOLE [A-Z]+ [A-Z]+ |\[(?:Error|Warning|Log|Info)\]\s+|Uncaught (?:\(in promise\) )?|Error: (?=TypeError))+"
)
_SUFFIX = re.compile(r"(?:\s*(?:\[Learn More\]|Learn More|Understand this (?:error|warning)))+$")
_SOURCE_BEFORE = re.compile(r"^[\w.\-/]+:\d+(?::\d+)?\s+")  # Chromium's "localhost/:1 "
_SOURCE_AFTER = re.compile(r"\s+\([^()]*, line \d+\)$|\s+[\w.\-/]+\.(?:js|ts|jsx|tsx|vue|html):\d+(?::\d+)?$")
#: Chromium before 2019: "Failed to load URL: <reason> Origin 'X' is therefore not allowed access."
_OLD_CHROMIUM = re.compile(r"^Failed to load (?P<url>(?!resource: )\S+?): (?P<reason>.+)$", re.DOTALL)
_OLD_ORIGIN = re.compile(r" ?Origin '(?P<origin>[^']*)' is therefore not allowed access\.")
_OLD_STATUS = re.compile(r" ?The response had HTTP status code (?P<status>\d{3})\.")
_OLD_PREFLIGHT_STATUS = re.compile(r"^Response for preflight has invalid HTTP status code (?P<status>\d{3})\.?$")
_SAFARI_FAILED = "Failed to load resource: "
_OLD_CANNOT_LOAD = re.compile(
    r"^(?P<api>XMLHttpRequest|Fetch API) cannot load (?P<url>\S+?)\. (?P<reason>.+)$", re.DOTALL
)
_CHROMIUM_NETWORK = re.compile(
    r"^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (?P<url>\S+) (?P<error>net::ERR_[A-Z_]+)(?: \d{3} \([^)]*\))?$"
)
_UNKNOWN_ORIGIN = "zz-unknown-origin"
#: The methods fetch() and XMLHttpRequest refuse in every mode (Fetch Standard: forbidden methods).
_FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})


@dataclass(frozen=True)
class _Reading:
    """One pasted line read as one pattern."""

    index: int
    text: str
    pattern: _Pattern
    groups: dict[str, str]
    api_unknown: bool = False


def _variants(line: str) -> list[tuple[str, dict[str, str], bool]]:
    """The line as pasted and with a console's wrapping taken off: (text, groups found, api unknown)."""
    text = _SUFFIX.sub("", _PREFIX.sub("", line.strip())).strip()
    bases = [text]
    for source in (_SOURCE_BEFORE, _SOURCE_AFTER):
        stripped = _PREFIX.sub("", source.sub("", text))
        if stripped not in bases:
            bases.append(stripped)
    variants: list[tuple[str, dict[str, str], bool]] = []
    for base in bases:
        variants.append((base, {}, False))
        if base.startswith(_SAFARI_FAILED) and not base.startswith(_SAFARI_FAILED + "net::"):
            base = base.removeprefix(_SAFARI_FAILED)  # older Safari's prefix
            variants.append((base, {}, False))
        variants += _older_forms(base)
    return variants


def _older_forms(text: str) -> list[tuple[str, dict[str, str], bool]]:
    """Older wordings of a line, in today's words."""
    variants: list[tuple[str, dict[str, str], bool]] = []
    network = _CHROMIUM_NETWORK.match(text)
    if network:  # Chromium's network line: "GET <url> net::ERR_FAILED 200 (OK)"
        variants.append((f"Failed to load resource: {network['error']}", {"url": network["url"]}, False))
    extra: dict[str, str] = {}
    for old in (_OLD_ORIGIN, _OLD_STATUS):
        match = old.search(text)
        if match:
            extra.update(match.groupdict())
            text = old.sub("", text)
    cannot_load = _OLD_CANNOT_LOAD.match(text)
    if cannot_load:  # Chromium before 2019 and older Safari: "XMLHttpRequest cannot load URL. <reason>"
        variants.append((cannot_load["reason"], {**extra, "url": cannot_load["url"]}, False))
        api = "fetch" if cannot_load["api"] == "Fetch API" else "XMLHttpRequest"
        origin = extra.get("origin", _UNKNOWN_ORIGIN)
        rewritten = (
            f"Access to {api} at '{cannot_load['url']}' from origin '{origin}' has been blocked by CORS policy: "
            + _older_reason(cannot_load["reason"].strip(), extra)
        )
        variants.append((rewritten, extra, False))
    old_form = _OLD_CHROMIUM.match(text)
    if old_form:
        origin = extra.get("origin", _UNKNOWN_ORIGIN)
        reason = _older_reason(old_form["reason"].strip(), extra)
        rewritten = (
            f"Access to fetch at '{old_form['url']}' from origin '{origin}' has been blocked by CORS policy: {reason}"
        )
        variants.append((rewritten, extra, True))
    elif extra:
        variants.append((text, extra, False))
    return variants


def _older_reason(reason: str, extra: dict[str, str]) -> str:
    """An older Chromium reason in today's words (a status it named goes to ``extra``)."""
    status = _OLD_PREFLIGHT_STATUS.match(reason)
    if status:
        extra["status"] = status["status"]
        return _PREFLIGHT + REASONS[C.PREFLIGHT_INVALID_STATUS]
    if reason.startswith("Response for preflight is invalid (redirect)"):
        return _PREFLIGHT + REASONS[C.PREFLIGHT_DISALLOWED_REDIRECT]
    if reason.endswith(("by Access-Control-Allow-Headers.", "by Access-Control-Allow-Methods.")):
        return reason.removesuffix(".") + " in preflight response."  # before "in preflight response" was added
    return reason


def _read(index: int, line: str) -> list[_Reading]:
    readings = []
    for text, extra, api_unknown in _variants(line):
        canonical = _canonical(text)
        for pattern in _patterns():
            match = pattern.regex.match(canonical)
            if match:
                groups = {k: v for k, v in match.groupdict().items() if v is not None}
                readings.append(_Reading(index, text, pattern, {**groups, **extra}, api_unknown))
    return readings


def _lines(text: str) -> list[str]:
    """The pasted text as lines; kept whole when some line does not read alone but the whole text reads as one
    line (a refused header value with a newline in it)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and not all(_read(0, line) for line in lines) and _read(0, text):
        return [text]
    return lines


_FAMILIES = (
    ("Chromium", re.compile(r"has been blocked by CORS policy: (?P<reason>.+)", re.DOTALL)),
    ("Firefox", re.compile(r"Cross-Origin Request (?:Blocked|Warning): .*?\(Reason: (?P<reason>.+?)\)", re.DOTALL)),
)


def _family(text: str) -> str:
    """What can be said of a line that reads as an engine's CORS line with a reason not in its table."""
    for engine, family in _FAMILIES:
        match = family.search(text.translate(_QUOTES))
        if match:
            return (
                f" It reads as {engine}'s CORS line, but its reason {match['reason'].strip()!r} is not one of "
                f"{engine}'s that cors-lab knows (for example Chromium's private network access checks)."
            )
    return ""


def _looked_for() -> str:
    return (
        "Chromium's \"Access to fetch at '...' from origin '...' has been blocked by CORS policy: ...\" (and "
        'XMLHttpRequest\'s, and older Chromium wordings), its "Mixed Content: ..." and "Failed to load '
        'resource: net::..." lines; Firefox\'s "Cross-Origin Request Blocked: The Same Origin Policy disallows '
        'reading the remote resource at ... (Reason: ...)" and "Blocked loading mixed active content ..."; '
        'WebKit/Safari\'s "Origin ... is not allowed by Access-Control-Allow-Origin. ...", "... cannot load ... '
        'due to access control checks." and the others of its table; and the errors scripts get ("TypeError: '
        'Failed to fetch", "TypeError: NetworkError when attempting to fetch resource.", "TypeError: Load '
        f'failed", and the refusals of fetch() and XMLHttpRequest): {len(_patterns())} patterns from the three '
        "engines' wording tables"
    )


def explain_message(text: str) -> Explanation:
    """What a pasted console message (one line or several) says, and what to change in a FastAPI app.

    Raises :class:`NotACorsMessageError` for a text that is no CORS, mixed-content, network-error
    or fetch()/XMLHttpRequest error message of Chromium, Firefox or WebKit.
    """
    if not isinstance(text, str):
        raise TypeError(f"explain_message() takes the message as a str, not {type(text).__name__}")
    readings = [reading for index, line in enumerate(_lines(text)) for reading in _read(index, line)]
    if not readings:
        shown = text.strip()
        shown = shown if len(shown) <= 120 else shown[:117] + "..."
        raise NotACorsMessageError(
            f"not a CORS message I know: {shown!r}.{_family(text)} I looked for {_looked_for()}. Paste the browser's "
            "console line as it printed it (several lines are fine)."
        )
    best = _best(readings, len(_lines(text)))
    return _explanation(best, [r for r in readings if (r.pattern.engine, r.pattern.code) == _key(best)])


def _key(reading: _Reading) -> tuple[str, FailureCode]:
    return reading.pattern.engine, reading.pattern.code


#: Which code to name when several explain the text equally well: the commonest first (a missing
#: Access-Control-Allow-Origin, then nothing answering), then the order of FailureCode.
_LIKELIHOOD = {
    code: index
    for index, code in enumerate(
        [C.MISSING_ALLOW_ORIGIN_HEADER, C.NETWORK_ERROR]
        + [c for c in FailureCode if c not in (C.MISSING_ALLOW_ORIGIN_HEADER, C.NETWORK_ERROR)]
    )
}


def _best(readings: list[_Reading], pasted: int = 1) -> _Reading:
    """The reading of the (engine, code) that explains most pasted lines, by its main line when it has one."""
    lines: dict[tuple[str, FailureCode], set[int]] = {}
    usual: dict[tuple[str, FailureCode], set[int]] = {}  # the lines read without a redirect's patterns
    main: dict[tuple[str, FailureCode], bool] = {}
    #: A message of as many lines as were pasted, judged by the main line when one was read: it
    #: carries the status, which tells a redirect's message from another (Firefox: one line more).
    whole: dict[tuple[str, FailureCode], bool] = {}
    whole_by_main: dict[tuple[str, FailureCode], bool] = {}
    for reading in readings:
        key = _key(reading)
        lines.setdefault(key, set()).add(reading.index)
        usual.setdefault(key, set())
        if not reading.pattern.redirect:
            usual[key].add(reading.index)
        main[key] = main.get(key, False) or reading.pattern.main
        fits = pasted in reading.pattern.sizes
        whole[key] = whole.get(key, False) or fits
        if reading.pattern.main:
            whole_by_main[key] = whole_by_main.get(key, False) or fits
    whole.update(whole_by_main)
    chosen = min(
        lines, key=lambda k: (-len(lines[k]), not whole[k], -len(usual[k]), not main[k], _LIKELIHOOD[k[1]], k[0])
    )
    candidates = [r for r in readings if _key(r) == chosen]
    return min(candidates, key=lambda r: (not r.pattern.main, r.index))


def _explanation(best: _Reading, same: list[_Reading]) -> Explanation:
    engine, code = best.pattern.engine, best.pattern.code
    # Engines that print this very line for this code: "Firefox or WebKit" for a shared error.
    engines = sorted(
        {p.engine for p in _patterns() if p.code is code and p.regex.match(_canonical(best.text))},
        key=list(ENGINES).index,
    )
    engine_name = " or ".join(engines) if engines else engine
    apis = {r.pattern.api for r in same if not r.api_unknown}
    for reading in same:  # the APIs whose words match every line read for this code
        apis &= {
            p.api
            for p in _patterns()
            if p.engine == engine and p.code is code and p.regex.match(_canonical(reading.text))
        }
    api: Api | None = next(iter(apis)) if len(apis) == 1 and not best.api_unknown else None
    groups: dict[str, str] = {}
    for reading in sorted(same, key=lambda r: (not r.pattern.main, r.index)):
        for name, value in reading.groups.items():
            groups.setdefault(name.split("_")[0] if name[-1].isdigit() else name, value)
    url = groups.get("url")
    origin = groups.get("origin")
    if origin == _UNKNOWN_ORIGIN:
        origin = None
    if origin is None and "page" in groups:
        page = urlsplit(groups["page"])
        origin = f"{page.scheme}://{page.netloc}" if page.scheme and page.netloc else None
    status = int(groups["status"]) if "status" in groups else None
    parameter = groups.get("parameter", "")
    if code is C.PREFLIGHT_INVALID_STATUS and status is not None and 300 <= status < 400:
        code = C.PREFLIGHT_DISALLOWED_REDIRECT  # WebKit reports a redirected preflight by its status
    if code is C.FORBIDDEN_METHOD and parameter and parameter.upper() not in _FORBIDDEN_METHODS:
        code = C.NO_CORS_METHOD  # Firefox words both alike: "Invalid request method PUT." is mode: 'no-cors'
    # Chromium prints "net::ERR_FAILED" after every CORS line too: alone, it does not name the check.
    generic = (
        not best.pattern.main
        or (code is C.NETWORK_ERROR and parameter == "net::ERR_FAILED")
        or _canonical(best.text) in _generic_errors()
    )
    causes, fix = advice_for(code, parameter, url, origin, status, engine=engine)
    if generic:
        causes = (
            "This line is the one every failed request of its kind gives: it does not say which check failed. "
            "The console line printed just before it names the cause (paste that one for a sure answer); when "
            "there is none, most likely nothing answered. The most likely causes:",
            *causes,
        )
    return Explanation(engine_name, api, code, url, origin, causes, fix, parameter, status, best.text)


@cache
def _generic_errors() -> frozenset[str]:
    """The error each engine's script gets for every failure that is not a refusal ("Failed to fetch"...)."""
    return frozenset(
        _canonical(wording.js_error(C.MISSING_ALLOW_ORIGIN_HEADER, "", Occasion("u", "o", api="fetch")))
        for wording in ENGINES.values()
    )


# --- the FastAPI advice -------------------------------------------------------------------------


def advice_for(
    code: FailureCode,
    parameter: str = "",
    url: str | None = None,
    origin: str | None = None,
    status: int | None = None,
    engine: str = "",
) -> tuple[tuple[str, ...], str]:
    """(likely causes in a FastAPI app, most likely first; the fix) for a failure known only from its message.

    ``engine`` ("Chromium", "Firefox", "WebKit") adds what only that engine's words can mean.
    """
    page = origin or "the page's origin"
    listed = f"[{origin!r}]" if origin and origin != "null" else "['https://your-frontend.example']"
    base = code.base
    twin = code.is_preflight_twin
    where = "the preflight (OPTIONS) response" if twin else "the response"
    outside = (
        "the OPTIONS preflight was answered before CORSMiddleware: an authentication middleware or dependency, or "
        "a middleware added after CORSMiddleware (so it runs outside it); preflights carry no cookies or "
        "Authorization"
    )
    causes: list[str]
    if base is C.MISSING_ALLOW_ORIGIN_HEADER:
        causes = [
            f"CORSMiddleware is missing, or its allow_origins does not list {page} exactly (scheme, host and port, no "
            "trailing slash): Starlette then answers without Access-Control-Allow-Origin",
            "the endpoint raised an unhandled exception: the 500 comes from outside CORSMiddleware, without CORS "
            "headers (the server's log shows the traceback)",
            f"{where} came from a middleware added after CORSMiddleware (it runs outside it), or from another "
            "server (a proxy, the wrong port)",
        ]
        if twin:
            causes.insert(0, outside)
        elif status is not None and status >= 500:
            causes.insert(0, causes.pop(1))
        elif status is not None and 300 <= status < 400:
            causes.insert(
                0,
                "the API answered with a redirect (FastAPI's trailing-slash redirect, http to https) "
                "that has no CORS headers: call the final URL directly",
            )
        if origin == "null":
            causes.insert(
                0,
                "the request came through a redirect to another origin, so the browser sent "
                "'Origin: null', which allow_origins does not list",
            )
    elif base is C.ALLOW_ORIGIN_MISMATCH:
        causes = [
            f"the header is set to {parameter!r} by hand, by a proxy, or from a wrong entry in allow_origins (a "
            "typo, a trailing slash, http for https, a missing port)",
            "after a redirect to another origin the browser sends 'Origin: null', which no fixed value matches",
            "two layers set CORS headers (a proxy and CORSMiddleware) and the proxy's wins",
        ]
        if parameter and origin and parameter.rstrip("/") == origin and parameter != origin:
            causes.insert(0, f"allow_origins has {parameter!r} with a trailing slash: browsers send {origin!r}")
        if parameter and parameter == origin:
            causes.insert(
                0,
                "the header names the page's origin, but the request was redirected to another origin "
                "and so sent 'Origin: null'",
            )
    elif base is C.MULTIPLE_ALLOW_ORIGIN_VALUES:
        causes = [
            "two layers each add Access-Control-Allow-Origin (nginx, Traefik or an API gateway, and CORSMiddleware)",
            "the header is written by hand with several origins; it takes exactly one (CORSMiddleware echoes the "
            "matching one of allow_origins)",
        ]
    elif base is C.INVALID_ALLOW_ORIGIN_VALUE:
        causes = [
            f"the header is written by hand with {parameter!r}, which is not an origin",
            "an origin with a non-ASCII host: write it in its xn-- (punycode) form",
        ]
    elif base is C.WILDCARD_ORIGIN_NOT_ALLOWED:
        causes = [
            "allow_origins=['*'] while the frontend sends credentials (fetch credentials: 'include', XHR or axios "
            "withCredentials: true): the browser wants the exact origin then",
            "a proxy or a hand-written header answers '*'",
        ]
    elif base is C.INVALID_ALLOW_CREDENTIALS:
        causes = [
            "CORSMiddleware has no allow_credentials=True, while the frontend sends credentials (credentials: "
            "'include', withCredentials: true)",
            f"the header is written by hand as {parameter!r}: it must be exactly 'true'",
        ]
    elif code is C.PREFLIGHT_INVALID_STATUS:
        causes = [
            "CORSMiddleware refused the preflight with 400 (its body says 'Disallowed CORS origin', 'method' or "
            "'headers'): allow_origins, allow_methods or allow_headers leaves this request out",
            outside,
            "there is no CORSMiddleware, so FastAPI answers OPTIONS itself (405 Method Not Allowed)",
            "the URL has no route (404), or a proxy answered",
        ]
        if status in (401, 403):
            causes.insert(0, causes.pop(1))
        elif status == 405:
            causes.insert(0, causes.pop(2))
        elif status == 404:
            causes.insert(0, causes.pop(3))
    elif code is C.PREFLIGHT_DISALLOWED_REDIRECT:
        causes = [
            "FastAPI redirects '/items' to '/items/' (or back): the page called the URL without the route's "
            "trailing slash, and the redirect came before CORS could answer",
            "a proxy or HTTPSRedirectMiddleware redirects http to https",
        ]
    elif code is C.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE:
        causes = [
            f"allow_methods does not list {parameter or 'the method'} (Starlette's default is ['GET'])",
            "the frontend writes the method in lower case ('patch'): fetch() upper-cases only DELETE, GET, HEAD, "
            "OPTIONS, POST and PUT",
            "with credentials, '*' in Access-Control-Allow-Methods is taken literally",
        ]
        if parameter and parameter != parameter.upper():
            causes.insert(0, causes.pop(1))
    elif code is C.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE:
        causes = [
            f"allow_headers does not list {parameter or 'the header'} (Starlette allows only the safelisted ones "
            "by default)",
            "with credentials, '*' in Access-Control-Allow-Headers is taken literally: list the header by name",
        ]
    elif code in (C.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE, C.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE):
        causes = ["the header is written by hand or by a proxy, and is not a comma-separated list of names"]
    elif code is C.REDIRECT_CONTAINS_CREDENTIALS:
        causes = ["the API redirects to a URL with user:password@ in it"]
    elif code is C.CORS_DISABLED_SCHEME:
        causes = ["the API redirects to a URL that is not http(s) (ftp:, data:, a custom scheme)"]
    elif code is C.MIXED_CONTENT:
        causes = [
            "the https page calls the API with an http:// URL (a base URL or an environment variable left at http)",
            "the API, behind a TLS proxy, redirects to http:// (FastAPI's trailing-slash redirect builds the URL "
            "from what uvicorn sees): run uvicorn with --proxy-headers --forwarded-allow-ips",
            "in Safari, even http://localhost and http://127.0.0.1 count as insecure from an https page",
        ]
    elif code is C.NETWORK_ERROR:
        causes = [
            "nothing answered: the API is not running, or runs on another host or port than the URL says",
            "the connection was refused, reset or timed out (a crash, a firewall, a proxy)",
            "a redirect to a URL the browser will not follow (such as data:)",
        ]
        if engine == "Firefox":
            causes.append("a redirect to a URL with user:password@ in it (Firefox then prints only this line)")
    else:
        causes = [_REFUSALS[code][0]]
    return tuple(c[:1].upper() + c[1:] + "." for c in causes), _fix(code, parameter, url, origin, status, listed)


_REFUSALS: dict[FailureCode, tuple[str, str]] = {
    C.FORBIDDEN_METHOD: (
        "the frontend uses a method browsers never send (CONNECT, TRACE, TRACK)",
        "Use another method: fetch() and XMLHttpRequest refuse CONNECT, TRACE and TRACK before sending anything.",
    ),
    C.INVALID_HEADER_VALUE: (
        "a header value has a newline or another control character in it (often a token read with a trailing newline)",
        "Trim the value before setting the header (token.trim()).",
    ),
    C.URL_WITH_CREDENTIALS: (
        "the fetch() URL has user:password@ in it",
        "Take user:password@ out of the URL and send an Authorization header (fetch() refuses such URLs).",
    ),
    C.BODY_WITH_GET_OR_HEAD: (
        "the frontend gives a GET (or HEAD) request a body",
        "Send the data as query parameters, or use POST (and a FastAPI @app.post route) for a body.",
    ),
    C.NO_CORS_METHOD: (
        "mode: 'no-cors' with a method other than GET, HEAD or POST",
        "Drop mode: 'no-cors' (it gives an opaque response the page cannot read anyway) and configure "
        "CORSMiddleware for the page's origin.",
    ),
    C.SAME_ORIGIN_MODE: (
        "mode: 'same-origin' while the URL is another origin",
        "Drop mode: 'same-origin', or call the API through the page's own origin (a dev-server proxy).",
    ),
    C.REDIRECT_MODE_ERROR: (
        "redirect: 'error' and the API answered with a redirect (FastAPI's trailing-slash redirect, http to https)",
        "Call the final URL (with the route's own trailing slash, https), or drop redirect: 'error'.",
    ),
    C.INVALID_METHOD: (
        "the method is not an HTTP token (it has a space or another separator in it)",
        "Pass the method as a single word ('GET', 'PATCH'): fetch() and XMLHttpRequest refuse any other.",
    ),
    C.INVALID_HEADER_NAME: (
        "a header name is not an HTTP token (it has a space, a colon or a non-ASCII character in it)",
        "Fix the header's name (e.g. 'X-Api-Key', not 'X Api Key'): fetch() and XMLHttpRequest refuse it before "
        "sending.",
    ),
    C.INVALID_URL: (
        "the URL does not parse (a port over 65535, a bad host, a stray character)",
        "Check how the frontend builds the URL (its base URL and port): log it before calling fetch().",
    ),
    C.NO_CORS_REDIRECT_MODE: (
        "mode: 'no-cors' together with redirect: 'error' or 'manual'",
        "Drop mode: 'no-cors' (its response is opaque anyway) and configure CORSMiddleware for the page's origin.",
    ),
    C.UNSUPPORTED_SCHEME: (
        "fetch() or XMLHttpRequest with a URL that is not http(s) (ws://, file:, ...)",
        "Use new WebSocket(url) for ws:// and wss://, and http(s) URLs for fetch().",
    ),
}


def _fix(
    code: FailureCode, parameter: str, url: str | None, origin: str | None, status: int | None, listed: str
) -> str:
    if code.is_cors:
        from .advice import explain_failure
        from .browser.failures import CorsFailure, FailureContext
        from .browser.http import HttpResponse

        page = origin if origin and origin != "null" else "https://your-frontend.example"
        credentials = (
            "include" if code.base in (C.WILDCARD_ORIGIN_NOT_ALLOWED, C.INVALID_ALLOW_CREDENTIALS) else "same-origin"
        )
        context = FailureContext(page, origin or page, "GET", credentials, HttpResponse(status or 200), ())
        _, fix = explain_failure(CorsFailure(code, parameter, url or "", "", context=context))
        if fix:
            return fix
    if code is C.MIXED_CONTENT:
        return (
            "Serve the API over https and call it with an https:// URL. Behind a TLS-terminating proxy, run uvicorn "
            "with --proxy-headers --forwarded-allow-ips='*' so the redirects FastAPI makes keep https."
        )
    if code is C.NETWORK_ERROR:
        where = f" {url}" if url and url.startswith("http") else " the API's URL"
        return (
            f"Make sure the API runs and answers (open{where} in a browser tab, or curl it): start it with e.g. "
            "uvicorn main:app --port 8000, and check the frontend's base URL and port."
        )
    if code in _REFUSALS:
        return _REFUSALS[code][1]
    return f"Add CORSMiddleware with allow_origins={listed}."
