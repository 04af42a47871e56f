"""cors_lab.browser.rules: the CORS rules as pure functions (Fetch Standard, Chromium where they differ)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_lab.browser.rules import (
    AllowOriginFailure,
    check_allow_credentials,
    check_allow_origin,
    combine_headers,
    cors_unsafe_header_names,
    exposed_header_names,
    is_forbidden_request_header,
    normalize_header,
    normalize_method,
    parse_allow_list,
    preflight_reasons,
)

ORIGIN = "http://localhost:3000"

# --- normalize_method ---------------------------------------------------------------------------


def test_normalize_method_uppercases_only_the_six_standard_names():
    given_methods = ["get", "Post", "put", "delete", "head", "options", "patch", "Patch", "PATCH", "purge"]
    assert {m: normalize_method(m) for m in given_methods} == {
        "get": "GET",
        "Post": "POST",
        "put": "PUT",
        "delete": "DELETE",
        "head": "HEAD",
        "options": "OPTIONS",
        # fetch() upper-cases only the six names above: everything else keeps its case.
        "patch": "patch",
        "Patch": "Patch",
        "PATCH": "PATCH",
        "purge": "purge",
    }


@pytest.mark.parametrize("bad", ["TRACE", "connect", "Track", "", "GET POST", "GÉT"])
def test_normalize_method_refuses_forbidden_and_malformed_names(bad):
    with pytest.raises(ValueError):
        normalize_method(bad)


def test_forbidden_request_headers():
    names = [
        "Cookie",
        "origin",
        "HOST",
        "Referer",
        "Content-Length",
        "Access-Control-Request-Headers",
        "Sec-Fetch-Mode",
        "sec-ch-ua",
        "Proxy-Authorization",
        "Set-Cookie",
        "Keep-Alive",
        "X-Custom",
        "Authorization",
        "Content-Type",
        "Accept",
        "Secret",
        "Proxyish",
    ]
    assert [n for n in names if is_forbidden_request_header(n)] == names[:11]


# --- safelisted request headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        (),
        (("Accept", "text/html, */*;q=0.8"),),
        (("Accept", "a\tb"),),  # HTAB is not an unsafe byte
        (("Accept", "a" * 128),),
        (("Accept-Language", "en-US,en;q=0.9"),),
        (("Content-Type", "text/plain;charset=UTF-8"),),
        (("Content-Type", "  TEXT/PLAIN  "),),
        (("Content-Type", "multipart/form-data; boundary=----x"),),
        (("Range", "bytes=0-"),),
        (("Range", "bytes=5-5"),),
        # Forbidden headers never count: fetch() drops them before the check.
        (("Cookie", "a=1"), ("Sec-Fetch-Mode", "cors")),
        # Five safelisted headers at 128 bytes each: 640 bytes, under the 1024-byte budget.
        (
            ("Accept", "a" * 128),
            ("Accept-Language", "b" * 128),
            ("Content-Language", "c" * 128),
            ("Content-Type", "text/plain;x=" + "d" * 115),
            ("Range", "bytes=0-" + "1" * 120),
        ),
    ],
)
def test_safelisted_headers_need_no_preflight(headers):
    assert cors_unsafe_header_names(headers) == []
    assert preflight_reasons("GET", headers) == []


@pytest.mark.parametrize(
    ("headers", "unsafe"),
    [
        ((("X-Custom", "1"),), ["x-custom"]),
        ((("Accept", "a" * 129),), ["accept"]),
        ((("Accept", "text/html("),), ["accept"]),
        ((("Accept", "a\x01"),), ["accept"]),
        ((("Accept", "a\x7f"),), ["accept"]),
        ((("Accept-Language", "en_US"),), ["accept-language"]),
        ((("Content-Language", "x" * 129),), ["content-language"]),
        ((("Content-Type", "application/json"),), ["content-type"]),
        ((("Content-Type", "text"),), ["content-type"]),
        ((("Content-Type", 'text/plain; a="b"'),), ["content-type"]),
        ((("Range", "bytes=500-100"),), ["range"]),
        ((("Range", "bytes=0-1,2-3"),), ["range"]),
        ((("Range", "bytes=-500"),), ["range"]),
        # Two lines are combined with ", " before the check: each fine alone, together over 128 bytes.
        ((("Accept", "a" * 100), ("accept", "b" * 100)), ["accept"]),
        # Names are lower-cased, de-duplicated and sorted.
        (
            (("X-B", "1"), ("x-a", "2"), ("X-A", "3"), ("Content-Type", "application/json")),
            ["content-type", "x-a", "x-b"],
        ),
    ],
)
def test_unsafe_header_names(headers, unsafe):
    assert cors_unsafe_header_names(headers) == unsafe


def test_preflight_reasons_name_the_method_and_each_header():
    reasons = preflight_reasons("PUT", (("X-Custom", "1"), ("Content-Type", "application/json")))
    assert len(reasons) == 3
    assert reasons[0] == "method PUT is not safelisted (only GET, HEAD and POST are)"
    assert "Content-Type application/json is not safelisted" in reasons[1]
    assert reasons[2].startswith("header X-Custom is not safelisted")


def test_preflight_reasons_for_methods():
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS"]
    assert [m for m in methods if preflight_reasons(m, ())] == ["PUT", "DELETE", "PATCH", "patch", "OPTIONS"]


def test_combine_headers_lowercases_and_joins_repeats():
    assert combine_headers((("X-A", "1"), ("Accept", "b"), ("x-a", "2"))) == {"x-a": "1, 2", "accept": "b"}


_SAFELISTED_NAMES = {"accept", "accept-language", "content-language", "content-type", "range"}
_header_names = st.sampled_from(
    [
        "X-Custom",
        "x-custom",
        "X-Api-Key",
        "Authorization",
        "Accept",
        "Content-Type",
        "content-type",
        "Range",
        "Accept-Language",
        "Cookie",
        "Sec-Fetch-Site",
        "X-Requested-With",
        "Content-Language",
        "Proxy-X",
    ]
)
_header_values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


@given(st.lists(st.tuples(_header_names, _header_values), max_size=8))
def test_property_unsafe_names_are_sorted_lowercase_unique_and_complete(headers):
    names = cors_unsafe_header_names(tuple(headers))
    assert names == sorted(set(names))
    assert all(name == name.lower() and " " not in name and "," not in name for name in names)
    given_names = {name.lower() for name, _ in headers}
    assert set(names) <= given_names
    assert not any(is_forbidden_request_header(name) for name in names)
    # Every header that is neither forbidden nor one of the five safelisted names needs a preflight.
    assert {n for n in given_names if n not in _SAFELISTED_NAMES and not is_forbidden_request_header(n)} <= set(names)


# --- Access-Control-Allow-Origin (Chromium's order) -----------------------------------------------


def _verdict(values, origin=ORIGIN, include=False):
    failure = check_allow_origin(values, origin, include)
    return None if failure is None else (failure.code, failure.parameter)


@pytest.mark.parametrize(
    ("values", "include", "expected"),
    [
        ([], False, ("MissingAllowOriginHeader", "")),
        ([], True, ("MissingAllowOriginHeader", "")),
        (["*"], False, None),
        ([" *"], False, None),
        (["\t*"], False, None),
        (["* "], False, None),
        (["*"], True, ("WildcardOriginNotAllowed", "")),
        ([ORIGIN], False, None),
        ([ORIGIN], True, None),
        ([f"  {ORIGIN}\t"], False, None),
        ([ORIGIN, ORIGIN], False, ("MultipleAllowOriginValues", f"{ORIGIN}, {ORIGIN}")),
        (["*", "*"], False, ("MultipleAllowOriginValues", "*, *")),
        (
            [f"{ORIGIN}, http://localhost:8000"],
            False,
            ("MultipleAllowOriginValues", f"{ORIGIN}, http://localhost:8000"),
        ),
        ([f"{ORIGIN} http://x.com"], False, ("MultipleAllowOriginValues", f"{ORIGIN} http://x.com")),
        (["a,b"], False, ("MultipleAllowOriginValues", "a,b")),
        (["null"], False, ("AllowOriginMismatch", "null")),
        (["foo"], False, ("InvalidAllowOriginValue", "foo")),
        (["**"], False, ("InvalidAllowOriginValue", "**")),
        ([""], False, ("InvalidAllowOriginValue", "")),
        ([f"{ORIGIN}/"], False, ("AllowOriginMismatch", f"{ORIGIN}/")),
        (["HTTP://LOCALHOST:3000"], False, ("AllowOriginMismatch", "HTTP://LOCALHOST:3000")),
        (["http://localhost:3001"], False, ("AllowOriginMismatch", "http://localhost:3001")),
        (["https://localhost:3000"], True, ("AllowOriginMismatch", "https://localhost:3000")),
    ],
)
def test_check_allow_origin(values, include, expected):
    assert _verdict(values, include=include) == expected


def test_allow_origin_null_matches_a_null_origin():
    assert check_allow_origin(["null"], "null", False) is None
    assert check_allow_origin(["*"], "null", False) is None
    assert _verdict([ORIGIN], origin="null") == ("AllowOriginMismatch", ORIGIN)


def test_non_ascii_allow_origin_is_invalid():
    failure = check_allow_origin(["http://café.example"], ORIGIN, False)
    assert failure is not None and failure.code == "InvalidAllowOriginValue"
    # The value as it came; Chromium's console wording escapes it (\\u00E9), see test_failures.
    assert failure.parameter == "http://café.example"


def test_check_allow_credentials_wants_exactly_true():
    cases = [["true"], [" true "], ["True"], ["false"], [], ["true", "true"]]
    assert [check_allow_credentials(values) for values in cases] == [
        None,
        None,
        AllowOriginFailure("InvalidAllowCredentials", "True"),
        AllowOriginFailure("InvalidAllowCredentials", "false"),
        AllowOriginFailure("InvalidAllowCredentials", ""),
        AllowOriginFailure("InvalidAllowCredentials", "true, true"),
    ]


# A value either names one of a few origins (valid URLs), or is a word with no ':' (never an
# absolute URL), optionally padded, optionally repeated as several lines.
_acao_atom = st.one_of(
    st.sampled_from(
        [
            "*",
            "null",
            ORIGIN,
            ORIGIN + "/",
            "http://localhost:8000",
            "HTTP://localhost:3000",
            "https://localhost:3000",
            "**",
            "",
            "http://café.example",
        ]
    ),
    st.text(alphabet="ab*-. ,é", max_size=6),
)
_padding = st.sampled_from(["", " ", "\t", " \t"])


@given(st.lists(st.tuples(_padding, _acao_atom, _padding).map("".join), max_size=3), st.booleans())
def test_property_allow_origin_verdict_follows_chromium_rules(values, include):
    """An independent oracle written from the observed Chromium behaviour."""
    if not values:
        expected = "MissingAllowOriginHeader"
    else:
        joined = ", ".join(v.strip(" \t") for v in values)
        if joined == "*":
            expected = "WildcardOriginNotAllowed" if include else None
        elif joined == ORIGIN:
            expected = None
        elif " " in joined or "," in joined:
            expected = "MultipleAllowOriginValues"
        elif not joined.isascii():
            expected = "InvalidAllowOriginValue"
        elif joined == "null" or joined.lower().startswith(("http://", "https://")):
            expected = "AllowOriginMismatch"
        else:  # no scheme: not a URL
            expected = "InvalidAllowOriginValue"
    failure = check_allow_origin(values, ORIGIN, include)
    assert (failure.code if failure else None) == expected


# --- lists, max-age, exposed headers ----------------------------------------------------------------


def test_parse_allow_list():
    values = [None, "", "PUT, DELETE", "PUT,\tDELETE ,patch", "*", "PUT DELETE", "PUT;DELETE", "X-A, @b"]
    assert {v: parse_allow_list(v) for v in values} == {
        None: [],
        "": [],
        "PUT, DELETE": ["PUT", "DELETE"],
        "PUT,\tDELETE ,patch": ["PUT", "DELETE", "patch"],
        "*": ["*"],
        "PUT DELETE": None,
        "PUT;DELETE": None,
        "X-A, @b": None,
    }


RESPONSE_HEADERS = (
    ("Content-Type", "application/json"),
    ("Content-Length", "2"),
    ("X-Total", "5"),
    ("X-Request-Id", "r1"),
    ("Set-Cookie", "a=1"),
    ("ETag", '"v1"'),
)
SAFELISTED = {
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
}


@pytest.mark.parametrize(
    ("expose", "include", "extra"),
    [
        (None, False, set()),
        ("x-total, X-Request-Id", True, {"x-total", "x-request-id"}),
        ("*", False, {"x-total", "x-request-id", "etag"}),
        ("*", True, set()),  # with credentials "*" is a literal name, exposing nothing real
        ("*, Set-Cookie", False, {"x-total", "x-request-id", "etag"}),
    ],
)
def test_exposed_header_names(expose, include, extra):
    names = exposed_header_names(RESPONSE_HEADERS, expose, include)
    assert names == SAFELISTED | extra
    assert "set-cookie" not in names


# --- Chromium's extra safelisted headers, fetch()'s header normalisation ----------------------------------


@pytest.mark.parametrize(
    ("name", "value", "safelisted"),
    [
        ("DPR", "1.5", True),
        ("DPR", "2", True),
        ("DPR", "abc", False),
        ("DPR", "1.", False),
        ("Device-Memory", "0.25", True),
        ("Downlink", "10.0", True),
        ("Width", "1.5", False),
        ("Width", "300", True),
        ("Viewport-Width", "1280", True),
        ("RTT", "50", True),
        ("RTT", "5.5", False),
        ("ECT", "4g", True),
        ("ECT", "slow-2g", True),
        ("ECT", "5g", False),
        ("ECT", "4G", False),  # compared case-sensitively
        ("Save-Data", "on", True),
        ("Save-Data", "ON", True),
        ("Save-Data", "off", False),
        ("Intervention", "anything", True),
        ("Range", "BYTES=0-10", True),
    ],
)
def test_chromium_safelists_client_hints_with_valid_values(name, value, safelisted):
    # services/network/public/cpp/cors/cors.cc, IsCorsSafelistedHeader; measured in Chromium 156.
    assert (cors_unsafe_header_names(((name, value),)) == []) is safelisted


def test_fetch_trims_http_whitespace_from_values():
    assert normalize_header("Range", " bytes=0-10\t") == ("Range", "bytes=0-10")
    assert normalize_header("Content-Type", " text/plain ") == ("Content-Type", "text/plain")


@pytest.mark.parametrize(
    ("name", "value"),
    [("X-A", "x\u0100"), ("X-A", "a\nb"), ("X-A", "a\0b"), ("José", "1"), ("X A", "1"), ("", "1")],
)
def test_fetch_throws_on_values_no_header_can_carry(name, value):
    with pytest.raises(ValueError, match="TypeError"):
        normalize_header(name, value)


def test_latin1_values_are_one_byte_each():
    # 128 characters of é are 128 bytes on the wire (Latin-1), so still within the limit.
    assert cors_unsafe_header_names((("Accept", "é" * 128),)) == []
    assert cors_unsafe_header_names((("Accept", "é" * 129),)) == ["accept"]
