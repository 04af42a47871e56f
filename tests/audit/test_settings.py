"""audit(settings): each finding about CORSMiddleware's arguments has a case that triggers it and a near miss."""

import pytest
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from cors_lab import Browser, CorsConfig, Finding, audit, demo_api

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
    ({**SAFE, "allow_headers": ["*"]}, "wildcard-headers-with-credentials", "warning"),  # the lessons' rule
    ({**SAFE, "allow_methods": ["*"]}, "wildcard-methods-with-credentials", "warning"),
    (
        {**SAFE, "allow_origin_regex": r"https://([a-z0-9-]+\.)?example\.com", "allow_headers": ["*"]},
        "wildcard-headers-with-credentials",
        "warning",
    ),
    ({**SAFE, "expose_headers": ["*"]}, "expose-wildcard-with-credentials", "warning"),
    ({"allow_origins": ["https://a.example.com,https://b.example.com"]}, "origins-joined", "error"),
    ({"allow_origins": ["https://a.example.com https://b.example.com"]}, "origins-joined", "error"),
    ({"allow_methods": [""]}, "method-entry-invalid", "error"),
    ({"allow_methods": ["DELETE,GET,POST,PUT"]}, "method-entry-invalid", "error"),
    ({"allow_methods": list("GET,POST")}, "method-entry-invalid", "error"),
    ({"allow_methods": ["get", "post"]}, "method-entry-invalid", "error"),
    ({"allow_headers": [" Authorization", "Content-Type"]}, "header-entry-invalid", "error"),
    ({"allow_headers": [""]}, "header-entry-invalid", "error"),
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
    {"allow_methods": ["GET", "POST", "PATCH", "DELETE", "OPTIONS"], "allow_headers": ["x-api-key", "Content-Type"]},
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
    (finding,) = audit({"allow_origins": ["https://myfrontend.com/app"]})
    assert "'https://myfrontend.com/app'" in finding.message and "path" in finding.message
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
    assert truncated.fetch("https://api.example/users").ok  # https: from an https page, http is mixed content
    # Wildcard plus credentials: any site reads a logged-in user's data.
    (wildcard,) = audit({"allow_origins": ["*"], "allow_credentials": True})
    assert "checked: a credentialed fetch from https://evil.example may read the response" in wildcard.message
    evil = Browser("https://evil.example", app=demo_api(allow_origins=["*"], allow_credentials=True))
    assert evil.fetch("https://api.example/users", credentials="include").ok


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


def test_finding_reprs():
    finding = audit({"allow_origins": [""]})[0]
    assert str(finding).startswith("[error] origin-empty: ")
    assert "<code>origin-empty</code>" in finding._repr_html_()
    assert finding.as_dict() == {
        "code": "origin-empty",
        "severity": "error",
        "message": finding.message,
        "fix": finding.fix,
        "probe": None,
        "where": "",
        "about": (),
    }
    (slashed,) = audit({"allow_origins": ["https://myfrontend.com/"]})
    assert slashed.about == ("https://myfrontend.com",)  # what programs match on, not the message


def test_bad_targets_are_refused_clearly():
    with pytest.raises(TypeError, match="cannot audit 42"):
        audit(42)
    with pytest.raises(TypeError, match=r"allow_origin is not CORSMiddleware arguments?"):
        audit({"allow_origin": ["https://a.com"]})


# --- one entry, the whole fix ------------------------------------------------------------------------


def test_one_entry_with_several_problems_gets_one_complete_fix():
    (finding,) = audit({"allow_origins": [" https://b.example.com/"]})
    assert finding.code == "origin-whitespace"
    assert finding.fix == "Use 'https://b.example.com'"  # stripped *and* without the slash


def test_joined_origins_are_split_in_the_fix_not_mangled():
    (finding,) = audit({"allow_origins": ["https://a.example.com,https://b.example.com"]})
    assert finding.fix.startswith("Split it: ['https://a.example.com', 'https://b.example.com']")
    assert "https://a.example.com,https" not in finding.fix
    (spaced,) = audit({"allow_origins": ["https://a.example.com https://b.example.com/"]})
    assert "['https://a.example.com', 'https://b.example.com']" in spaced.fix


def test_methods_and_headers_entries_get_the_whole_corrected_list():
    (methods,) = audit({"allow_methods": ["DELETE,GET,POST,PUT"]})
    assert methods.fix == "allow_methods=['DELETE', 'GET', 'POST', 'PUT']"
    (letters,) = audit({"allow_methods": list("GET,POST")})
    assert "split into its characters" in letters.message and letters.fix.startswith("allow_methods=['GET', 'POST']")
    (headers,) = audit({"allow_headers": [" Authorization", "", "Content-Type"]})
    assert "a split without strip" in headers.message and "empty" in headers.message
    assert headers.fix == "allow_headers=['Authorization', 'Content-Type']"


def test_the_trailing_slash_of_pydantic_urls_is_named_with_the_project_style_fixes():
    from pydantic import AnyHttpUrl, TypeAdapter

    urls = TypeAdapter(list[AnyHttpUrl]).validate_python(["https://app.example.com", "http://localhost:5173"])
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=[str(urls[0])])
    (stringified,) = [f for f in audit(app) if f.severity == "error"]  # a project's app: the pydantic hint
    assert "AnyUrl" in stringified.message
    (typed,) = audit({"allow_origins": [str(urls[0])]})  # the lessons' hand-typed settings: no pydantic talk
    assert typed.fix == "Use 'https://app.example.com'"
    assert "str(o).rstrip('/')" in stringified.fix and "list[str]" in stringified.fix and "origin_of" in stringified.fix
    (objects,) = audit({"allow_origins": urls})  # the objects themselves, not str()
    assert (
        objects.code == "origin-pydantic-url" and "Url('https://app.example.com/')" in objects.message
    )  # Url: pydantic < 2.10
    assert objects.fix.startswith("allow_origins=['https://app.example.com', 'http://localhost:5173']")


def test_production_rules_for_settings():
    findings = audit(
        {"allow_origins": ["https://shop.example", "http://localhost:3000", "http://shop.example"]}, production=True
    )
    assert codes(findings) == ["production-localhost", "production-http"]
    with_credentials = audit({"allow_origins": ["http://shop.example"], "allow_credentials": True}, production=True)
    assert codes(with_credentials) == ["production-credentials-over-http"]
    assert audit({"allow_origins": ["https://shop.example"]}, production=True) == []
