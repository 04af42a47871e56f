"""cors_lab.browser.machine: one fetch() as a sans-I/O state machine, driven with hand-built responses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_lab.advice import advised_verdict
from cors_lab.browser import (
    CookieJar,
    FailureCode,
    Fetch,
    FetchRequest,
    HttpRequest,
    HttpResponse,
    PreflightCache,
    StepKind,
    WarningKind,
)
from cors_lab.browser.engines import ENGINES

PAGE = "http://localhost:3000"
URL = "http://localhost:8000/users"
C_URL = "http://127.0.0.1:9000/final"
HEAD = f"Access to fetch at '{URL}' from origin '{PAGE}' has been blocked by CORS policy: "
PRE = "Response to preflight request doesn't pass access control check: "
VALID = " Have the server send the header with a valid value."

ACAO = ("Access-Control-Allow-Origin", PAGE)
ACAC = ("Access-Control-Allow-Credentials", "true")


def ok(*headers, status=200):
    return HttpResponse(status, tuple(headers))


def run(request: FetchRequest, *responses: HttpResponse, page=PAGE, cache=None, cookies=None):
    """Answer the machine's requests with ``responses``, in order; all of them must be asked for."""
    fetch = Fetch(
        page, request, cache=cache if cache is not None else PreflightCache(clock=lambda: 0.0), cookies=cookies
    )
    sent: list[HttpRequest] = []
    for response in responses:
        request_now = fetch.next_request()
        assert request_now is not None, f"the fetch ended after {len(sent)} requests"
        sent.append(request_now)
        fetch.receive(response)
    assert fetch.done and fetch.next_request() is None, "the fetch wants more responses"
    return fetch.verdict, sent


def code(verdict):
    return verdict.failure.code if verdict.failure else None


def titles(verdict):
    return [step.title for step in verdict.steps]


# --- what the browser sends ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "expect_preflight"),
    [
        ("GET", (), False),
        ("POST", (("Content-Type", "text/plain;charset=UTF-8"),), False),
        ("POST", (("Content-Type", "application/json"),), True),
        ("GET", (("X-Custom", "1"),), True),
        ("put", (), True),
        ("GET", (("Cookie", "a=1"), ("Origin", "http://evil.com"), ("Sec-Fetch-Mode", "no-cors")), False),
    ],
)
def test_simple_or_preflighted(method, headers, expect_preflight):
    first = Fetch(PAGE, FetchRequest(URL, method=method, headers=headers)).next_request()
    assert first.kind == ("preflight" if expect_preflight else "actual")


def test_preflight_request_shape():
    request = FetchRequest(
        URL,
        method="PUT",
        credentials="include",
        headers=(
            ("X-B", "1"),
            ("x-a", "2"),
            ("X-A", "3"),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ),
    )
    jar = CookieJar()
    jar.store("sid=1", URL, page_url=PAGE)
    preflight = Fetch(PAGE, request, cookies=jar).next_request()
    assert preflight == HttpRequest(
        "OPTIONS",
        URL,
        (
            ("Accept", "*/*"),
            ("Origin", PAGE),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type,x-a,x-b"),
        ),
        b"",
        "preflight",
    )


def test_preflight_for_method_only_has_no_request_headers_header():
    preflight = Fetch(PAGE, FetchRequest(URL, method="DELETE")).next_request()
    assert preflight.headers == (("Accept", "*/*"), ("Origin", PAGE), ("Access-Control-Request-Method", "DELETE"))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "X-Custom",
                    "x-custom",
                    "X-API-Key",
                    "Authorization",
                    "Content-Type",
                    "Accept",
                    "X-Requested-With",
                    "Cookie",
                    "Sec-X",
                    "Range",
                ]
            ),
            st.sampled_from(["1", "application/json", "text/plain", "bytes=0-", "a b"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_property_request_headers_header_is_sorted_lowercase_unique_without_spaces(headers):
    preflight = Fetch(PAGE, FetchRequest(URL, method="PUT", headers=tuple(headers))).next_request()
    assert preflight.kind == "preflight"
    value = preflight.get("access-control-request-headers")
    assert value != ""  # omitted rather than empty
    names = value.split(",") if value else []
    assert names == sorted(set(names)) and (value or "") == (value or "").lower() and " " not in (value or "")
    given_names = {name.lower() for name, _ in headers}
    assert set(names) <= given_names - {"cookie", "sec-x"}
    always_unsafe = {"x-custom", "x-api-key", "authorization", "x-requested-with"}
    assert always_unsafe & given_names <= set(names)


@pytest.mark.parametrize(
    ("url", "method", "origin_sent"),
    [
        (URL, "GET", PAGE),
        (PAGE + "/api", "GET", None),  # same-origin GET/HEAD: no Origin header
        (PAGE + "/api", "HEAD", None),
        (PAGE + "/api", "POST", PAGE),
        (PAGE + "/api", "DELETE", PAGE),
    ],
)
def test_origin_header_on_the_actual_request(url, method, origin_sent):
    verdict, (actual,) = run(FetchRequest(url, method=method), ok(ACAO))
    assert verdict.ok and actual.method == method
    assert actual.get("origin") == origin_sent


def test_actual_request_keeps_page_headers_and_body():
    request = FetchRequest(
        URL, method="POST", headers={"Accept": "application/json", "Content-Type": "text/plain"}, body=b"hello"
    )
    verdict, (actual,) = run(request, ok(ACAO))
    assert actual.headers == (("Origin", PAGE), ("Accept", "application/json"), ("Content-Type", "text/plain"))
    assert actual.body == b"hello" and actual.method == "POST"
    assert verdict.ok and not verdict.preflighted and not verdict.redirected


def test_forbidden_headers_are_dropped_and_recorded():
    fetch = Fetch(PAGE, FetchRequest(URL, headers=(("Host", "evil"), ("Proxy-Foo", "1"), ("Accept", "a/b"))))
    actual = fetch.next_request()
    assert actual.kind == "actual"
    assert actual.headers == (("Origin", PAGE), ("Accept", "a/b"))
    fetch.receive(ok(ACAO))
    dropped = fetch.verdict.steps[0]
    assert (dropped.title, dropped.passed) == ("The browser dropped Host, Proxy-Foo", None)


# --- same-origin requests ----------------------------------------------------------------------


def test_same_origin_needs_no_cors_and_reads_everything_but_set_cookie():
    response = ok(("X-Secret", "1"), ("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), status=404)
    verdict, sent = run(FetchRequest(PAGE + "/api", method="PUT", headers={"X-Custom": "1"}), response)
    assert verdict.ok and not verdict.preflighted and [r.kind for r in sent] == ["actual"]
    assert verdict.readable_headers == (("x-secret", "1"), ("content-type", "text/plain"))
    assert "no CORS checks apply" in [step.detail for step in verdict.steps]


# --- the CORS check on the response ---------------------------------------------------------------


# The ACAO rules in full are in test_rules.py; here, how Fetch feeds them (lines, credentials, ACAC).
@pytest.mark.parametrize(
    ("acao_lines", "credentials", "acac", "expected", "parameter"),
    [
        ([], "same-origin", None, "MissingAllowOriginHeader", ""),
        (["\t*"], "omit", None, None, ""),
        (["*"], "include", "true", "WildcardOriginNotAllowed", ""),
        ([PAGE], "include", "true", None, ""),
        ([PAGE], "include", None, "InvalidAllowCredentials", ""),
        ([PAGE], "include", "True", "InvalidAllowCredentials", "True"),
        ([PAGE], "same-origin", "false", None, ""),  # ACAC only matters with credentials
        ([PAGE, PAGE], "same-origin", None, "MultipleAllowOriginValues", f"{PAGE}, {PAGE}"),
        (["null"], "same-origin", None, "AllowOriginMismatch", "null"),
        (["http://ex\u00e4mple.com"], "same-origin", None, "InvalidAllowOriginValue", "http://ex\u00e4mple.com"),
    ],
)
def test_cors_check(acao_lines, credentials, acac, expected, parameter):
    headers = [("Access-Control-Allow-Origin", v) for v in acao_lines]
    if acac is not None:
        headers.append(("Access-Control-Allow-Credentials", acac))
    verdict, _ = run(FetchRequest(URL, credentials=credentials), ok(*headers))
    assert code(verdict) == expected
    assert verdict.ok is (expected is None)
    if expected:
        assert verdict.failure.parameter.lower() == parameter.lower()
        assert verdict.response is not None and verdict.readable_headers == ()


# --- the preflight: order of checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "credentials", "expected"),
    [
        (301, [ACAO, ("Location", "/elsewhere")], "same-origin", "PreflightDisallowedRedirect"),
        (307, [("Location", URL + "/")], "same-origin", "PreflightDisallowedRedirect"),  # before the CORS check
        (
            308,
            [("Location", URL + "/"), ("Access-Control-Allow-Methods", "(")],
            "include",
            "PreflightDisallowedRedirect",
        ),
        (302, [], "same-origin", "PreflightMissingAllowOriginHeader"),  # no Location: not a redirect
        (302, [ACAO, ("Access-Control-Allow-Methods", "PUT")], "same-origin", "PreflightInvalidStatus"),
        (404, [], "same-origin", "PreflightMissingAllowOriginHeader"),  # the CORS check wins over the status
        (500, [("Access-Control-Allow-Origin", "*")], "include", "PreflightWildcardOriginNotAllowed"),
        (401, [ACAO], "include", "PreflightInvalidAllowCredentials"),
        (200, [("Access-Control-Allow-Origin", "null")], "same-origin", "PreflightAllowOriginMismatch"),
        (200, [ACAO, ACAO], "same-origin", "PreflightMultipleAllowOriginValues"),
        (200, [("Access-Control-Allow-Origin", "foo")], "same-origin", "PreflightInvalidAllowOriginValue"),
        (500, [ACAO, ("Access-Control-Allow-Methods", "PUT")], "same-origin", "PreflightInvalidStatus"),
        (300, [ACAO, ("Access-Control-Allow-Methods", "PUT")], "same-origin", "PreflightInvalidStatus"),
        (403, [ACAO, ("Access-Control-Allow-Methods", "(")], "same-origin", "PreflightInvalidStatus"),
        (
            200,
            [ACAO, ("Access-Control-Allow-Methods", "PUT DELETE"), ("Access-Control-Allow-Headers", "a b")],
            "same-origin",
            "InvalidAllowMethodsPreflightResponse",
        ),  # methods are parsed first
        (
            200,
            [ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "a b")],
            "same-origin",
            "InvalidAllowHeadersPreflightResponse",
        ),
        (
            200,
            [ACAO, ("Access-Control-Allow-Methods", "GET"), ("Access-Control-Allow-Headers", "X-Other")],
            "same-origin",
            "MethodDisallowedByPreflightResponse",
        ),  # the method before the headers
        (200, [ACAO, ("Access-Control-Allow-Methods", "PUT")], "same-origin", "HeaderDisallowedByPreflightResponse"),
        (
            204,
            [ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-custom")],
            "same-origin",
            None,
        ),
        (
            299,
            [ACAO, ACAC, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "X-CUSTOM")],
            "include",
            None,
        ),
    ],
)
def test_preflight_check_order(status, headers, credentials, expected):
    request = FetchRequest(URL, method="PUT", headers={"X-Custom": "1"}, credentials=credentials)
    fetch = Fetch(PAGE, request)
    assert fetch.next_request().kind == "preflight"
    fetch.receive(HttpResponse(status, tuple(headers)))
    if expected is None:
        assert not fetch.done and fetch.next_request().kind == "actual"
    else:
        verdict = fetch.verdict
        assert code(verdict) == expected and verdict.failure.at_preflight
        assert verdict.preflighted and not verdict.ok and len(verdict.exchanges) == 1
        last = verdict.steps[-1]
        assert last.passed is False and last.kind is StepKind.BLOCKED and last.code == expected
        assert advised_verdict(verdict).steps[-1].fix  # the FastAPI advice, outside the model


@pytest.mark.parametrize(
    ("method", "allow_methods", "credentials", "disallowed"),
    [
        ("PUT", "PUT", "same-origin", None),
        ("put", "PUT", "same-origin", None),  # fetch() upper-cases put
        ("PUT", "put", "same-origin", "PUT"),  # and the comparison is case-sensitive
        ("DELETE", None, "same-origin", "DELETE"),
        ("patch", "PATCH", "same-origin", "patch"),  # fetch() leaves patch alone
        ("patch", "patch", "same-origin", None),
        ("DELETE", "*", "same-origin", None),
        ("DELETE", "*", "include", "DELETE"),  # '*' is literal with credentials
        ("DELETE", "*, DELETE", "include", None),
        ("POST", None, "same-origin", None),  # safelisted methods need no listing
    ],
)
def test_method_check(method, allow_methods, credentials, disallowed):
    headers = [ACAO, ACAC, ("Access-Control-Allow-Headers", "x-custom")]
    if allow_methods is not None:
        headers.append(("Access-Control-Allow-Methods", allow_methods))
    request = FetchRequest(URL, method=method, headers={"X-Custom": "1"}, credentials=credentials)
    if disallowed is None:
        verdict, sent = run(request, ok(*headers), ok(ACAO, ACAC))
        assert verdict.ok and [r.method for r in sent] == ["OPTIONS", {"put": "PUT"}.get(method, method)]
    else:
        verdict, _ = run(request, ok(*headers))
        assert (code(verdict), verdict.failure.parameter) == ("MethodDisallowedByPreflightResponse", disallowed)


@pytest.mark.parametrize(
    ("headers", "allow_headers", "credentials", "disallowed"),
    [
        ({"X-Custom": "1"}, "X-Custom", "same-origin", None),
        ({"X-Custom": "1"}, "x-custom", "same-origin", None),
        ({"X-Custom": "1"}, None, "same-origin", "x-custom"),
        ({"X-B": "1", "X-A": "2"}, "x-b", "same-origin", "x-a"),  # the first missing name, sorted
        ({"X-Custom": "1"}, "*", "same-origin", None),
        ({"X-Custom": "1"}, "*", "include", "x-custom"),
        ({"X-Custom": "1"}, "*, X-Custom", "include", None),
        ({"Content-Type": "application/json"}, "", "same-origin", "content-type"),
        ({"Authorization": "Bearer t"}, "*", "include", "authorization"),
    ],
)
def test_header_check(headers, allow_headers, credentials, disallowed):
    preflight = [ACAO, ACAC, ("Access-Control-Allow-Methods", "PUT")]
    if allow_headers is not None:
        preflight.append(("Access-Control-Allow-Headers", allow_headers))
    request = FetchRequest(URL, method="PUT", headers=headers, credentials=credentials)
    if disallowed is None:
        verdict, _ = run(request, ok(*preflight), ok(ACAO, ACAC))
        assert verdict.ok
    else:
        verdict, _ = run(request, ok(*preflight))
        assert (code(verdict), verdict.failure.parameter) == ("HeaderDisallowedByPreflightResponse", disallowed)


def test_chromium_lets_star_cover_authorization_and_says_so():
    request = FetchRequest(URL, headers={"Authorization": "Bearer t"})
    verdict, sent = run(request, ok(ACAO, ("Access-Control-Allow-Headers", "*")), ok(ACAO))
    assert verdict.ok and sent[1].get("authorization") == "Bearer t"
    step = next(s for s in verdict.steps if s.kind is StepKind.WILDCARD_AUTHORIZATION)
    assert step.title == "Chromium lets '*' cover Authorization"
    assert step.passed is None and "Fetch Standard" in step.detail and "Authorization" in step.fix
    assert verdict.console_lines == ()  # Chromium's warning is in DevTools' Issues panel, not the console
    # Listing it by name: no such note.
    verdict, _ = run(request, ok(ACAO, ("Access-Control-Allow-Headers", "*, Authorization")), ok(ACAO))
    assert verdict.ok and StepKind.WILDCARD_AUTHORIZATION not in {s.kind for s in verdict.steps}


def test_firefox_also_lets_star_cover_authorization_and_warns_in_its_console():
    engine = ENGINES["firefox"]
    fetch = Fetch(
        PAGE, FetchRequest(URL, headers={"Authorization": "Bearer t"}), wording=engine.wording, quirks=engine.quirks
    )
    fetch.receive(ok(ACAO, ("Access-Control-Allow-Headers", "*")))
    fetch.receive(ok(ACAO))
    assert fetch.verdict.ok
    [warning] = fetch.verdict.console_lines
    assert warning.startswith("Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote")
    assert URL in warning and "the `Authorization` header is not covered" in warning


def test_a_passed_preflight_still_needs_a_passing_response():
    verdict, sent = run(FetchRequest(URL, method="PUT"), ok(ACAO, ("Access-Control-Allow-Methods", "PUT")), ok())
    assert [r.kind for r in sent] == ["preflight", "actual"]
    assert code(verdict) == "MissingAllowOriginHeader" and not verdict.failure.at_preflight
    assert (
        verdict.failure.console_message == HEAD + "No 'Access-Control-Allow-Origin' header is present on the "
        "requested resource."
    )
    assert [e.response.status for e in verdict.exchanges] == [200, 200]


# --- every code, end to end, with Chromium's full console line ------------------------------------

PUT_X = dict(method="PUT", headers={"X-Custom": "1"})
INCLUDE = dict(credentials="include")
PF_OK = (ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "X-Custom"))
MISSING = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
WILDCARD = (
    "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when "
    "the request's credentials mode is 'include'."
)
CREDS_TRUE = (
    "The value of the 'Access-Control-Allow-Credentials' header in the response is 'false' which must be "
    "'true' when the request's credentials mode is 'include'."
)

END_TO_END = [
    ("MissingAllowOriginHeader", {}, [ok()], HEAD + MISSING),
    (
        "AllowOriginMismatch",
        {},
        [ok(("Access-Control-Allow-Origin", "http://localhost:3001"))],
        HEAD + "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3001' that is not equal to the "
        "supplied origin." + VALID,
    ),
    (
        "MultipleAllowOriginValues",
        {},
        [ok(("Access-Control-Allow-Origin", f"{PAGE},http://x.com"))],
        HEAD + f"The 'Access-Control-Allow-Origin' header contains multiple values '{PAGE},http://x.com', but only one "
        "is allowed." + VALID,
    ),
    (
        "InvalidAllowOriginValue",
        {},
        [ok(("Access-Control-Allow-Origin", "**"))],
        HEAD + "The 'Access-Control-Allow-Origin' header contains the invalid value '**'." + VALID,
    ),
    ("WildcardOriginNotAllowed", INCLUDE, [ok(("Access-Control-Allow-Origin", "*"), ACAC)], HEAD + WILDCARD),
    ("InvalidAllowCredentials", INCLUDE, [ok(ACAO, ("Access-Control-Allow-Credentials", "false"))], HEAD + CREDS_TRUE),
    ("PreflightInvalidStatus", PUT_X, [ok(*PF_OK, status=405)], HEAD + PRE + "It does not have HTTP ok status."),
    (
        "PreflightDisallowedRedirect",
        PUT_X,
        [ok(ACAO, ("Location", URL + "/"), status=307)],
        HEAD + PRE + "Redirect is not allowed for a preflight request.",
    ),
    (
        "MethodDisallowedByPreflightResponse",
        PUT_X,
        [ok(ACAO, ("Access-Control-Allow-Methods", "put"))],
        HEAD + "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    ),
    (
        "HeaderDisallowedByPreflightResponse",
        PUT_X,
        [ok(ACAO, ("Access-Control-Allow-Methods", "PUT"))],
        HEAD + "Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.",
    ),
    (
        "InvalidAllowMethodsPreflightResponse",
        PUT_X,
        [ok(ACAO, ("Access-Control-Allow-Methods", "PUT;"))],
        HEAD + "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
    ),
    (
        "InvalidAllowHeadersPreflightResponse",
        PUT_X,
        [ok(ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "X-Custom:"))],
        HEAD + "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
    ),
    ("PreflightMissingAllowOriginHeader", PUT_X, [ok(status=404)], HEAD + PRE + MISSING),
    (
        "PreflightAllowOriginMismatch",
        PUT_X,
        [ok(("Access-Control-Allow-Origin", PAGE + "/"))],
        HEAD + PRE + f"The 'Access-Control-Allow-Origin' header has a value '{PAGE}/' that is not equal to the "
        "supplied origin." + VALID,
    ),
    (
        "PreflightMultipleAllowOriginValues",
        PUT_X,
        [ok(ACAO, ACAO)],
        HEAD + PRE + f"The 'Access-Control-Allow-Origin' header contains multiple values '{PAGE}, {PAGE}', but only "
        "one is allowed." + VALID,
    ),
    (
        "PreflightInvalidAllowOriginValue",
        PUT_X,
        [ok(("Access-Control-Allow-Origin", "foo"))],
        HEAD + PRE + "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'." + VALID,
    ),
    (
        "PreflightWildcardOriginNotAllowed",
        {**PUT_X, **INCLUDE},
        [ok(("Access-Control-Allow-Origin", "*"), ACAC)],
        HEAD + PRE + WILDCARD,
    ),
    (
        "PreflightInvalidAllowCredentials",
        {**PUT_X, **INCLUDE},
        [ok(ACAO, ("Access-Control-Allow-Credentials", "false"))],
        HEAD + PRE + CREDS_TRUE,
    ),
]


@pytest.mark.parametrize(
    ("expected_code", "init", "responses", "message"), END_TO_END, ids=[case[0] for case in END_TO_END]
)
def test_every_code_end_to_end(expected_code, init, responses, message):
    verdict, _ = run(FetchRequest(URL, **init), *responses)
    assert code(verdict) == expected_code
    assert verdict.failure.console_message == message
    assert verdict.failure.url == URL


# --- redirects of the actual request --------------------------------------------------------------


def redirect(location, status=302, *headers):
    return HttpResponse(status, (("Location", location),) + tuple(headers))


@pytest.mark.parametrize(
    ("c_allows", "expected"),
    [
        ("*", None),
        ("null", None),
        (PAGE, "AllowOriginMismatch"),
    ],
)
def test_redirect_to_a_third_origin_sends_origin_null(c_allows, expected):
    verdict, sent = run(FetchRequest(URL), redirect(C_URL, 302, ACAO), ok(("Access-Control-Allow-Origin", c_allows)))
    assert [r.url for r in sent] == [URL, C_URL]
    assert [r.get("origin") for r in sent] == [PAGE, "null"]
    assert code(verdict) == expected and verdict.redirected and verdict.url == C_URL
    if expected:
        assert verdict.failure.console_message == (
            f"Access to fetch at '{C_URL}' (redirected from '{URL}') from origin '{PAGE}' has been blocked by CORS "
            f"policy: The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the "
            "supplied origin." + VALID
        )


def test_the_redirect_response_itself_must_pass_the_cors_check():
    verdict, sent = run(FetchRequest(URL), redirect(C_URL))
    assert len(sent) == 1 and code(verdict) == "MissingAllowOriginHeader"
    assert verdict.failure.console_message == HEAD + MISSING  # no "(redirected from ...)": still the first URL


@pytest.mark.parametrize(
    ("start", "location", "origin_after"),
    [
        (URL, "/users/2", PAGE),  # same origin as before: no taint
        (URL, "http://localhost:8000/other", PAGE),
        (PAGE + "/api", URL, PAGE),  # from the page's own origin
        (URL, PAGE + "/back", "null"),  # B -> A is still a cross-origin hop from B
    ],
)
def test_origin_after_a_redirect(start, location, origin_after):
    verdict, sent = run(
        FetchRequest(start), redirect(location, 307, ACAO), ok(("Access-Control-Allow-Origin", origin_after))
    )
    assert sent[1].get("origin") == origin_after
    assert verdict.ok


def test_same_origin_request_redirected_cross_origin_becomes_cors():
    verdict, sent = run(FetchRequest(PAGE + "/api"), redirect(URL), ok())  # B answers without ACAO
    assert sent[0].get("origin") is None and sent[1].get("origin") == PAGE
    assert code(verdict) == "MissingAllowOriginHeader"
    assert f"(redirected from '{PAGE}/api') " in verdict.failure.console_message


@pytest.mark.parametrize(
    ("method", "status", "method_after", "body_kept"),
    [
        ("POST", 301, "GET", False),
        ("POST", 303, "GET", False),
        ("POST", 307, "POST", True),
        ("PUT", 302, "PUT", True),  # 301/302 change only POST
        ("PUT", 303, "GET", False),  # 303 changes everything but GET and HEAD
        ("HEAD", 303, "HEAD", True),
    ],
)
def test_redirect_method_rewriting(method, status, method_after, body_kept):
    body = None if method == "HEAD" else b"name=x"  # fetch() refuses any body on a HEAD, even an empty one
    request = FetchRequest(
        URL, method=method, body=body, headers={"Content-Type": "text/plain", "Content-Language": "en"}
    )
    answers = [ok(ACAO, ("Access-Control-Allow-Methods", "PUT"))] if method == "PUT" else []
    verdict, sent = run(
        request,
        *answers,
        redirect("/next", status, ACAO),
        *([ok(ACAO, ("Access-Control-Allow-Methods", "PUT"))] if method_after == "PUT" else []),
        ok(ACAO),
    )
    after = sent[-1]
    assert verdict.ok and after.method == method_after and after.url == "http://localhost:8000/next"
    assert (after.body == (body or b"")) is body_kept
    names = {name.lower() for name, _ in after.headers}
    assert ("content-type" in names) is body_kept and ("content-language" in names) is body_kept


def test_a_post_turned_get_needs_no_second_preflight():
    request = FetchRequest(URL, method="POST", headers={"Content-Type": "application/json"}, body=b"{}")
    verdict, sent = run(
        request,
        ok(ACAO, ("Access-Control-Allow-Headers", "content-type")),
        redirect(C_URL, 302, ACAO),
        ok(("Access-Control-Allow-Origin", "*")),
    )
    assert [(r.kind, r.method) for r in sent] == [("preflight", "OPTIONS"), ("actual", "POST"), ("actual", "GET")]
    assert verdict.ok


def test_a_preflighted_request_redirected_elsewhere_is_preflighted_again_with_origin_null():
    request = FetchRequest(URL, method="PUT")
    verdict, sent = run(
        request,
        ok(ACAO, ("Access-Control-Allow-Methods", "PUT")),
        redirect(C_URL, 307, ACAO),
        ok(("Access-Control-Allow-Origin", "null"), ("Access-Control-Allow-Methods", "PUT")),
        ok(("Access-Control-Allow-Origin", "*")),
    )
    assert [(r.kind, r.url, r.get("origin")) for r in sent] == [
        ("preflight", URL, PAGE),
        ("actual", URL, PAGE),
        ("preflight", C_URL, "null"),
        ("actual", C_URL, "null"),
    ]
    assert verdict.ok


@pytest.mark.parametrize(("hops", "ok_expected"), [(20, True), (21, False)])
def test_at_most_twenty_redirects(hops, ok_expected):
    responses = [redirect(f"/hop{i}", 302, ACAO) for i in range(hops)]
    verdict, sent = run(FetchRequest(URL), *responses, *([ok(ACAO)] if ok_expected else []))
    assert verdict.ok is ok_expected
    if not ok_expected:
        assert verdict.network_error == "net::ERR_TOO_MANY_REDIRECTS"
        assert verdict.failure.code is FailureCode.NETWORK_ERROR
        assert len(sent) == 21


# --- what the page may read -------------------------------------------------------------------------

RESPONSE = (("Content-Type", "application/json"), ("X-Total-Count", "3"), ("ETag", "v1"), ("Set-Cookie", "a=1"))


@pytest.mark.parametrize(
    ("expose", "credentials", "readable"),
    [
        (None, "same-origin", {"content-type"}),
        ("X-Total-Count", "same-origin", {"content-type", "x-total-count"}),
        (
            "*",
            "same-origin",
            {
                "content-type",
                "x-total-count",
                "etag",
                "access-control-allow-origin",
                "access-control-expose-headers",
                "access-control-allow-credentials",
            },
        ),
        ("*", "include", {"content-type"}),
        ("*, ETag", "include", {"content-type", "etag"}),
    ],
)
def test_readable_headers(expose, credentials, readable):
    headers = RESPONSE + (ACAO, ACAC) + ((("Access-Control-Expose-Headers", expose),) if expose else ())
    verdict, _ = run(FetchRequest(URL, credentials=credentials), ok(*headers))
    assert verdict.ok
    assert {name for name, _ in verdict.readable_headers} == readable
    assert all(name == name.lower() for name, _ in verdict.readable_headers)


# --- the interface ------------------------------------------------------------------------------


def test_verdict_before_the_end_and_receive_after_it_are_errors():
    fetch = Fetch(PAGE, FetchRequest(URL))
    with pytest.raises(RuntimeError):
        _ = fetch.verdict
    fetch.receive(ok(ACAO))
    with pytest.raises(RuntimeError):
        fetch.receive(ok(ACAO))


def test_network_error():
    fetch = Fetch(PAGE, FetchRequest(URL, method="PUT"))
    fetch.network_error("net::ERR_CONNECTION_REFUSED")
    verdict = fetch.verdict
    assert (verdict.ok, verdict.network_error, verdict.failure.code, verdict.response) == (
        False,
        "net::ERR_CONNECTION_REFUSED",
        FailureCode.NETWORK_ERROR,
        None,
    )
    assert verdict.console_lines == ("Failed to load resource: net::ERR_CONNECTION_REFUSED",)
    assert verdict.js_error == "TypeError: Failed to fetch" and verdict.status is None
    assert verdict.exchanges[0].response is None and verdict.exchanges[0].request.kind == "preflight"
    assert verdict.steps[-1].passed is False


def test_as_sent_is_what_the_exchange_records():
    fetch = Fetch(PAGE, FetchRequest(URL))
    wire = HttpRequest("GET", URL, (("Host", "localhost:8000"), ("Origin", PAGE)))
    fetch.receive(ok(ACAO), as_sent=wire)
    assert fetch.verdict.exchanges[0].request == wire


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (dict(url="ftp://localhost/users"), FailureCode.UNSUPPORTED_SCHEME),
        (dict(url=URL, method="TRACE"), FailureCode.FORBIDDEN_METHOD),
        (dict(url=URL, method="GET PUT"), FailureCode.INVALID_METHOD),
        (dict(url="http://localhost:99999/x"), FailureCode.INVALID_URL),
    ],
)
def test_fetch_refuses_what_fetch_would_refuse(kwargs, code):
    fetch = Fetch(PAGE, FetchRequest(**kwargs))
    assert fetch.done and fetch.next_request() is None
    assert fetch.verdict.failure.code is code and fetch.verdict.exchanges == ()


def test_a_relative_url_is_the_pages():
    fetch = Fetch(PAGE, FetchRequest("users"), page_url=PAGE + "/app/")
    assert fetch.next_request().url == PAGE + "/app/users"


def test_unknown_credentials_mode_is_refused():
    with pytest.raises(ValueError, match="credentials"):
        FetchRequest(URL, credentials="always")


def test_page_origin_is_taken_from_a_full_page_url():
    verdict, _ = run(FetchRequest(URL), ok(), page="http://LOCALHOST:3000/app/index.html?x=1")
    assert verdict.failure.console_message == HEAD + MISSING


# --- redirects and headers fetch() refuses ---------------------------------------------------------


def test_unparsable_location_is_a_network_error():
    fetch = Fetch(PAGE, FetchRequest(URL))
    fetch.receive(redirect("http://[::1", 302, ACAO))
    assert fetch.done and fetch.verdict.network_error and not fetch.verdict.ok


@pytest.mark.parametrize("location", ["ftp://example.com/x", "data:text/plain,hi"])
def test_redirect_to_a_non_http_scheme_is_a_network_error(location):
    fetch = Fetch(PAGE, FetchRequest(URL))
    fetch.receive(redirect(location, 302, ("Access-Control-Allow-Origin", "*")))
    assert fetch.done and not fetch.verdict.ok


def test_cross_origin_redirect_to_a_url_with_credentials_fails():
    fetch = Fetch(PAGE, FetchRequest(URL))
    fetch.receive(redirect("http://user:pw@127.0.0.1:9000/x", 302, ("Access-Control-Allow-Origin", "*")))
    if not fetch.done:
        fetch.receive(ok(("Access-Control-Allow-Origin", "*")))
    assert not fetch.verdict.ok


def test_method_override_header_naming_a_forbidden_method_is_dropped():
    fetch = Fetch(PAGE, FetchRequest(URL, headers={"X-HTTP-Method-Override": "TRACE"}))
    request = fetch.next_request()
    assert request.kind == "actual" and request.get("x-http-method-override") is None


# --- redirects and the cache: what Chromium 156 does (measured) --------------------------------------------

OTHER = "http://127.0.0.1:9000"


def test_a_cross_origin_redirect_drops_authorization_and_client_hints():
    request = FetchRequest(
        URL, method="POST", headers={"Authorization": "Bearer x", "DPR": "2", "X-Custom": "1"}, body=b"{}"
    )
    fetch = Fetch(PAGE, request, cache=PreflightCache(clock=lambda: 0.0))
    assert fetch.next_request().kind == "preflight"
    fetch.receive(ok(ACAO, ("Access-Control-Allow-Headers", "authorization, x-custom")))
    fetch.receive(ok(ACAO, ("Location", f"{OTHER}/final"), status=307))
    preflight = fetch.next_request()
    assert preflight.kind == "preflight" and preflight.get("access-control-request-headers") == "x-custom"
    fetch.receive(ok(("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "x-custom")))
    actual = fetch.next_request()
    assert actual.get("authorization") is None and actual.get("dpr") is None and actual.get("x-custom") == "1"
    assert any(step.kind is StepKind.REDIRECT_HEADERS_REMOVED for step in fetch._s.steps)


@pytest.mark.parametrize("page_url", [URL, PAGE + "/same"])
def test_a_redirect_to_a_url_with_credentials_is_judged_against_the_page(page_url):
    verdict, _ = run(FetchRequest(page_url), ok(ACAO, ("Location", "http://u:p@127.0.0.1:9/x"), status=302))
    assert code(verdict) == "RedirectContainsCredentials"
    assert "Redirect location ''" in verdict.failure.console_message


def test_a_redirect_to_another_scheme_names_the_schemes_and_data_fails_silently():
    verdict, _ = run(FetchRequest(URL), ok(ACAO, ("Location", "ftp://example.test/f"), status=302))
    assert code(verdict) == "CorsDisabledScheme"
    assert verdict.failure.console_message.startswith(
        f"Access to fetch at 'ftp://example.test/f' (redirected from '{URL}') from origin '{PAGE}'"
    )
    verdict, _ = run(FetchRequest(URL), ok(ACAO, ("Location", "data:,hi"), status=302))
    assert verdict.network_error == "net::ERR_UNSAFE_REDIRECT" and not verdict.ok
    assert verdict.console_lines == ("Failed to load resource: net::ERR_UNSAFE_REDIRECT",)


def test_the_cache_does_not_let_a_wildcard_cover_authorization():
    cache = PreflightCache(clock=lambda: 0.0)
    request = FetchRequest(URL, headers={"Authorization": "x"})
    answer = ok(ACAO, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "600"))
    for _ in range(3):  # a preflight each time, as Chromium sends
        verdict, sent = run(request, answer, ok(ACAO), cache=cache)
        assert verdict.ok and [r.kind for r in sent] == ["preflight", "actual"]
    verdict, sent = run(FetchRequest(URL, headers={"X-Custom": "1"}), ok(ACAO), cache=cache)
    assert verdict.ok and verdict.preflight_cached


def test_header_values_are_trimmed_before_the_safelist():
    verdict, sent = run(FetchRequest(URL, headers={"Range": " bytes=0-10 "}), ok(ACAO))
    assert verdict.ok and not verdict.preflighted and sent[0].get("range") == "bytes=0-10"


def test_a_header_not_exposed_is_a_warning():
    verdict, _ = run(FetchRequest(URL), ok(ACAO, ("X-Total", "3"), ("Date", "today")))
    assert verdict.ok
    assert [(w.kind, w.subject) for w in verdict.warnings] == [(WarningKind.HEADER_NOT_EXPOSED, "x-total")]


@pytest.mark.parametrize(
    ("names", "named"),
    [
        # Measured in Chromium 156: the header its console line names when none is allowed.
        (("X-B", "X-A"), "x-a"),
        (("Accept", "Accept-Language"), "accept-language"),
        (("Content-Type", "Range"), "range"),
        (("mmm", "aaa", "zzz", "bbb", "yyy"), "mmm"),
        (("x-a", "x-b", "x-c"), "x-c"),
        (("x-bb", "x-a", "zeta", "x-q"), "x-a"),
        (("one", "two", "three", "four", "five", "six", "seven"), "three"),
    ],
)
def test_the_disallowed_header_named_is_the_first_in_chromiums_order(names, named):
    values = {"Accept": "(x)", "Accept-Language": "(x)", "Content-Type": "application/json", "Range": "x"}
    request = FetchRequest(URL, headers=[(n, values.get(n, "1")) for n in names])
    verdict, _ = run(request, ok(ACAO, ("Access-Control-Allow-Headers", "x-z")))
    assert (code(verdict), verdict.failure.parameter) == ("HeaderDisallowedByPreflightResponse", named)


@pytest.mark.parametrize(
    ("location", "kept"),
    [(f"{URL}/final", {"save-data", "x-a"}), (f"{PAGE}/final", {"dpr", "save-data", "x-a"})],
)
def test_client_hints_go_only_to_the_pages_own_origin_after_a_redirect(location, kept):
    headers = {"DPR": "x", "Save-Data": "x", "X-A": "1"}
    fetch = Fetch(PAGE, FetchRequest(URL, headers=headers), cache=PreflightCache(clock=lambda: 0.0))
    fetch.receive(ok(ACAO, ("Access-Control-Allow-Headers", "*")))
    fetch.receive(ok(ACAO, ("Location", location), status=307))
    while fetch.next_request().kind == "preflight":
        fetch.receive(ok(("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")))
    assert {name.lower() for name, _ in fetch.next_request().headers} - {"accept", "origin"} == kept


def test_a_preflight_redirected_to_an_unparsable_location_is_a_network_error():
    verdict, _ = run(FetchRequest(URL, method="PUT"), ok(ACAO, ("Location", "http://[bad"), status=303))
    assert verdict.failure.code is FailureCode.NETWORK_ERROR and verdict.network_error == "net::ERR_INVALID_REDIRECT"


@pytest.mark.parametrize(
    ("page_url", "location", "error"),
    [
        (URL, "about:blank", "net::ERR_UNSAFE_REDIRECT"),
        (URL, "file:///etc/hosts", "net::ERR_UNSAFE_REDIRECT"),
        (URL, "blob:http://x/y", "net::ERR_UNSAFE_REDIRECT"),
        (URL, "ws://x/y", "net::ERR_UNKNOWN_URL_SCHEME"),
        (PAGE + "/same", "ws://x/y", None),
        (URL, "mailto:a@b", None),
        (URL, "javascript:1", None),
    ],
)
def test_which_redirect_schemes_get_the_cors_line(page_url, location, error):
    """Measured in Chromium 156: the network stack fails some redirects itself, with its own line."""
    verdict, _ = run(FetchRequest(page_url), ok(ACAO, ("Location", location), status=302))
    assert not verdict.ok and (code(verdict) == "CorsDisabledScheme") is (error is None)
    assert verdict.network_error == error


def test_a_repeated_header_goes_as_one_trimmed_line():
    _, sent = run(FetchRequest(PAGE + "/same", headers=[("X-A", "a"), ("X-A", "")]), ok())
    assert [(n, v) for n, v in sent[0].headers if n == "X-A"] == [("X-A", "a,")]


def test_webkit_names_a_redirect_location_that_does_not_parse_as_it_came():
    # Found by the generated cases: the CORS check of the redirect fails, and WebKit's line names
    # the Location as the server sent it.
    engine = ENGINES["webkit"]
    fetch = Fetch(PAGE, FetchRequest(URL), wording=engine.wording, quirks=engine.quirks)
    fetch.receive(HttpResponse(302, (ACAO, ACAO, ("Location", "http://[bad"))))
    assert fetch.verdict.console_lines == (
        "Cross-origin redirection to http://[bad denied by Cross-Origin Resource Sharing policy: "
        "Access-Control-Allow-Origin cannot contain more than one origin.",
        f"Fetch API cannot load {URL} due to access control checks.",
    )
