"""``audit``: find what is wrong with a FastAPI app's CORS settings before a browser does.

Findings that claim an attack works are demonstrated: the settings are run in Starlette's real
CORSMiddleware, and the browser model makes the attacker's request against it.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import WebSocketRoute

from .config import CorsConfig, CorsConfigError
from .origins import OriginError, origin_of

__all__ = ["Finding", "audit", "audit_env"]

Severity = Literal["error", "warning", "info"]
_ORDER = {"error": 0, "warning": 1, "info": 2}
_SENSITIVE_EXPOSED = {"set-cookie", "set-cookie2", "authorization", "cookie", "proxy-authorization"}
_REGEX_CHARACTERS = re.compile(r"[\\^$*+()\[\]{}|]|s\?://")  # "?" alone is more likely a query
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
PRODUCTION_NAMES = ("ENVIRONMENT", "APP_ENV", "ENV", "FASTAPI_ENV")


@dataclass(frozen=True)
class Finding:
    """One problem: a stable ``code``, how bad it is, what is wrong (naming the value), and the fix."""

    code: str
    severity: Severity
    message: str
    fix: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.code}: {self.message}\n    fix: {self.fix}"

    def _repr_html_(self) -> str:
        colour = {"error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}[self.severity]
        return (
            f'<div style="border-left:4px solid {colour};padding-left:8px;margin:4px 0">'
            f'<b style="color:{colour}">{self.severity}</b> <code>{html.escape(self.code)}</code>: '
            f"{html.escape(self.message)}<br><b>Fix:</b> {html.escape(self.fix)}</div>"
        )


def audit(target: Any) -> list[Finding]:
    """Check a FastAPI/Starlette app, a ``CorsConfig``, or a dict of CORSMiddleware arguments.

    Returns the findings, most severe first. A clean, safe configuration gives no errors or warnings.
    """
    if isinstance(target, CorsConfig):
        findings = _audit_config(target)
    elif isinstance(target, Mapping):
        findings = _audit_config(_config_from_kwargs(target))
    elif hasattr(target, "user_middleware"):
        findings = _audit_app(target)
    else:
        raise TypeError(
            f"cannot audit {target!r}: pass a FastAPI or Starlette app, a CorsConfig, "
            "or a dict of CORSMiddleware keyword arguments"
        )
    return sorted(findings, key=lambda finding: _ORDER[finding.severity])


def audit_env(
    environ: Mapping[str, str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    production: bool | None = None,
) -> list[Finding]:
    """Check the environment-based configuration that ``CorsConfig.from_env`` reads.

    ``production`` defaults to whether ENVIRONMENT, APP_ENV, ENV or FASTAPI_ENV says "prod" or
    "production"; production settings must not allow "*" or localhost.
    """
    env = dict(os.environ if environ is None else environ)
    try:
        config = CorsConfig.from_env(env, env_file=env_file)
    except CorsConfigError as error:
        return [Finding("env-invalid", "error", str(error), "Correct the variable as the message says.")]
    if production is None:
        production = any(env.get(name, "").strip().lower() in ("prod", "production") for name in PRODUCTION_NAMES)
    findings = _audit_config(config)
    if "ALLOWED_ORIGINS" not in env and not (env_file and "ALLOWED_ORIGINS" in _file_keys(env_file)):
        findings.append(
            Finding(
                "env-default-origins",
                "error" if production else "info",
                f"ALLOWED_ORIGINS is not set, so only the development default {config.allow_origins[0]!r} is allowed",
                "Set ALLOWED_ORIGINS to your frontend's origin(s) in production, e.g. "
                "ALLOWED_ORIGINS=https://myfrontend.com",
            )
        )
    if production:
        origins = list(config.allow_origins)
        if "*" in origins:
            findings.append(
                Finding(
                    "production-wildcard",
                    "error",
                    "the production ALLOWED_ORIGINS contains '*': every website may call the API",
                    "List only your frontend's origins, e.g. ALLOWED_ORIGINS=https://myfrontend.com",
                )
            )
        local = [o for o in origins if o != "*" and origin_of(o).host in _LOCAL_HOSTS]
        if local:
            findings.append(
                Finding(
                    "production-localhost",
                    "error",
                    f"the production ALLOWED_ORIGINS allows {', '.join(map(repr, local))}: any "
                    "program on a visitor's own machine could call the API with their cookies",
                    "Remove localhost origins from the production value; keep them in development",
                )
            )
        plain = [o for o in origins if o.startswith("http://") and origin_of(o).host not in _LOCAL_HOSTS]
        if plain:
            findings = [f for f in findings if f.code != "http-next-to-https"]  # said below, for production
            findings.append(
                Finding(
                    "production-http",
                    "warning",
                    f"the production ALLOWED_ORIGINS allows plain-http {', '.join(map(repr, plain))}",
                    "Serve the frontend over https and list only https:// origins",
                )
            )
    return sorted(findings, key=lambda finding: _ORDER[finding.severity])


def _file_keys(env_file: str | os.PathLike[str]) -> set[str]:
    from dotenv import dotenv_values

    return set(dotenv_values(env_file))


def _config_from_kwargs(kwargs: Mapping[str, Any]) -> CorsConfig:
    known = {f.name for f in fields(CorsConfig)}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise TypeError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not CORSMiddleware "
            f"argument{'s' if len(unknown) > 1 else ''}: use {', '.join(sorted(known))}"
        )
    return CorsConfig(**kwargs)


# --- the app ----------------------------------------------------------------------------------------


def _audit_app(app: Any) -> list[Finding]:
    middleware = list(app.user_middleware)  # outermost first
    cors = [i for i, m in enumerate(middleware) if m.cls is CORSMiddleware]
    findings: list[Finding] = []
    if not cors:
        return [
            Finding(
                "no-cors-middleware",
                "warning",
                "the app has no CORSMiddleware: browsers block every cross-origin request to it",
                "app.add_middleware(CORSMiddleware, allow_origins=['https://myfrontend.com'])",
            )
        ]
    if len(cors) > 1:
        findings.append(
            Finding(
                "several-cors-middleware",
                "error",
                f"the app has {len(cors)} CORSMiddleware: responses can get two "
                "Access-Control-Allow-Origin headers, which browsers reject",
                "Keep one app.add_middleware(CORSMiddleware, ...) call",
            )
        )
    first = cors[0]
    outside = [m.cls.__name__ for m in middleware[:first]]
    if outside:
        findings.append(
            Finding(
                "middleware-outside-cors",
                "warning",
                f"{', '.join(outside)} {'was' if len(outside) == 1 else 'were'} added after CORSMiddleware, so "
                f"{'it runs' if len(outside) == 1 else 'they run'} outside it: a preflight or error answered there has "
                "no CORS headers (an auth middleware answering OPTIONS with 401 shows as a CORS error)",
                "Call app.add_middleware(CORSMiddleware, ...) last, after every other add_middleware",
            )
        )
    config = _config_from_kwargs(middleware[first].kwargs)
    findings.extend(_audit_config(config))
    findings.append(
        Finding(
            "errors-without-cors-headers",
            "info",
            "an unhandled exception becomes a 500 from Starlette's ServerErrorMiddleware, outside CORSMiddleware, "
            "so the browser reports it as a CORS error and hides the 500",
            "Handle your own exception types with @app.exception_handler(MyError) (those handlers run inside "
            "CORSMiddleware); a handler for Exception or 500 runs outside it and still has no CORS headers",
        )
    )
    slashed = sorted(
        {
            route.path
            for route in app.routes
            if getattr(route, "path", "/") != "/"
            and getattr(route, "path", "").endswith("/")
            and not isinstance(route, WebSocketRoute)
        }
    )
    if slashed and getattr(app.router, "redirect_slashes", False):
        findings.append(
            Finding(
                "trailing-slash-redirects",
                "info",
                f"{', '.join(slashed)} {'is' if len(slashed) == 1 else 'are'} only served with a trailing slash: a "
                "request without it gets a 307 redirect. CORSMiddleware answers the preflight first and adds its "
                "headers to the redirect, so browsers follow it, at the cost of another round trip (and another "
                "preflight); a redirect sent before CORSMiddleware runs would fail the preflight",
                "Call the path exactly as declared from the frontend",
            )
        )
    sockets = sorted(route.path for route in app.routes if isinstance(route, WebSocketRoute))
    if sockets:
        findings.append(
            Finding(
                "websockets-not-covered",
                "info",
                f"WebSocket route{'s' if len(sockets) > 1 else ''} {', '.join(sockets)}: CORSMiddleware does not "
                "apply to WebSockets, and browsers do not enforce CORS on them; any site can connect",
                "Check websocket.headers['origin'] against your allowed origins before websocket.accept()",
            )
        )
    return findings


# --- the settings -----------------------------------------------------------------------------------


def _audit_config(config: CorsConfig) -> list[Finding]:
    findings: list[Finding] = []
    origins = config.allow_origins
    if isinstance(origins, str):
        findings.append(_string_instead_of_list(origins))
        origins = tuple(_split_list(origins))  # judge the origins the author meant
    for name in ("allow_methods", "allow_headers", "expose_headers"):
        value = getattr(config, name)
        if isinstance(value, str):
            findings.append(
                Finding(
                    f"{name.replace('_', '-')}-string",
                    "error",
                    f"{name} is the string {value!r}, not a list: Starlette reads it letter by letter",
                    f"{name}={_split_list(value)!r}",
                )
            )
    wildcard = "*" in origins
    if wildcard and config.allow_credentials:
        findings.append(_wildcard_with_credentials(config))
    for entry in origins:
        if entry != "*":
            findings.extend(_check_origin_entry(entry))
    schemes = {o.split("://")[0] for o in origins if "://" in o and not _is_local(o)}
    if {"http", "https"} <= schemes:
        plain = [o for o in origins if o.startswith("http://") and not _is_local(o)]
        findings.append(
            Finding(
                "http-next-to-https",
                "warning",
                f"plain-http {', '.join(map(repr, plain))} is allowed next to https origins: a "
                "network attacker can serve that http page and call the API",
                "Drop the http:// origins in production; serve the frontend over https",
            )
        )
    if config.allow_origin_regex is not None:
        findings.extend(_check_regex(config.allow_origin_regex, config.allow_credentials))
    if config.allow_credentials:
        if "*" in config.allow_headers:
            findings.append(
                Finding(
                    "wildcard-headers-with-credentials",
                    "warning",
                    "allow_headers=['*'] with allow_credentials=True: browsers take '*' literally for credentialed "
                    "requests, but Starlette mirrors whatever headers a preflight asks for, so every header is allowed",
                    "List the headers the frontend sends, e.g. allow_headers=['Authorization', 'Content-Type']",
                )
            )
        if "*" in config.allow_methods:
            findings.append(
                Finding(
                    "wildcard-methods-with-credentials",
                    "warning",
                    "allow_methods=['*'] with allow_credentials=True: Starlette expands '*' to every method "
                    "(DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, ...), so credentialed pages may use them all",
                    "List the methods the frontend uses, e.g. allow_methods=['GET', 'POST']",
                )
            )
    if config.max_age > 7200:
        findings.append(
            Finding(
                "max-age-over-cap",
                "info",
                f"max_age={config.max_age}: Chromium caches a preflight for at most 7200 s (2 h)",
                "max_age=7200 says what browsers will really do",
            )
        )
    exposed = [h for h in config.expose_headers if h.lower() in _SENSITIVE_EXPOSED]
    if exposed:
        findings.append(
            Finding(
                "sensitive-expose-headers",
                "warning",
                f"expose_headers lists {', '.join(map(repr, exposed))}: browsers never expose "
                "Set-Cookie, and exposing credentials to any allowed page's script is a leak",
                "Remove them from expose_headers",
            )
        )
    return findings


def _is_local(origin: str) -> bool:
    try:
        return origin_of(origin).host in _LOCAL_HOSTS
    except OriginError:
        return False


def _split_list(value: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", value) if item]


def _string_instead_of_list(value: str) -> Finding:
    meant = _split_list(value)
    sample = _truncated_origin(meant[0]) if meant else None
    proof = ""
    if sample:
        allowed = _starlette_allows(CorsConfig(allow_origins=value), sample)
        proof = f" (checked: Starlette {starlette.__version__} {'allows' if allowed else 'refuses'} {sample!r})"
    return Finding(
        "allow-origins-string",
        "error",
        f"allow_origins is the string {value!r}, not a list: Starlette then tests `origin in "
        f"{value!r}`, a substring match{proof}",
        f"allow_origins={meant!r}" + (" (split the string: .split(','))" if len(meant) > 1 else ""),
    )


def _truncated_origin(value: str) -> str | None:
    """An origin that is a substring of ``value`` but not ``value``: what a string match lets in."""
    cut = value.rstrip("/")[:-1]
    try:
        return str(origin_of(cut)) if cut else None
    except OriginError:
        return None


def _wildcard_with_credentials(config: CorsConfig) -> Finding:
    evil = "https://evil.example"
    allowed = _starlette_allows(config, evil, credentials=True)
    if allowed:
        message = (
            f"allow_origins contains '*' and allow_credentials=True: Starlette {starlette.__version__} then "
            f"echoes any Origin with Access-Control-Allow-Credentials: true (checked: a credentialed fetch "
            f"from {evil} may read the response). Every page on your own site can then read logged-in "
            "users' data, and so can any website in browsers that still send third-party cookies"
        )
    else:
        message = (
            "allow_origins contains '*' and allow_credentials=True: browsers reject the credentialed "
            "responses, so cookies do not work"
        )
    return Finding(
        "wildcard-with-credentials",
        "error",
        message,
        "List the frontend's exact origins, e.g. allow_origins=['https://myfrontend.com'], allow_credentials=True",
    )


def _starlette_allows(config: CorsConfig, origin: str, *, credentials: bool = False) -> bool:
    """Run the settings in Starlette's real CORSMiddleware and let the browser model judge a fetch."""
    from fastapi import FastAPI

    from .driver import Browser

    app = FastAPI()

    @app.get("/probe")
    def probe() -> str:
        return "secret"

    config.apply(app)
    result = Browser(origin, app=app).fetch(
        "http://api.invalid/probe", credentials="include" if credentials else "same-origin"
    )
    return result.ok


def _check_origin_entry(entry: str) -> list[Finding]:
    if not isinstance(entry, str):
        return [
            Finding(
                "origin-not-a-string",
                "error",
                f"allow_origins contains {entry!r}, not a string",
                "Write each origin as a string, e.g. 'https://myfrontend.com'",
            )
        ]
    if entry == "":
        return [
            Finding(
                "origin-empty",
                "error",
                "allow_origins contains an empty string, which matches nothing",
                "Remove it (an empty ALLOWED_ORIGINS item often comes from a trailing comma)",
            )
        ]
    if entry.strip().lower() == "null":
        return [
            Finding(
                "origin-null",
                "error",
                "allow_origins contains 'null': sandboxed iframes, local files and some redirects send "
                "Origin: null, and any website can make a sandboxed iframe",
                "Remove 'null'; list the real origins of your frontend",
            )
        ]
    if _REGEX_CHARACTERS.search(entry):
        return [
            Finding(
                "regex-in-allow-origins",
                "error",
                f"allow_origins contains {entry!r}, which looks like a pattern, but allow_origins entries "
                "are compared as plain text, so it matches nothing",
                f"Use allow_origin_regex={entry!r} (anchored and with dots escaped), or list the origins",
            )
        ]
    if entry != entry.strip():
        return [
            Finding(
                "origin-whitespace",
                "error",
                f"allow_origins contains {entry!r} with spaces around it, which never matches the browser's "
                "Origin header",
                f"Use {entry.strip()!r}",
            )
        ]
    try:
        origin = origin_of(entry)
    except OriginError as error:
        return [
            Finding(
                "origin-invalid",
                "error",
                f"allow_origins entry {error.value!r} {error.problem}",
                error.fix[0].upper() + error.fix[1:],
            )
        ]
    serialised = str(origin)
    if serialised == entry:
        return []
    reasons = []
    parts = re.match(
        r"(?P<scheme>[^:/]+)://(?:[^@/?#]*@)?(?P<host>\[[^\]]*\]|[^/?#:]*)(?::(?P<port>\d+))?"
        r"(?P<path>[^?#]*)(?P<rest>.*)",
        entry,
    )
    if parts:
        if parts["path"]:
            reasons.append("a path or trailing slash")
        if parts["rest"]:
            reasons.append("a query or fragment")
        if parts["scheme"] != parts["scheme"].lower() or parts["host"] != parts["host"].lower():
            reasons.append("upper-case letters")
        if parts["port"] and origin.uses_default_port:
            reasons.append(f"the default port :{parts['port']}")
        if not parts["host"].isascii():
            reasons.append("a non-ASCII host name (browsers send its punycode form)")
    why = ", ".join(reasons) or "characters the browser normalises away"
    return [
        Finding(
            "origin-never-matches",
            "error",
            f"allow_origins entry {entry!r} has {why}; browsers send {serialised!r}, so it never matches",
            f"Use {serialised!r}",
        )
    ]


def _check_regex(pattern: str, credentials: bool) -> list[Finding]:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return [
            Finding(
                "origin-regex-invalid",
                "error",
                f"allow_origin_regex {pattern!r} is not a valid regular expression ({error})",
                "Fix the pattern, e.g. r'https://([a-z0-9-]+\\.)?example\\.com'",
            )
        ]
    matched = [probe for probe in _attacker_origins(pattern) if compiled.fullmatch(probe)]
    if not matched:
        return []
    severity: Severity = "error" if credentials or any(not p.startswith("http://") for p in matched) else "warning"
    return [
        Finding(
            "origin-regex-too-loose",
            severity,
            f"allow_origin_regex {pattern!r} also matches {', '.join(map(repr, matched))}",
            "Escape every dot (\\.), spell out the scheme (https://), and end at the domain, e.g. "
            "r'https://([a-z0-9-]+\\.)?example\\.com'",
        )
    ]


def _attacker_origins(pattern: str) -> list[str]:
    """Origins an attacker could own that careless patterns for the domains named in ``pattern`` match."""
    literal = re.sub(r"\\(.)", r"\1", pattern)
    domains = {d.lower() for d in re.findall(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", literal)}
    probes: list[str] = ["https://evil.example", "http://evil.example", "null"]
    for domain in sorted(domains):
        first, _, rest = domain.partition(".")
        probes += [
            f"https://{domain}.evil.net",  # a suffix after the domain
            f"https://evil{domain}",  # no dot before the domain
            f"https://evil-{domain}",
            f"https://{domain.replace('.', 'x')}",  # an unescaped dot matches any character
            f"https://{first}x{rest}" if rest else f"https://{first}x",
        ]
        if "https" in literal and "http:" not in literal:
            probes.append(f"http://{domain}")  # https? lets the plain-http site in
    seen: list[str] = []
    for probe in probes:
        if probe not in seen:
            seen.append(probe)
    return seen
