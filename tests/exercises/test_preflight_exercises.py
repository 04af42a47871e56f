"""Notebook 03's exercises accept the right answers and name what is still wrong in the others."""

import pytest

from cors_lab.exercises.preflight import (
    CACHE_SEQUENCE,
    FRONTEND,
    allow_the_put,
    make_it_simple,
    predict_preflights,
    run_cache_sequence,
)

# --- 3.1 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"allow_origins": [FRONTEND], "allow_methods": ["GET", "POST", "PUT"], "allow_headers": ["X-Request-Id"]},
        {"allow_origins": [FRONTEND], "allow_methods": ["PUT"], "allow_headers": ["x-request-id", "Content-Type"]},
        {"allow_origins": [FRONTEND], "allow_methods": ["*"], "allow_headers": ["*"]},
        {"allow_origin_regex": r"http://localhost:3000", "allow_methods": ["PUT"], "allow_headers": ["X-Request-Id"]},
    ],
)
def test_put_settings_that_work(settings):
    feedback = allow_the_put.check(settings)
    assert feedback.passed, feedback.full_text
    assert "the PUT returns 200" in feedback.full_text
    assert "https://attacker.example is still refused" in feedback.full_text


def test_the_starting_settings_name_the_method_and_the_header():
    feedback = allow_the_put.check(
        {"allow_origins": [FRONTEND], "allow_methods": ["GET", "POST"], "allow_headers": ["Content-Type"]}
    )
    assert not feedback.passed
    assert 'Chromium says only "It does not have HTTP ok status."' in feedback.full_text
    assert "400 'Disallowed CORS method, headers'" in feedback.full_text
    assert "add 'PUT' to allow_methods and add 'X-Request-Id' to allow_headers" in feedback.full_text


def test_the_default_allow_methods_refuse_the_put():
    feedback = allow_the_put.check({"allow_origins": [FRONTEND], "allow_headers": ["X-Request-Id"]})
    assert not feedback.passed
    assert "400 'Disallowed CORS method'" in feedback.full_text
    assert "add 'PUT' to allow_methods" in feedback.full_text


def test_a_missing_header_alone():
    feedback = allow_the_put.check({"allow_origins": [FRONTEND], "allow_methods": ["GET", "PUT"]})
    assert not feedback.passed
    assert "400 'Disallowed CORS headers'" in feedback.full_text
    assert "add 'X-Request-Id' to allow_headers" in feedback.full_text
    assert "allow_methods" not in feedback.full_text


def test_a_refused_origin_is_reported_as_chromium_does():
    feedback = allow_the_put.check({"allow_origins": [FRONTEND + "/"], "allow_methods": ["*"], "allow_headers": ["*"]})
    assert not feedback.passed
    assert "No 'Access-Control-Allow-Origin' header is present" in feedback.full_text
    assert "'Disallowed CORS origin'" in feedback.full_text


@pytest.mark.parametrize(
    "settings",
    [
        {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
        {"allow_origin_regex": ".*", "allow_methods": ["PUT"], "allow_headers": ["X-Request-Id"]},
    ],
)
def test_settings_that_let_every_site_in_are_refused(settings):
    feedback = allow_the_put.check(settings)
    assert not feedback.passed
    assert "so does the same PUT from a page at https://attacker.example" in feedback.full_text


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"allow_origin": [FRONTEND]}, "'allow_origin' is not a CORSMiddleware argument"),
        ({}, "no CORSMiddleware at all"),
        ([FRONTEND], "give the settings as a dict"),
    ],
)
def test_put_settings_of_the_wrong_shape(answer, expected):
    feedback = allow_the_put.check(answer)
    assert not feedback.passed
    assert expected in feedback.full_text


# --- 3.2 ---------------------------------------------------------------------------------------------

JSON_BODY = '{"event": "signup", "plan": "pro"}'


@pytest.mark.parametrize(
    "request_",
    [
        {"method": "POST", "headers": {"Content-Type": "text/plain", "Accept": "application/json"}, "body": JSON_BODY},
        {"method": "POST", "headers": {}, "body": JSON_BODY},  # fetch() labels a string body text/plain
        {
            "method": "POST",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": "event=signup&plan=pro",
        },
        {"method": "post", "headers": [("Content-Type", "text/plain;charset=UTF-8")], "body": JSON_BODY},
    ],
)
def test_simple_requests_that_carry_the_event(request_):
    feedback = make_it_simple.check(request_)
    assert feedback.passed, feedback.full_text
    assert "a simple request: no OPTIONS" in feedback.full_text


def test_the_starting_request_is_still_preflighted_and_refused():
    feedback = make_it_simple.check(
        {
            "method": "POST",
            "headers": {"Content-Type": "application/json", "Accept": "application/json"},
            "body": JSON_BODY,
        }
    )
    assert not feedback.passed
    assert feedback.detail == (
        "the browser still sends a preflight, because Content-Type application/json is not safelisted (only "
        "application/x-www-form-urlencoded, multipart/form-data and text/plain are); this server refuses it "
        "(400 'Disallowed CORS method'), so the POST never goes out."
    )


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            {
                "method": "POST",
                "headers": {"Content-Type": "text/plain", "X-Requested-With": "fetch"},
                "body": JSON_BODY,
            },
            "because header X-Requested-With is not safelisted",
        ),
        (
            {"method": "PUT", "headers": {"Content-Type": "text/plain"}, "body": JSON_BODY},
            "because method PUT is not safelisted",
        ),
        (
            {"method": "POST", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": JSON_BODY},
            'but the server received {\'{"event": "signup", "plan": "pro"}\': \'\'}',
        ),
        (
            {"method": "POST", "headers": {"Content-Type": "text/plain"}, "body": "event=signup&plan=pro"},
            "the server answered 400: the text/plain body is not JSON",
        ),
        (
            {"method": "POST", "headers": {"Content-Type": "text/plain"}, "body": '{"event": "signup"}'},
            "the server received {'event': 'signup'} instead of",
        ),
        (
            {"method": "POST", "headers": {"Content-Type": "multipart/form-data"}, "body": "x"},
            "the server answered 415",
        ),
        ({"method": "POST", "headers": {"Content-Type": "text/plain"}}, "give the request as a dict"),
        ({"method": "POST", "headers": {}, "body": {"event": "signup"}}, "the body should be a string"),
    ],
)
def test_requests_that_are_not_right_yet(request_, expected):
    feedback = make_it_simple.check(request_)
    assert not feedback.passed
    assert expected in feedback.full_text


def test_a_get_with_a_body_gets_feedback_not_a_traceback():
    feedback = make_it_simple.check({"method": "GET", "headers": {}, "body": JSON_BODY})
    assert not feedback.passed
    assert "Request with GET/HEAD method cannot have body." in feedback.full_text


# --- 3.3 ---------------------------------------------------------------------------------------------

RIGHT = [True, False, True, False, False, True]


def test_the_model_sends_the_expected_preflights():
    assert [sent for sent, _ in run_cache_sequence()] == RIGHT
    assert len(CACHE_SEQUENCE) == len(RIGHT)


def test_the_right_predictions():
    feedback = predict_preflights.check(RIGHT)
    assert feedback.passed
    assert feedback.detail == "all 6 right: 3 OPTIONS requests for 6 fetches."


def test_the_starting_predictions_explain_the_cache():
    feedback = predict_preflights.check([True, True, True, True, False, True])
    assert not feedback.passed
    assert feedback.message == "2 of 6 predictions are not right yet:"
    assert [item.split(":")[0] for item in feedback.items] == [
        "fetch 2 (PUT /users/1 at t=20 s)",
        "fetch 4 (DELETE /users/2 at t=40 s)",
    ]
    assert feedback.detail.startswith(
        "- fetch 2 (PUT /users/1 at t=20 s): you predicted an OPTIONS, but the browser sent none"
    )
    assert "still cached (max_age=60: until t=60 s)" in feedback.full_text


@pytest.mark.parametrize(
    ("predictions", "expected"),
    [
        (
            [True, False, False, False, False, True],
            "fetch 3 (PUT /users/2 at t=25 s): you predicted no OPTIONS, but the browser sent one: "
            "nothing is cached for /users/2 yet",
        ),
        (
            [True, False, True, True, False, True],
            "fetch 4 (DELETE /users/2 at t=40 s): you predicted an OPTIONS, but the browser sent none",
        ),
        ([True, False, True, False, True, True], "GET with no unsafe headers is a simple request"),
        ([True, False, True, False, False, False], "the answer cached at t=0 s expired at t=60 s"),
    ],
)
def test_each_wrong_prediction_is_explained(predictions, expected):
    feedback = predict_preflights.check(predictions)
    assert not feedback.passed
    assert expected in feedback.full_text


@pytest.mark.parametrize("answer", [3, [True] * 5, [1, 0, 1, 0, 0, 1], "TFTFFT"])
def test_predictions_of_the_wrong_shape(answer):
    feedback = predict_preflights.check(answer)
    assert not feedback.passed
    assert "give a list of 6 True/False values" in feedback.full_text
