"""Notebook 06's exercises: each check accepts right answers and names what is still wrong in typical wrong ones."""

from __future__ import annotations

import textwrap

import pytest
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from cors_lab.exercises import debugging as ex


class UserNotFound(Exception):
    pass


def solution_namespace(exercise):
    """Run an exercise's folded solution and return the names it defines."""
    namespace = {
        "FastAPI": FastAPI,
        "Request": Request,
        "CORSMiddleware": CORSMiddleware,
        "JSONResponse": JSONResponse,
        "UserNotFound": UserNotFound,
    }
    exec(textwrap.dedent(exercise.solution().code), namespace)
    return namespace


# --- 6.1 ---------------------------------------------------------------------------------------------------

RIGHT_CODES = {1: "PreflightMissingAllowOriginHeader", 2: "PreflightInvalidStatus", 3: "MissingAllowOriginHeader"}


def test_the_scenarios_are_what_the_notebook_says():
    assert {n: ex.scenario(n).error_code for n in (1, 2, 3)} == RIGHT_CODES
    assert ex.scenario(1).exchanges[0].response.status == 401
    assert ex.scenario(2).exchanges[0].response.text == "Disallowed CORS headers"
    assert ex.scenario(3).exchanges[-1].response.status == 500


def test_6_1_accepts_the_codes():
    assert ex.name_the_code.check(RIGHT_CODES).passed
    assert ex.name_the_code.check({n: f" {code} " for n, code in RIGHT_CODES.items()}).passed
    assert ex.name_the_code.check(solution_namespace(ex.name_the_code)["codes"]).passed


def test_6_1_starting_value_points_at_the_preflight():
    feedback = ex.name_the_code.check({1: "MissingAllowOriginHeader", 2: "", 3: ""})
    assert not feedback.passed
    assert feedback.detail.startswith("- message 1 says 'Response to preflight request")
    assert "start with 'Preflight'" in feedback.full_text


def test_6_1_a_preflight_code_for_an_actual_response():
    feedback = ex.name_the_code.check({**RIGHT_CODES, 3: "PreflightMissingAllowOriginHeader"})
    assert not feedback.passed
    assert feedback.detail.startswith("message 3 has no 'Response to preflight request' sentence")


def test_6_1_a_code_with_other_words():
    feedback = ex.name_the_code.check({**RIGHT_CODES, 2: "PreflightMissingAllowOriginHeader"})
    assert not feedback.passed
    assert feedback.detail.startswith("message 2: with PreflightMissingAllowOriginHeader the console would say")
    assert "It does not have HTTP ok status." in feedback.full_text


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({**RIGHT_CODES, 2: ""}, "message 2: '' is not one of Chromium's CorsError codes"),
        ({**RIGHT_CODES, 1: "CORS error"}, "message 1: 'CORS error' is not one of"),
        ({**RIGHT_CODES, 3: None}, "message 3: None is not one of"),
        ([RIGHT_CODES[1], RIGHT_CODES[2], RIGHT_CODES[3]], "give a dict with one code per message"),
        ({1: RIGHT_CODES[1]}, "give a dict with one code per message"),
    ],
)
def test_6_1_rejects_malformed_answers(answer, expected):
    feedback = ex.name_the_code.check(answer)
    assert not feedback.passed
    assert feedback.detail.startswith(expected)


# --- 6.2 ---------------------------------------------------------------------------------------------------


def make_build_app(
    *,
    cors_last=True,
    handler=UserNotFound,
    handler_status=404,
    options_through=False,
    origins=("http://localhost:3000",),
):
    def build_app():
        app = FastAPI()

        @app.get("/users/{user_id}")
        def get_user(user_id: int):
            if user_id != 1:
                raise UserNotFound(user_id)
            return {"id": 1, "name": "alice"}

        if handler is not None:

            @app.exception_handler(handler)
            async def not_found(request: Request, exc: Exception):
                return JSONResponse({"detail": f"no user {exc}"}, status_code=handler_status)

        def add_cors():
            app.add_middleware(CORSMiddleware, allow_origins=list(origins), allow_headers=["Authorization"])

        if not cors_last:
            add_cors()

        @app.middleware("http")
        async def require_token(request: Request, call_next):
            if options_through and request.method == "OPTIONS":
                return await call_next(request)
            if request.headers.get("authorization") != "Bearer let-me-in":
                return JSONResponse({"detail": "not authenticated"}, status_code=401)
            return await call_next(request)

        if cors_last:
            add_cors()
        return app

    return build_app


def test_6_2_accepts_the_solution():
    feedback = ex.fix_the_app.check(solution_namespace(ex.fix_the_app)["build_app"])
    assert feedback.passed, feedback.full_text
    assert feedback.detail == (
        "every request behaves: GET /users/1 with the token: 200; GET /users/2 (no such "
        "user) with the token: 404; GET /users/1 without a token: 401; "
        "https://evil.example is refused."
    )
    assert ex.fix_the_app.check(make_build_app()).passed


def test_6_2_starting_value_names_the_401_preflight():
    feedback = ex.fix_the_app.check(make_build_app(cors_last=False, handler=None))
    assert not feedback.passed
    assert feedback.detail.startswith(
        "GET /users/1 with the token from http://localhost:3000 is still blocked (PreflightMissingAllowOriginHeader)"
    )
    assert "the preflight (OPTIONS) got 401 with no Access-Control-Allow-Origin" in feedback.full_text
    assert "add CORSMiddleware after your own middleware" in feedback.full_text


def test_6_2_an_unhandled_exception():
    feedback = ex.fix_the_app.check(make_build_app(handler=None))
    assert not feedback.passed
    assert feedback.detail.startswith(
        "GET /users/2 (no such user) with the token from http://localhost:3000 is "
        "still blocked (MissingAllowOriginHeader)"
    )
    assert "the GET got 500 with no Access-Control-Allow-Origin" in feedback.full_text
    assert "@app.exception_handler(UserNotFound)" in feedback.full_text


def test_6_2_a_handler_for_exception_runs_outside():
    feedback = ex.fix_the_app.check(make_build_app(handler=Exception))
    assert not feedback.passed
    assert "the GET got 404 with no Access-Control-Allow-Origin" in feedback.full_text
    assert "That 404 was made outside CORSMiddleware" in feedback.full_text


def test_6_2_letting_options_through_still_hides_the_401():
    feedback = ex.fix_the_app.check(make_build_app(cors_last=False, options_through=True))
    assert not feedback.passed
    assert feedback.detail.startswith("GET /users/1 without a token from http://localhost:3000 is still blocked")
    assert "That 401 was made outside CORSMiddleware" in feedback.full_text


def test_6_2_a_wrong_status():
    feedback = ex.fix_the_app.check(make_build_app(handler_status=400))
    assert not feedback.passed
    assert feedback.detail.startswith(
        "the page can read GET /users/2 (no such user) with the token from "
        "http://localhost:3000 now, but the status is 400, not 404"
    )


def test_6_2_any_origin_is_too_much():
    feedback = ex.fix_the_app.check(make_build_app(origins=("*",)))
    assert not feedback.passed
    assert feedback.detail.startswith("GET /users/1 with the token from https://evil.example is allowed (status 200)")


def test_6_2_rejects_what_is_not_a_builder():
    assert ex.fix_the_app.check(make_build_app()()).full_text.startswith(
        "pass the function that builds the app (build_app), not the app it returns"
    )
    assert ex.fix_the_app.check("build_app").full_text.startswith(
        "pass the function that builds the app (build_app), not a str"
    )
    assert ex.fix_the_app.check(lambda: None).full_text.startswith("build_app() returned NoneType, not a FastAPI app")
    broken = ex.fix_the_app.check(lambda: 1 / 0)
    assert not broken.passed and broken.detail.startswith("checking your answer raised ZeroDivisionError")


# --- 6.3 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://([a-z0-9-]+\.)?example\.com",
        r"https://(.*\.)?example\.com",
        r"https://(app\.|admin\.)?example\.com",
    ],
)
def test_6_3_accepts_tight_patterns(pattern):
    feedback = ex.tighten_the_regex.check(pattern)
    assert feedback.passed, feedback.full_text


def test_6_3_accepts_the_solution():
    assert ex.tighten_the_regex.check(solution_namespace(ex.tighten_the_regex)["pattern"]).passed


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"https://.*example.com", "a page at https://evilexample.com can still read /users"),
        (r"https://([a-z0-9-]+\.)?example.com", "a page at https://examplexcom can still read /users"),
        (r"https://([a-z0-9-]+\.)?example\.com.*", "a page at https://example.com.evil.net can still read /users"),
        (r"https?://([a-z0-9-]+\.)?example\.com", "a page at http://example.com can still read /users"),
        (r"https://.*", "a page at https://evilexample.com can still read /users"),
        (r"https://.*\.example\.com", "the attackers are out, but so is https://example.com"),
        (
            r"https://([a-z0-9-]+\.|evil-)?example\.com",
            "the listed origins behave, but audit() finds more: allow_origin_regex",
        ),
        (r"https://(example", "'https://(example' is not a valid regular expression"),
        (["https://example.com"], "give the pattern as a string"),
    ],
)
def test_6_3_rejects_loose_patterns(pattern, expected):
    feedback = ex.tighten_the_regex.check(pattern)
    assert not feedback.passed
    assert feedback.detail.startswith(expected), feedback.full_text


def test_6_3_names_the_reason_for_each_look_alike():
    feedback = ex.tighten_the_regex.check(r"https://([a-z0-9-]+\.)?example.com")
    assert "an unescaped '.' matches any character" in feedback.full_text
    feedback = ex.tighten_the_regex.check(r"https?://([a-z0-9-]+\.)?example\.com")
    assert "spell out https://" in feedback.full_text
