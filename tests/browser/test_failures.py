"""cors_lab.browser.failures: Chromium's console lines, and the plain-words explanation and fix."""

from __future__ import annotations

import pytest

from cors_lab.advice import advise
from cors_lab.browser.failures import CODES, PREFLIGHT_CODES, CorsFailure, FailureCode, FailureContext, console_message
from cors_lab.browser.http import HttpResponse

URL = "http://localhost:8000/users"
PAGE = "http://localhost:3000"
HEAD = f"Access to fetch at '{URL}' from origin '{PAGE}' has been blocked by CORS policy: "
PRE = "Response to preflight request doesn't pass access control check: "
VALID = " Have the server send the header with a valid value."

# Every code, with a parameter, and Chromium's full console line written out by hand.
MESSAGES = [
    (
        "MissingAllowOriginHeader",
        "",
        HEAD + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    (
        "AllowOriginMismatch",
        "http://localhost:3000/",
        HEAD + "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3000/' that is not equal to the "
        "supplied origin." + VALID,
    ),
    (
        "MultipleAllowOriginValues",
        "http://a.com, http://b.com",
        HEAD + "The 'Access-Control-Allow-Origin' header contains multiple values 'http://a.com, http://b.com', but "
        "only one is allowed." + VALID,
    ),
    (
        "InvalidAllowOriginValue",
        "foo",
        HEAD + "The 'Access-Control-Allow-Origin' header contains the invalid value 'foo'." + VALID,
    ),
    (
        "WildcardOriginNotAllowed",
        "",
        HEAD + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
        "when the request's credentials mode is 'include'.",
    ),
    (
        "InvalidAllowCredentials",
        "",
        HEAD + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' "
        "when the request's credentials mode is 'include'.",
    ),
    ("PreflightInvalidStatus", "", HEAD + PRE + "It does not have HTTP ok status."),
    ("PreflightDisallowedRedirect", "", HEAD + PRE + "Redirect is not allowed for a preflight request."),
    (
        "MethodDisallowedByPreflightResponse",
        "PUT",
        HEAD + "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    ),
    (
        "HeaderDisallowedByPreflightResponse",
        "x-custom",
        HEAD + "Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.",
    ),
    (
        "InvalidAllowMethodsPreflightResponse",
        "",
        HEAD + "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
    ),
    (
        "InvalidAllowHeadersPreflightResponse",
        "",
        HEAD + "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
    ),
    (
        "RedirectContainsCredentials",
        "http://user:pw@127.0.0.1:9000/x",
        HEAD + "Redirect location 'http://user:pw@127.0.0.1:9000/x' contains a username and password, which is "
        "disallowed for cross-origin requests.",
    ),
    (
        "PreflightMissingAllowOriginHeader",
        "",
        HEAD + PRE + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    (
        "PreflightAllowOriginMismatch",
        "null",
        HEAD + PRE + "The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied "
        "origin." + VALID,
    ),
    (
        "PreflightMultipleAllowOriginValues",
        "*, *",
        HEAD + PRE + "The 'Access-Control-Allow-Origin' header contains multiple values '*, *', but only one is "
        "allowed." + VALID,
    ),
    (
        "PreflightInvalidAllowOriginValue",
        "**",
        HEAD + PRE + "The 'Access-Control-Allow-Origin' header contains the invalid value '**'." + VALID,
    ),
    (
        "PreflightWildcardOriginNotAllowed",
        "",
        HEAD + PRE + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard "
        "'*' when the request's credentials mode is 'include'.",
    ),
    (
        "PreflightInvalidAllowCredentials",
        "True",
        HEAD + PRE + "The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must "
        "be 'true' when the request's credentials mode is 'include'.",
    ),
    (
        "CorsDisabledScheme",
        "",
        HEAD + "Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app.",
    ),
]


def test_the_table_covers_every_code():
    assert sorted(code for code, _, _ in MESSAGES) == sorted(CODES)
    assert len(set(CODES)) == 20


def test_console_message_for_every_code():
    # One comparison for the whole table: a failure shows every code whose line differs.
    assert {code: console_message(code, parameter, URL, PAGE) for code, parameter, _ in MESSAGES} == {
        code: expected for code, _, expected in MESSAGES
    }


def test_console_message_after_a_redirect():
    message = console_message(
        "AllowOriginMismatch", PAGE, "http://127.0.0.1:9000/final", PAGE, redirected_from="http://localhost:8000/start"
    )
    assert message == (
        "Access to fetch at 'http://127.0.0.1:9000/final' (redirected from 'http://localhost:8000/start') from origin "
        "'http://localhost:3000' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a "
        "value 'http://localhost:3000' that is not equal to the supplied origin." + VALID
    )


def test_preflight_codes_map_to_their_twins():
    assert PREFLIGHT_CODES == {
        "PreflightMissingAllowOriginHeader": "MissingAllowOriginHeader",
        "PreflightAllowOriginMismatch": "AllowOriginMismatch",
        "PreflightMultipleAllowOriginValues": "MultipleAllowOriginValues",
        "PreflightInvalidAllowOriginValue": "InvalidAllowOriginValue",
        "PreflightWildcardOriginNotAllowed": "WildcardOriginNotAllowed",
        "PreflightInvalidAllowCredentials": "InvalidAllowCredentials",
    }


def test_at_preflight():
    preflight_stage = [code for code in CODES if _build(code).at_preflight]
    assert sorted(preflight_stage) == sorted(
        set(CODES)
        - {
            "MissingAllowOriginHeader",
            "AllowOriginMismatch",
            "MultipleAllowOriginValues",
            "InvalidAllowOriginValue",
            "WildcardOriginNotAllowed",
            "InvalidAllowCredentials",
            "RedirectContainsCredentials",
            "CorsDisabledScheme",
        }
    )


# --- explanations and fixes -----------------------------------------------------------------------


def _context(status=200, headers=(), body=b"", origin_sent=PAGE, method="GET", credentials="same-origin", unsafe=()):
    return FailureContext(
        PAGE, origin_sent, method, credentials, HttpResponse(status, tuple(headers), body), tuple(unsafe)
    )


def _build(code, parameter="", **context):
    """A failure as the model gives it, with the FastAPI advice filled in."""
    message = console_message(code, parameter, URL, PAGE)
    return advise(CorsFailure(FailureCode(code), parameter, URL, message, context=_context(**context)))


def test_build_carries_code_parameter_url_and_console_line():
    failure = _build("AllowOriginMismatch", "http://localhost:3001")
    assert (failure.code, failure.parameter, failure.url) == ("AllowOriginMismatch", "http://localhost:3001", URL)
    assert failure.console_message == console_message("AllowOriginMismatch", "http://localhost:3001", URL, PAGE)


@pytest.mark.parametrize(
    ("code", "parameter", "context", "in_fix"),
    [
        # An unhandled exception: Starlette's 500 comes from outside CORSMiddleware.
        ("MissingAllowOriginHeader", "", {"status": 500}, "unhandled exception"),
        ("MissingAllowOriginHeader", "", {"origin_sent": "null"}, "'Origin: null'"),
        ("PreflightMissingAllowOriginHeader", "", {"status": 401}, "let OPTIONS requests through"),
        ("AllowOriginMismatch", "http://localhost:3000/", {}, "Remove the trailing slash"),
        ("AllowOriginMismatch", "HTTP://LOCALHOST:3000", {}, "exactly as the browser sends it"),
        ("AllowOriginMismatch", "http://localhost:3001", {}, "different port"),
        ("AllowOriginMismatch", PAGE, {"origin_sent": "null"}, "call the final URL directly"),
        ("WildcardOriginNotAllowed", "", {"credentials": "include"}, "allow_credentials=True"),
        ("PreflightInvalidStatus", "", {"status": 405}, "add CORSMiddleware"),
        ("PreflightInvalidStatus", "", {"status": 403}, "Authentication answered the preflight"),
        (
            "PreflightDisallowedRedirect",
            "",
            {"status": 307, "headers": [("Location", "http://localhost:8000/users/")]},
            "(http://localhost:8000/users/)",
        ),
        ("MethodDisallowedByPreflightResponse", "patch", {"method": "patch"}, "write 'PATCH' in the fetch call"),
        (
            "MethodDisallowedByPreflightResponse",
            "PUT",
            {"credentials": "include", "headers": [("Access-Control-Allow-Methods", "*")]},
            "taken literally",
        ),
        (
            "HeaderDisallowedByPreflightResponse",
            "x-api-key",
            {"credentials": "include", "headers": [("Access-Control-Allow-Headers", "*")]},
            "list 'X-Api-Key' by name",
        ),
    ],
)
def test_fix_points_at_the_cause(code, parameter, context, in_fix):
    assert in_fix in _build(code, parameter, **context).fix


def test_starlette_refusal_in_the_preflight_body_is_explained():
    failure = _build(
        "PreflightInvalidStatus",
        status=400,
        body=b"Disallowed CORS origin, method, headers",
        method="PUT",
        unsafe=("x-api-key", "x-trace"),
        headers=[("Access-Control-Allow-Headers", "Accept, X-Trace")],
    )
    assert "'Disallowed CORS origin, method, headers'" in failure.explanation
    assert failure.fix == (
        "In CORSMiddleware, add 'http://localhost:3000' to allow_origins and add 'PUT' to "
        "allow_methods and add 'X-Api-Key' to allow_headers."
    )


def test_explanation_names_the_response_and_its_status():
    assert _build("MissingAllowOriginHeader", status=404).explanation == (
        "The response (status 404) has no Access-Control-Allow-Origin header, so the browser will not let a page at "
        "http://localhost:3000 read it."
    )


@pytest.mark.parametrize(
    ("code", "parameter"),
    [
        ("PreflightMissingAllowOriginHeader", ""),
        ("PreflightAllowOriginMismatch", "http://localhost:3001"),
    ],
)
def test_preflight_explanations_keep_options_in_capitals(code, parameter):
    assert _build(code, parameter, status=404).explanation.startswith("The preflight (OPTIONS) response")


def test_codes_are_typed_and_compare_as_their_names():
    code = FailureCode("PreflightAllowOriginMismatch")
    assert code == "PreflightAllowOriginMismatch" and f"{code}" == "PreflightAllowOriginMismatch"
    assert code.is_preflight_twin and code.base is FailureCode.ALLOW_ORIGIN_MISMATCH and code.is_origin_check
    assert FailureCode.ALLOW_ORIGIN_MISMATCH.preflight_twin is code
    assert (
        not FailureCode.PREFLIGHT_INVALID_STATUS.is_preflight_twin and FailureCode.PREFLIGHT_INVALID_STATUS.at_preflight
    )


def test_chromium_escapes_control_and_non_ascii_characters_in_the_parameter():
    line = console_message("MultipleAllowOriginValues", "\u00e9\t\x7f, x", URL, PAGE)
    assert "'\\u00E9\\u0009\\u007F, x'" in line


def test_every_code_has_a_kind_and_the_cors_codes_are_chromiums_cors_error_names():
    from cors_lab.browser.failures import ALL_CODES

    kinds = {code: code.kind for code in FailureCode}
    assert set(kinds.values()) == {"cors", "mixed-content", "network", "type-error"}
    assert FailureCode.MIXED_CONTENT.kind == "mixed-content"
    assert FailureCode.NETWORK_ERROR.kind == "network"
    assert FailureCode.UNSUPPORTED_SCHEME.kind == "type-error"
    assert [c for c in ALL_CODES if FailureCode(c).kind == "cors"] == list(CODES)


def test_chromium_words_a_cors_failure_for_fetch_and_for_xhr():
    from cors_lab.browser.chromium import CHROMIUM
    from cors_lab.browser.engine import Occasion

    fetch = Occasion("http://api.test/x", "http://page.test")
    xhr = Occasion("http://api.test/x", "http://page.test", api="xhr")
    code = FailureCode.ALLOW_ORIGIN_MISMATCH
    assert CHROMIUM.console_lines(code, "http://o.test", fetch) == (
        "Access to fetch at 'http://api.test/x' from origin 'http://page.test' has been blocked by CORS policy: The "
        "'Access-Control-Allow-Origin' header has a value 'http://o.test' that is not equal to the supplied origin. "
        "Have the server send the header with a valid value.",
        "Failed to load resource: net::ERR_FAILED",
    )
    assert CHROMIUM.console_lines(code, "http://o.test", xhr)[0] == (
        "Access to XMLHttpRequest at 'http://api.test/x' from origin 'http://page.test' has been blocked by CORS "
        "policy: The 'Access-Control-Allow-Origin' header has a value 'http://o.test' that is not equal to the "
        "supplied origin."
    )
    assert CHROMIUM.js_error(code, "", fetch) == "TypeError: Failed to fetch"
    assert CHROMIUM.js_error(code, "", xhr) == ""
    assert CHROMIUM.console_lines(FailureCode.INVALID_ALLOW_CREDENTIALS, "", xhr)[0].endswith(
        "The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials "
        "attribute."
    )
    assert CHROMIUM.console_lines(FailureCode.BODY_WITH_GET_OR_HEAD, "", fetch) == ()
