"""audit_env and read_env: the project's own variable names and formats; nothing said about a default it lacks."""

from __future__ import annotations

import pytest

from cors_lab import Finding, audit_env
from cors_lab.auditing import read_env
from cors_lab.auditing.environment import parse_list


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_the_course_default_when_allowed_origins_is_unset():
    assert [(f.code, f.severity) for f in audit_env({})] == [("env-default-origins", "info")]
    assert codes(audit_env({}, production=True)) == ["env-default-origins", "production-localhost"]


def test_a_project_without_that_default_gets_no_findings_about_it():
    findings = audit_env({}, production=True, course_default=False)
    assert [(f.code, f.severity) for f in findings] == [("env-no-origins", "info")]
    assert "localhost:3000" not in str(findings)


def test_production_rules():
    findings = audit_env({"ALLOWED_ORIGINS": "*,http://localhost:3000,http://shop.example", "APP_ENV": "production"})
    assert codes(findings) == ["production-wildcard", "production-localhost", "production-http"]
    assert audit_env({"ALLOWED_ORIGINS": "https://shop.example", "ENVIRONMENT": "prod"}) == []
    credentialed = audit_env(
        {"ALLOWED_ORIGINS": "http://shop.example", "CORS_ALLOW_CREDENTIALS": "true"}, production=True
    )
    assert codes(credentialed) == ["production-credentials-over-http"]


@pytest.mark.parametrize(
    "name", ["BACKEND_CORS_ORIGINS", "CORS_ORIGINS", "CORS_ALLOW_ORIGIN", "MYAPP_CORS_ALLOW_ORIGINS", "ORIGINS"]
)
def test_the_projects_own_variable_is_found_and_named(name):
    env = {name: "https://shop.example/", "PATH": "/usr/bin"}
    assert read_env(env).origins_name == name
    (finding,) = audit_env(env)
    assert finding.code == "origin-never-matches" and finding.message.startswith(
        f"{name} entry 'https://shop.example/'"
    )


def test_var_names_the_variable_and_nothing_else_is_guessed():
    env = {"CORS_ORIGINS": "https://a.example", "APP_ORIGINS_LIST": "https://b.example/"}
    assert read_env(env, names=["APP_ORIGINS_LIST"]).origins_name == "APP_ORIGINS_LIST"
    assert codes(audit_env(env, names=["APP_ORIGINS_LIST"])) == ["origin-never-matches"]
    missing = audit_env(env, names=["FRONTEND_URLS"])
    assert codes(missing) == ["env-no-origins"] and "FRONTEND_URLS" in missing[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.example,https://b.example", ["https://a.example", "https://b.example"]),
        ("https://a.example, https://b.example,", ["https://a.example", "https://b.example"]),
        ('["https://a.example", "https://b.example"]', ["https://a.example", "https://b.example"]),
        ("https://a.example;https://b.example", ["https://a.example", "https://b.example"]),
        ('"https://a.example,https://b.example"', ["https://a.example", "https://b.example"]),
        ("'https://a.example'", ["https://a.example"]),
    ],
)
def test_the_formats_projects_use(value, expected):
    assert parse_list(value) == expected
    assert audit_env({"CORS_ORIGINS": value}) == []


def test_near_miss_names_are_reported():
    (finding,) = [f for f in audit_env({"ALLOWED_ORIGIN": "https://a.example"}) if f.code == "env-near-miss"]
    assert "ALLOWED_ORIGIN is set, but the usual name is ALLOWED_ORIGINS" in finding.message
    methods = audit_env({"CORS_ORIGINS": "https://a.example", "CORS_ALLOW_METHOD": "GET,POST"})
    assert codes(methods) == ["env-near-miss"] and "CORS_ALLOW_METHODS" in methods[0].message
    assert audit_env({"CORS_ALLOW_ORIGIN": "https://a.example"}) == []  # a real project's name, not a miss


def test_the_other_variables_are_read_too():
    env = {
        "BACKEND_CORS_ORIGINS": "https://a.example",
        "CORS_ALLOW_CREDENTIALS": "true",
        "CORS_ALLOW_HEADERS": " Authorization,Content-Type",
        "CORS_ALLOW_METHODS": "",
    }
    findings = audit_env(env)
    assert findings == []  # each item stripped; an empty variable is left unset
    bad = audit_env({**env, "CORS_ALLOW_CREDENTIALS": "maybe", "CORS_MAX_AGE": "ten"})
    assert codes(bad).count("env-invalid") == 2
    assert "CORS_ALLOW_CREDENTIALS='maybe' is not a boolean" in bad[0].message


def test_an_env_file_is_read_and_said(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("BACKEND_CORS_ORIGINS=https://shop.example,http://localhost:5173\n")
    reading = read_env({}, env_file=env_file)
    assert reading.origins_name == "BACKEND_CORS_ORIGINS" and str(env_file) in reading.describe()
    assert codes(audit_env({}, env_file=env_file, production=True)) == ["production-localhost"]
    assert audit_env({"BACKEND_CORS_ORIGINS": "https://shop.example"}, env_file=env_file, production=True) == []
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_env({}, env_file=tmp_path / "missing.env")


def test_a_cors_flag_is_not_taken_for_the_origins():
    assert read_env({"CORS_ENABLED": "true"}).origins_name is None
    assert read_env({"CORS_ENABLED": "true", "CORS_HOSTS": "https://a.example"}).origins_name == "CORS_HOSTS"
    assert codes(audit_env({"CORS_ENABLED": "true"}, course_default=False)) == ["env-no-origins"]


def test_the_full_stack_templates_env_file_is_quiet(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DOMAIN=localhost\nFRONTEND_HOST=http://localhost:5173\nENVIRONMENT=local\n"
        'BACKEND_CORS_ORIGINS="http://localhost,http://localhost:5173,https://localhost,https://localhost:5173,'
        'http://localhost.tiangolo.com"\n'
    )
    assert audit_env({}, env_file=env_file, course_default=False) == []
