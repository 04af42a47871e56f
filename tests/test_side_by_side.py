import pytest

from cors_lab import compare_engines, demo_api

PAGE = "http://localhost:3000"
API = "http://localhost:8000"


def test_the_three_engines_decide_alike_and_word_it_each_their_way():
    comparison = compare_engines(PAGE, f"{API}/users", app=demo_api())
    assert comparison.agree
    lines = {name: result.console_messages for name, result in comparison.results.items()}
    assert lines["chromium"][0].startswith("Access to fetch at ")
    assert "(Reason: CORS header \u2018Access-Control-Allow-Origin\u2019 missing)" in lines["firefox"][0]
    assert lines["webkit"] == (
        f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200",
        f"Fetch API cannot load {API}/users due to access control checks.",
    )
    assert repr(comparison).startswith("the engines agree:\nChromium 156: blocked (MissingAllowOriginHeader)")
    assert 'class="cors-lab-engines"' in comparison._repr_html_()


def test_where_the_engines_part_the_comparison_says_so():
    # WebKit treats http://127.0.0.1 as mixed content on an https page; Chromium and Firefox do not.
    comparison = compare_engines(
        "https://app.example.com", "http://127.0.0.1:8000/users", app=demo_api(allow_origins=["*"])
    )
    assert not comparison.agree
    assert {name: r.error_code for name, r in comparison.results.items()} == {
        "chromium": None,
        "firefox": None,
        "webkit": "MixedContent",
    }
    assert repr(comparison).startswith("the engines DISAGREE")


def test_a_call_that_is_not_a_page_api_is_refused_clearly():
    with pytest.raises(ValueError, match="call='curl' is not a way a page makes requests"):
        compare_engines(PAGE, f"{API}/users", call="curl")
