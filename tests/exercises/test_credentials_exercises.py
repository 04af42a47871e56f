"""Notebook 04's exercises: right answers pass, typical wrong ones get the specific reason."""

import pytest

from cors_lab import CorsConfig
from cors_lab.exercises import credentials as ex

FRONTEND = "http://localhost:3000"
SOLVED_LOGIN = {"allow_origins": [FRONTEND], "allow_credentials": True, "allow_methods": ["GET", "POST"]}


def not_yet(feedback) -> str:
    assert not feedback.passed, feedback
    return feedback.full_text


# --- 4.1 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        SOLVED_LOGIN,
        {**SOLVED_LOGIN, "allow_methods": ["POST"]},  # GET needs no preflight here
        {**SOLVED_LOGIN, "allow_headers": ["Content-Type"]},
        CorsConfig(**SOLVED_LOGIN),
    ],
)
def test_round_trip_accepts_the_exact_frontend(settings):
    feedback = ex.round_trip.check(settings)
    assert feedback.passed, feedback
    assert "logs in and reads /me as 'alice'" in feedback.full_text


def test_round_trip_starting_value_names_both_attackers():
    feedback = ex.round_trip.check(
        {"allow_origins": ["*"], "allow_credentials": True, "allow_methods": ["GET", "POST"]}
    )
    message = not_yet(feedback)
    assert feedback.message.startswith("the login round trip works, but another page can read /me too")
    assert feedback.detail.startswith(
        "the login round trip works, but a page at http://localhost:5000 reads /me as 'alice'"
    )
    assert "Access-Control-Allow-Origin: http://localhost:5000" in message
    assert (
        "a page at https://evil.example reads /me as 'alice' (in a browser that allows third-party cookies" in message
    )


def test_round_trip_refuses_an_origin_regex_that_also_matches_the_neighbour():
    message = not_yet(
        ex.round_trip.check(
            {"allow_origin_regex": r"http://localhost:\d+", "allow_credentials": True, "allow_methods": ["GET", "POST"]}
        )
    )
    assert "http://localhost:5000 reads /me" in message
    assert "evil.example" not in message


def test_round_trip_refuses_listing_the_neighbour():
    message = not_yet(ex.round_trip.check({**SOLVED_LOGIN, "allow_origins": [FRONTEND, "http://localhost:5000"]}))
    assert "http://localhost:5000 reads /me" in message


def test_round_trip_without_allow_credentials_names_the_blocked_login():
    message = not_yet(ex.round_trip.check({"allow_origins": [FRONTEND], "allow_methods": ["GET", "POST"]}))
    assert "POST /login" in message and "(PreflightInvalidAllowCredentials)" in message
    assert "The value of the 'Access-Control-Allow-Credentials' header in the response is ''" in message
    assert "Add allow_credentials=True" in message


def test_round_trip_without_post_names_the_method():
    message = not_yet(ex.round_trip.check({"allow_origins": [FRONTEND], "allow_credentials": True}))
    assert "(PreflightInvalidStatus)" in message and "add 'POST' to allow_methods" in message


def test_round_trip_with_a_trailing_slash_is_blocked():
    message = not_yet(ex.round_trip.check({**SOLVED_LOGIN, "allow_origins": [FRONTEND + "/"]}))
    assert "(PreflightMissingAllowOriginHeader)" in message


def test_round_trip_bad_answers_get_feedback():
    assert "'allow_origin' is not a CORSMiddleware argument" in not_yet(ex.round_trip.check({"allow_origin": ["*"]}))
    assert "give the settings as a dict" in not_yet(ex.round_trip.check("allow_origins=*"))


# --- 4.2 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exposed", [["X-Total-Count"], ["x-total-count"], ["X-Total-Count", "ETag"]])
def test_total_count_accepts_the_header_by_name(exposed):
    feedback = ex.total_count.check({"allow_origins": [FRONTEND], "allow_credentials": True, "expose_headers": exposed})
    assert feedback.passed, feedback
    assert feedback.detail == "the page reads X-Total-Count: 2"


def test_total_count_explains_the_wildcard_with_credentials():
    message = not_yet(
        ex.total_count.check({"allow_origins": [FRONTEND], "allow_credentials": True, "expose_headers": ["*"]})
    )
    assert "Access-Control-Expose-Headers: *" in message
    assert "credentials: 'include'" in message and "literally named '*'" in message


def test_total_count_without_expose_headers():
    message = not_yet(ex.total_count.check({"allow_origins": [FRONTEND], "allow_credentials": True}))
    assert "no Access-Control-Expose-Headers" in message and "add 'X-Total-Count' to expose_headers" in message


def test_total_count_with_a_string_instead_of_a_list():
    message = not_yet(
        ex.total_count.check(
            {"allow_origins": [FRONTEND], "allow_credentials": True, "expose_headers": "X-Total-Count"}
        )
    )
    assert "Access-Control-Expose-Headers: X, -, T" in message and "does not name X-Total-Count" in message


def test_total_count_without_allow_credentials_is_blocked():
    message = not_yet(ex.total_count.check({"allow_origins": [FRONTEND], "expose_headers": ["X-Total-Count"]}))
    assert "(InvalidAllowCredentials)" in message


# --- 4.3 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["same-origin", "omit"])
def test_pick_mode_accepts_the_working_modes(token):
    feedback = ex.pick_mode.check({"me": "include", "token": token, "public": "omit"})
    assert feedback.passed, feedback


def test_pick_mode_starting_value_names_me_and_public():
    feedback = ex.pick_mode.check({"me": "same-origin", "token": "same-origin", "public": "same-origin"})
    message = not_yet(feedback)
    assert feedback.message == "2 of 3 modes are not right yet:"
    assert feedback.detail.startswith(
        "- 'me' with 'same-origin': /me answered 401, because 'same-origin' sends no cookie to another origin"
    )
    assert "'public' with 'same-origin': the request carried the session cookie" in message
    assert "'token'" not in message


def test_pick_mode_include_everywhere():
    message = not_yet(ex.pick_mode.check({"me": "include", "token": "include", "public": "include"}))
    assert "'token' with 'include': the browser blocks it (PreflightInvalidAllowCredentials)" in message
    assert "'public' with 'include'" in message
    assert "'me'" not in message


def test_pick_mode_omit_for_me():
    feedback = ex.pick_mode.check({"me": "omit", "token": "omit", "public": "omit"})
    assert not feedback.passed
    assert feedback.items == ("'me' with 'omit': /me answered 401: which modes send the cookie to another origin?",)
    assert feedback.detail == "'me' with 'omit': /me answered 401, because 'omit' never sends cookies."


def test_pick_mode_bad_answers_get_feedback():
    assert "no answer for 'public'" in not_yet(ex.pick_mode.check({"me": "include", "token": "omit"}))
    assert "'cors' (for 'me') is not a fetch() credentials mode" in not_yet(
        ex.pick_mode.check({"me": "cors", "token": "omit", "public": "omit"})
    )
    assert "give a dict" in not_yet(ex.pick_mode.check("include"))


def test_solutions_pass_their_own_checks():
    namespace: dict = {}
    exec(ex.round_trip.solution().code, namespace)
    assert ex.round_trip.check(namespace["login_settings"]).passed
    exec(ex.total_count.solution().code, namespace)
    assert ex.total_count.check(namespace["count_settings"]).passed
    exec(ex.pick_mode.solution().code, namespace)
    assert ex.pick_mode.check(namespace["modes"]).passed
