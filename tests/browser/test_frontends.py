"""What real frontends do beyond fetch() in mode 'cors': XMLHttpRequest, fetch()'s mode and redirect
options, mixed content, network errors and the calls the browser refuses before sending.

The wordings are Chromium 156's, as measured (docs/engines.md and tests/engines/cases.py); the live
comparison is tests/engines/test_model_vs_engines.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cors_lab.browser import (
    CHROMIUM,
    Fetch,
    FetchRequest,
    HttpResponse,
    Occasion,
    PreflightCache,
    StepKind,
    WarningKind,
)
from cors_lab.browser.failures import REFUSAL_CODES, FailureCode

PAGE = "http://localhost:3000"
HTTPS_PAGE = "https://app.example"
URL = "http://localhost:8000/users"
ACAO = ("Access-Control-Allow-Origin", PAGE)
C = FailureCode
FAILED_TO_FETCH = "TypeError: Failed to fetch"
THREW = "TypeError: Failed to execute 'fetch' on 'Window': "


def ok(*headers: tuple[str, str], status: int = 200, reason: str = "OK") -> HttpResponse:
    return HttpResponse(status, headers, b"hello", reason)


def start(request: FetchRequest, page: str = PAGE) -> Fetch:
    return Fetch(page, request, cache=PreflightCache(clock=lambda: 0.0))


def run(request: FetchRequest, *responses: HttpResponse, page: str = PAGE):
    fetch = start(request, page)
    sent = []
    for response in responses:
        outgoing = fetch.next_request()
        assert outgoing is not None, f"the fetch ended after {len(sent)} requests"
        sent.append(outgoing)
        fetch.receive(response)
    assert fetch.next_request() is None, "the fetch wants more responses"
    return fetch.verdict, sent


def refused(request: FetchRequest, page: str = PAGE):
    """A call the browser refuses: nothing is sent."""
    fetch = start(request, page)
    assert fetch.done and fetch.next_request() is None
    verdict = fetch.verdict
    assert verdict.exchanges == () and not verdict.ok and verdict.response_type == "error"
    return verdict


# --- mode 'no-cors' ------------------------------------------------------------------------------------


def test_no_cors_gives_an_opaque_response_without_a_preflight_or_a_cors_check():
    verdict, sent = run(FetchRequest(URL, headers={"X-Custom": "1"}, mode="no-cors"), ok())
    assert verdict.ok and verdict.response_type == "opaque" and verdict.status == 0
    assert verdict.readable_headers == () and verdict.console_lines == () and verdict.js_error == ""
    [request] = sent
    assert request.kind == "actual" and request.get("x-custom") is None and request.get("origin") is None
    assert any(step.kind is StepKind.NO_CORS for step in verdict.steps)
    assert [w.kind for w in verdict.warnings] == [WarningKind.OPAQUE_RESPONSE]
    assert "not a fix for CORS" in verdict.warnings[0].message


def test_no_cors_drops_a_json_content_type_and_the_string_body_brings_its_own():
    request = FetchRequest(
        URL,
        "POST",
        {"Content-Type": "application/json"},
        b'{"a": 1}',
        mode="no-cors",
        body_type="text/plain;charset=UTF-8",
    )
    verdict, [sent] = run(request, ok())
    assert sent.get("content-type") == "text/plain;charset=UTF-8"  # measured: what the server receives
    assert sent.get("origin") == PAGE and verdict.response_type == "opaque"


def test_no_cors_refuses_a_method_that_is_not_safelisted():
    verdict = refused(FetchRequest(URL, "put", mode="no-cors"))
    assert verdict.failure.code is C.NO_CORS_METHOD and verdict.console_lines == ()
    assert verdict.js_error == THREW + "'PUT' is unsupported in no-cors mode."
    patch = refused(FetchRequest(URL, "patch", mode="no-cors"))
    assert patch.js_error == THREW + "'patch' is unsupported in no-cors mode."


@pytest.mark.parametrize("redirect", ["error", "manual"])
def test_no_cors_needs_redirect_follow(redirect):
    verdict = refused(FetchRequest(URL, mode="no-cors", redirect=redirect))
    assert verdict.failure.code is C.NO_CORS_REDIRECT_MODE and verdict.js_error == FAILED_TO_FETCH
    assert verdict.console_lines == (
        f'Fetch API cannot load {URL}. Request mode is "no-cors" but the redirect mode is not "follow".',
    )


def test_an_opaque_404_still_gets_chromiums_status_line():
    verdict, _ = run(FetchRequest(URL, mode="no-cors"), ok(status=404, reason="Not Found"))
    assert verdict.ok and verdict.status == 0
    assert verdict.console_lines == ("Failed to load resource: the server responded with a status of 404 (Not Found)",)


def test_no_cors_stays_opaque_through_a_redirect_back_to_the_page():
    verdict, sent = run(
        FetchRequest(URL, mode="no-cors"), ok(("Location", f"{PAGE}/back"), status=302), ok(("X-A", "1"))
    )
    assert verdict.response_type == "opaque" and [r.url for r in sent] == [URL, f"{PAGE}/back"]


# --- mode 'same-origin' ------------------------------------------------------------------------------


def test_same_origin_mode_refuses_another_origin_before_sending():
    verdict = refused(FetchRequest(URL, mode="same-origin"))
    assert verdict.failure.code is C.SAME_ORIGIN_MODE and verdict.js_error == FAILED_TO_FETCH
    assert verdict.console_lines == (
        f'Fetch API cannot load {URL}. Request mode is "same-origin" but the URL\'s origin is not same as the '
        f"request origin {PAGE}.",
    )


def test_same_origin_mode_to_the_page_itself_is_basic():
    verdict, _ = run(FetchRequest(PAGE + "/me", mode="same-origin"), ok(("X-A", "1")))
    assert verdict.ok and verdict.response_type == "basic" and ("x-a", "1") in verdict.readable_headers


def test_same_origin_mode_fails_on_a_redirect_away():
    verdict, sent = run(FetchRequest(PAGE + "/me", mode="same-origin"), ok(("Location", URL), status=302))
    assert len(sent) == 1 and verdict.failure.code is C.SAME_ORIGIN_MODE
    assert verdict.console_lines == (
        f"Unsafe attempt to load URL {URL} from frame with URL {PAGE}/. Domains, protocols and ports must match.\n",
    )


# --- redirect 'error' and 'manual' -------------------------------------------------------------------


def test_redirect_error_fails_on_the_redirect_with_chromiums_lines():
    verdict, sent = run(FetchRequest(URL, redirect="error"), ok(ACAO, ("Location", "/next"), status=302))
    assert len(sent) == 1 and verdict.failure.code is C.REDIRECT_MODE_ERROR
    assert verdict.console_lines == ("Failed to load resource: net::ERR_FAILED",)
    assert verdict.js_error == FAILED_TO_FETCH and verdict.status is None


def test_redirect_manual_is_an_opaque_redirect():
    verdict, sent = run(FetchRequest(URL, redirect="manual"), ok(ACAO, ("Location", "/next"), status=302))
    assert len(sent) == 1 and verdict.ok and verdict.response_type == "opaqueredirect"
    assert verdict.status == 0 and verdict.readable_headers == () and verdict.console_lines == ()


@pytest.mark.parametrize("redirect", ["error", "manual"])
def test_the_cors_check_comes_before_the_redirect_mode(redirect):
    verdict, _ = run(FetchRequest(URL, redirect=redirect), ok(("Location", "/next"), status=302))
    assert verdict.failure.code is C.MISSING_ALLOW_ORIGIN_HEADER


# --- XMLHttpRequest ------------------------------------------------------------------------------------


def test_xhr_words_a_cors_failure_its_own_way_and_fires_the_error_event():
    verdict, _ = run(FetchRequest(URL, api="xhr"), ok(("Access-Control-Allow-Origin", "http://o.example")))
    assert verdict.status == 0 and verdict.js_error == ""
    assert verdict.console_lines == (
        f"Access to XMLHttpRequest at '{URL}' from origin '{PAGE}' has been blocked by CORS policy: The "
        "'Access-Control-Allow-Origin' header has a value 'http://o.example' that is not equal to the supplied "
        "origin.",
        "Failed to load resource: net::ERR_FAILED",
    )


def test_xhr_credentials_failures_name_with_credentials():
    verdict, _ = run(FetchRequest(URL, api="xhr", credentials="include"), ok(("Access-Control-Allow-Origin", "*")))
    assert verdict.console_lines[0].endswith(
        "when the request's credentials mode is 'include'. The credentials mode of requests initiated by the "
        "XMLHttpRequest is controlled by the withCredentials attribute."
    )


def test_xhr_keeps_a_url_with_credentials_but_sends_it_without_them():
    verdict, [sent] = run(FetchRequest("http://u:p@localhost:8000/users", api="xhr"), ok(ACAO))
    assert verdict.ok and sent.url == URL and sent.get("authorization") is None


def test_xhr_drops_a_get_body():
    verdict, [sent] = run(FetchRequest(URL, api="xhr", body=b"x", body_type="text/plain;charset=UTF-8"), ok(ACAO))
    assert verdict.ok and sent.body == b"" and sent.get("content-type") is None


@pytest.mark.parametrize(
    ("request_", "code", "error"),
    [
        (
            FetchRequest(URL, "CONNECT", api="xhr"),
            C.FORBIDDEN_METHOD,
            "SecurityError: Failed to execute 'open' on 'XMLHttpRequest': 'CONNECT' HTTP method is unsupported.",
        ),
        (
            FetchRequest(URL, "GE T", api="xhr"),
            C.INVALID_METHOD,
            "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest': 'GE T' is not a valid HTTP method.",
        ),
        (
            FetchRequest(URL, headers={"X-A": "a\nb"}, api="xhr"),
            C.INVALID_HEADER_VALUE,
            "SyntaxError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': 'a\nb' is not a valid HTTP "
            "header field value.",
        ),
        (
            FetchRequest(URL, headers={"X A": "1"}, api="xhr"),
            C.INVALID_HEADER_NAME,
            "SyntaxError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': 'X A' is not a valid HTTP "
            "header field name.",
        ),
        (
            FetchRequest(URL, headers={"X-A": "\u20ac"}, api="xhr"),
            C.INVALID_HEADER_VALUE,
            "TypeError: Failed to execute 'setRequestHeader' on 'XMLHttpRequest': String contains non ISO-8859-1 "
            "code point.",
        ),
        (
            FetchRequest("http://localhost:99999/x", api="xhr"),
            C.INVALID_URL,
            "SyntaxError: Failed to execute 'open' on 'XMLHttpRequest': Invalid URL",
        ),
    ],
)
def test_what_xhr_throws(request_, code, error):
    verdict = refused(request_)
    assert verdict.failure.code is code and verdict.js_error == error
    assert verdict.status is None and verdict.console_lines == ()


# --- the calls fetch() refuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "code", "error"),
    [
        (FetchRequest(URL, "TRACE"), C.FORBIDDEN_METHOD, THREW + "'TRACE' HTTP method is unsupported."),
        (FetchRequest(URL, "connect"), C.FORBIDDEN_METHOD, THREW + "'connect' HTTP method is unsupported."),
        (FetchRequest(URL, "GE T"), C.INVALID_METHOD, THREW + "'GE T' is not a valid HTTP method."),
        (FetchRequest(URL, headers={"X-A": "a\nb"}), C.INVALID_HEADER_VALUE, THREW + "Invalid value"),
        (FetchRequest(URL, headers={"X-A": "a\0b"}), C.INVALID_HEADER_VALUE, THREW + "Invalid value"),
        (FetchRequest(URL, headers={"X A": "1"}), C.INVALID_HEADER_NAME, THREW + "Invalid name"),
        (
            FetchRequest(URL, headers={"X-A": "\u20ac"}),
            C.INVALID_HEADER_VALUE,
            THREW + "Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 "
            "code point.",
        ),
        (
            FetchRequest("http://u:p@localhost:8000/users"),
            C.URL_WITH_CREDENTIALS,
            THREW
            + "Request cannot be constructed from a URL that includes credentials: http://u:p@localhost:8000/users",
        ),
        (
            FetchRequest(URL, body=b"x"),
            C.BODY_WITH_GET_OR_HEAD,
            THREW + "Request with GET/HEAD method cannot have body.",
        ),
        (
            FetchRequest(URL, "HEAD", body=b"x"),
            C.BODY_WITH_GET_OR_HEAD,
            THREW + "Request with GET/HEAD method cannot have body.",
        ),
        (
            FetchRequest("http://localhost:99999/x"),
            C.INVALID_URL,
            THREW + "Failed to parse URL from http://localhost:99999/x",
        ),
    ],
)
def test_what_fetch_refuses_before_sending(request_, code, error):
    verdict = refused(request_)
    assert verdict.failure.code is code and code.kind == "type-error" and code in REFUSAL_CODES
    assert verdict.js_error == error and verdict.console_lines == () and verdict.status is None


def test_the_init_dictionary_is_read_before_the_url_is_checked():
    verdict = refused(FetchRequest("http://u:p@localhost:8000/", headers={"X-A": "\u20ac"}))
    assert verdict.failure.code is C.INVALID_HEADER_VALUE


@pytest.mark.parametrize(
    ("url", "fetch_line", "xhr_lines"),
    [
        (
            "ws://localhost:8000/live",
            'Fetch API cannot load ws://localhost:8000/live. URL scheme "ws" is not supported.',
            (
                "Access to XMLHttpRequest at 'ws://localhost:8000/live' from origin 'http://localhost:3000' has "
                "been blocked by CORS policy: Cross origin requests are only supported for protocol schemes: chrome, "
                "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, "
                "isolated-app.",
                "Failed to load resource: net::ERR_FAILED",
            ),
        ),
        (
            "ftp://localhost/f",
            'Fetch API cannot load ftp://localhost/f. URL scheme "ftp" is not supported.',
            ("FTP is not supported.",),
        ),
        (
            "file:///etc/hostname",
            "Not allowed to load local resource: file:///etc/hostname",
            ("Not allowed to load local resource: file:///etc/hostname",),
        ),
        (
            "localhost:8000/users",
            'Fetch API cannot load localhost:8000/users. URL scheme "localhost" is not supported.',
            None,
        ),
    ],
)
def test_urls_that_are_not_http(url, fetch_line, xhr_lines):
    verdict = refused(FetchRequest(url))
    assert verdict.failure.code is C.UNSUPPORTED_SCHEME and verdict.console_lines == (fetch_line,)
    assert verdict.js_error == FAILED_TO_FETCH
    if xhr_lines is not None:
        xhr = refused(FetchRequest(url, api="xhr"))
        assert xhr.console_lines == xhr_lines and xhr.js_error == "" and xhr.status == 0


# --- mixed content -----------------------------------------------------------------------------------------


def test_an_https_page_may_not_fetch_http_and_nothing_is_sent():
    verdict = refused(FetchRequest("http://api.example/users"), page=HTTPS_PAGE)
    assert verdict.failure.code is C.MIXED_CONTENT and verdict.failure.code.kind == "mixed-content"
    assert verdict.console_lines == (
        "Mixed Content: The page at 'https://app.example/' was loaded over HTTPS, but requested an insecure "
        "resource 'http://api.example/users'. This request has been blocked; the content must be served over HTTPS.",
    )
    xhr = refused(FetchRequest("http://api.example/users", api="xhr"), page=HTTPS_PAGE)
    assert "requested an insecure XMLHttpRequest endpoint 'http://api.example/users'" in xhr.console_lines[0]
    assert xhr.status == 0 and xhr.js_error == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://127.9.9.9/x",
        "http://localhost:8000/x",
        "http://[::1]:8000/x",
        "http://api.localhost/x",
    ],
)
def test_loopback_is_no_mixed_content(url):
    fetch = start(FetchRequest(url), page=HTTPS_PAGE)
    assert not fetch.done and fetch.next_request().url == url


def test_mixed_content_through_a_redirect_is_blocked_before_the_redirect_is_followed():
    verdict, sent = run(
        FetchRequest("https://app.example/items"),
        ok(("Location", "http://app.example/items/"), status=307),
        page=HTTPS_PAGE,
    )
    assert len(sent) == 1 and verdict.failure.code is C.MIXED_CONTENT
    assert "requested an insecure resource 'http://app.example/items/'" in verdict.console_lines[0]
    assert verdict.failure.context.redirected_from == "https://app.example/items"


def test_no_cors_does_not_get_around_mixed_content():
    assert refused(FetchRequest("http://api.example/", mode="no-cors"), page=HTTPS_PAGE).failure.code is C.MIXED_CONTENT


def test_the_page_url_is_the_one_consoles_name():
    fetch = Fetch(HTTPS_PAGE, FetchRequest("http://api.example/"), page_url="https://app.example/shop/cart")
    assert "The page at 'https://app.example/shop/cart' was loaded" in fetch.verdict.console_lines[0]


# --- network errors ---------------------------------------------------------------------------------------


def test_a_bad_port_is_refused_without_connecting():
    verdict = refused(FetchRequest("http://localhost:6000/x"))
    assert verdict.failure.code is C.NETWORK_ERROR and verdict.network_error == "net::ERR_UNSAFE_PORT"
    assert verdict.console_lines == ("Failed to load resource: net::ERR_UNSAFE_PORT",)


def test_a_network_error_from_an_xhr_is_the_error_event():
    fetch = start(FetchRequest(URL, api="xhr"))
    fetch.network_error("net::ERR_CONNECTION_REFUSED")
    verdict = fetch.verdict
    assert verdict.failure.code.kind == "network" and verdict.status == 0 and verdict.js_error == ""
    assert verdict.console_lines == ("Failed to load resource: net::ERR_CONNECTION_REFUSED",)


def test_network_error_when_nothing_is_pending_is_a_usage_error():
    fetch = start(FetchRequest(URL))
    fetch.receive(ok(ACAO))
    with pytest.raises(RuntimeError):
        fetch.network_error("net::ERR_FAILED")


# --- a response the page reads -----------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error"), (499, "")])
def test_chromium_logs_a_4xx_or_5xx_the_page_reads(status, reason):
    verdict, _ = run(FetchRequest(URL), ok(ACAO, status=status, reason=reason))
    assert verdict.ok and verdict.status == status and verdict.failure is None
    assert verdict.console_lines == (
        f"Failed to load resource: the server responded with a status of {status} ({reason})",
    )


def test_a_cors_failure_prints_no_status_line():
    verdict, _ = run(FetchRequest(URL), ok(status=500, reason="Internal Server Error"))
    assert verdict.console_lines[1:] == ("Failed to load resource: net::ERR_FAILED",)


# --- bad input is one clear ValueError ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"mode": "nocors"},
            "mode='nocors' is not a fetch() mode: use 'cors' (the default), 'no-cors' or 'same-origin'",
        ),
        (
            {"redirect": "follows"},
            "redirect='follows' is not a fetch() redirect mode: use 'follow' (the default), 'error' or 'manual'",
        ),
        ({"api": "axios"}, "api='axios' is not a way to make a request: use 'fetch' or 'xhr'"),
        ({"api": "xhr", "mode": "no-cors"}, "XMLHttpRequest has no mode or redirect option"),
        ({"api": "xhr", "credentials": "omit"}, "XMLHttpRequest's credentials are 'same-origin' or"),
    ],
)
def test_an_unknown_option_is_one_clear_value_error(kwargs, message):
    with pytest.raises(ValueError) as error:
        FetchRequest(URL, **kwargs)
    assert str(error.value).startswith(message)


# --- the words, per engine interface -------------------------------------------------------------------


#: Codes only fetch() gives: XMLHttpRequest has no mode or redirect option, and sends what these refuse.
FETCH_ONLY = {C.URL_WITH_CREDENTIALS, C.BODY_WITH_GET_OR_HEAD, C.NO_CORS_METHOD, C.NO_CORS_REDIRECT_MODE}


def test_every_code_has_chromiums_words_for_both_apis():
    for code in FailureCode:
        for api in ("fetch",) if code in FETCH_ONLY else ("fetch", "xhr"):
            occasion = Occasion("http://api.example/x", PAGE, api=api)
            lines = CHROMIUM.console_lines(code, "p", occasion)
            error = CHROMIUM.js_error(code, "p", occasion)
            assert isinstance(lines, tuple) and all(isinstance(line, str) and line for line in lines)
            assert lines or error, f"{code} via {api} says nothing at all"
            assert (
                "blocked by CORS" not in " ".join(lines)
                or code.is_cors
                or (code is C.UNSUPPORTED_SCHEME and api == "xhr")
            )


# --- never a crash -----------------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    url=st.one_of(_text, st.sampled_from([URL, "ws://x/y", "http://u:p@x/", "data:,x", "//x/y", "http://[::1", "?q"])),
    method=st.one_of(_text, st.sampled_from(["GET", "post", "TRACE", "PATCH", "HEAD"])),
    headers=st.lists(st.tuples(_text, _text), max_size=3),
    body=st.one_of(st.none(), st.binary(max_size=4)),
    mode=st.sampled_from(["cors", "no-cors", "same-origin"]),
    redirect=st.sampled_from(["follow", "error", "manual"]),
    api=st.sampled_from(["fetch", "xhr"]),
    page=st.sampled_from([PAGE, HTTPS_PAGE]),
    status=st.sampled_from([200, 204, 302, 307, 404, 500]),
    location=st.one_of(_text, st.sampled_from(["/next", "http://x/", "data:,hi", "ws://x/", "http://[bad"])),
)
def test_the_model_never_crashes_on_what_a_page_can_send(
    url, method, headers, body, mode, redirect, api, page, status, location
):
    if api == "xhr":
        mode, redirect = "cors", "follow"
    fetch = start(FetchRequest(url, method, tuple(headers), body, mode=mode, redirect=redirect, api=api), page)
    for _ in range(4):
        if fetch.done:
            break
        fetch.receive(ok(("Access-Control-Allow-Origin", "*"), ("Location", location), status=status))
    if not fetch.done:
        fetch.network_error("net::ERR_CONNECTION_REFUSED")
    verdict = fetch.verdict
    assert verdict.ok or verdict.failure is not None
    assert verdict.response_type in ("basic", "cors", "opaque", "opaqueredirect", "error")


def test_xhr_logs_each_header_it_refuses_and_fetch_drops_them_silently():
    request = FetchRequest(URL, headers=[("Cookie", "a=1"), ("X-Custom", "1")], api="xhr")
    fetch = start(request)
    assert fetch.next_request().get("cookie") is None
    fetch.receive(ok(ACAO, ("Access-Control-Allow-Headers", "x-custom")))
    fetch.receive(ok(ACAO))
    assert fetch.verdict.ok and fetch.verdict.console_lines == ('Refused to set unsafe header "Cookie"',)
    verdict, _ = run(FetchRequest(URL, headers={"Cookie": "a=1"}), ok(ACAO))
    assert verdict.console_lines == ()
