"""Notebook 01's exercises: right answers pass, typical wrong ones get feedback that names the mistake."""

import pytest

from cors_lab.exercises import origins as ex

SHOP, DOCS, FILE = ex.URLS
RIGHT_ORIGINS = {SHOP: "https://shop.example.com", DOCS: "http://localhost:8000", FILE: "null"}
RIGHT_ALLOW_LIST = ["http://localhost:3000", "https://myfrontend.com", "https://admin.myfrontend.com"]


def answers(**changes):
    """The right answers to 1.1, with some replaced: shop=..., docs=..., file=..."""
    result = dict(RIGHT_ORIGINS)
    for key, value in changes.items():
        result[{"shop": SHOP, "docs": DOCS, "file": FILE}[key]] = value
    return result


# --- 1.1 ---------------------------------------------------------------------------------------------------


def test_1_1_accepts_the_origins_a_browser_sends():
    feedback = ex.origin_sent.check(RIGHT_ORIGINS)
    assert feedback.passed, feedback.full_text


def test_1_1_the_notebooks_starting_answer_names_both_mistakes():
    feedback = ex.origin_sent.check(answers(shop="https://shop.example.com/cart", file=FILE))
    assert not feedback.passed
    assert (
        "you named the right origin, but 'https://shop.example.com/cart' has '/cart' after the host"
        in feedback.full_text
    )
    assert "a file: page has an opaque origin" in feedback.full_text
    assert DOCS not in feedback.full_text  # the right one is not mentioned


@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://shop.example.com/", "ends with a trailing slash"),
        ("https://Shop.Example.com", "has upper-case letters"),
        ("HTTPS://shop.example.com", "has upper-case letters"),
        ("https://shop.example.com:443", "names the port :443 (the default for https"),
        ("http://shop.example.com", "is another origin: different scheme: http vs https"),
        ("https://example.com", "is another origin: different host: example.com vs shop.example.com"),
        ("shop.example.com", "has no scheme"),
        ("null", "'null' is only for opaque origins"),
        (443, "give the origin as a string, not int 443"),
    ],
)
def test_1_1_names_what_is_wrong_with_the_shop_origin(given, expected):
    feedback = ex.origin_sent.check(answers(shop=given))
    assert not feedback.passed
    assert feedback.detail.startswith(f"for {SHOP!r}, ")
    assert expected in feedback.full_text


def test_1_1_several_problems_at_once_are_numbered_and_all_named():
    feedback = ex.origin_sent.check(answers(shop="HTTPS://shop.example.com:443/", docs="localhost:8000", file="NULL"))
    message = feedback.full_text
    assert feedback.detail.startswith("- for 'HTTPS")
    assert "ends with a trailing slash" in message and "has upper-case letters" in message
    assert "names the port :443" in message
    assert "- for 'http://localhost:8000/docs', 'localhost:8000' has no scheme" in message
    assert "- for 'file:///home/me/report.html', write 'NULL' exactly as the browser does" in message


def test_1_1_missing_extra_and_wrongly_typed_answers():
    missing = dict(RIGHT_ORIGINS)
    del missing[DOCS]
    assert f"{DOCS!r} is missing" in ex.origin_sent.check(missing).full_text
    extra = dict(RIGHT_ORIGINS, **{"http://x.example": "http://x.example"})
    assert "'http://x.example' is not one of this exercise's URLs" in ex.origin_sent.check(extra).full_text
    assert "should be a dict" in ex.origin_sent.check(["https://shop.example.com"]).full_text


# --- 1.2 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "picks",
    [
        {0, 3, 5},
        [5, 3, 0],
        {ex.CANDIDATES[0], ex.CANDIDATES[3], ex.CANDIDATES[5]},
        {0, ex.CANDIDATES[3], 5},
    ],
)
def test_1_2_accepts_the_same_origin_urls_as_indices_or_urls(picks):
    feedback = ex.same_origin_picks.check(picks)
    assert feedback.passed, feedback.full_text


def test_1_2_the_notebooks_starting_answer():
    message = ex.same_origin_picks.check({0, 2}).full_text
    assert (
        "- you picked 2 (https://api.example.com/users), but it is cross-origin with the page: "
        "different host: app.example.com vs api.example.com"
    ) in message
    assert "- you left out 3 (https://app.example.com:443/health)" in message
    assert ":443 is the default port of https" in message
    assert "- you left out 5 (https://APP.Example.com/users?page=2)" in message
    assert "host names ignore case" in message


@pytest.mark.parametrize(
    "index, reason",
    [
        (
            1,
            "different scheme: https vs http; different port: 443 (the default for https) vs 80 (the default for http)",
        ),
        (4, "different port: 443 (the default for https) vs 8443"),
        (6, "different host: app.example.com vs example.com (a subdomain is a different host)"),
    ],
)
def test_1_2_a_wrong_pick_is_explained_by_compare_origins(index, reason):
    feedback = ex.same_origin_picks.check({0, 3, 5, index})
    assert not feedback.passed
    assert feedback.detail == (
        f"you picked {index} ({ex.CANDIDATES[index]}), but it is cross-origin with the page: {reason}."
    )


@pytest.mark.parametrize(
    "picks, expected",
    [
        (3, "give a set of picks"),
        ({0, 9}, "9 is not an index of CANDIDATES"),
        ({0, "https://app.example.com"}, "'https://app.example.com' is not one of the CANDIDATES"),
        ({0, 1.5}, "1.5 is not a pick"),
    ],
)
def test_1_2_bad_picks_get_feedback(picks, expected):
    feedback = ex.same_origin_picks.check(picks)
    assert not feedback.passed
    assert expected in feedback.full_text


# --- 1.3 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("allow_origins", [RIGHT_ALLOW_LIST, list(reversed(RIGHT_ALLOW_LIST)), tuple(RIGHT_ALLOW_LIST)])
def test_1_3_accepts_the_exact_origins(allow_origins):
    feedback = ex.allowed_origins.check(allow_origins)
    assert feedback.passed, feedback.full_text
    assert "https://evil.example/ is still blocked" in feedback.full_text


def test_1_3_the_notebooks_starting_answer_names_each_mistake():
    message = ex.allowed_origins.check(
        ["http://localhost:3000/", "https://MyFrontend.com", "https://admin.myfrontend.com:443"]
    ).full_text
    assert (
        "- the page at http://localhost:3000/ is still blocked (MissingAllowOriginHeader): its browser sends "
        "Origin: http://localhost:3000, but your entry 'http://localhost:3000/' ends with a trailing slash"
    ) in message
    assert "- the page at https://myfrontend.com/dashboard is still blocked" in message
    assert "'https://MyFrontend.com' has upper-case letters" in message
    assert "- the page at https://admin.myfrontend.com/login is still blocked" in message
    assert "'https://admin.myfrontend.com:443' names the port :443 (the default for https" in message


def test_1_3_one_mistake_left():
    feedback = ex.allowed_origins.check(
        ["http://localhost:3000", "https://myfrontend.com/", "https://admin.myfrontend.com"]
    )
    assert not feedback.passed
    assert feedback.detail.startswith("the page at https://myfrontend.com/dashboard is still blocked")
    assert "'https://myfrontend.com/' ends with a trailing slash" in feedback.full_text


def test_1_3_a_missing_frontend():
    message = ex.allowed_origins.check(RIGHT_ALLOW_LIST[:2]).detail
    assert message == (
        "the page at https://admin.myfrontend.com/login is still blocked (MissingAllowOriginHeader): "
        "no entry names its origin (scheme, host and port)."
    )


def test_1_3_a_wildcard_lets_the_attacker_in():
    for allow_origins in (["*"], RIGHT_ALLOW_LIST + ["*"]):
        message = ex.allowed_origins.check(allow_origins).detail
        assert message == (
            "a page at https://evil.example/ can read the API too because of '*': list only your three frontends."
        )


def test_1_3_entries_that_never_match_or_let_others_in():
    message = ex.allowed_origins.check(
        RIGHT_ALLOW_LIST + ["http://localhost:3000/", "localhost:3000", "https://other.example", "null"]
    ).full_text
    assert "- the entry 'http://localhost:3000/' ends with a trailing slash" in message
    assert "so it never matches: remove it" in message
    assert "- the entry 'localhost:3000' has no scheme" in message
    assert "- the entry 'https://other.example' is not the origin of any of your frontends" in message
    assert "- the entry 'null' would let in every opaque origin" in message


def test_1_3_two_misspellings_of_one_origin_are_both_named():
    allow_origins = ["http://localhost:3000/", "HTTP://LOCALHOST:3000"] + RIGHT_ALLOW_LIST[1:]
    message = ex.allowed_origins.check(allow_origins).full_text
    assert "none of your entries for it matches: 'http://localhost:3000/' ends with a trailing slash" in message
    assert "'HTTP://LOCALHOST:3000' has upper-case letters" in message


@pytest.mark.parametrize(
    "allow_origins, expected",
    [
        (",".join(RIGHT_ALLOW_LIST), "allow_origins is one string"),
        ({"http://localhost:3000": True}, "should be a list of strings, not a dict"),
        (RIGHT_ALLOW_LIST + [None], "every entry must be a string; None is a NoneType"),
    ],
)
def test_1_3_wrong_shapes_get_feedback(allow_origins, expected):
    feedback = ex.allowed_origins.check(allow_origins)
    assert not feedback.passed
    assert expected in feedback.full_text


def test_checks_never_raise():
    for exercise in (ex.origin_sent, ex.same_origin_picks, ex.allowed_origins):
        for answer in (None, 0, "", object(), {"a": object()}, [object()]):
            assert not exercise.check(answer).passed


def test_the_solutions_pass():
    for exercise in (ex.origin_sent, ex.same_origin_picks, ex.allowed_origins):
        namespace = {}
        exec(exercise.solution().code, namespace)
        value = next(v for k, v in namespace.items() if not k.startswith("__"))
        assert exercise.check(value).passed, exercise.check(value).full_text
