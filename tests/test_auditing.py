"""audit() and audit_env(): each finding has a case that triggers it and a near miss that must not."""

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.middleware.gzip import GZipMiddleware

from cors_lab import Browser, CorsConfig, Finding, audit, audit_env, demo_api

SAFE = {
    "allow_origins": ["https://myfrontend.com"],
    "allow_credentials": True,
    "allow_methods": ["GET", "POST"],
    "allow_headers": ["Authorization", "Content-Type"],
}


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity != "info"]


def test_a_clean_safe_config_has_no_errors_or_warnings():
    assert audit(SAFE) == []
    assert audit(CorsConfig(**SAFE)) == []
    assert problems(audit(demo_api(CorsConfig(**SAFE)))) == []


TRIGGERS = [
    ({"allow_origins": ["*"], "allow_credentials": True}, "wildcard-with-credentials", "error"),
    ({"allow_origins": "https://app.example.com"}, "allow-origins-string", "error"),
    ({"allow_origins": ["https://myfrontend.com/"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["https://myfrontend.com/app"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["HTTPS://MyFrontend.com"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["https://myfrontend.com:443"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["http://myfrontend.com:80"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["https://myfrontend.com?x=1"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["https://myfrontend.com#top"]}, "origin-never-matches", "error"),
    ({"allow_origins": ["myfrontend.com"]}, "origin-invalid", "error"),
    ({"allow_origins": ["https://myfrontend.com "]}, "origin-whitespace", "error"),
    ({"allow_origins": [""]}, "origin-empty", "error"),
    ({"allow_origins": ["null"]}, "origin-null", "error"),
    ({"allow_origins": [r"https://.*\.example\.com"]}, "regex-in-allow-origins", "error"),
    ({"allow_origins": ["https?://example.com"]}, "regex-in-allow-origins", "error"),
    ({"allow_origins": ["https://shop.example", "http://shop.example"]}, "http-next-to-https", "warning"),
    ({"allow_origin_regex": r"https://.*example\.com"}, "origin-regex-too-loose", "error"),
    ({"allow_origin_regex": r"https://app.example.com"}, "origin-regex-too-loose", "error"),
    ({"allow_origin_regex": r"https://([a-z]+\.)?example\.com.*"}, "origin-regex-too-loose", "error"),
    ({"allow_origin_regex": r"https?://([a-z]+\.)?example\.com"}, "origin-regex-too-loose", "warning"),
    ({"allow_origin_regex": r"https://(["}, "origin-regex-invalid", "error"),
    ({**SAFE, "allow_headers": ["*"]}, "wildcard-headers-with-credentials", "warning"),
    ({**SAFE, "allow_methods": ["*"]}, "wildcard-methods-with-credentials", "warning"),
    ({**SAFE, "max_age": 86400}, "max-age-over-cap", "info"),
    ({**SAFE, "expose_headers": ["Set-Cookie"]}, "sensitive-expose-headers", "warning"),
    ({**SAFE, "expose_headers": ["Authorization"]}, "sensitive-expose-headers", "warning"),
]
NEAR_MISSES = [
    {"allow_origins": ["*"]},  # wildcard without credentials
    {"allow_origins": ["https://app.example.com"]},  # a list, not a string
    {"allow_origins": ["https://myfrontend.com", "http://localhost:3000"]},  # local http next to https is fine
    {"allow_origins": ["https://xn--bcher-kva.example"]},  # punycode is what browsers send
    {"allow_origin_regex": r"https://([a-z0-9-]+\.)?example\.com"},  # a tight pattern
    {**SAFE, "max_age": 7200},
    {**SAFE, "expose_headers": ["X-Total-Count"]},
    {"allow_origins": ["https://myfrontend.com"], "allow_headers": ["*"], "allow_methods": ["*"]},  # no credentials
]


@pytest.mark.parametrize(
    ("settings", "code", "severity"), TRIGGERS, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(TRIGGERS)]
)
def test_each_finding_is_triggered(settings, code, severity):
    findings = audit(settings)
    found = [f for f in findings if f.code == code]
    assert found, f"{code} not found in {codes(findings)}"
    assert found[0].severity == severity
    assert found[0].message and found[0].fix


@pytest.mark.parametrize("settings", NEAR_MISSES)
def test_near_misses_are_clean(settings):
    assert problems(audit(settings)) == []


def test_findings_name_the_value_and_give_the_corrected_one():
    (finding,) = audit({"allow_origins": ["https://myfrontend.com/"]})
    assert "'https://myfrontend.com/'" in finding.message and "trailing slash" in finding.message
    assert finding.fix == "Use 'https://myfrontend.com'"
    (string,) = audit({"allow_origins": "https://app.example.com"})
    assert string.fix == "allow_origins=['https://app.example.com']"
    loose = audit({"allow_origin_regex": r"https://app.example.com"})[0]
    assert "'https://appxexample.com'" in loose.message


def test_claims_are_demonstrated_against_the_real_middleware():
    # The string trap: Starlette really lets a substring in.
    (string,) = audit({"allow_origins": "https://app.example.com"})
    assert "checked: Starlette" in string.message and "allows 'https://app.example.co'" in string.message
    truncated = Browser("https://app.example.co", app=demo_api(allow_origins="https://app.example.com"))
    assert truncated.fetch("http://api.example/users").ok
    # Wildcard plus credentials: any site reads a logged-in user's data.
    (wildcard,) = audit({"allow_origins": ["*"], "allow_credentials": True})
    assert "checked: a credentialed fetch from https://evil.example may read the response" in wildcard.message
    evil = Browser("https://evil.example", app=demo_api(allow_origins=["*"], allow_credentials=True))
    assert evil.fetch("http://api.example/users", credentials="include").ok


def test_a_comma_string_is_judged_as_the_list_it_meant():
    findings = audit({"allow_origins": "https://shop.example,https://admin.shop.example"})
    assert codes(findings) == ["allow-origins-string"]
    assert findings[0].fix == (
        "allow_origins=['https://shop.example', 'https://admin.shop.example'] (split the string: .split(','))"
    )
    assert "allows 'https://shop.exampl'" in findings[0].message


@pytest.mark.parametrize("name", ["allow_methods", "allow_headers", "expose_headers"])
def test_other_lists_given_as_strings(name):
    (finding,) = audit({**SAFE, name: "GET, POST"})
    assert finding.code == f"{name.replace('_', '-')}-string"
    assert finding.fix == f"{name}=['GET', 'POST']"


def test_most_severe_first():
    findings = audit(
        {
            "allow_origins": ["https://myfrontend.com/"],
            "allow_credentials": True,
            "max_age": 99999,
            "allow_headers": ["*"],
        }
    )
    assert [f.severity for f in findings] == ["error", "warning", "info"]


# --- apps ----------------------------------------------------------------------------------------


def test_app_without_cors_middleware():
    assert codes(audit(demo_api())) == ["no-cors-middleware"]


def test_app_with_two_cors_middlewares():
    app = demo_api(allow_origins=["https://myfrontend.com"])
    CorsConfig(allow_origins=["https://myfrontend.com"]).apply(app)
    assert "several-cors-middleware" in codes(audit(app))


def test_middleware_added_after_cors_runs_outside_it():
    app = demo_api(allow_origins=["https://myfrontend.com"])
    app.add_middleware(GZipMiddleware)
    (finding,) = [f for f in audit(app) if f.code == "middleware-outside-cors"]
    assert "GZipMiddleware" in finding.message
    inner = FastAPI()
    inner.add_middleware(GZipMiddleware)
    CorsConfig(allow_origins=["https://myfrontend.com"]).apply(inner)  # added last: outermost
    assert "middleware-outside-cors" not in codes(audit(inner))


def test_app_level_infos_and_the_settings_inside():
    findings = audit(demo_api(allow_origins=["https://myfrontend.com/"]))
    assert codes(findings) == ["origin-never-matches", "errors-without-cors-headers", "trailing-slash-redirects"]
    plain = FastAPI()
    CorsConfig(**SAFE).apply(plain)
    assert codes(audit(plain)) == ["errors-without-cors-headers"]  # no slash routes, no websockets


def test_websocket_routes_are_reported():
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:  # pragma: no cover
        await websocket.accept()

    CorsConfig(**SAFE).apply(app)
    (finding,) = [f for f in audit(app) if f.code == "websockets-not-covered"]
    assert "/ws" in finding.message


def test_the_exception_handler_advice_is_true():
    class MyError(Exception):
        pass

    app = FastAPI()

    @app.get("/mine")
    def mine() -> None:
        raise MyError

    @app.get("/other")
    def other() -> None:
        raise RuntimeError

    @app.exception_handler(MyError)
    def handle_mine(request: Request, exc: MyError) -> JSONResponse:
        return JSONResponse({"error": "mine"}, status_code=500)

    @app.exception_handler(Exception)
    def handle_any(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "any"}, status_code=500)

    CorsConfig(allow_origins=["https://myfrontend.com"]).apply(app)
    page = Browser("https://myfrontend.com", app=app)
    assert page.fetch("http://api.example/mine").status == 500  # inside CORSMiddleware: readable
    outside = page.fetch("http://api.example/other")  # outside it: a CORS error
    assert outside.error_code == "MissingAllowOriginHeader" and outside.server_response.status == 500


def test_bad_targets_are_refused_clearly():
    with pytest.raises(TypeError, match="cannot audit 42"):
        audit(42)
    with pytest.raises(TypeError, match=r"allow_origin is not CORSMiddleware arguments?"):
        audit({"allow_origin": ["https://a.com"]})


# --- environment -----------------------------------------------------------------------------------


def test_audit_env_development_default_is_an_info():
    assert [(f.code, f.severity) for f in audit_env({})] == [("env-default-origins", "info")]


def test_audit_env_production_rules():
    findings = audit_env({"ALLOWED_ORIGINS": "*,http://localhost:3000,http://shop.example", "APP_ENV": "production"})
    assert codes(findings) == ["production-wildcard", "production-localhost", "production-http"]
    assert audit_env({"ALLOWED_ORIGINS": "https://shop.example", "ENVIRONMENT": "prod"}) == []
    assert codes(audit_env({}, production=True)) == ["env-default-origins", "production-localhost"]
    assert audit_env({}, production=True)[0].severity == "error"


def test_audit_env_reports_bad_values_as_a_finding(tmp_path):
    (finding,) = audit_env({"ALLOWED_ORIGINS": "https://myfrontend.com/"})
    assert finding.code == "env-invalid" and "use 'https://myfrontend.com'" in finding.message
    env_file = tmp_path / ".env"
    env_file.write_text("ALLOWED_ORIGINS=https://shop.example\n")
    assert audit_env({}, env_file=env_file, production=True) == []


def test_finding_reprs():
    finding = audit({"allow_origins": [""]})[0]
    assert str(finding).startswith("[error] origin-empty: ")
    assert "<code>origin-empty</code>" in finding._repr_html_()
