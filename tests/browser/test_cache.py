"""cors_lab.browser.cache: Chromium's preflight cache, driven by a fake clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_lab.browser import Fetch, FetchRequest, HttpResponse, PreflightCache

PAGE = "http://localhost:3000"
URL = "http://localhost:8000/users"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(clock):
    return PreflightCache(clock=clock)


# --- max-age --------------------------------------------------------------------------------------


# Chromium 156, checked live by tests/test_browser_vs_chromium.py: a value that is not a number is
# ignored (the 5 s default, as the Fetch Standard says); a negative number means no caching.
def test_max_age():
    headers = [None, "600", " 600\t", "0", "-0", "7200", "7201", "86400", "-1", "abc", "1.5", "", "²", "٧"]  # noqa: RUF001
    assert {h: PreflightCache.max_age(h) for h in headers} == {
        None: 5,  # absent: Chromium's default
        "600": 600,
        " 600\t": 600,
        "0": 0,
        "-0": 0,
        "7200": 7200,
        "7201": 7200,
        "86400": 7200,  # Chromium's cap
        "-1": 0,  # negative: not cached
        "abc": 5,
        "1.5": 5,
        "": 5,  # not a number: the default
        "²": 5,  # str.isdigit() says digit; int() would then raise
        "٧": 5,  # noqa: RUF001 -- Arabic-Indic seven: not an ASCII number, so not 7
    }


# --- store and lookup -----------------------------------------------------------------------------


def _store(cache, *, methods=("PUT",), headers=(), include=False, max_age="60", origin=PAGE, url=URL):
    return cache.store(
        origin, url, methods=list(methods), headers=list(headers), include_credentials=include, max_age_header=max_age
    )


def _hit(cache, method="PUT", headers=(), include=False, origin=PAGE, url=URL):
    return cache.lookup(origin, url, method, tuple(headers), include) is not None


def test_entry_lives_exactly_max_age_seconds(cache, clock):
    _store(cache, max_age="60")
    clock.now += 59.9
    assert _hit(cache)
    assert cache.seconds_left(PAGE, URL) == pytest.approx(0.1)
    clock.now += 0.1
    assert not _hit(cache)
    assert len(cache) == 0


def test_default_entry_lives_five_seconds(cache, clock):
    _store(cache, max_age=None)
    clock.now += 4.99
    assert _hit(cache)
    clock.now += 0.01
    assert not _hit(cache)


@pytest.mark.parametrize("max_age", ["-1", "0"])
def test_zero_or_negative_max_age_is_not_reusable(cache, max_age):
    _store(cache, max_age=max_age)
    assert not _hit(cache)


def test_cap_at_7200_seconds(cache, clock):
    _store(cache, max_age="100000")
    clock.now += 7199
    assert _hit(cache)
    clock.now += 1
    assert not _hit(cache)


@pytest.mark.parametrize(
    ("origin", "url", "hit"),
    [
        (PAGE, URL, True),
        ("http://localhost:3001", URL, False),  # keyed by the origin sent
        ("null", URL, False),
        (PAGE, URL + "/1", False),  # and by the exact URL
    ],
)
def test_key_is_origin_and_url(cache, origin, url, hit):
    _store(cache)
    assert _hit(cache, origin=origin, url=url) is hit


@pytest.mark.parametrize(
    ("stored_with", "looked_up_with", "hit"),
    [
        (True, True, True),
        (True, False, True),  # a credentialed entry also serves non-credentialed requests
        (False, False, True),
        (False, True, False),  # but not the other way round
    ],
)
def test_credentials_asymmetry(cache, stored_with, looked_up_with, hit):
    _store(cache, include=stored_with)
    assert _hit(cache, include=looked_up_with) is hit


@pytest.mark.parametrize(
    ("methods", "headers", "method", "request_headers", "include", "hit"),
    [
        (["PUT"], [], "PUT", [], False, True),
        (["PUT"], [], "DELETE", [], False, False),
        (["PUT"], [], "put", [], False, False),  # methods are case-sensitive
        (["PUT"], ["X-A"], "GET", [("x-a", "1")], False, True),  # header names are not
        (["PUT"], ["x-a"], "PUT", [("X-A", "1"), ("X-B", "2")], False, False),
        (["PUT"], ["x-a"], "PUT", [("X-A", "1"), ("Accept", "text/plain")], False, True),  # safelisted: no need
        (["*"], ["*"], "PATCH", [("X-Anything", "1")], False, True),
        (["*"], ["*"], "PATCH", [], True, False),  # '*' is literal with credentials
        (["*", "PATCH"], ["X-Anything"], "PATCH", [("X-Anything", "1")], True, True),
    ],
)
def test_entry_covers_methods_and_headers(cache, methods, headers, method, request_headers, include, hit):
    _store(cache, methods=methods, headers=headers, include=True)
    assert _hit(cache, method=method, headers=request_headers, include=include) is hit


def test_store_replaces_the_entry_and_clear_empties(cache, clock):
    _store(cache, methods=["PUT"])
    _store(cache, methods=["DELETE"])
    assert not _hit(cache, method="PUT") and _hit(cache, method="DELETE")
    _store(cache, url=URL + "/2")
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0 and cache.seconds_left(PAGE, URL) is None


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_property_hit_exactly_while_younger_than_capped_max_age(max_age, elapsed):
    clock = Clock(50.0)
    cache = PreflightCache(clock=clock)
    _store(cache, max_age=str(max_age))
    clock.now += elapsed
    assert _hit(cache) is (50.0 + elapsed < 50.0 + min(max_age, 7200))


# --- the cache inside Fetch -----------------------------------------------------------------------


def _ok_preflight(max_age=None, credentials=False, methods="PUT"):
    headers = [("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Methods", methods)]
    if credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if max_age is not None:
        headers.append(("Access-Control-Max-Age", max_age))
    return HttpResponse(204, tuple(headers))


OK = HttpResponse(200, (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true")))


def _fetch(cache, credentials="same-origin", preflight=None):
    """One PUT; answer the preflight (if asked) and the actual request. Returns the kinds of requests sent."""
    fetch = Fetch(PAGE, FetchRequest(URL, method="PUT", credentials=credentials), cache=cache)
    kinds = []
    while (request := fetch.next_request()) is not None:
        kinds.append(request.kind)
        fetch.receive(preflight if request.kind == "preflight" else OK)
    assert fetch.verdict.ok
    assert fetch.verdict.preflighted is (kinds[0] == "preflight")
    return kinds


@pytest.mark.parametrize(
    ("max_age", "wait", "preflight_again"),
    [
        (None, 4, False),
        (None, 5, True),
        ("abc", 4, False),
        ("-1", 0, True),
        ("100000", 7199, False),
        ("100000", 7200, True),
    ],
)
def test_second_fetch_reuses_the_cached_preflight(cache, clock, max_age, wait, preflight_again):
    assert _fetch(cache, preflight=_ok_preflight(max_age)) == ["preflight", "actual"]
    clock.now += wait
    expected = ["preflight", "actual"] if preflight_again else ["actual"]
    assert _fetch(cache, preflight=_ok_preflight(max_age)) == expected


@pytest.mark.parametrize(
    ("first", "second", "preflight_again"),
    [
        ("include", "same-origin", False),
        ("same-origin", "include", True),
    ],
)
def test_fetch_credentials_asymmetry(cache, first, second, preflight_again):
    _fetch(cache, first, _ok_preflight("600", credentials=True))
    kinds = _fetch(cache, second, _ok_preflight("600", credentials=True))
    assert (kinds[0] == "preflight") is preflight_again


def test_skipped_preflight_is_a_step(cache, clock):
    _fetch(cache, preflight=_ok_preflight("600"))
    clock.now += 100
    fetch = Fetch(PAGE, FetchRequest(URL, method="PUT"), cache=cache)
    assert fetch.next_request().kind == "actual"
    fetch.receive(OK)
    titles = [step.title for step in fetch.verdict.steps]
    assert "The preflight is skipped: an earlier answer is still cached" in titles
    skipped = next(s for s in fetch.verdict.steps if s.title.startswith("The preflight is skipped"))
    assert skipped.detail == "it expires in 500 s (Access-Control-Max-Age)"


def test_failed_preflight_is_not_cached(cache):
    fetch = Fetch(PAGE, FetchRequest(URL, method="PUT"), cache=cache)
    fetch.receive(_ok_preflight("600", methods="DELETE"))
    assert fetch.verdict.failure.code == "MethodDisallowedByPreflightResponse"
    assert len(cache) == 0
