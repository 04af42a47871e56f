"""Exercises for notebook 07, the capstone: make the shop's frontends work against the demo API.

Every check runs the learner's settings in Starlette's real ``CORSMiddleware`` (through
``demo_api``) and sends the shop's fetch() calls through the browser model, one ``Browser`` per
page origin so the login cookie carries over to the next request. What fails is reported with
Chromium's CorsError code, its console message and the fix, then ``audit`` has its say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..auditing import Finding, audit, audit_env
from ..browser.failures import FailureCode
from ..browser.machine import Credentials, StepKind
from ..config import CorsConfig, CorsConfigError
from ..demo import SESSION_COOKIE, demo_api
from ..driver import Browser, FetchResult
from ..origins import OriginError, origin_of
from . import BadInput, Exercise, NotYet, Problem, settings_answer, without_fix

__all__ = [
    "API_URLS",
    "EVIL",
    "FRONTENDS",
    "REQUESTS",
    "SHOP",
    "STAGING",
    "Check",
    "Checklist",
    "FrontendRequest",
    "checklist",
    "env_checklist",
    "env_split",
    "evil_check",
    "fix_the_shop",
    "refused_check",
    "run_requests",
]

SHOP = "https://shop.example"
STAGING = "http://localhost:3000"
EVIL = "https://evil.example"
FRONTENDS = (SHOP, STAGING)
#: Where each frontend finds the API: same site as the page, so the session cookie works.
API_URLS = {SHOP: "https://api.shop.example", STAGING: "http://localhost:8000", EVIL: "https://api.shop.example"}

#: The CORS-check failures a sharper allow_origins fix can explain (on either response).
_ORIGIN_CODES = frozenset(
    {
        FailureCode.MISSING_ALLOW_ORIGIN_HEADER,
        FailureCode.ALLOW_ORIGIN_MISMATCH,
        FailureCode.MULTIPLE_ALLOW_ORIGIN_VALUES,
        FailureCode.INVALID_ALLOW_ORIGIN_VALUE,
    }
)


@dataclass(frozen=True)
class FrontendRequest:
    """One thing the shop's JavaScript does: a fetch() call and what it needs from the answer."""

    label: str
    method: str
    path: str
    json: Any = None
    credentials: Credentials = "same-origin"
    bearer: bool = False
    expected_status: int = 200
    reads_header: str | None = None

    def js(self, api: str = API_URLS[SHOP]) -> str:
        """The call as the page's JavaScript writes it."""
        options = []
        if self.method != "GET":
            options.append(f"method: '{self.method}'")
        headers = []
        if self.json is not None:
            headers.append("'Content-Type': 'application/json'")
        if self.bearer:
            headers.append("'Authorization': `Bearer ${token}`")
        if headers:
            options.append("headers: {" + ", ".join(headers) + "}")
        if self.json is not None:
            body = ", ".join(f'"{k}": "{v}"' for k, v in self.json.items())
            options.append(f"body: '{{{body}}}'")
        if self.credentials != "same-origin":
            options.append(f"credentials: '{self.credentials}'")
        call = f"fetch('{api}{self.path}'" + (", {" + ", ".join(options) + "})" if options else ")")
        if self.reads_header:
            call += f"  // then response.headers.get('{self.reads_header}')"
        return call


#: What both shop frontends do, in this order (the login comes before the request that needs its cookie).
REQUESTS = (
    FrontendRequest("GET /users, then read X-Total-Count", "GET", "/users", reads_header="X-Total-Count"),
    FrontendRequest("POST /users with JSON", "POST", "/users", json={"name": "carol"}, expected_status=201),
    FrontendRequest("PUT /users/1 with JSON", "PUT", "/users/1", json={"name": "alicia"}),
    FrontendRequest("DELETE /users/2", "DELETE", "/users/2"),
    FrontendRequest(
        "POST /login, credentials: 'include'", "POST", "/login", json={"name": "alice"}, credentials="include"
    ),
    FrontendRequest("GET /me with the session cookie", "GET", "/me", credentials="include"),
    FrontendRequest("GET /me with Authorization: Bearer", "GET", "/me", bearer=True),
)


@dataclass(frozen=True)
class Check:
    """One line of the checklist: passed or not, what happened, and (when it failed) why and the fix."""

    label: str
    passed: bool
    outcome: str
    problem: str = ""
    console: str | None = None
    fix: str | None = None
    result: FetchResult | None = field(default=None, compare=False, repr=False)
    topic: str = field(default="", compare=False)

    def lines(self, previous_fix: str | None = None) -> list[str]:
        mark = "\u2714" if self.passed else "\u2718"
        lines = [f"  {mark} {self.label}" + (f": {self.outcome}" if self.outcome else "")]
        if self.passed:
            return lines
        if self.problem:
            lines.append(f"      why: {self.problem}")
        if self.console:
            lines.append(f"      console: {self.console}")
        if self.fix:
            lines.append(f"      fix: {'as above' if self.fix == previous_fix else self.fix}")
        return lines


@dataclass(frozen=True)
class Checklist:
    """Sections of checks (a frontend, the attacker, the audit); passes only when every check does."""

    sections: tuple[tuple[str, tuple[Check, ...]], ...]

    @property
    def checks(self) -> list[Check]:
        return [check for _, checks in self.sections for check in checks]

    @property
    def failures(self) -> list[tuple[str, Check]]:
        return [(title, check) for title, checks in self.sections for check in checks if not check.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def find(self, section_start: str, label_start: str) -> Check:
        """The check whose section title and label start with these strings."""
        for title, checks in self.sections:
            if title.startswith(section_start):
                for check in checks:
                    if check.label.startswith(label_start):
                        return check
        raise KeyError(f"no check {label_start!r} in a section {section_start!r}")

    def text(self) -> str:
        lines = []
        for title, checks in self.sections:
            lines.append(title)
            previous_fix = None
            for check in checks:
                lines.extend(check.lines(previous_fix))
                previous_fix = check.fix if not check.passed else previous_fix
        total, failed = len(self.checks), len(self.failures)
        lines.append(f"All {total} checks pass." if not failed else f"{failed} of {total} checks fail.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def groups(self) -> dict[str, list[tuple[str, Check]]]:
        """The failing checks by topic (origins, preflight, credentials, ...), in the order of :data:`TOPICS`."""
        found: dict[str, list[tuple[str, Check]]] = {}
        for title, check in self.failures:
            found.setdefault(check.topic or _topic_of(check), []).append((title, check))
        return {topic: found[topic] for topic in TOPICS if topic in found}

    def short_text(self, full: str = "print(checklist(settings))") -> str:
        """The failing checks grouped by topic, a line or two each (``full`` shows every check)."""
        failures = self.failures
        if not failures:
            return self.text()
        total = len(self.checks)
        lines = [f"{len(failures)} of {total} checks fail ({full} lists all {total}):"]
        for topic, items in self.groups().items():
            title, first = items[0]
            where = _where(title)
            more = f", and {len(items) - 1} more" if len(items) > 1 else ""
            # An audit finding's message names the fix: here only its code (the hints have the rest).
            what = first.label if topic == "audit" else f"{first.label}: {first.outcome}"
            lines.append(f"  \u2718 {topic} ({len(items)}): {where}, {what}{more}")
        passing = total - len(failures)
        lines.append(f"  \u2714 {passing} check{'s' if passing != 1 else ''} pass{'es' if passing == 1 else ''}")
        return "\n".join(lines)

    def problems(self) -> list[Problem]:
        """One feedback item per topic: what to look at first, then the browser's words, then the fix."""
        problems = []
        for topic, items in self.groups().items():
            title, first = items[0]
            count = f"{topic} ({len(items)} check{'s' if len(items) > 1 else ''})"
            first_one = f"{count}: the first is {_where(title)}, {first.label}"
            if topic == "audit":  # a finding's message names its fix: that is for the last hint
                first_one += f" ({len(items)} finding{'s' if len(items) > 1 else ''})"
            else:
                first_one += f": {first.outcome}"
                why = first.console or (first.problem if topic != "environment" else "")
                if why:
                    first_one += f". The browser says: {why}" if first.console else f" ({why})"
            fixes = list(dict.fromkeys(check.fix for _, check in items if check.fix))
            if topic == "audit":
                fixes = [f"{check.label}: {check.outcome}. {check.fix or ''}".strip() for _, check in items]
            said = first.problem or first.outcome
            detail = f"{count}: " + (" ".join(fixes) if fixes else f"{_where(title)}, {first.label}: {said}")
            problems.append(Problem(f"{count}: {TOPICS[topic]}", detail, (first_one,)))
        return problems

    def summary(self) -> str:
        """One sentence for the exercise's feedback: how many fail and the first one, with its fix."""
        failures = self.failures
        if not failures:
            return f"all {len(self.checks)} checks pass"
        title, first = failures[0]
        where = title.split(" -> ")[0].rstrip(":")
        text = f"{len(failures)} of {len(self.checks)} checks fail. The first: {where}, {first.label}: {first.outcome}"
        if first.problem and first.console is None:
            text += f" ({first.problem})"
        if first.fix:
            text += f". Fix: {first.fix}"
        return text


# --- running the shop's requests ----------------------------------------------------------------------


#: What each topic of failing checks is about, and where to look first (never the fix itself).
TOPICS = {
    "environment": "CorsConfig.from_env refuses a value: read its message.",
    "origins": "the browser finds no Access-Control-Allow-Origin it accepts: put each allow_origins entry next "
    "to the Origin header the frontend sends.",
    "preflight": "the answer to the preflight (OPTIONS) does not allow what the request does: look at its "
    "method and the headers the page sets.",
    "credentials": "a request with credentials: 'include' needs more from the server: what must a response say "
    "before the browser shares it with a page that sent cookies?",
    "exposed headers": "the page gets the response but cannot read one of its headers: which response headers "
    "may a cross-origin page read?",
    "attackers": "a page that must stay out can read the API: look at what your allowed origins let in.",
    "audit": "audit still warns: run it on your settings and read each finding.",
    "other": "a request gets an unexpected status: read its outcome.",
}

_PREFLIGHT_CODES = frozenset(
    {
        FailureCode.PREFLIGHT_INVALID_STATUS,
        FailureCode.PREFLIGHT_DISALLOWED_REDIRECT,
        FailureCode.METHOD_DISALLOWED_BY_PREFLIGHT_RESPONSE,
        FailureCode.HEADER_DISALLOWED_BY_PREFLIGHT_RESPONSE,
        FailureCode.INVALID_ALLOW_METHODS_PREFLIGHT_RESPONSE,
        FailureCode.INVALID_ALLOW_HEADERS_PREFLIGHT_RESPONSE,
    }
)
_CREDENTIALS_CODES = frozenset({FailureCode.WILDCARD_ORIGIN_NOT_ALLOWED, FailureCode.INVALID_ALLOW_CREDENTIALS})


def _topic_of(check: Check) -> str:
    """The topic of a failing check, from the browser's failure code when it was blocked."""
    code = check.result.failure_code if check.result is not None else None
    if code is None:
        return "other"
    base = code.base
    if base in _ORIGIN_CODES:
        return "origins"
    if base in _CREDENTIALS_CODES:
        return "credentials"
    if base in _PREFLIGHT_CODES:
        return "preflight"
    return "other"


def _where(title: str) -> str:
    """A section title, shortened: 'Frontend https://shop.example' rather than the whole arrow."""
    return title.split(" -> ")[0].rstrip(":")


def _config(settings: CorsConfig | Mapping[str, Any]) -> CorsConfig:
    return settings if isinstance(settings, CorsConfig) else CorsConfig(**settings)


def run_requests(settings: CorsConfig | Mapping[str, Any], page: str) -> list[Check]:
    """Every request of :data:`REQUESTS` from a page at ``page``, against a fresh demo API with these settings."""
    config = _config(settings)
    app = demo_api(config)
    api = API_URLS[page]
    browser = Browser(page, app=app)
    # The Bearer token comes from a login on the API's own origin (same-origin: no CORS involved),
    # so the Bearer check does not depend on whether the cookie login works.
    token = Browser(api, app=app).fetch(f"{api}/login", method="POST", json={"name": "alice"}).json()["token"]
    checks = []
    login: Check | None = None
    for request in REQUESTS:
        headers = {"Authorization": f"Bearer {token}"} if request.bearer else None
        result = browser.fetch(
            api + request.path,
            method=request.method,
            headers=headers,
            json=request.json,
            credentials=request.credentials,
        )
        check = _judge(request, result, browser, login, _origin_fix(config, page))
        if request.path == "/login":
            login = check
        checks.append(check)
    return checks


def _judge(
    request: FrontendRequest, result: FetchResult, browser: Browser, login: Check | None, origin_fix: str | None
) -> Check:
    label = request.label
    if not result.ok:
        fix = result.fix
        if origin_fix and result.failure_code is not None and result.failure_code.base in _ORIGIN_CODES:
            fix = origin_fix
        return Check(
            label, False, f"blocked ({result.error_code})", console=result.console_message, fix=fix, result=result
        )
    status = result.status
    if status != request.expected_status:
        if status == 401 and login is not None and not request.bearer:
            why = (
                "the API answered 401 'not logged in': the session cookie did not come along, because the "
                "login above failed"
                if not login.passed
                else "the API answered 401 'not logged in': the browser did not send the session cookie"
            )
            return Check(
                label,
                False,
                "fetch() resolves, but with status 401",
                why,
                fix="Make the login above pass first; the cookie it sets is what /me needs.",
                result=result,
                topic="credentials",
            )
        return Check(
            label,
            False,
            f"fetch() resolves, but with status {status}",
            f"the frontend expects {request.expected_status}",
            result=result,
            topic="other",
        )
    if request.reads_header and result.headers.get(request.reads_header) is None:
        name = request.reads_header
        return Check(
            label,
            False,
            f"allowed ({status}), but {name} is not readable",
            f"response.headers.get('{name}') is null: a cross-origin page may read only the safelisted "
            "response headers (Cache-Control, Content-Language, Content-Length, Content-Type, Expires, "
            "Last-Modified, Pragma) and the ones listed in Access-Control-Expose-Headers",
            fix=f"Add {name!r} to expose_headers in CORSMiddleware.",
            result=result,
            topic="exposed headers",
        )
    if request.path == "/login":
        stored = any(cookie.name == SESSION_COOKIE for cookie in browser.cookies)
        if not stored:
            reasons = [step.detail for step in result.steps if step.kind is StepKind.COOKIE_REJECTED]
            return Check(
                label,
                False,
                f"allowed ({status}), but the browser did not store the session cookie",
                "; ".join(reasons) or "no Set-Cookie arrived",
                result=result,
                topic="credentials",
            )
        return Check(label, True, f"allowed ({status}), session cookie stored", result=result)
    how = "after a preflight" if result.preflighted else "no preflight"
    return Check(label, True, f"allowed ({status}, {how})", result=result)


def _origin_fix(config: CorsConfig, page: str) -> str | None:
    """A sharper fix than the browser's when allow_origins nearly lists the page: a string, or a near miss."""
    origins = config.allow_origins
    if isinstance(origins, str):
        return (
            f"allow_origins is the string {origins!r}, not a list, so Starlette tests `origin in "
            f"{origins!r}`, a substring match: write a list, allow_origins=[...], with {page!r} in it."
        )
    for entry in origins:
        if not isinstance(entry, str) or entry == page:
            continue
        try:
            near_miss = str(origin_of(entry.strip())) == page
        except OriginError:
            near_miss = False
        if near_miss:
            return (
                f"allow_origins has {entry!r}, but the browser sends 'Origin: {page}', and the two are compared "
                f"character for character: write {page!r}."
            )
    return None


def evil_check(settings: CorsConfig | Mapping[str, Any]) -> Check:
    """A page at https://evil.example asks for /me with credentials: the browser must block it."""
    config = _config(settings)
    result = Browser(EVIL, app=demo_api(config)).fetch(f"{API_URLS[EVIL]}/me", credentials="include")
    label = "GET /me with credentials: 'include'"
    if not result.ok:
        return Check(label, True, f"blocked ({result.error_code}), as it should be", result=result)
    response = result.server_response
    allow_origin = response.get("access-control-allow-origin") if response else None
    origins = [config.allow_origins] if isinstance(config.allow_origins, str) else list(config.allow_origins)
    if "*" in origins:
        fix = (
            "Replace '*' by the exact origins of your frontends: with allow_credentials=True, Starlette answers "
            "'*' by echoing whatever Origin the request has."
        )
    elif config.allow_origin_regex is not None:
        fix = f"Tighten allow_origin_regex={config.allow_origin_regex!r}: it matches {EVIL!r}."
    else:
        fix = f"List only the shop's own origins in allow_origins, not {EVIL!r}."
    return Check(
        label,
        False,
        f"allowed ({result.status}): evil.example can read it",
        f"the response says Access-Control-Allow-Origin: {allow_origin} with Access-Control-Allow-"
        "Credentials: true, so the attacker's script reads whatever a logged-in user's cookie unlocks",
        fix=fix,
        result=result,
        topic="attackers",
    )


def refused_check(settings: CorsConfig | Mapping[str, Any], page: str, api: str) -> Check:
    """A page that must NOT be able to read the API (any response, even without credentials)."""
    result = Browser(page, app=demo_api(_config(settings))).fetch(f"{api}/users")
    label = "GET /users"
    if not result.ok:
        return Check(label, True, f"blocked ({result.error_code}), as it should be", result=result)
    return Check(
        label,
        False,
        f"allowed ({result.status}): this page can read the API",
        f"{page} is allowed, but it is not a frontend of this deployment",
        fix=f"Remove {page!r} from this environment's allowed origins.",
        result=result,
        topic="attackers",
    )


def _audit_checks(findings: list[Finding]) -> tuple[Check, ...]:
    serious = [f for f in findings if f.severity in ("error", "warning")]
    if not serious:
        return (Check("no errors or warnings", True, "clean"),)
    return tuple(Check(f"[{f.severity}] {f.code}", False, f.message, fix=f.fix, topic="audit") for f in serious)


def _frontend_title(page: str) -> str:
    return f"Frontend {page} -> API {API_URLS[page]}"


def checklist(settings: CorsConfig | Mapping[str, Any]) -> Checklist:
    """Both frontends' requests, the attacker, and ``audit(settings)``, as one checklist."""
    config = _config(settings)
    sections: list[tuple[str, tuple[Check, ...]]] = [
        (_frontend_title(page), tuple(run_requests(config, page))) for page in FRONTENDS
    ]
    sections.append((f"Attacker {EVIL} -> API {API_URLS[EVIL]}", (evil_check(config),)))
    sections.append(("audit(settings)", _audit_checks(audit(config))))
    return Checklist(tuple(sections))


# --- exercise 7.1: fix the settings ---------------------------------------------------------------------


def _validate_settings(settings: Any) -> CorsConfig:
    if isinstance(settings, Mapping):
        origins = settings.get("allow_origins")
        if isinstance(origins, str) and re.search(r"[\s,]", origins.strip()):
            parts = [part for part in re.split(r"[\s,]+", origins) if part]
            raise BadInput(
                f"allow_origins is one string with several origins in it, {origins!r}: Starlette would "
                f"test `origin in {origins!r}`, a substring match; write a list, "
                f"allow_origins=[{', '.join(map(repr, parts))}]"
            )
        for name in ("allow_methods", "allow_headers", "expose_headers"):
            value = settings.get(name)
            if isinstance(value, str):
                parts = [part for part in re.split(r"[\s,]+", value) if part]
                raise BadInput(
                    f"{name} is the string {value!r}; CORSMiddleware wants a list (it would read the "
                    f"string letter by letter): {name}=[{', '.join(map(repr, parts))}]"
                )
    return settings_answer(settings, "{'allow_origins': ['https://shop.example']}")


def _check_settings(settings: Any) -> str:
    config = _validate_settings(settings)
    result = checklist(config)
    print(result.short_text())
    if not result.passed:
        raise NotYet.parts(result.problems(), _failing(result))
    return (
        "both frontends can do everything they need, https://evil.example cannot read /me with credentials, "
        "and audit() finds nothing to warn about"
    )


def _failing(result: Checklist) -> str:
    groups = result.groups()
    topics = f"{len(groups)} topic" + ("s" if len(groups) > 1 else "")
    return f"{len(result.failures)} of {len(result.checks)} checks fail, in {topics}:"


fix_the_shop = Exercise(
    "7.1",
    "Fix the shop's CORS settings",
    _check_settings,
    """
    settings = {
        "allow_origins": ["https://shop.example", "http://localhost:3000"],
        "allow_credentials": True,
        "allow_methods": ["GET", "POST", "PUT", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type"],
        "expose_headers": ["X-Total-Count"],
    }
    """,
    (
        'Five bugs: the trailing slash in `"https://shop.example/"` (the browser sends the origin '
        'without it, and the comparison is exact); `allow_methods` left at its default `["GET"]`, '
        "which refuses the preflights of POST, PUT and DELETE; no `allow_credentials=True`, so the "
        "browser hides every response to a `credentials: 'include'` call; `Authorization` missing "
        "from `allow_headers`; and no `expose_headers`, so the page cannot read `X-Total-Count`. "
        "Try sections 4 to 7 before you open this."
    ),
)


# --- exercise 7.2: production and development from the environment ----------------------------------------


def _validate_env(name: str, env: Any) -> dict[str, str]:
    if not isinstance(env, Mapping):
        raise BadInput(
            f"{name} is a {type(env).__name__}; it should be a dict of environment variables, "
            "such as {'ALLOWED_ORIGINS': 'https://shop.example'}"
        )
    for key, value in env.items():
        if not isinstance(value, str):
            raise BadInput(
                f"{name}[{key!r}] is {value!r}; environment variables are always text: write it as a "
                f"string, such as {_as_env_text(value)!r}"
            )
    return dict(env)


def _as_env_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def env_checklist(production_env: Mapping[str, str], development_env: Mapping[str, str]) -> Checklist:
    """Production serves https://shop.example only; development serves http://localhost:3000."""
    sections: list[tuple[str, tuple[Check, ...]]] = []
    plans = (
        ("production_env", production_env, SHOP, STAGING, True),
        ("development_env", development_env, STAGING, None, False),
    )
    for name, env, page, refused, production in plans:
        try:
            config = CorsConfig.from_env(env)
        except CorsConfigError as error:
            refused_env = Check("refused", False, without_fix(str(error)), str(error), topic="environment")
            sections.append((f"{name}: CorsConfig.from_env({name})", (refused_env,)))
            continue
        sections.append((f"{name}: CorsConfig.from_env({name})", (Check(config.summary(), True, ""),)))
        sections.append((f"{name}: " + _frontend_title(page), tuple(run_requests(config, page))))
        if refused is not None:
            sections.append(
                (
                    f"{name}: page {refused} must be refused -> API {API_URLS[page]}",
                    (refused_check(config, refused, API_URLS[page]),),
                )
            )
        sections.append((f"{name}: attacker {EVIL} -> API {API_URLS[page]}", (evil_check(config),)))
        label = f"audit_env({name}, production={production})"
        sections.append((f"{name}: {label}", _audit_checks(audit_env(env, production=production))))
    return Checklist(tuple(sections))


def _check_env(production_env: Any, development_env: Any) -> str:
    production = _validate_env("production_env", production_env)
    development = _validate_env("development_env", development_env)
    result = env_checklist(production, development)
    print(result.short_text("print(env_checklist(production_env, development_env))"))
    if not result.passed:
        raise NotYet.parts(result.problems(), _failing(result))
    return (
        "one app, two environments: production lets in only https://shop.example, development only "
        "http://localhost:3000, and each frontend can do everything it needs"
    )


env_split = Exercise(
    "7.2",
    "Production and development settings from the environment",
    _check_env,
    """
    shared = {
        "CORS_ALLOW_CREDENTIALS": "true",
        "CORS_ALLOW_METHODS": "GET,POST,PUT,DELETE",
        "CORS_ALLOW_HEADERS": "Authorization,Content-Type",
        "CORS_EXPOSE_HEADERS": "X-Total-Count",
    }
    production_env = {"ALLOWED_ORIGINS": "https://shop.example", **shared}
    development_env = {"ALLOWED_ORIGINS": "http://localhost:3000", **shared}
    """,
    (
        "Only `ALLOWED_ORIGINS` differs between the two: everything else is what the frontend "
        "needs, and that is the same everywhere. Development could leave `ALLOWED_ORIGINS` unset, "
        "since `http://localhost:3000` is the default; setting it says so plainly."
    ),
)
