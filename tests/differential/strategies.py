"""Hypothesis strategies for the differential test: what servers answer and what pages ask.

Values are drawn from hand-written lists of the mistakes real servers and pages make (a
trailing slash, a second origin, 'True' for 'true', a space too many), mixed with garbled text,
so that every branch of the CORS algorithm is reached in a few hundred cases.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .harness import Call, Case, Reply, Script

_GARBLE = st.text(alphabet=' \t,*;=-./:"()abcXYZ019é\x7f\x01', min_size=0, max_size=8)


def _odd(*values: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), _GARBLE)


ALLOW_ORIGIN = _odd(
    "*",
    "{page}",
    "{page}/",
    "{page}, {page}",
    "null",
    "{api}",
    "{other}",
    " {page} ",
    "{page} ",
    "http://evil.test",
    "*, *",
    "",
    "localhost",
    "{PAGE}",
    "HTTP://LOCALHOST",
)
ALLOW_CREDENTIALS = _odd("true", "True", "false", "", " true", "true, true", "1")
ALLOW_METHODS = _odd(
    "*", "PUT", "put", "GET, POST", "PUT, DELETE, PATCH", "patch", "PATCH", "PUT,", "PU T", "", "*, PUT", "M-SEARCH"
)
ALLOW_HEADERS = _odd(
    "*",
    "x-custom",
    "X-Custom",
    "content-type",
    "authorization",
    "*, authorization",
    "x-custom, content-type",
    "x-a, x-b",
    "",
    "x custom",
    "x-custom,",
    "dpr",
    "range",
)
EXPOSE_HEADERS = _odd("*", "x-total", "X-Total, x-other", "", "x-total,", "content-type", "set-cookie")
MAX_AGE = _odd("600", "0", "-1", "abc", "", "5", "99999")
EXTRA = st.sampled_from(
    [
        ("X-Total", "3"),
        ("X-Other", "o"),
        ("Vary", "Origin"),
        ("Set-Cookie", "sid=1; Path=/"),
        ("Set-Cookie", "sid=2; SameSite=None; Secure"),
        ("Set-Cookie", "theme=dark; SameSite=Lax"),
        ("Cache-Control", "no-store"),
        ("Content-Language", "en"),
    ]
)


@st.composite
def cors_headers(draw: Any, preflight: bool) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(0, 2))):
        headers.append(("Access-Control-Allow-Origin", draw(ALLOW_ORIGIN)))
    if draw(st.booleans()):
        headers.append(("Access-Control-Allow-Credentials", draw(ALLOW_CREDENTIALS)))
    if preflight:
        if draw(st.booleans()):
            headers.append(("Access-Control-Allow-Methods", draw(ALLOW_METHODS)))
        if draw(st.booleans()):
            headers.append(("Access-Control-Allow-Headers", draw(ALLOW_HEADERS)))
        if draw(st.booleans()):
            headers.append(("Access-Control-Max-Age", draw(MAX_AGE)))
    else:
        if draw(st.booleans()):
            headers.append(("Access-Control-Expose-Headers", draw(EXPOSE_HEADERS)))
        headers.extend(draw(st.lists(EXTRA, max_size=2)))
    return tuple(headers)


LOCATIONS = st.sampled_from(
    [
        "{other}/final?{query}",
        "{api}/final?{query}",
        "{page}/final?{query}",
        "/final?{query}",
        "ftp://example.test/file",
        "data:,hi",
        "http://user:pw@{api_host}/final?{query}",
        "http://user:pw@{other_host}/final?{query}",
        "javascript:alert(1)",
        "about:blank",
        "http://[bad",
    ]
)


@st.composite
def replies(draw: Any, may_redirect: bool) -> Script:
    status = draw(st.sampled_from([200, 200, 200, 204, 400, 401, 404, 500]))
    actual_headers = draw(cors_headers(preflight=False))
    crash = False
    if may_redirect and draw(st.integers(0, 3)) == 0:
        status = draw(st.sampled_from([301, 302, 303, 307, 308]))
        actual_headers += (("Location", draw(LOCATIONS)),)
    elif draw(st.integers(0, 15)) == 0:
        crash = True
    preflight = None
    if draw(st.booleans()):
        preflight_status = draw(st.sampled_from([200, 200, 204, 400, 403, 404, 302]))
        preflight_headers = draw(cors_headers(preflight=True))
        if preflight_status == 302:
            preflight_headers += (("Location", "{other}/final?{query}"),)
        preflight = Reply(preflight_status, preflight_headers)
    else:
        actual_headers += draw(cors_headers(preflight=True))
    final = None
    if draw(st.booleans()):  # where a redirect to this same server's /final lands
        final = Reply(draw(st.sampled_from([200, 404])), draw(cors_headers(preflight=False)))
    return Script(Reply(status, actual_headers, crash=crash), preflight, final=final)


@st.composite
def starlette(draw: Any) -> Script:
    """Starlette's CORSMiddleware, with the settings people write."""
    settings: dict[str, Any] = {}
    settings["allow_origins"] = draw(
        st.sampled_from([["*"], ["{page}"], ["{page}/"], ["http://localhost:3000"], [], ["{page}", "{other}"]])
    )
    if draw(st.booleans()):
        settings["allow_methods"] = draw(st.sampled_from([["*"], ["GET"], ["GET", "POST", "PUT"], ["put"]]))
    if draw(st.booleans()):
        settings["allow_headers"] = draw(st.sampled_from([["*"], ["x-custom"], ["Content-Type"], ["authorization"]]))
    if draw(st.booleans()):
        settings["allow_credentials"] = True
    if draw(st.booleans()):
        settings["expose_headers"] = draw(st.sampled_from([["x-total"], ["*"]]))
    if draw(st.integers(0, 4)) == 0:
        settings["allow_origin_regex"] = draw(
            st.sampled_from([r"http://localhost:\d+", r".*", r"http://127\.0\.0\.1:\d+"])
        )
    status = draw(st.sampled_from([200, 200, 201, 401, 404]))
    extra = tuple(draw(st.lists(EXTRA, max_size=2)))
    crash = draw(st.integers(0, 12)) == 0
    return Script(Reply(status, extra, crash=crash), cors=tuple(sorted(settings.items())))


HEADER_NAMES = st.sampled_from(
    [
        "X-Custom",
        "x-custom",
        "Authorization",
        "Content-Type",
        "Accept",
        "Accept-Language",
        "Content-Language",
        "Range",
        "DPR",
        "Device-Memory",
        "Viewport-Width",
        "Width",
        "Save-Data",
        "RTT",
        "Downlink",
        "ECT",
        "Intervention",
        "X-Requested-With",
        "Cookie",
        "Origin",
        "Sec-Fetch-Mode",
        "X-HTTP-Method-Override",
        "Proxy-Foo",
        "Accept-Charset",
        "If-None-Match",
    ]
)
HEADER_VALUES = _odd(
    "1",
    "1.5",
    "abc",
    "on",
    "off",
    "4g",
    "slow-2g",
    "5g",
    "bytes=0-10",
    " bytes=0-10",
    "bytes=5-1",
    "bytes=0-",
    "text/plain",
    " text/plain ",
    "application/json",
    "text/plain; charset=utf-8",
    "multipart/form-data; boundary=x",
    "José",
    "en-US",
    "en (x)",
    "Bearer abc",
    "*/*",
    "TRACE",
    "a" * 130,
    "\tx\t",
    "x\u0100",
)


@st.composite
def calls(draw: Any, target: str) -> Call:
    method = draw(
        st.sampled_from(["GET", "GET", "POST", "PUT", "put", "DELETE", "patch", "PATCH", "OPTIONS", "HEAD", "M-SEARCH"])
    )
    headers = tuple(draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=5)))
    body: str | None = None
    json_body: Any = None
    if method.upper() not in ("GET", "HEAD"):
        kind = draw(st.integers(0, 2))
        if kind == 1:
            body = draw(st.sampled_from(["hello", "", "é"]))
        elif kind == 2:
            json_body = {"name": "x"}
    credentials = draw(st.sampled_from(["same-origin", "include", "omit"]))
    return Call(target, "/r", method, headers, body, json_body, credentials)


@st.composite
def cases(draw: Any) -> Case:
    target = draw(st.sampled_from(["api", "api", "api", "other", "page"]))
    first = draw(calls(target))
    chain = [first]
    if draw(st.integers(0, 3)) == 0:  # again, for the preflight cache
        chain.append(draw(st.sampled_from([first, draw(calls(target))])))
    script = draw(st.one_of(replies(may_redirect=True), starlette()))
    third = draw(replies(may_redirect=False))
    return Case(
        tuple(chain),
        api=script if target == "api" else Script(),
        other=script if target == "other" else third,
        page=script if target == "page" else Script(),
    )
