import ada_url
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_lab import Origin, OriginError, compare_origins, origin_of
from cors_lab.origins import DEFAULT_PORTS

# --- origin_of: hand-written cases -------------------------------------------------------

ORIGINS = [
    # The seed article's examples.
    ("http://example.com/page1", "http://example.com"),
    ("http://example.com/api", "http://example.com"),
    ("https://example.com", "https://example.com"),
    ("http://api.example.com", "http://api.example.com"),
    ("http://example.com:8000", "http://example.com:8000"),
    ("http://otherdomain.com", "http://otherdomain.com"),
    ("http://localhost:3000", "http://localhost:3000"),
    ("http://localhost:8000/users?page=2", "http://localhost:8000"),
    # Case, default ports, userinfo, path, query and fragment.
    ("HTTP://User:Secret@Example.COM:80/Path?q=1#frag", "http://example.com"),
    ("https://example.com:443/", "https://example.com"),
    ("https://example.com:8443/", "https://example.com:8443"),
    ("http://example.com:443", "http://example.com:443"),
    ("http://example.com:0080/", "http://example.com"),
    ("ws://chat.example.com:80/socket", "ws://chat.example.com"),
    ("wss://chat.example.com:443/socket", "wss://chat.example.com"),
    ("ftp://files.example.com:21/x", "ftp://files.example.com"),
    # IP addresses, IPv6 in brackets, IPv4 shorthand canonicalised.
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
    ("http://[::1]:3000/", "http://[::1]:3000"),
    ("http://[0:0:0:0:0:0:0:1]/", "http://[::1]"),
    ("http://0x7f.1/", "http://127.0.0.1"),
    # Internationalised names in punycode.
    ("https://bücher.example/", "https://xn--bcher-kva.example"),
    ("http://MÜNCHEN.de:8080", "http://xn--mnchen-3ya.de:8080"),
    # A blob: URL has the origin of the page that made it.
    ("blob:https://app.example.com/5d2c1f7e", "https://app.example.com"),
]


@pytest.mark.parametrize(("url", "expected"), ORIGINS)
def test_origin_of_serialises_like_a_browser(url, expected):
    assert str(origin_of(url)) == expected


def test_origin_parts_and_effective_port():
    origin = origin_of("https://Example.com/x")
    assert (origin.scheme, origin.host, origin.port) == ("https", "example.com", 443)
    assert origin.uses_default_port
    assert origin_of("http://localhost:3000").port == 3000
    assert origin_of("http://[::1]:3000").host == "[::1]"


def test_origin_is_a_frozen_value():
    assert origin_of("http://a.com/x") == origin_of("HTTP://A.COM:80/y")
    assert hash(origin_of("http://a.com")) == hash(origin_of("http://a.com/"))
    with pytest.raises(AttributeError):
        origin_of("http://a.com").host = "b.com"
    assert repr(origin_of("http://a.com:80")) == "Origin('http://a.com')"


@pytest.mark.parametrize(
    "url",
    [
        "file:///home/me/index.html",
        "data:text/html,<p>hi</p>",
        "about:blank",
        "blob:null/1234",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "custom-app://callback",
    ],
)
def test_opaque_origins_serialise_as_null(url):
    origin = origin_of(url)
    assert str(origin) == "null"
    assert origin.is_opaque
    assert (origin.scheme, origin.host, origin.port) == (None, None, None)


def test_each_opaque_origin_is_distinct():
    assert origin_of("file:///a") != origin_of("file:///a")
    opaque = origin_of("data:,x")
    assert opaque == opaque


# --- origin_of: bad input -----------------------------------------------------------------

BAD = [
    ("localhost:3000", "has no scheme", "'http://localhost:3000'"),
    ("localhost:3000/api", "has no scheme", "'http://localhost:3000/api'"),
    ("example.com", "has no scheme", "'https://example.com'"),
    ("//example.com", "has no scheme", "'https://example.com'"),
    ("", "is empty", "http://localhost:3000"),
    ("   ", "is empty", "http://localhost:3000"),
    ("frontend", "is a bare word", "http://localhost:3000"),
    ("http://", "has no host", "put a host after 'http://'"),
    ("https://user@", "has no host", "put a host after 'https://'"),
    ("http://localhost:99999", "port 99999, out of range", "between 1 and 65535"),
    ("http://localhost:80a", "port '80a' that is not a number", "digits only"),
    ("http://local host:3000", "whitespace inside", "'http://localhost:3000'"),
    ("http://localhost:3000 ", "whitespace at the end", "'http://localhost:3000'"),
    ("\thttp://localhost:3000", "whitespace at the start", "'http://localhost:3000'"),
    ("htp://localhost:3000", "unknown scheme 'htp'", "'http://localhost:3000'"),
    ("htps://example.com", "unknown scheme 'htps'", "'https://example.com'"),
    ("http://exa<mple.com", "host 'exa<mple.com' that is not valid", "domain name"),
    ("http://[::1/", "host '[::1]' that is not valid", "IPv6"),
]


@pytest.mark.parametrize(("url", "problem", "fix"), BAD)
def test_bad_input_names_the_value_and_the_fix(url, problem, fix):
    with pytest.raises(OriginError) as caught:
        origin_of(url)
    message = str(caught.value)
    assert message.startswith(repr(url))
    assert problem in message
    assert fix in message
    assert isinstance(caught.value, ValueError)


def test_non_string_input_is_refused_clearly():
    with pytest.raises(OriginError, match="is not a string"):
        origin_of(None)  # type: ignore[arg-type]


# --- origin_of: generated URLs --------------------------------------------------------------

label = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?", fullmatch=True).filter(
    lambda s: not s.isdigit() and "--" not in s[2:4]  # all-digit labels read as IPv4; "xn--" is punycode
)
ascii_host = st.lists(label, min_size=1, max_size=4).map(".".join)
ipv4_host = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
idn_host = st.tuples(st.sampled_from(["bücher", "münchen", "café", "straße", "日本"]), ascii_host).map(".".join)
ipv6_host = st.sampled_from(["[::1]", "[2001:db8::7]", "[fe80::1]", "[2001:DB8:0:0:0:0:0:1]"])
scheme = st.sampled_from(sorted(DEFAULT_PORTS))
port = st.none() | st.integers(0, 65535) | st.sampled_from(sorted(set(DEFAULT_PORTS.values())))
tail = st.from_regex(r"(/[a-zA-Z0-9._~%-]{0,8}){0,3}(\?[a-z0-9=&]{0,8})?(#[a-z0-9]{0,8})?", fullmatch=True)
userinfo = st.sampled_from(["", "user@", "user:pass@"])


@given(
    scheme=scheme,
    scheme_upper=st.booleans(),
    userinfo=userinfo,
    host=ascii_host | ipv4_host | idn_host | ipv6_host,
    port=port,
    tail=tail,
)
def test_generated_urls_match_the_whatwg_parser(scheme, scheme_upper, userinfo, host, port, tail):
    url = f"{scheme.upper() if scheme_upper else scheme}://{userinfo}{host}{'' if port is None else f':{port}'}{tail}"
    origin = origin_of(url)

    assert str(origin) == ada_url.URL(url).origin
    # Our own origin rules, computed from the parts we generated:
    expected_host = host.lower() if host.isascii() else ada_url.idna_to_ascii(host.lower()).decode()
    if host.startswith("["):
        expected_host = ada_url.URL(f"http://{host}").hostname  # IPv6 is compressed, still bracketed
    assert origin.scheme == scheme
    assert origin.host == expected_host
    assert origin.port == (DEFAULT_PORTS[scheme] if port is None else port)
    shown_port = "" if origin.port == DEFAULT_PORTS[scheme] else f":{origin.port}"
    assert str(origin) == f"{scheme}://{expected_host}{shown_port}"


@given(st.text(max_size=30))
def test_any_text_gives_an_origin_or_a_clear_error(text):
    try:
        origin = origin_of(text)
    except OriginError as error:
        assert str(error).startswith(repr(text))
        assert error.fix
    else:
        assert isinstance(origin, Origin)


# --- compare_origins ----------------------------------------------------------------------

PAGE = "http://example.com/page1"


@pytest.mark.parametrize(
    ("other", "differences", "phrase"),
    [
        ("http://example.com/api", (), "same scheme, host and port"),
        ("https://example.com", ("scheme", "port"), "different scheme: http vs https"),
        ("http://api.example.com", ("host",), "different host: example.com vs api.example.com"),
        ("http://example.com:8000", ("port",), "different port: 80 (the default for http) vs 8000"),
        ("http://otherdomain.com", ("host",), "different host: example.com vs otherdomain.com"),
    ],
)
def test_seed_comparisons(other, differences, phrase):
    result = compare_origins(PAGE, other)
    assert result.same_origin is (differences == ())
    assert result.differences == differences
    assert phrase in result.explanation


def test_default_port_written_out_is_still_the_same_origin():
    assert compare_origins("http://example.com", "http://example.com:80/x").same_origin
    assert not compare_origins("http://example.com", "https://example.com:80").same_origin


def test_localhost_and_loopback_address_are_different_hosts():
    result = compare_origins("http://localhost:3000", "http://127.0.0.1:3000")
    assert result.differences == ("host",)
    assert "compares names, not addresses" in result.explanation


def test_two_opaque_origins_are_never_the_same():
    result = compare_origins("file:///a.html", "file:///a.html")
    assert not result.same_origin
    assert "opaque" in result.explanation and "null" in result.explanation


def test_comparison_html_marks_the_differing_parts():
    html = compare_origins("http://localhost:3000", "http://localhost:8000")._repr_html_()
    assert "Cross-origin" in html
    port_row = next(row for row in html.split("<tr>") if row.startswith("<th>port"))
    assert "&#x2260;" in port_row and "background" in port_row
    scheme_row = next(row for row in html.split("<tr>") if row.startswith("<th>scheme"))
    assert "background" not in scheme_row


def test_comparison_propagates_bad_input():
    with pytest.raises(OriginError, match="has no scheme"):
        compare_origins("localhost:3000", "http://localhost:8000")
