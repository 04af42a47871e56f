"""The headers Chromium adds around the model's: the measured rules, one by one.

tests/differential compares every header the servers receive from the model and from real
Chromium on generated cases; these tests pin the rules it cannot reach from one host
(non-loopback http hosts, https pages).
"""

import pytest

from cors_lab.browser.chromium_headers import (
    USER_AGENT,
    browser_headers,
    fetch_site,
    is_potentially_trustworthy,
)
from cors_lab.browser.http import HttpRequest

PAGE = "http://localhost:3000"


def names(headers: tuple[tuple[str, str], ...]) -> list[str]:
    return [name.lower() for name, _ in headers]


def value(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    found = [v for n, v in headers if n.lower() == name]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("url", "trustworthy"),
    [
        ("https://api.example.com/x", True),
        ("http://localhost:8000/x", True),
        ("http://app.localhost:8000/x", True),
        ("http://127.0.0.1:8000/x", True),
        ("http://127.8.9.1/x", True),
        ("http://[::1]:8000/x", True),
        ("http://api.example.com/x", False),
        ("http://10.0.0.2/x", False),
    ],
)
def test_potentially_trustworthy_urls(url, trustworthy):
    assert is_potentially_trustworthy(url) is trustworthy


@pytest.mark.parametrize(
    ("urls", "site"),
    [
        (["http://localhost:3000/x"], "same-origin"),
        (["http://localhost:8000/x"], "same-site"),  # a site ignores the port
        (["http://127.0.0.1:8000/x"], "cross-site"),
        (["https://localhost:3000/x"], "cross-site"),  # ... but not the scheme
        (["http://localhost:8000/x", "http://localhost:3000/y"], "same-site"),
        (["http://127.0.0.1:8000/x", "http://localhost:3000/y"], "cross-site"),
    ],
)
def test_fetch_site_is_the_most_distant_url_so_far(urls, site):
    assert fetch_site(PAGE, urls) == site


def test_an_actual_request_to_a_loopback_api_carries_everything_chromium_adds():
    request = HttpRequest("GET", "http://localhost:8000/users", (("Origin", PAGE), ("Accept", "*/*")))
    headers = browser_headers(request, page_origin=PAGE)
    assert names(headers) == [
        "connection",
        "sec-ch-ua-platform",
        "user-agent",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "accept",
        "origin",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "referer",
        "accept-encoding",
        "accept-language",
    ]
    assert value(headers, "user-agent") == USER_AGENT and "Chrome/156" in USER_AGENT
    assert value(headers, "sec-fetch-site") == "same-site"
    assert value(headers, "referer") == PAGE + "/"


def test_a_plain_http_host_gets_no_fetch_metadata_and_no_client_hints():
    request = HttpRequest("GET", "http://api.example.test/users", (("Origin", PAGE),))
    got = names(browser_headers(request, page_origin=PAGE))
    assert not [name for name in got if name.startswith("sec-")]
    preflight = HttpRequest("OPTIONS", "http://api.example.test/users", (("Origin", PAGE),), kind="preflight")
    # A preflight still says its mode, and only that.
    assert [n for n in names(browser_headers(preflight, page_origin=PAGE)) if n.startswith("sec-")] == [
        "sec-fetch-mode"
    ]


def test_client_hints_stop_once_a_url_of_the_request_was_not_trustworthy():
    request = HttpRequest("GET", "http://127.0.0.1:8000/after", (("Origin", "null"),))
    headers = browser_headers(
        request, page_origin="http://page.example.test", url_list=["http://api.example.test/x", request.url]
    )
    assert "sec-ch-ua" not in names(headers)
    assert value(headers, "sec-fetch-site") == "cross-site"


def test_the_pages_own_values_win_where_fetch_lets_it_set_them_and_never_where_it_does_not():
    request = HttpRequest(
        "GET",
        "http://localhost:8000/x",
        (("User-Agent", "mine"), ("Accept-Language", "fr"), ("Range", "bytes=0-10"), ("Origin", PAGE)),
    )
    headers = browser_headers(request, page_origin=PAGE)
    assert value(headers, "user-agent") == USER_AGENT
    assert value(headers, "accept-language") == "fr" and names(headers).count("accept-language") == 1
    assert value(headers, "accept-encoding") == "identity"  # a range of encoded bytes would be meaningless


def test_a_credentialed_request_to_another_site_says_it_has_no_storage_access():
    request = HttpRequest("GET", "http://127.0.0.1:8000/me", (("Origin", PAGE),))
    assert value(browser_headers(request, page_origin=PAGE, credentials="include"), "sec-fetch-storage-access") == (
        "none"
    )
    same_site = HttpRequest("GET", "http://localhost:8000/me", (("Origin", PAGE),))
    assert "sec-fetch-storage-access" not in names(browser_headers(same_site, page_origin=PAGE, credentials="include"))


def test_no_referer_from_an_https_page_to_http():
    request = HttpRequest("GET", "http://127.0.0.1:8000/x", (("Origin", "https://app.example.com"),))
    assert "referer" not in names(browser_headers(request, page_origin="https://app.example.com"))
