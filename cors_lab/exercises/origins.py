"""Exercises for notebook 01 · Origins.

1.1 ``origin_sent``: write the ``Origin`` header a page at each URL sends (checked with ``origin_of``).
1.2 ``same_origin_picks``: pick the URLs that are same-origin with a page (explained with ``compare_origins``).
1.3 ``allowed_origins``: fix an ``allow_origins`` list; checked by running it in the demo API's real
    ``CORSMiddleware`` and fetching from each frontend page with ``Browser``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..demo import demo_api
from ..driver import Browser
from ..origins import DEFAULT_PORTS, OriginError, compare_origins, origin_of
from . import BadInput, Exercise, NotYet, Problem

__all__ = [
    "API_URL",
    "ATTACKER_PAGE",
    "CANDIDATES",
    "FRONTEND_PAGES",
    "PAGE",
    "URLS",
    "allowed_origins",
    "origin_sent",
    "same_origin_picks",
]

_SPLIT = re.compile(r"(?P<scheme>[^:/?#]+)://(?P<authority>[^/?#]*)(?P<rest>.*)", re.DOTALL)


def spelling_problems(text: str, origin: str) -> list[str]:
    """Why ``text``, which names the origin ``origin``, is not spelt the way a browser sends it."""
    match = _SPLIT.fullmatch(text)
    if match is None:
        return ["is not written as scheme://host:port"]
    problems = []
    scheme, authority, rest = match["scheme"], match["authority"], match["rest"]
    if rest == "/":
        problems.append("ends with a trailing slash (an origin has no path, not even '/')")
    elif rest:
        problems.append(f"has {rest!r} after the host (an origin has no path, query or fragment)")
    if "@" in authority:
        problems.append("has a user name or password before '@' (an origin has neither)")
    hostport = authority.rpartition("@")[2]
    if (scheme + hostport) != (scheme + hostport).lower() and hostport.isascii():
        problems.append("has upper-case letters (the browser writes the scheme and host in lower case)")
    elif scheme != scheme.lower():
        problems.append("has upper-case letters in the scheme (the browser writes it in lower case)")
    port = re.search(r":(\d+)$", hostport)
    default = DEFAULT_PORTS.get(scheme.lower())
    if port and default is not None and int(port[1]) == default:
        problems.append(f"names the port :{port[1]} (the default for {scheme.lower()}, which the browser leaves out)")
    if not hostport.isascii():
        problems.append("has a host written in Unicode (the browser sends its punycode xn-- form)")
    return problems or [f"is not spelt the way the browser sends it ({origin!r})"]


def _describe(text: str, origin: str) -> str:
    problems = spelling_problems(text, origin)
    return f"{text!r} " + ", ".join(problems[:-1]) + (" and " if len(problems) > 1 else "") + problems[-1]


# --- 1.1 the Origin header a page sends ------------------------------------------------------------------------

#: The page URLs of exercise 1.1.
URLS = (
    "HTTPS://Shop.Example.com:443/cart?item=3#reviews",
    "http://localhost:8000/docs",
    "file:///home/me/report.html",
)


def _check_origin_sent(answers: Any) -> str:
    if not isinstance(answers, dict):
        raise BadInput(
            f"answers should be a dict from each page URL to the Origin you expect, not a {type(answers).__name__}."
        )
    problems = [_as_is(f"{url!r} is missing: put it back with your answer") for url in URLS if url not in answers]
    problems += [_as_is(f"{key!r} is not one of this exercise's URLs: remove it") for key in answers if key not in URLS]
    for url in URLS:
        if url not in answers:
            continue
        given, expected = answers[url], str(origin_of(url))
        if given == expected:
            continue
        where = f"for {url!r}, "
        if not isinstance(given, str):
            problems.append(_as_is(where + f"give the origin as a string, not {type(given).__name__} {given!r}"))
        elif expected == "null":
            scheme = url.split(":", 1)[0]
            if given.strip().lower() == "null":
                problems.append(
                    Problem(
                        where + "the spelling matters: write it exactly as the browser sends it.",
                        where + f"write {given!r} exactly as the browser does: 'null', lower case, no spaces",
                    )
                )
            else:
                problems.append(
                    Problem(
                        where + f"what kind of origin does a {scheme}: page have? Is there a server it came from?",
                        where + f"{given!r} is not it: a {scheme}: page has an opaque origin, which has no "
                        "scheme, host or port, and the browser sends it as one word",
                        (f"a {scheme}: page has no scheme://host:port of its own to send: its origin is opaque.",),
                    )
                )
        elif given.strip().lower() == "null":
            problems.append(
                Problem(
                    where + "does this page have a scheme, a host and a port of its own?",
                    where + "'null' is only for opaque origins (file:, data:, sandboxed pages); this page has "
                    "a scheme, host and port",
                )
            )
        else:
            try:
                named = str(origin_of(given))
            except OriginError as error:
                problems.append(_as_is(where + str(error)))
                continue
            if named == expected:
                problems.append(
                    Problem(
                        where + "you named the right origin, but not the way the browser spells it: look at the "
                        "case, the port and what comes after the host.",
                        where + f"you named the right origin, but {_describe(given, expected)}",
                    )
                )
            else:
                problems.append(
                    Problem(
                        where + f"{given!r} is another origin: which parts of the URL make up its origin?",
                        where + f"{given!r} is another origin: {compare_origins(given, url).explanation}",
                        (where + "an origin is the scheme, the host and the port; nothing else of the URL.",),
                    )
                )
    if problems:
        raise NotYet.parts(problems, _summary(problems, "answer"))
    return "each page sends exactly the origin you wrote (origin_of agrees on all three)."


origin_sent = Exercise(
    "1.1",
    "The Origin a page sends",
    _check_origin_sent,
    """
    answers = {
        "HTTPS://Shop.Example.com:443/cart?item=3#reviews": "https://shop.example.com",
        "http://localhost:8000/docs": "http://localhost:8000",
        "file:///home/me/report.html": "null",
    }
    """,
    "Lower case, no default port, no path; a `file:` page has an opaque origin, sent as `null`.",
)


# --- 1.2 which URLs are same-origin with a page -----------------------------------------------------------------

#: The page of exercise 1.2, and the URLs it fetches.
PAGE = "https://app.example.com/dashboard"
CANDIDATES = (
    "https://app.example.com/api/users",
    "http://app.example.com/api/users",
    "https://api.example.com/users",
    "https://app.example.com:443/health",
    "https://app.example.com:8443/users",
    "https://APP.Example.com/users?page=2",
    "https://example.com/users",
)


def _why_same(url: str) -> str:
    """What makes a same-origin URL look different from the page, and why it does not count."""
    match = _SPLIT.fullmatch(url)
    notes = []
    if match:
        hostport = match["authority"]
        port = re.search(r":(\d+)$", hostport)
        if port and DEFAULT_PORTS.get(match["scheme"].lower()) == int(port[1]):
            notes.append(f":{port[1]} is the default port of {match['scheme'].lower()}, so the port is the same")
        if hostport != hostport.lower():
            notes.append("host names ignore case")
    notes.append("the path and query are not part of the origin")
    return "; ".join(notes)


def _pick_index(item: Any) -> int:
    if isinstance(item, bool):
        raise BadInput(f"{item!r} is not a pick: use an index 0 to {len(CANDIDATES) - 1} or one of the URLs.")
    if isinstance(item, int):
        if not 0 <= item < len(CANDIDATES):
            raise BadInput(f"{item} is not an index of CANDIDATES: use 0 to {len(CANDIDATES) - 1}.")
        return item
    if isinstance(item, str):
        if item in CANDIDATES:
            return CANDIDATES.index(item)
        raise BadInput(f"{item!r} is not one of the CANDIDATES: copy the URL exactly, or use its index.")
    raise BadInput(f"{item!r} is not a pick: use an index 0 to {len(CANDIDATES) - 1} or one of the URLs.")


def _check_same_origin(picks: Any) -> str:
    if isinstance(picks, (str, int)) or not isinstance(picks, Iterable):
        raise BadInput("give a set of picks, such as {1, 2}, even for a single one.")
    chosen = {_pick_index(item) for item in picks}
    problems = []
    for index, url in enumerate(CANDIDATES):
        comparison = compare_origins(PAGE, url)
        look = f"{index} ({url}): put its scheme, host and port next to the page's; the path and query do not count."
        step = (f"{index}: which one of scheme, host or port is written differently, and does that change it?",)
        if index in chosen and not comparison.same_origin:
            problems.append(
                Problem(
                    look,
                    f"you picked {index} ({url}), but it is cross-origin with the page: {comparison.explanation}",
                    step,
                )
            )
        elif index not in chosen and comparison.same_origin:
            problems.append(
                Problem(
                    look,
                    f"you left out {index} ({url}), which is the same origin as the page: {_why_same(url)}",
                    step,
                )
            )
    if problems:
        raise NotYet.parts(problems, _summary(problems, "pick"))
    same = ", ".join(str(i) for i in sorted(chosen))
    return f"{same} are the same origin as {PAGE}; every other URL differs in scheme, host or port."


same_origin_picks = Exercise(
    "1.2",
    "Same origin or not",
    _check_same_origin,
    """
    same_origin = {0, 3, 5}
    """,
    (
        "3 writes https's default port, 5 spells the host in upper case: neither changes the "
        "origin. 1 is `http`, 2 and 6 are other hosts, 4 uses port 8443."
    ),
)


# --- 1.3 an allow_origins list that matches what browsers send ---------------------------------------------------

#: The API the frontends call, the pages of the frontends, and a page that must stay locked out.
API_URL = "https://api.myfrontend.com/users"
FRONTEND_PAGES = (
    "http://localhost:3000/",
    "https://myfrontend.com/dashboard",
    "https://admin.myfrontend.com/login",
)
ATTACKER_PAGE = "https://evil.example/"


def _check_allowed_origins(allow_origins: Any) -> str:
    if isinstance(allow_origins, str):
        raise BadInput(
            "allow_origins is one string; give a list of strings (given a string, Starlette looks for the "
            "origin anywhere inside it, so parts of an origin would match)."
        )
    if not isinstance(allow_origins, (list, tuple)):
        raise BadInput(f"allow_origins should be a list of strings, not a {type(allow_origins).__name__}.")
    entries = list(allow_origins)
    not_text = [entry for entry in entries if not isinstance(entry, str)]
    if not_text:
        raise BadInput(f"every entry must be a string; {not_text[0]!r} is a {type(not_text[0]).__name__}.")

    # Run the list in Starlette's real CORSMiddleware and fetch from each page, as a browser would.
    app = demo_api(allow_origins=entries)
    problems: list[Problem] = []
    page_origins = {str(origin_of(page)) for page in FRONTEND_PAGES}
    for page in FRONTEND_PAGES:
        result = Browser(page, app=app).fetch(API_URL)
        if result.ok:
            continue
        sent = str(origin_of(page))
        meant = [entry for entry in entries if _names_origin(entry) == sent]
        if meant:
            which = "your entry " if len(meant) == 1 else "none of your entries for it matches: "
            problems.append(
                Problem(
                    f"the page at {page} is still blocked: your entry for it is not spelt the way its browser "
                    "sends the Origin header.",
                    f"the page at {page} is still blocked ({result.error_code}): its browser sends "
                    f"Origin: {sent}, but {which}" + "; ".join(_describe(entry, sent) for entry in meant),
                    ("a browser sends scheme://host[:port]: lower case, no default port, no path (not even '/').",),
                )
            )
        else:
            problems.append(
                Problem(
                    f"the page at {page} is still blocked: which of your entries is meant to let it in?",
                    f"the page at {page} is still blocked ({result.error_code}): no entry names its origin "
                    "(scheme, host and port)",
                )
            )
    attacker = Browser(ATTACKER_PAGE, app=app).fetch(API_URL)
    if attacker.ok:
        wildcard = " because of '*'" if "*" in entries else ""
        problems.append(
            Problem(
                "a page you do not control can read the API too: look at what each entry lets in.",
                f"a page at {ATTACKER_PAGE} can read the API too{wildcard}: list only your three frontends",
            )
        )
    for entry in entries:
        if entry == "*":
            continue
        if entry.strip().lower() == "null":
            problems.append(
                Problem(
                    f"the entry {entry!r}: which pages send that origin, and could an attacker make one?",
                    f"the entry {entry!r} would let in every opaque origin: sandboxed iframes, file: and "
                    "data: pages all send 'null', and any website can make one; remove it",
                )
            )
            continue
        named = _names_origin(entry)
        if named is None:
            try:
                origin_of(entry)
            except OriginError as error:
                problems.append(_as_is(f"the entry {error}"))
            else:
                problems.append(
                    Problem(
                        f"the entry {entry!r}: what origin does a page at that URL have?",
                        f"the entry {entry!r} is an opaque origin ('null'), which any sandboxed page sends: remove it",
                    )
                )
        elif named not in page_origins:
            problems.append(
                Problem(
                    f"the entry {entry!r}: which of your three frontends is it for?",
                    f"the entry {entry!r} is not the origin of any of your frontends: remove it",
                )
            )
        elif named != entry and not any(named == other for other in entries):
            continue  # already reported with the page it blocks
        elif named != entry:
            problems.append(
                Problem(
                    f"the entry {entry!r} never matches what a browser sends: how does a browser spell that origin?",
                    f"the entry {_describe(entry, named)}, so it never matches: remove it",
                )
            )
    if problems:
        raise NotYet.parts(problems, _summary(problems, "thing"))
    return (
        f"all three frontends can read {API_URL}, every entry is exactly an Origin a browser sends, "
        f"and a page at {ATTACKER_PAGE} is still blocked."
    )


def _names_origin(entry: str) -> str | None:
    """The serialised origin an entry names, or None when it is not a URL or its origin is opaque."""
    try:
        origin = origin_of(entry)
    except OriginError:
        return None
    return None if origin.is_opaque else str(origin)


allowed_origins = Exercise(
    "1.3",
    "An allow_origins list that matches",
    _check_allowed_origins,
    """
    allow_origins = [
        "http://localhost:3000",
        "https://myfrontend.com",
        "https://admin.myfrontend.com",
    ]
    """,
    "No trailing slash, lower case, no default port: `str(cors_lab.origin_of(page))` gives each one.",
)


def _as_is(text: str) -> Problem:
    """A problem with the answer's form (a missing or unknown key, a wrong type): said as it is, from the start."""
    return Problem(text, text)


def _summary(problems: list[Problem], what: str) -> str:
    """The line above the list of wrong parts."""
    count = len(problems)
    return f"{count} {what}{'s are' if count > 1 else ' is'} not right yet:"
