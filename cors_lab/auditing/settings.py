"""What CORSMiddleware's arguments do, read without running the app.

Findings that claim an attack works are demonstrated: the settings are run in Starlette's real
CORSMiddleware, and the browser model makes the attacker's request against it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

import starlette

from ..config import CorsConfig
from ..origins import OriginError, origin_of
from .findings import Code, Finding, Severity

__all__ = ["audit_config", "config_from_kwargs", "is_local", "production_findings", "repair_origin"]

_SENSITIVE_EXPOSED = {"set-cookie", "set-cookie2", "authorization", "cookie", "proxy-authorization"}
_REGEX_CHARACTERS = re.compile(r"[\\^$*+()\[\]{}|]|s\?://")  # "?" alone is more likely a query
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SEPARATORS = re.compile(r"[\s,;]+")
_ANYURL_FIX = (
    "with pydantic settings, keep the origins as strings: allow_origins=[str(o).rstrip('/') for o in "
    "settings.BACKEND_CORS_ORIGINS], or declare BACKEND_CORS_ORIGINS: list[str] and check each with "
    "cors_lab.origin_of"
)


def config_from_kwargs(kwargs: Mapping[str, Any]) -> CorsConfig:
    """A ``CorsConfig`` from CORSMiddleware keyword arguments; unknown names are a TypeError naming them."""
    known = {f.name for f in fields(CorsConfig)}
    unknown = sorted(set(kwargs) - known - {"app"})
    if unknown:
        raise TypeError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not CORSMiddleware "
            f"argument{'s' if len(unknown) > 1 else ''}: use {', '.join(sorted(known))}"
        )
    return CorsConfig(**{k: v for k, v in kwargs.items() if k != "app"})


def audit_config(
    config: CorsConfig,
    *,
    label: str = "allow_origins",
    production: bool = False,
    least_privilege: bool = True,
    project: bool = False,
) -> list[Finding]:
    """The findings about one set of CORSMiddleware arguments; ``label`` names where the origins come from.

    ``least_privilege`` (the lessons' rule) warns about ``"*"`` methods and headers with credentials
    even for exact origins; an app's audit reports holes only, and says those as infos.
    ``project``: the settings are a real project's, so a trailing slash gets the pydantic-settings
    fixes too (``str(AnyUrl)`` adds it); the lessons' settings are typed by hand.
    """
    findings: list[Finding] = []
    origins: Sequence[Any] = config.allow_origins
    if isinstance(origins, str):
        findings.append(_string_instead_of_list(origins, label))
        origins = tuple(item for item in _SEPARATORS.split(origins) if item)  # judge the origins meant
    for name in ("allow_methods", "allow_headers", "expose_headers"):
        value = getattr(config, name)
        if isinstance(value, str):
            code: Code = f"{name.replace('_', '-')}-string"  # type: ignore[assignment]
            findings.append(
                Finding(
                    code,
                    "error",
                    f"{name} is the string {value!r}, not a list: Starlette reads it letter by letter",
                    f"{name}={_split(value)!r}",
                )
            )
        elif name != "expose_headers":
            findings.extend(_check_tokens(name, list(value)))
    urls = [entry for entry in origins if _is_pydantic_url(entry)]
    if urls:
        findings.append(_pydantic_urls(urls, label))
    if "*" in origins and config.allow_credentials:
        findings.append(_wildcard_with_credentials(config))
    for entry in origins:
        if entry != "*" and not _is_pydantic_url(entry):
            findings.extend(_check_origin_entry(entry, label, project))
    strings = [o for o in origins if isinstance(o, str)]
    schemes = {o.split("://")[0] for o in strings if "://" in o and not is_local(o)}
    if {"http", "https"} <= schemes and not production:
        plain = [o for o in strings if o.startswith("http://") and not is_local(o)]
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
        findings.extend(_credential_wildcards(config, least_privilege))
    if config.max_age > 7200:
        findings.append(
            Finding(
                "max-age-over-cap",
                "info",
                f"max_age={config.max_age}: Chromium caches a preflight for at most 7200 s (2 h)",
                "max_age=7200 says what browsers will really do",
            )
        )
    exposed = [h for h in config.expose_headers if isinstance(h, str) and h.lower() in _SENSITIVE_EXPOSED]
    if exposed and not isinstance(config.expose_headers, str):
        findings.append(
            Finding(
                "sensitive-expose-headers",
                "warning",
                f"expose_headers lists {', '.join(map(repr, exposed))}: browsers never expose "
                "Set-Cookie, and exposing credentials to any allowed page's script is a leak",
                "Remove them from expose_headers",
            )
        )
    if production:
        findings.extend(production_findings(strings, config.allow_credentials, label))
    return findings


def production_findings(origins: Sequence[str], credentials: bool, label: str) -> list[Finding]:
    """Production rules: no '*', no localhost, no plain http (worst with credentials)."""
    findings: list[Finding] = []
    if "*" in origins:
        findings.append(
            Finding(
                "production-wildcard",
                "error",
                f"the production {label} contains '*': every website may call the API",
                f"List only your frontend's origins, e.g. {label}=https://myfrontend.com",
            )
        )
    local = [o for o in origins if o != "*" and is_local(o)]
    if local:
        findings.append(
            Finding(
                "production-localhost",
                "error",
                f"the production {label} allows {', '.join(map(repr, local))}: any "
                "program on a visitor's own machine could call the API with their cookies",
                "Remove localhost origins from the production value; keep them in development",
            )
        )
    plain = [o for o in origins if o.startswith("http://") and not is_local(o)]
    if plain and credentials:
        findings.append(
            Finding(
                "production-credentials-over-http",
                "warning",
                f"the production {label} allows plain-http {', '.join(map(repr, plain))} with allow_credentials: "
                "anyone on the visitor's network can inject a script into that page and read the API as the user",
                "Serve the frontend over https and list only https:// origins",
            )
        )
    elif plain:
        findings.append(
            Finding(
                "production-http",
                "warning",
                f"the production {label} allows plain-http {', '.join(map(repr, plain))}",
                "Serve the frontend over https and list only https:// origins",
            )
        )
    return findings


def is_local(origin: str) -> bool:
    try:
        return origin_of(origin).host in _LOCAL_HOSTS
    except OriginError:
        return False


def repair_origin(entry: str) -> list[str] | None:
    """The origins a broken entry meant (split, stripped, unquoted, normalised), or None if one is not an origin."""
    parts = [part.strip("'\"") for part in _SEPARATORS.split(entry.strip().strip("'\"[]")) if part.strip("'\"")]
    repaired: list[str] = []
    for part in parts:
        try:
            origin = origin_of(part)
        except OriginError:
            return None
        if origin.is_opaque:
            return None
        repaired.append(str(origin))
    return repaired or None


def _split(value: str) -> list[str]:
    return [item for item in _SEPARATORS.split(value) if item]


def _is_pydantic_url(value: object) -> bool:
    return not isinstance(value, str) and type(value).__name__.endswith("Url") and hasattr(value, "scheme")


def _pydantic_urls(urls: Sequence[Any], label: str) -> Finding:
    shown = ", ".join(f"{type(u).__name__}({str(u)!r})" for u in urls[:3])
    meant = [o for u in urls for o in (repair_origin(str(u)) or [])]
    return Finding(
        "origin-pydantic-url",
        "error",
        f"{label} holds pydantic URL objects, not strings ({shown}): Starlette compares the browser's Origin "
        "string with them, which never matches; and str(url) adds a trailing slash, which never matches either",
        f"allow_origins={meant!r}: {_ANYURL_FIX}",
        about=tuple(meant),
    )


def _check_tokens(name: str, values: list[Any]) -> list[Finding]:
    """allow_methods and allow_headers entries, judged like origins: one finding with the whole fixed list."""
    if not values or values == ["*"]:
        return []
    code: Code = "method-entry-invalid" if name == "allow_methods" else "header-entry-invalid"
    if len(values) >= 3 and all(isinstance(v, str) and len(v) == 1 for v in values):
        joined = "".join(values)
        split = [v.upper() if name == "allow_methods" else v for v in _split(joined)]
        return [
            Finding(
                code,
                "error",
                f"{name} is {values!r}: a string split into its characters (list({joined!r})), so no real "
                f"{'method' if name == 'allow_methods' else 'header'} matches",
                f"{name}={split!r} (split on commas: {joined!r}.split(','))",
            )
        ]
    problems: list[str] = []
    fixed: list[str] = []
    for value in values:
        if not isinstance(value, str):
            problems.append(f"{value!r} is not a string")
            continue
        parts = _split(value)
        if not parts:
            problems.append(f"{value!r} is empty (an empty variable split: ''.split(',') is [''])")
        elif len(parts) > 1:
            problems.append(f"{value!r} is several names in one string, which matches none of them")
        elif value != value.strip():
            problems.append(f"{value!r} has spaces around it (a split without strip), so it never matches")
        elif not _TOKEN.fullmatch(value):
            problems.append(f"{value!r} is not a valid name")
        elif name == "allow_methods" and value != value.upper():
            problems.append(f"{value!r} is not upper case: Starlette compares methods as written, browsers send GET")
        fixed += [p.upper() if name == "allow_methods" else p for p in parts if _TOKEN.fullmatch(p)]
    if not problems:
        return []
    unique = list(dict.fromkeys(fixed))
    return [Finding(code, "error", f"{name}: {'; '.join(problems)}", f"{name}={unique!r}")]


def _credential_wildcards(config: CorsConfig, least_privilege: bool) -> list[Finding]:
    findings: list[Finding] = []
    # For exact origins only trusted pages get in, and letting them use every method or header is a
    # choice, not a hole. With "*", a pattern or a string, an attacker's page may be one of them.
    exact = not isinstance(config.allow_origins, str) and "*" not in config.allow_origins
    loose = config.allow_origin_regex is not None and bool(_check_regex(config.allow_origin_regex, True))
    hole = not exact or loose
    severity: Severity = "warning" if hole or least_privilege else "info"
    if "*" in config.allow_headers and not isinstance(config.allow_headers, str):
        findings.append(
            Finding(
                "wildcard-headers-with-credentials",
                severity,
                "allow_headers=['*'] with allow_credentials=True: browsers take '*' literally for credentialed "
                "requests, but Starlette mirrors whatever headers a preflight asks for, so every header is allowed",
                "List the headers the frontend sends, e.g. allow_headers=['Authorization', 'Content-Type']",
            )
        )
    if "*" in config.allow_methods and not isinstance(config.allow_methods, str):
        findings.append(
            Finding(
                "wildcard-methods-with-credentials",
                severity,
                "allow_methods=['*'] with allow_credentials=True: Starlette expands '*' to every method "
                "(DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, ...), so credentialed pages may use them all",
                "List the methods the frontend uses, e.g. allow_methods=['GET', 'POST']",
            )
        )
    if "*" in config.expose_headers and not isinstance(config.expose_headers, str):
        findings.append(
            Finding(
                "expose-wildcard-with-credentials",
                "warning",
                "expose_headers=['*'] with allow_credentials=True: for a credentialed response browsers read "
                "'*' as a header literally named '*', so no header is exposed to the page",
                "List the headers the page reads, e.g. expose_headers=['X-Total-Count']",
            )
        )
    return findings


def _string_instead_of_list(value: str, label: str) -> Finding:
    meant = _split(value)
    sample = _truncated_origin(meant[0]) if meant else None
    proof = ""
    if sample:
        allowed = _starlette_allows(CorsConfig(allow_origins=value), sample)
        proof = f" (checked: Starlette {starlette.__version__} {'allows' if allowed else 'refuses'} {sample!r})"
    repaired = [o for item in meant for o in (repair_origin(item) or [item])]
    return Finding(
        "allow-origins-string",
        "error",
        f"{label} is the string {value!r}, not a list: Starlette then tests `origin in "
        f"{value!r}`, a substring match{proof}",
        f"allow_origins={repaired!r}" + (" (split the string: .split(','))" if len(meant) > 1 else ""),
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
    if _starlette_allows(config, evil, credentials=True):
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

    from ..driver import Browser

    app = FastAPI()

    @app.get("/probe")
    def probe() -> str:
        return "secret"

    config.apply(app)
    with Browser(origin, app=app) as browser:
        # The app over https, as a real deployment is: an https page asking for http would be mixed content.
        result = browser.fetch("https://api.invalid/probe", credentials="include" if credentials else "same-origin")
    return result.ok


def _check_origin_entry(entry: Any, label: str, project: bool = False) -> list[Finding]:
    if not isinstance(entry, str):
        return [
            Finding(
                "origin-not-a-string",
                "error",
                f"{label} contains {entry!r}, not a string",
                "Write each origin as a string, e.g. 'https://myfrontend.com'",
            )
        ]
    if entry == "":
        return [
            Finding(
                "origin-empty",
                "error",
                f"{label} contains an empty string, which matches nothing",
                "Remove it (an empty item often comes from a trailing comma, or from splitting an empty variable)",
            )
        ]
    if entry.strip().lower() == "null":
        return [
            Finding(
                "origin-null",
                "error",
                f"{label} contains 'null': sandboxed iframes, local files and some redirects send "
                "Origin: null, and any website can make a sandboxed iframe",
                "Remove 'null'; list the real origins of your frontend",
            )
        ]
    if _REGEX_CHARACTERS.search(entry):
        return [
            Finding(
                "regex-in-allow-origins",
                "error",
                f"{label} contains {entry!r}, which looks like a pattern, but allow_origins entries "
                "are compared as plain text, so it matches nothing",
                f"Use allow_origin_regex={entry!r} (anchored and with dots escaped), or list the origins",
            )
        ]
    repaired = repair_origin(entry)
    if len(_split(entry.strip("'\""))) > 1:
        fix = f"Split it: {repaired!r}" if repaired else "Split it into one origin per list item"
        return [
            Finding(
                "origins-joined",
                "error",
                f"{label} entry {entry!r} holds several origins in one string, so it matches none of them",
                fix + " (e.g. [o.strip() for o in value.split(',') if o.strip()])",
                about=tuple(repaired or ()),
            )
        ]
    if entry != entry.strip():
        fix = f"Use {repaired[0]!r}" if repaired else f"Use {entry.strip()!r}"
        extra = (
            ", and without them it is still not what a browser sends"
            if repaired and repaired[0] != entry.strip()
            else ""
        )
        return [
            Finding(
                "origin-whitespace",
                "error",
                f"{label} contains {entry!r} with spaces around it{extra}, which never matches the browser's "
                "Origin header",
                fix,
                about=tuple(repaired or ()),
            )
        ]
    try:
        origin = origin_of(entry)
    except OriginError as error:
        return [
            Finding(
                "origin-invalid",
                "error",
                f"{label} entry {error.value!r} {error.problem}",
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
    message = f"{label} entry {entry!r} has {why}; browsers send {serialised!r}, so it never matches"
    fix = f"Use {serialised!r}"
    if entry == serialised + "/" and project:
        message += " (str() of a pydantic AnyUrl or AnyHttpUrl adds exactly this slash)"
        fix += f"; {_ANYURL_FIX}"
    return [Finding("origin-never-matches", "error", message, fix, about=(serialised,))]


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
    matched = [probe for probe in attacker_origins(pattern) if compiled.fullmatch(probe)]
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


def attacker_origins(pattern: str) -> list[str]:
    """Origins an attacker could own that careless patterns for the domains named in ``pattern`` match."""
    literal = re.sub(r"\\(.)", r"\1", pattern)
    domains = {d.lower() for d in re.findall(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", literal)}
    probes: list[str] = ["https://evil.example", "http://evil.example", "null"]
    for domain in sorted(domains):
        probes += lookalikes(domain)
        if is_public_suffix(domain):  # vercel.app, github.io, herokuapp.com: anyone can have a subdomain
            probes.append(f"https://attacker.{domain}")
        if "https" in literal and "http:" not in literal:
            probes.append(f"http://{domain}")  # https? lets the plain-http site in
    return list(dict.fromkeys(probes))


@functools.lru_cache(maxsize=1)
def _suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    return bool(_suffixes().is_public(domain))


def lookalikes(host: str) -> list[str]:
    """Origins an attacker can register that careless matching of ``host`` lets in."""
    first, _, rest = host.partition(".")
    registrable = ".".join(host.split(".")[-2:])
    origins = [f"https://{host}.evil.example", f"https://evil{registrable}"]  # a suffix; no dot before the domain
    if host == registrable:  # evilapp.example.com would be the owner's own subdomain: no attacker has it
        origins += [f"https://evil-{host}"]
    origins += [
        f"https://{host.replace('.', 'x')}",  # an unescaped dot matches any character
        f"https://{first}x{rest}" if rest else f"https://{first}x",
    ]
    return list(dict.fromkeys(origins))
