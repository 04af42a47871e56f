"""``audit(app)``: read where the app's CORS is and what it says (why), then probe it in-process (what).

Every probe-based finding carries the probe that showed it. A finding the settings already
explain (``"*"`` with credentials, a loose regex, a string for a list) gets the probe as its
proof instead of a second finding.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import Any

from ..config import CorsConfig
from ..origins import OriginError, origin_of
from .discovery import Layer, Site, discover
from .findings import Code, Finding, Severity
from .probing import Probe, Prober, ProbeResult, probing
from .settings import (
    audit_config,
    config_from_kwargs,
    is_local,
    is_public_suffix,
    lookalikes,
    production_findings,
    repair_origin,
)

__all__ = ["EVIL", "audit_app", "probe_origins"]

EVIL = "https://evil.example"
_STAND_IN = "https://frontend.example"  # the frontend's place in the probes when the settings name none
_OWN_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
_SAFELISTED = {"accept", "accept-language", "content-language", "content-type"}
_CORS_SETTINGS = {f.name for f in dataclasses.fields(CorsConfig)}


def audit_app(
    target: Any, *, frontend: Sequence[str] = (), production: bool = False, timeout: float = 3.0
) -> list[Finding]:
    """Findings about an ASGI app: its CORS settings, its middleware order, and what probes show."""
    sites = discover(target)
    findings: list[Finding] = []
    configs: list[CorsConfig] = []
    for site in sites:
        if len(site.cors) > 1:
            findings.append(
                Finding(
                    "several-cors-middleware",
                    "error",
                    f"{site.where} has {len(site.cors)} CORS middleware ({', '.join(c.name for c in site.cors)}): "
                    "responses can get two Access-Control-Allow-Origin headers, which browsers reject",
                    "Keep one app.add_middleware(CORSMiddleware, ...) call",
                )
            )
        for layer in site.cors:
            if layer.reads_settings:
                config = config_from_kwargs({k: v for k, v in layer.kwargs.items() if k in _CORS_SETTINGS})
                configs.append(config)
                found = audit_config(config, production=production, least_privilege=False, project=True)
                if "*" in config.allow_origins and config.allow_credentials:  # said once, as the error it is
                    found = [f for f in found if not f.code.startswith(("wildcard-headers", "wildcard-methods"))]
                findings.extend(_located(site, found))
        findings.extend(_located(site, _structure(site)))
    pages = list(frontend) or _frontends(configs)
    with probing(target, timeout=timeout) as prober:
        probed = [s for s in sites if not s.prefix or s.cors]
        for site in probed:
            findings.extend(_located(site, _probe_site(prober, site, sites, pages, configs, bool(frontend), findings)))
    if production and frontend:
        findings.extend(production_findings(list(frontend), any(c.allow_credentials for c in configs), "frontend"))
    return findings


def probe_origins(frontend: Sequence[str]) -> list[str]:
    """The attacker origins probed besides the frontend's: evil.example, null and look-alikes of each frontend."""
    origins = [EVIL, "null"]
    for page in frontend:
        try:
            origin = origin_of(page)
        except OriginError:
            continue
        if origin.is_opaque or is_local(page) or not origin.host:
            continue
        origins += lookalikes(origin.host)
        if is_public_suffix(origin.host):
            origins.append(f"https://attacker.{origin.host}")
        if origin.scheme == "https":
            origins.append(f"http://{origin.host}")
        cut = str(origin)[:-1]
        try:
            if cut and not origin_of(cut).is_opaque:
                origins.append(str(origin_of(cut)))  # a prefix of the origin: what substring matching lets in
        except OriginError:
            pass
    return [o for o in dict.fromkeys(origins) if o not in frontend]


def _frontends(configs: list[CorsConfig]) -> list[str]:
    pages: list[str] = []
    for config in configs:
        entries = config.allow_origins
        if isinstance(entries, str):
            entries = tuple(e for e in entries.replace(",", " ").split() if e)
        for entry in entries:
            if not isinstance(entry, str) or entry == "*":
                continue
            try:
                origin = origin_of(entry)
            except OriginError:
                continue
            if not origin.is_opaque and str(origin) == entry:
                pages.append(entry)
    if not pages:  # the origins the broken entries meant: the frontend the project has in mind
        for config in configs:
            if not isinstance(config.allow_origins, str):
                for entry in config.allow_origins:
                    if isinstance(entry, str) and entry.strip() not in ("*", "null"):
                        pages += repair_origin(entry) or []
    if not pages:  # only a pattern: an origin of the project's own that it lets in
        for config in configs:
            if config.allow_origin_regex:
                try:
                    pattern = re.compile(config.allow_origin_regex)
                except re.error:
                    continue
                for host in _regex_hosts([config]):
                    bare = host.removeprefix("https://")
                    for page in (host, f"https://app.{bare}", f"https://www.{bare}", f"http://{bare}"):
                        if pattern.fullmatch(page):
                            pages.append(page)
                            break
    return list(dict.fromkeys(pages))[:3]


def _regex_hosts(configs: list[CorsConfig]) -> list[str]:
    """Origins for the domains a pattern names, so look-alikes of them are probed too."""
    hosts: list[str] = []
    for config in configs:
        if config.allow_origin_regex:
            literal = re.sub(r"\\(.)", r"\1", config.allow_origin_regex)
            hosts += [f"https://{d.lower()}" for d in re.findall(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", literal)]
    return hosts


def _structure(site: Site) -> list[Finding]:
    findings: list[Finding] = []
    slashed = sorted({r.declared for r in site.routes if r.declared.endswith("/") and r.declared != site.prefix + "/"})
    if slashed and getattr(getattr(site.app, "router", None), "redirect_slashes", False) and site.cors:
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
    if site.websockets:
        findings.append(
            Finding(
                "websockets-not-covered",
                "info",
                f"WebSocket route{'s' if len(site.websockets) > 1 else ''} {', '.join(site.websockets)}: "
                "CORSMiddleware does not apply to WebSockets, and browsers do not enforce CORS on them; any site "
                "can connect",
                "Check websocket.headers['origin'] against your allowed origins before websocket.accept()",
            )
        )
    return findings


def _located(site: Site, findings: list[Finding]) -> list[Finding]:
    """Findings about a mounted sub-app say so first ("the app mounted at /api: ...")."""
    if not site.prefix:
        return findings
    return [
        f if f.where == site.prefix else dataclasses.replace(f, message=f"{site.where}: {f.message}", where=site.prefix)
        for f in findings
    ]


def _attach(findings: list[Finding], code: Code, result: ProbeResult, *, site: Site, mentioning: str = "") -> bool:
    """Give the site's first finding with ``code`` (about ``mentioning``, if given) this probe as proof, if it has none.

    True when the site has such a finding (with a probe already or not): the settings explain what the probe shows.
    """
    found = False
    for i, finding in enumerate(findings):
        if finding.code == code and finding.where == site.prefix and (not mentioning or mentioning in finding.about):
            if finding.probe is None:
                findings[i] = dataclasses.replace(finding, probe=str(result))
                return True
            found = True
    return found


def _probe_site(
    prober: Prober,
    site: Site,
    everywhere: list[Site],
    pages: list[str],
    configs: list[CorsConfig],
    declared: bool,
    known: list[Finding],
) -> list[Finding]:
    """What probes show about one site; ``known`` (the settings' findings) get probes as proof where they match."""
    top = everywhere[0]
    routes = [r for r in site.routes if r.declared[len(site.prefix) :] not in _OWN_ROUTES] or site.routes
    reads = [r for r in routes if "GET" in r.methods and "{" not in r.declared]
    read_path = reads[0].path if reads else (routes[0].path if routes and "GET" in routes[0].methods else None)
    read_path = read_path or f"{site.prefix}/cors-lab-probe-not-found"
    writes = [r for r in routes if r.writes]
    write = writes[0] if writes else None
    write_method = next((m for m in ("POST", "PUT", "PATCH", "DELETE") if write and m in write.methods), "POST")
    write_path = write.path if write else read_path
    read_headers = sorted({h for r in routes for h in r.reads_headers if h not in _SAFELISTED and h})
    findings: list[Finding] = []

    not_found = f"{site.prefix}/cors-lab-probe-not-found"
    paths = [read_path]  # the route, until it fails once: then a path the router answers with 404

    def simple(origin: str, credentials: bool = False, via: Prober = prober) -> ProbeResult:
        result = via.send(Probe("simple", origin, paths[-1], credentials=credentials))
        if (result.status is None or result.status >= 500) and paths[-1] != not_found:
            paths.append(not_found)  # the endpoint needs what an audit does not start (a database, the lifespan)
            result = via.send(Probe("simple", origin, not_found, credentials=credentials))
        return result

    def preflight(origin: str, headers: tuple[str, ...] = ("content-type",), via: Prober = prober) -> ProbeResult:
        return via.send(Probe("preflight", origin, write_path, write_method, headers))

    # The frontend: does its preflight reach CORS at all, and does CORS let it through?
    authenticated = any(r.authenticated for r in routes)
    for page in pages:  # a broken entry's finding gets its frontend's refused preflight as proof
        refused = preflight(page)
        if refused.origin_allowed or _answered_outside(refused, site, top) is not None:
            continue
        explained = False
        for code in ("origin-never-matches", "origin-whitespace", "origins-joined", "origin-pydantic-url"):
            if _attach(known, code, refused, site=site, mentioning=page):
                explained = True
                break
        if declared and site.cors and not explained:
            findings.append(
                Finding(
                    "frontend-blocked",
                    "error",
                    f"{site.where} refuses the frontend {page}: its preflight gets {refused.status} without "
                    f"Access-Control-Allow-Origin{', ' + _body(refused) if _body(refused) else ''}",
                    f"Add {page!r} to allow_origins, exactly as the browser sends it",
                    str(refused),
                    about=(page,),
                )
            )
    attack = prober  # behind the middleware that answers every request itself, if one does
    for page in (pages or [_STAND_IN])[:1]:  # one frontend page is enough for the structural questions
        for result in (preflight(page), simple(page)):
            if result.probe.kind == "simple" and result.status in (401, 403):
                authenticated = True  # something (a middleware, a dependency) wants credentials
            answerer = _answered_outside(result, site, top)
            if answerer is not None and not result.origin_allowed:
                crashed = result.status is None or result.status >= 500  # it needs what an audit does not start
                if not crashed and not any(f.code == "middleware-answers-outside-cors" for f in findings):
                    findings.append(_answers_outside(answerer, result))
                if attack is prober and site is top and site.cors:
                    attack = prober.inner(min(c.index for c in site.cors), answerer.name)
        readers = sorted(
            (r for r in routes if set(read_headers) & r.reads_headers), key=lambda r: "GET" not in r.methods
        )
        credentialed = any(c.allow_credentials for c in configs)
        if readers and credentialed:
            reader = readers[0]
            method = "GET" if "GET" in reader.methods else sorted(m for m in reader.methods if m != "HEAD")[0]
            with_auth = prober.send(Probe("preflight", page, reader.path, method, tuple(read_headers)))
            if with_auth.origin_allowed and not with_auth.passes and b"header" in with_auth.body.lower():
                titled = [h.title() for h in read_headers]
                names = ", ".join(titled)
                findings.append(
                    Finding(
                        "authorization-not-allowed",
                        "warning",
                        f"the app's routes read {names} (e.g. {_reader(routes, read_headers)}), but the frontend's "
                        f"preflight asking to send it is refused ({with_auth.status}"
                        f"{', ' + _body(with_auth) if _body(with_auth) else ''}): allow_headers does not list it",
                        f"Add {', '.join(map(repr, titled))} to allow_headers, e.g. allow_headers="
                        f"{[*titled, 'Content-Type']!r}",
                        str(with_auth),
                    )
                )
    answering = {name for f in findings if f.code == "middleware-answers-outside-cors" for name in f.about}
    findings.extend(_pass_through(site, top, pages, preflight, answering))

    # The attackers (behind a middleware that answered the frontend itself, to see what CORS would do).
    simple = functools.partial(simple, via=attack)
    preflight = functools.partial(preflight, via=attack)
    evil_read = simple(EVIL)
    evil_cred = simple(EVIL, credentials=True)
    evil_pre = preflight(EVIL)
    wildcard_creds = any("*" in c.allow_origins and c.allow_credentials for c in configs)
    if evil_cred.origin_allowed or (evil_pre.allow_origin == EVIL and evil_pre.allow_credentials):
        proof = evil_cred if evil_cred.origin_allowed else evil_pre
        if not (wildcard_creds and _attach(known, "wildcard-with-credentials", proof, site=site)):
            findings.append(
                Finding(
                    "origin-reflected-with-credentials",
                    "error",
                    f"{site.where} answers {EVIL} with Access-Control-Allow-Origin: {proof.allow_origin} and "
                    "Access-Control-Allow-Credentials: true: any website a logged-in user visits can read this "
                    f"user's data{_by(site)}",
                    "Allow only your frontend's exact origins: compare the Origin header with a fixed list "
                    "(CORSMiddleware(allow_origins=['https://myfrontend.com'], allow_credentials=True)); never "
                    "echo it back",
                    str(proof),
                )
            )
    elif evil_read.origin_allowed or evil_pre.origin_allowed:
        proof = evil_pre if evil_pre.passes else evil_read
        open_writes = [r for r in routes if r.writes and not r.authenticated]
        writes_too = " and send JSON writes" if evil_pre.passes else ""
        if open_writes and not authenticated:
            shown = ", ".join(f"{sorted(m for m in r.methods if m != 'HEAD')[0]} {r.declared}" for r in open_writes[:3])
            findings.append(
                Finding(
                    "wildcard-unauthenticated-writes",
                    "warning",
                    f"{site.where} lets any origin read its responses{writes_too}"
                    f", and has state-changing routes with no authentication ({shown}): any website the user "
                    "visits can drive it, and a server on localhost or a private network is reachable that way",
                    "Allow only your frontend's origins (allow_origins=['http://localhost:3000']), or require a "
                    "token the attacker's page cannot have (an Authorization header) on these routes",
                    str(proof),
                )
            )
    evil_allowed = evil_read.origin_allowed or evil_pre.origin_allowed
    null_read = simple("null", credentials=True)
    null_plain = simple("null")
    if (null_read.origin_allowed or (null_plain.origin_allowed and null_plain.allow_origin == "null")) and not (
        evil_allowed and null_plain.allow_origin == "*"
    ):
        proof = null_read if null_read.origin_allowed else null_plain
        if not _attach(known, "origin-null", proof, site=site) and not (
            evil_cred.origin_allowed and null_read.origin_allowed
        ):
            findings.append(
                Finding(
                    "null-origin-allowed",
                    "error" if null_read.origin_allowed else "warning",
                    f"{site.where} allows Origin: null, which any website can send from a sandboxed iframe"
                    f"{' with the user' + chr(39) + 's cookies' if null_read.origin_allowed else ''}{_by(site)}",
                    "Never allow 'null'; list the real origins of your frontend",
                    str(proof),
                )
            )
    if not evil_allowed:
        bases = pages + [h for h in _regex_hosts(configs) if h not in pages]
        for origin in probe_origins(bases)[2:]:
            cred = simple(origin, credentials=True)
            plain = simple(origin)
            pre = preflight(origin)
            allowed = [r for r in (cred, plain, pre) if r.origin_allowed and r.allow_origin != "*"]
            if not allowed:
                continue
            proof = allowed[0]
            if _attach(known, "allow-origins-string", proof, site=site) or _attach(
                known, "origin-regex-too-loose", proof, site=site
            ):
                continue
            https = origin.startswith("https://")
            findings.append(
                Finding(
                    "lookalike-origin-allowed",
                    "error" if cred.origin_allowed or https else "warning",
                    f"{site.where} allows {origin}, a look-alike of {', '.join(bases)} that anyone can register"
                    f"{' (with credentials)' if cred.origin_allowed else ''}{_by(site)}",
                    "Compare the Origin header with the exact origins (or a fully anchored regex with escaped dots, "
                    "e.g. r'https://([a-z0-9-]+\\.)?example\\.com')",
                    str(proof),
                )
            )
            break
    others = [s for s in everywhere if s.cors and s is not site]
    if not site.cors and not others and not any(r.allow_origin for r in prober.results):
        findings.append(
            Finding(
                "no-cors-middleware",
                "warning",
                "the app has no CORS middleware, and no probe got an Access-Control-Allow-Origin header: browsers "
                "block every cross-origin request to it",
                "app.add_middleware(CORSMiddleware, allow_origins=['https://myfrontend.com'])",
                str(simple(pages[0] if pages else EVIL)),
            )
        )
    if site.cors or any(r.allow_origin for r in prober.results):
        findings.extend(_errors(prober, site, pages, top))
    return findings


def _reader(routes: list[Any], headers: list[str]) -> str:
    for route in routes:
        if set(headers) & route.reads_headers:
            return f"{'/'.join(sorted(route.methods))} {route.declared}"
    return "a route"


def _body(result: ProbeResult) -> str:
    text = result.body[:80].decode("utf-8", "replace").strip()
    return repr(text) if text else ""


def _by(site: Site) -> str:
    custom = [c.name for c in site.cors if not c.reads_settings or c.kind == "cors-subclass"]
    if custom:
        return f" (the CORS middleware here is {', '.join(custom)}, so the settings alone do not say it)"
    return ""


def _answered_outside(result: ProbeResult, site: Site, top: Site) -> Layer | None:
    """The top-level middleware that answered a probe itself, when it sits outside the site's CORS."""
    if result.layers_reached is None or not result.layers_reached:
        return None
    deepest = max(result.layers_reached)
    if deepest >= len(top.layers):
        return None  # it went past every top-level middleware
    layer = top.layers[deepest]
    cors_index = min((c.index for c in top.cors), default=None) if site is top else None
    if cors_index is not None and deepest >= cors_index:
        return None  # CORS or something inside it answered
    if layer.kind in ("cors", "cors-subclass", "cors-like"):
        return None
    return layer


def _answers_outside(layer: Layer, result: ProbeResult) -> Finding:
    what = "the preflight" if result.probe.kind == "preflight" else "a request"
    severity: Severity = "error" if result.probe.kind == "preflight" else "warning"
    described = f"@app.middleware('http') function {layer.name}" if layer.kind == "http-function" else layer.name
    return Finding(
        "middleware-answers-outside-cors",
        severity,
        f"{described} runs outside CORSMiddleware and answered {what} itself ({result.status}, no CORS headers): "
        f"the browser reports a CORS error instead of {result.status}"
        + (", and every non-simple call from the frontend fails" if result.probe.kind == "preflight" else ""),
        f"Add CORSMiddleware last (after {layer.name}), so it runs first and answers preflights"
        + (", and let OPTIONS requests through in the middleware" if layer.kind == "http-function" else ""),
        str(result),
        about=(layer.name,),
    )


def _pass_through(site: Site, top: Site, pages: list[str], preflight: Any, answering: set[str]) -> list[Finding]:
    """Middleware outside CORS that let the frontend's preflight pass: worth knowing, not a problem."""
    if site is not top or not site.cors:
        return []
    cors_index = min(c.index for c in site.cors)
    outside = [layer for layer in site.layers[:cors_index] if layer.name not in answering]
    if not outside:
        return []
    result = preflight(pages[0] if pages else EVIL)
    if result.layers_reached is None or (result.layers_reached and max(result.layers_reached) < cors_index):
        return []  # one of them answered: reported as middleware-answers-outside-cors
    names = ", ".join(
        f"{layer.name} (@app.middleware('http'))" if layer.kind == "http-function" else layer.name for layer in outside
    )
    return [
        Finding(
            "middleware-outside-cors",
            "info",
            f"{names} {'runs' if len(outside) == 1 else 'run'} outside CORSMiddleware and let the preflight through "
            "(pass-through): fine as long as it never answers a request itself; an answer made there (an error, a "
            "401) has no CORS headers",
            "Add CORSMiddleware last, after every other add_middleware and @app.middleware('http'), to be safe",
            str(result),
        )
    ]


def _errors(prober: Prober, site: Site, pages: list[str], top: Site) -> list[Finding]:
    """Where an unhandled exception gets its answer: inside CORS (readable) or outside (a CORS error)."""
    app = site.app
    if not hasattr(app, "user_middleware"):
        return []
    origin = pages[0] if pages else EVIL
    result = prober.error_answer(origin, app=app, path=site.prefix + "/")
    if result.status != 500 or result.allow_origin:
        return []  # handled inside CORS, or answered before the error by some middleware
    if site.error_handler:
        message = (
            f"the @app.exception_handler(Exception) handler {site.error_handler} runs in Starlette's "
            "ServerErrorMiddleware, outside CORSMiddleware: checked, its answer to an unhandled error has no "
            "Access-Control-Allow-Origin, so the page sees a CORS error, not your JSON"
        )
    else:
        message = (
            "an unhandled exception becomes a 500 from Starlette's ServerErrorMiddleware, outside CORSMiddleware: "
            "checked, it has no Access-Control-Allow-Origin, so the browser reports a CORS error and hides the 500"
        )
    return [
        Finding(
            "errors-without-cors-headers",
            "info",
            message,
            "Handle your own exception types with @app.exception_handler(MyError) (those handlers run inside "
            "CORSMiddleware), or catch exceptions in a middleware added before CORSMiddleware; a handler for "
            "Exception or 500 runs outside it",
            str(result),
        )
    ]
