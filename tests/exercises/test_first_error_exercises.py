"""Exercises of notebook 02: each check accepts the right answers and names what is wrong in typical wrong ones."""

import pytest

from cors_lab.exercises.first_error import (
    EVIL_ORIGIN,
    console_messages,
    did_the_server_run_it,
    only_the_frontend,
    trailing_slash,
)

FRONTEND = "http://localhost:41234"  # a frontend on a random port, as in the notebook

SEED = dict(
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)


# --- 2.1 only the frontend -----------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [[FRONTEND], (FRONTEND,), [FRONTEND, FRONTEND]])
def test_only_the_frontend_accepts_the_page_origin(answer):
    feedback = only_the_frontend.check(answer, FRONTEND)
    assert feedback.passed, feedback.full_text
    assert f"Access-Control-Allow-Origin: {FRONTEND}" in feedback.full_text
    assert EVIL_ORIGIN in feedback.full_text


@pytest.mark.parametrize("answer", [["*"], [FRONTEND, "*"]])
def test_only_the_frontend_rejects_the_wildcard(answer):
    feedback = only_the_frontend.check(answer, FRONTEND)
    assert not feedback.passed
    assert f"a page at {EVIL_ORIGIN} can read the users too" in feedback.full_text
    assert "Access-Control-Allow-Origin: *" in feedback.full_text


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (["http://localhost:3000"], "'http://localhost:3000' has another port than the page"),
        ([FRONTEND + "/"], f"'{FRONTEND}/' ends with a slash"),
        (["http://127.0.0.1:41234"], "different host: 127.0.0.1 vs localhost"),
        (["https://localhost:41234"], "has another scheme than the page's"),
        (["HTTP://LOCALHOST:41234"], f"must be written exactly as the browser sends it: '{FRONTEND}'"),
        ([], f"'{FRONTEND}' is not in your list"),
    ],
)
def test_only_the_frontend_names_why_the_page_is_still_blocked(answer, why):
    feedback = only_the_frontend.check(answer, FRONTEND)
    assert not feedback.passed
    assert feedback.detail.startswith(f"the browser still blocks the frontend at {FRONTEND}: ")
    assert why in feedback.full_text


def test_only_the_frontend_rejects_an_extra_origin():
    feedback = only_the_frontend.check([FRONTEND, "https://myfrontend.com"], FRONTEND)
    assert not feedback.passed
    assert "so does a page at https://myfrontend.com: remove 'https://myfrontend.com'" in feedback.full_text


def test_only_the_frontend_rejects_a_string_and_garbage():
    feedback = only_the_frontend.check(FRONTEND, FRONTEND)
    assert not feedback.passed and "not a single string" in feedback.full_text
    feedback = only_the_frontend.check([FRONTEND, "nonsense"], FRONTEND)
    assert not feedback.passed and "'nonsense' is not an origin" in feedback.full_text
    feedback = only_the_frontend.check(None, FRONTEND)
    assert not feedback.passed and "must be a list" in feedback.full_text


# --- 2.2 did the server run it ---------------------------------------------------------------------------------


def test_console_messages_are_chromiums_lines():
    messages = console_messages()
    assert messages["A"] == (
        "Access to fetch at 'http://localhost:8000/login' from origin 'http://localhost:3000' has been blocked by "
        "CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert messages["B"] == (
        "Access to fetch at 'http://localhost:8000/users' from origin 'http://localhost:3000' has been blocked by "
        "CORS policy: Response to preflight request doesn't pass access control check: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource."
    )


def test_did_the_server_run_it_accepts_the_right_answer():
    assert did_the_server_run_it.check({"A": True, "B": False}).passed


def test_blocked_is_not_undone():
    feedback = did_the_server_run_it.check({"A": False, "B": False})
    assert not feedback.passed
    assert "the server did run POST /login and answered 200" in feedback.full_text
    assert "message B" not in feedback.full_text


def test_a_failed_preflight_means_the_request_was_never_sent():
    feedback = did_the_server_run_it.check({"A": True, "B": True})
    assert not feedback.passed
    assert "answered it with 405" in feedback.full_text
    assert "the server did not run POST /users" in feedback.full_text


def test_did_the_server_run_it_wants_a_bool_for_each():
    feedback = did_the_server_run_it.check({"A": "yes"})
    assert not feedback.passed
    assert feedback.items == ("say True or False for message A.", "say True or False for message B.")
    assert "give a dict" in did_the_server_run_it.check([True, False]).full_text


# --- 2.3 trailing slash -------------------------------------------------------------------------------------------


def test_trailing_slash_accepts_the_fixed_settings():
    feedback = trailing_slash.check({**SEED, "allow_origins": ["https://myfrontend.com"]})
    assert feedback.passed, feedback.full_text
    assert "GET and POST /users both pass" in feedback.full_text


def test_trailing_slash_names_the_slash():
    feedback = trailing_slash.check({**SEED, "allow_origins": ["https://myfrontend.com/"]})
    assert not feedback.passed
    assert "'https://myfrontend.com/' ends with a slash" in feedback.full_text
    assert "Origin header as 'https://myfrontend.com', with no slash" in feedback.full_text


def test_trailing_slash_rejects_the_wildcard_shortcut():
    feedback = trailing_slash.check({**SEED, "allow_origins": ["*"]})
    assert not feedback.passed
    assert f"so does {EVIL_ORIGIN}" in feedback.full_text


def test_trailing_slash_keeps_the_post_working():
    feedback = trailing_slash.check({"allow_origins": ["https://myfrontend.com"]})
    assert not feedback.passed
    assert "POST /users with a JSON body is blocked" in feedback.full_text
    assert "add 'POST' to allow_methods" in feedback.full_text


def test_trailing_slash_explains_bad_input():
    assert "not a single string" in trailing_slash.check({**SEED, "allow_origins": "https://myfrontend.com"}).full_text
    assert (
        "'allow_origin' is not a CORSMiddleware argument"
        in trailing_slash.check({"allow_origin": ["https://myfrontend.com"]}).full_text
    )
    assert "as a dict" in trailing_slash.check(["https://myfrontend.com"]).full_text
    feedback = trailing_slash.check({**SEED, "allow_origins": ["https://www.myfrontend.com"]})
    assert not feedback.passed and "a subdomain is a different host" in feedback.full_text


def test_solutions_are_shown_folded():
    for exercise in (only_the_frontend, did_the_server_run_it, trailing_slash):
        assert exercise.solution()._repr_html_().startswith("<details>")
