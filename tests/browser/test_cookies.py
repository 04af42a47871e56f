"""cors_lab.browser.cookies: the cookie jar (ports ignored, SameSite by site, Secure on localhost)
and the cookies a fetch() sends and stores."""

from __future__ import annotations

import pytest

from cors_lab.browser import Cookie, CookieJar, Fetch, FetchRequest, HttpResponse, is_same_site, site_of
from cors_lab.browser.cookies import Deletion, Rejection

PAGE = "http://localhost:3000"
API = "http://localhost:8000"
CROSS = "http://127.0.0.1:8000"  # another site than localhost


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- sites --------------------------------------------------------------------------------------


def test_site_of():
    urls = [
        "http://localhost:8000/x",
        "http://127.0.0.1:8000",
        "http://api.example.com:8000/x",
        "https://a.b.example.co.uk/",
        "https://user.github.io/",
        "http://[::1]:3000/",
    ]
    assert [site_of(url) for url in urls] == [
        "http://localhost",
        "http://127.0.0.1",
        "http://example.com",
        "https://example.co.uk",
        "https://user.github.io",  # github.io is a (private) public suffix
        "http://[::1]",
    ]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://localhost:3000", "http://localhost:8000", True),  # ports do not matter
        ("http://localhost:3000", "http://127.0.0.1:8000", False),
        ("http://localhost:3000", "https://localhost:3000", False),  # schemeful
        ("http://app.example.com", "http://api.example.com", True),
        ("https://a.github.io", "https://b.github.io", False),
    ],
)
def test_is_same_site(a, b, same):
    assert is_same_site(a, b) is same


# --- storing ------------------------------------------------------------------------------------


def _store(line, url=API + "/login", page=PAGE, jar=None, block=True):
    jar = jar if jar is not None else CookieJar(clock=Clock(), block_third_party=block)
    return jar, jar.store(line, url, page_url=page)


def test_a_plain_cookie_is_host_only_lax_and_session():
    _, cookie = _store("sid=abc")
    assert cookie == Cookie("sid", "abc", "localhost", True, "/", False, False, "lax", None)


@pytest.mark.parametrize(
    ("line", "url", "domain", "host_only", "path"),
    [
        ("a=1", API + "/", "localhost", True, "/"),
        ("a=1", API + "/api/login", "localhost", True, "/api"),  # default path: the directory
        ("a=1; Path=relative", API + "/api/login", "localhost", True, "/api"),
        ("a=1; Domain=example.com", "http://api.example.com/", "example.com", False, "/"),
        ("a=1; Domain=.Example.COM", "http://api.example.com/", "example.com", False, "/"),
    ],
)
def test_domain_and_path(line, url, domain, host_only, path):
    _, cookie = _store(line, url=url, page=url)
    assert (cookie.domain, cookie.host_only, cookie.path) == (domain, host_only, path)


@pytest.mark.parametrize(
    ("line", "same_site"),
    [
        ("a=1; SameSite=Strict", "strict"),
        ("a=1; SameSite=bogus", "lax"),
        ("a=1; SameSite=None; Secure", "none"),
    ],
)
def test_samesite_attribute(line, same_site):
    _, cookie = _store(line)
    assert cookie.same_site == same_site


@pytest.mark.parametrize(
    ("line", "url", "page", "block", "reason_part"),
    [
        ("noequals", API + "/", PAGE, True, "no name=value"),
        ("=value", API + "/", PAGE, True, "name is empty"),
        ("a=1; Domain=com", "http://example.com/", "http://example.com", True, "public suffix"),
        ("a=1; Domain=other.com", "http://example.com/", "http://example.com", True, "does not cover"),
        ("a=1; SameSite=None", API + "/", PAGE, True, "SameSite=None needs Secure"),
        ("a=1; Secure", "http://example.com/", "http://example.com", True, "Secure but came over plain http"),
        # Cross-site (localhost page, 127.0.0.1 API): Lax and Strict cookies are refused ...
        ("a=1", CROSS + "/", PAGE, False, "SameSite=Lax and came from a cross-site request"),
        ("a=1; SameSite=Strict", CROSS + "/", PAGE, False, "SameSite=Strict"),
        # ... and Chromium 156 (third-party cookies blocked) refuses even SameSite=None; Secure.
        ("a=1; SameSite=None; Secure", CROSS + "/", PAGE, True, "third-party cookies are blocked"),
    ],
)
def test_rejections(line, url, page, block, reason_part):
    jar, result = _store(line, url=url, page=page, block=block)
    assert isinstance(result, Rejection)
    assert result.line == line and reason_part in result.reason
    assert len(jar) == 0


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/", "http://127.0.0.1:8000/", "http://[::1]:8000/", "http://app.localhost/"]
)
def test_secure_is_accepted_on_https_and_loopback(url):
    _, cookie = _store("a=1; Secure", url=url, page=url)
    assert isinstance(cookie, Cookie) and cookie.secure


def test_samesite_none_secure_is_stored_cross_site_when_third_party_cookies_are_allowed():
    jar, cookie = _store("a=1; SameSite=None; Secure", url=CROSS + "/", block=False)
    assert isinstance(cookie, Cookie) and len(jar) == 1


def test_expiry_with_max_age_and_expires():
    clock = Clock()
    jar = CookieJar(clock=clock)
    jar.store("short=1; Max-Age=10", API + "/", page_url=PAGE)
    jar.store("session=1", API + "/", page_url=PAGE)
    jar.store("old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", API + "/", page_url=PAGE)
    assert sorted(c.name for c in jar) == ["session", "short"]
    clock.now += 10
    assert [c.name for c in jar] == ["session"]


@pytest.mark.parametrize("delete", ["a=; Max-Age=0", "a=x; Max-Age=-5", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"])
def test_an_expired_set_cookie_deletes_the_cookie(delete):
    jar, _ = _store("a=1")
    assert jar.store(delete, API + "/login", page_url=PAGE) == Deletion("a", "localhost", "/", existed=True)
    assert len(jar) == 0
    assert jar.store(delete, API + "/login", page_url=PAGE) == Deletion("a", "localhost", "/", existed=False)


def test_a_logout_response_reads_deleted_not_stored():
    jar = CookieJar(clock=Clock())
    jar.store("sid=1", API + "/", page_url=PAGE)
    logout = HttpResponse(200, CORS_OK + (("Set-Cookie", "sid=; Max-Age=0"),))
    verdict, _ = _run(API + "/logout", jar, logout, credentials="include", method="POST")
    titles = [s.title for s in verdict.steps]
    assert "The browser deleted the cookie sid" in titles and "The browser stored the cookie sid" not in titles
    assert len(jar) == 0


def test_same_name_domain_and_path_replaces():
    jar, _ = _store("a=1")
    jar.store("a=2", API + "/login", page_url=PAGE)
    jar.store("a=3; Path=/other", API + "/login", page_url=PAGE)
    assert sorted((c.path, c.value) for c in jar) == [("/", "2"), ("/other", "3")]


# --- sending ------------------------------------------------------------------------------------


def _jar(*lines, url=API + "/", page=PAGE, block=True):
    jar = CookieJar(clock=Clock(), block_third_party=block)
    for line in lines:
        assert isinstance(jar.store(line, url, page_url=page), Cookie), line
    return jar


@pytest.mark.parametrize(
    ("request_url", "header"),
    [
        ("http://localhost:8000/", "a=1"),
        ("http://localhost:3000/anything", "a=1"),  # cookies ignore ports
        ("http://localhost:9999/api/x", "b=2; a=1"),  # longer path first
        ("http://localhost:8000/apix", "a=1"),  # /api does not cover /apix
        ("http://127.0.0.1:8000/api", None),  # another host
    ],
)
def test_header_for(request_url, header):
    jar = _jar("a=1", "b=2; Path=/api")
    assert jar.header_for(request_url, page_url=PAGE) == header


def test_domain_cookie_covers_subdomains_but_host_only_does_not():
    jar = _jar("d=1; Domain=example.com", "h=1", url="http://example.com/", page="http://example.com")
    assert jar.header_for("http://api.example.com/", page_url="http://example.com") == "d=1"
    assert jar.header_for("http://example.com/", page_url="http://example.com") == "d=1; h=1"


def test_secure_cookie_only_goes_to_secure_urls():
    jar = _jar("s=1; Secure; Domain=example.com", url="https://example.com/", page="https://example.com")
    assert jar.header_for("https://api.example.com/", page_url="https://example.com") == "s=1"
    assert jar.header_for("http://api.example.com/", page_url="http://example.com") is None


@pytest.mark.parametrize(
    ("line", "block", "sent"),
    [
        ("a=1", False, None),  # Lax: not on cross-site requests
        ("a=1; SameSite=Strict", False, None),
        ("a=1; SameSite=None; Secure", False, "a=1"),
        ("a=1; SameSite=None; Secure", True, None),  # third-party cookies blocked
    ],
)
def test_cross_site_sending(line, block, sent):
    # Stored while the page was on the cookie's own site, then requested from a localhost page.
    jar = _jar(line, url=CROSS + "/", page=CROSS, block=block)
    assert jar.header_for(CROSS + "/me", page_url=PAGE) == sent


# --- cookies inside Fetch -------------------------------------------------------------------------

CORS_OK = (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"))


def _run(url, jar, *responses, credentials="same-origin", method="GET", page=PAGE):
    fetch = Fetch(page, FetchRequest(url, method=method, credentials=credentials), cookies=jar)
    sent = []
    for response in responses:
        request = fetch.next_request()
        assert request is not None
        sent.append(request)
        fetch.receive(response)
    assert fetch.done
    return fetch.verdict, sent


@pytest.mark.parametrize(
    ("url", "credentials", "cookie_sent"),
    [
        (API + "/me", "same-origin", None),  # fetch()'s default sends no cookies to another origin
        (API + "/me", "omit", None),
        (API + "/me", "include", "sid=1"),
        (PAGE + "/me", "same-origin", "sid=1"),  # same origin; the cookie came from port 8000
        (PAGE + "/me", "omit", None),
    ],
)
def test_which_requests_carry_cookies(url, credentials, cookie_sent):
    jar = _jar("sid=1")
    verdict, (request,) = _run(url, jar, HttpResponse(200, CORS_OK), credentials=credentials)
    assert verdict.ok
    assert request.get("cookie") == cookie_sent


def test_default_credentials_leave_cookies_out_with_a_step():
    verdict, _ = _run(API + "/me", _jar("sid=1"), HttpResponse(200, CORS_OK))
    assert "Cookies are left out" in [step.title for step in verdict.steps]


def test_forbidden_cookie_header_from_the_page_is_dropped():
    fetch = Fetch(
        PAGE, FetchRequest(API + "/me", headers={"Cookie": "forged=1"}, credentials="include"), cookies=_jar("sid=1")
    )
    request = fetch.next_request()
    assert request.kind == "actual"  # a dropped header does not cause a preflight
    assert request.get_all("cookie") == ["sid=1"]
    fetch.receive(HttpResponse(200, CORS_OK))
    assert fetch.verdict.steps[0].title == "The browser dropped Cookie"


@pytest.mark.parametrize(("credentials", "stored"), [("include", True), ("same-origin", False), ("omit", False)])
def test_set_cookie_is_stored_only_when_the_request_carried_credentials(credentials, stored):
    jar = CookieJar(clock=Clock())
    verdict, _ = _run(
        API + "/login",
        jar,
        HttpResponse(200, CORS_OK + (("Set-Cookie", "sid=new"),)),
        credentials=credentials,
        method="POST",
    )
    assert verdict.ok
    assert (jar.header_for(API + "/", page_url=PAGE) == "sid=new") is stored
    assert ("The browser stored the cookie sid" in [s.title for s in verdict.steps]) is stored


def test_same_origin_request_stores_cookies_by_default():
    jar = CookieJar(clock=Clock())
    verdict, _ = _run(PAGE + "/login", jar, HttpResponse(200, (("Set-Cookie", "sid=1; HttpOnly"),)), method="POST")
    assert verdict.ok and [c.name for c in jar] == ["sid"] and next(iter(jar)).http_only
    assert ("set-cookie", "sid=1; HttpOnly") not in verdict.readable_headers


def test_set_cookie_is_stored_even_when_the_cors_check_then_fails():
    # The network stack stores cookies before the CORS check looks at the response.
    jar = CookieJar(clock=Clock())
    verdict, _ = _run(
        API + "/login",
        jar,
        HttpResponse(200, (("Access-Control-Allow-Origin", PAGE), ("Set-Cookie", "sid=1"))),
        credentials="include",
    )
    assert verdict.failure.code == "InvalidAllowCredentials"
    assert len(jar) == 1


@pytest.mark.parametrize(
    ("line", "block", "stored"),
    [
        ("sid=1", False, False),
        ("sid=1; SameSite=Strict", False, False),
        ("sid=1; SameSite=None; Secure", False, True),
        ("sid=1; SameSite=None; Secure", True, False),
    ],
)
def test_cross_site_set_cookie(line, block, stored):
    jar = CookieJar(clock=Clock(), block_third_party=block)
    verdict, _ = _run(
        CROSS + "/login", jar, HttpResponse(200, CORS_OK + (("Set-Cookie", line),)), credentials="include"
    )
    assert verdict.ok and (len(jar) == 1) is stored
    ignored = [s for s in verdict.steps if s.title == "The browser ignored the cookie sid"]
    assert bool(ignored) is not stored and all(s.passed is False for s in ignored)


def test_preflight_never_carries_cookies_nor_stores_them():
    jar = _jar("sid=1")
    preflight = HttpResponse(204, CORS_OK + (("Access-Control-Allow-Methods", "PUT"), ("Set-Cookie", "p=1")))
    verdict, (options, put) = _run(
        API + "/me", jar, preflight, HttpResponse(200, CORS_OK), credentials="include", method="PUT"
    )
    assert verdict.ok
    assert options.get("cookie") is None and put.get("cookie") == "sid=1"
    assert [c.name for c in jar] == ["sid"]


def test_site_of_refuses_bad_input_and_opaque_origins_have_no_site():
    from cors_lab import OriginError
    from cors_lab.browser import is_same_site, site_of

    with pytest.raises(OriginError, match="has no scheme"):
        site_of("localhost:3000")
    assert site_of("file:///a.html") == "null"
    assert not is_same_site("file:///a.html", "file:///b.html")
