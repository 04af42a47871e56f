"""Notebook 07's exercises: the checks run the settings through demo_api and the browser model,
accept right answers, and name what is still wrong in a wrong one."""

from __future__ import annotations

import pytest

from cors_lab.exercises import capstone
from cors_lab.exercises.capstone import EVIL, SHOP, STAGING, checklist, env_split, fix_the_shop

STARTING_SETTINGS = {
    "allow_origins": ["https://shop.example/", "http://localhost:3000"],
    "allow_headers": ["Content-Type"],
}
GOOD = {
    "allow_origins": [SHOP, STAGING],
    "allow_credentials": True,
    "allow_methods": ["GET", "POST", "PUT", "DELETE"],
    "allow_headers": ["Authorization", "Content-Type"],
    "expose_headers": ["X-Total-Count"],
}
SHARED_ENV = {
    "CORS_ALLOW_CREDENTIALS": "true",
    "CORS_ALLOW_METHODS": "GET,POST,PUT,DELETE",
    "CORS_ALLOW_HEADERS": "Authorization,Content-Type",
    "CORS_EXPOSE_HEADERS": "X-Total-Count",
}
STARTING_PRODUCTION = {
    "ALLOWED_ORIGINS": "https://shop.example/,http://localhost:3000",
    "CORS_ALLOW_CREDENTIALS": "true",
    "CORS_ALLOW_METHODS": "*",
    "CORS_ALLOW_HEADERS": "*",
}
STARTING_DEVELOPMENT = {"CORS_ALLOW_CREDENTIALS": "true", "CORS_ALLOW_METHODS": "*", "CORS_ALLOW_HEADERS": "*"}


def with_(**changes):
    settings = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    return settings


# --- exercise 7.1 ------------------------------------------------------------------------------------


def test_the_solution_passes_and_prints_a_clean_checklist(capsys):
    namespace: dict = {}
    exec(fix_the_shop.solution().code, namespace)
    feedback = fix_the_shop.check(namespace["settings"])
    assert feedback.passed, feedback.full_text
    printed = capsys.readouterr().out
    assert printed.endswith("All 16 checks pass.\n")
    assert "\u2718" not in printed


@pytest.mark.parametrize(
    "settings",
    [
        with_(allow_headers=["Authorization"]),  # Content-Type is always allowed by Starlette
        with_(allow_origins=[STAGING, SHOP]),
        with_(allow_methods=["DELETE", "PUT", "POST", "GET"], max_age=60),
        with_(expose_headers=["x-total-count"]),
    ],
)
def test_other_right_answers_pass(settings):
    feedback = fix_the_shop.check(settings)
    assert feedback.passed, feedback.full_text


def test_the_starting_settings_fail_with_a_short_checklist_grouped_by_topic(capsys):
    feedback = fix_the_shop.check(STARTING_SETTINGS)
    assert not feedback.passed
    assert feedback.message == "15 of 16 checks fail, in 5 topics:"
    assert [item.split(":")[0] for item in feedback.items] == [
        "origins (7 checks)",
        "preflight (4 checks)",
        "credentials (2 checks)",
        "exposed headers (1 check)",
        "audit (1 check)",
    ]
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    # Short: a line per topic with its count, not a line per check and its fix ("fix: as above" 70 times).
    assert len(lines) == 7, printed
    assert lines[0] == "15 of 16 checks fail (print(checklist(settings)) lists all 16):"
    assert lines[1].startswith("  \u2718 origins (7): Frontend https://shop.example, GET /users")
    assert "blocked (MissingAllowOriginHeader), and 6 more" in lines[1]
    assert lines[-1] == "  \u2714 1 check passes"
    assert "fix" not in printed.lower() and "as above" not in printed
    # The first feedback and the checklist point at what to look at; the fixes are the last hint.
    for fix in (
        "write 'https://shop.example'",
        "In CORSMiddleware, add 'PUT' to allow_methods.",
        "In CORSMiddleware, add 'Authorization' to allow_headers.",
        "Add allow_credentials=True",
        "Add 'X-Total-Count' to expose_headers in CORSMiddleware.",
    ):
        assert fix not in feedback.first and fix not in printed
        assert fix in feedback.detail
    assert "PreflightInvalidAllowCredentials" in feedback.hint_text(1)
    assert "has been blocked by CORS policy" in feedback.hint_text(1)
    assert "[error] origin-never-matches" in printed


def test_the_full_checklist_is_one_call_away():
    text = checklist(STARTING_SETTINGS).text()
    assert "fix: In CORSMiddleware, add 'PUT' to allow_methods." in text
    assert text.endswith("15 of 16 checks fail.")


def test_missing_expose_headers_names_the_header():
    feedback = fix_the_shop.check(with_(expose_headers=None))
    assert not feedback.passed
    assert "GET /users, then read X-Total-Count: allowed (200), but X-Total-Count is not readable" in feedback.full_text
    assert "Add 'X-Total-Count' to expose_headers" in feedback.full_text


def test_missing_credentials_blocks_the_login():
    feedback = fix_the_shop.check(with_(allow_credentials=None))
    assert not feedback.passed
    assert "POST /login, credentials: 'include': blocked (PreflightInvalidAllowCredentials)" in feedback.full_text
    assert "allow_credentials=True" in feedback.full_text


def test_missing_put_names_the_method():
    feedback = fix_the_shop.check(with_(allow_methods=["GET", "POST", "DELETE"]))
    assert not feedback.passed
    assert "PUT /users/1 with JSON: blocked (PreflightInvalidStatus)" in feedback.full_text
    assert "add 'PUT' to allow_methods" in feedback.full_text


def test_missing_authorization_names_the_header():
    feedback = fix_the_shop.check(with_(allow_headers=["Content-Type"]))
    assert not feedback.passed
    assert "GET /me with Authorization: Bearer: blocked (PreflightInvalidStatus)" in feedback.full_text
    assert "add 'Authorization' to allow_headers" in feedback.full_text


def test_a_missing_frontend_is_named():
    feedback = fix_the_shop.check(with_(allow_origins=[SHOP]))
    assert not feedback.passed
    assert "the first is Frontend http://localhost:3000, GET /users" in feedback.full_text
    assert "allow_origins=['http://localhost:3000']" in feedback.full_text


def test_a_string_of_origins_is_explained():
    only_shop = fix_the_shop.check(with_(allow_origins=SHOP))
    assert not only_shop.passed
    assert "Frontend http://localhost:3000" in only_shop.full_text
    assert "allow_origins is the string 'https://shop.example', not a list" in only_shop.full_text


@pytest.mark.parametrize("origins", [f"{SHOP},{STAGING}", f"{SHOP}, {STAGING}", f"{SHOP} {STAGING}"])
def test_several_origins_in_one_string_get_the_list_written_out(origins, capsys):
    feedback = fix_the_shop.check(with_(allow_origins=origins))
    assert not feedback.passed
    assert feedback.detail.startswith("allow_origins is one string with several origins in it")
    assert feedback.detail.endswith("allow_origins=['https://shop.example', 'http://localhost:3000']")


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("allow_methods", "GET,POST,PUT,DELETE", "allow_methods=['GET', 'POST', 'PUT', 'DELETE']"),
        ("allow_headers", "Authorization", "allow_headers=['Authorization']"),
        ("expose_headers", "X-Total-Count", "expose_headers=['X-Total-Count']"),
    ],
)
def test_other_lists_written_as_strings_are_caught(name, value, expected):
    feedback = fix_the_shop.check(with_(**{name: value}))
    assert not feedback.passed
    assert feedback.detail.startswith(f"{name} is the string {value!r}; CORSMiddleware wants a list")
    assert feedback.detail.endswith(expected)


def test_the_wildcard_shortcut_lets_the_attacker_in(capsys):
    shortcut = with_(allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])
    feedback = fix_the_shop.check(shortcut)
    assert not feedback.passed
    assert feedback.message == "4 of 18 checks fail, in 2 topics:"
    assert feedback.items[0].startswith("attackers (1 check): ")
    assert "the first is Attacker https://evil.example, GET /me" in feedback.hint_text(1)
    assert "evil.example can read it" in feedback.full_text
    assert "Replace '*' by the exact origins" in feedback.detail
    printed = capsys.readouterr().out
    assert "\u2718 audit (3): audit(settings), [error] wildcard-with-credentials, and 2 more" in printed
    assert "[warning] wildcard-methods-with-credentials" in feedback.detail
    assert "[warning] wildcard-headers-with-credentials" in feedback.detail


def test_wildcards_for_methods_and_headers_alone_fail_on_the_audit():
    feedback = fix_the_shop.check(with_(allow_methods=["*"]))
    assert not feedback.passed
    assert "[warning] wildcard-methods-with-credentials" in feedback.full_text


def test_a_loose_regex_or_a_listed_attacker_is_caught():
    loose = fix_the_shop.check(with_(allow_origins=[], allow_origin_regex=r"https?://.*"))
    assert not loose.passed
    assert "Attacker https://evil.example" in loose.full_text
    assert "Tighten allow_origin_regex" in loose.full_text
    listed = fix_the_shop.check(with_(allow_origins=[SHOP, STAGING, EVIL]))
    assert not listed.passed
    assert "List only the shop's own origins in allow_origins, not 'https://evil.example'" in listed.full_text


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            {"allow_origin": [SHOP]},
            "'allow_origin' is not a CORSMiddleware argument (Starlette would raise TypeError): "
            "did you mean 'allow_origins'?",
        ),
        ({"origins": [SHOP]}, "'origins' is not a CORSMiddleware argument"),
        ([SHOP, STAGING], "give the settings as a dict of CORSMiddleware arguments"),
        (with_(allow_credentials="true"), "allow_credentials is 'true'; write True or False (without quotes)"),
        (
            with_(allow_origin_regex="https://(shop"),
            "allow_origin_regex 'https://(shop' is not a valid regular expression",
        ),
    ],
)
def test_malformed_answers_get_a_specific_message(answer, expected, capsys):
    feedback = fix_the_shop.check(answer)
    assert not feedback.passed
    assert feedback.detail.startswith(expected)
    assert capsys.readouterr().out == ""  # no checklist for an answer that cannot run


def test_a_failed_login_explains_the_401_on_me():
    report = checklist(with_(allow_methods=["GET", "PUT", "DELETE"]))
    login = report.find(f"Frontend {SHOP}", "POST /login")
    assert not login.passed and login.outcome == "blocked (PreflightInvalidStatus)"
    me = report.find(f"Frontend {SHOP}", "GET /me with the session cookie")
    assert not me.passed
    assert me.outcome == "fetch() resolves, but with status 401"
    assert "because the login above failed" in me.problem
    bearer = report.find(f"Frontend {SHOP}", "GET /me with Authorization")
    assert bearer.passed  # the token comes from a same-origin login, so it does not depend on the cookie login


def test_a_bearer_token_needs_no_allow_credentials():
    report = checklist({"allow_origins": [SHOP], "allow_headers": ["Authorization"]})
    assert report.find(f"Frontend {SHOP}", "GET /me with Authorization").outcome == "allowed (200, after a preflight)"
    assert report.find(f"Frontend {SHOP}", "GET /me with the session").outcome == "blocked (InvalidAllowCredentials)"


def test_checklist_keeps_the_fetch_results_and_finds_checks():
    report = checklist(STARTING_SETTINGS)
    put = report.find(f"Frontend {STAGING}", "PUT").result
    assert put is not None and put.error_code == "PreflightInvalidStatus"
    assert put.exchanges[0].response.text == "Disallowed CORS method"
    with pytest.raises(KeyError):
        report.find("Frontend", "PATCH")
    assert repr(report) == report.text()


def test_the_javascript_of_each_request():
    calls = [request.js() for request in capstone.REQUESTS]
    assert calls[0] == "fetch('https://api.shop.example/users')  // then response.headers.get('X-Total-Count')"
    assert calls[4] == (
        "fetch('https://api.shop.example/login', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: '{\"name\": \"alice\"}', credentials: 'include'})"
    )
    assert calls[6] == "fetch('https://api.shop.example/me', {headers: {'Authorization': `Bearer ${token}`}})"


# --- exercise 7.2 ------------------------------------------------------------------------------------


def test_the_env_solution_passes(capsys):
    namespace: dict = {}
    exec(env_split.solution().code, namespace)
    feedback = env_split.check(namespace["production_env"], namespace["development_env"])
    assert feedback.passed, feedback.full_text
    assert capsys.readouterr().out.endswith("All 21 checks pass.\n")


def test_development_may_rely_on_the_default_origin():
    feedback = env_split.check({"ALLOWED_ORIGINS": SHOP, **SHARED_ENV}, dict(SHARED_ENV))
    assert feedback.passed, feedback.full_text


def test_the_starting_environments_fail_on_the_trailing_slash_first(capsys):
    feedback = env_split.check(STARTING_PRODUCTION, STARTING_DEVELOPMENT)
    assert not feedback.passed
    assert feedback.message == "4 of 12 checks fail, in 3 topics:"
    assert feedback.items[0].startswith("environment (1 check): ")
    assert feedback.hint_text(1).startswith(
        "- environment (1 check): the first is production_env: CorsConfig.from_env(production_env), refused: "
        "ALLOWED_ORIGINS item 'https://shop.example/' is not an origin as a browser sends it"
    )
    printed = capsys.readouterr().out
    assert "X-Total-Count is not readable" in printed
    assert "[warning] wildcard-methods-with-credentials" in feedback.detail


def test_localhost_in_production_is_refused():
    production = {"ALLOWED_ORIGINS": f"{SHOP},{STAGING}", **SHARED_ENV}
    feedback = env_split.check(production, {"ALLOWED_ORIGINS": STAGING, **SHARED_ENV})
    assert not feedback.passed
    assert feedback.message == "2 of 21 checks fail, in 2 topics:"
    assert feedback.hint_text(1).startswith(
        "- attackers (1 check): the first is production_env: page http://localhost:3000 must be refused, "
        "GET /users: allowed (200): this page can read the API"
    )
    assert "Remove 'http://localhost:3000' from this environment's allowed origins." in feedback.full_text


def test_localhost_in_production_is_also_an_audit_error(capsys):
    production = {"ALLOWED_ORIGINS": f"{SHOP},{STAGING}", **SHARED_ENV}
    env_split.check(production, {"ALLOWED_ORIGINS": STAGING, **SHARED_ENV})
    assert "[error] production-localhost" in capsys.readouterr().out


def test_a_wildcard_in_production_is_refused():
    production = {"ALLOWED_ORIGINS": "*", **SHARED_ENV}
    feedback = env_split.check(production, {"ALLOWED_ORIGINS": STAGING, **SHARED_ENV})
    assert not feedback.passed
    assert "production_env" in feedback.full_text


def test_missing_expose_headers_in_production_is_named():
    production = {"ALLOWED_ORIGINS": SHOP, **SHARED_ENV}
    del production["CORS_EXPOSE_HEADERS"]
    feedback = env_split.check(production, {"ALLOWED_ORIGINS": STAGING, **SHARED_ENV})
    assert not feedback.passed
    assert feedback.message == "1 of 21 checks fail, in 1 topic:"
    assert feedback.hint_text(1).startswith(
        "exposed headers (1 check): the first is production_env: Frontend https://shop.example, GET /users, "
        "then read X-Total-Count: allowed (200), but X-Total-Count is not readable"
    )


@pytest.mark.parametrize(
    "production, development, expected",
    [
        (
            {"ALLOWED_ORIGINS": [SHOP]},
            {},
            "production_env['ALLOWED_ORIGINS'] is ['https://shop.example']; environment "
            "variables are always text: write it as a string, such as 'https://shop.example'",
        ),
        (
            {"ALLOWED_ORIGINS": SHOP},
            {"CORS_ALLOW_CREDENTIALS": True},
            "development_env['CORS_ALLOW_CREDENTIALS'] is True; environment variables are always text: write it as a "
            "string, such as 'true'",
        ),
        ("ALLOWED_ORIGINS=https://shop.example", {}, "production_env is a str; it should be a dict"),
    ],
)
def test_malformed_environments_get_a_specific_message(production, development, expected):
    feedback = env_split.check(production, development)
    assert not feedback.passed
    assert feedback.detail.startswith(expected)


def test_an_invalid_boolean_is_reported_by_from_env():
    feedback = env_split.check(
        {"ALLOWED_ORIGINS": SHOP, **SHARED_ENV, "CORS_ALLOW_CREDENTIALS": "yes please"},
        {"ALLOWED_ORIGINS": STAGING, **SHARED_ENV},
    )
    assert not feedback.passed
    assert "refused: CORS_ALLOW_CREDENTIALS='yes please' is not valid" in feedback.full_text
