"""``cors-lab check``: one request (or a frontend's list of calls) exactly as a page would make it.

Exit codes: 0 allowed, 1 blocked, 2 bad usage, 3 the server cannot be reached, 4 allowed but
dangerous (an attacker's origin is echoed with Access-Control-Allow-Credentials: true).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ._app import EXIT_ALLOWED, EXIT_BLOCKED, app, err, fail, out
from ._evidence import evidence_of

EXIT_UNREACHABLE = 3
EXIT_DANGEROUS = 4
ATTACKER = "https://evil.example"
IN_PROCESS = "http://api.testserver"
NULL_PAGE = "data:text/html,sandboxed"  # a page whose origin is opaque: it sends Origin: null

_VERDICT_EXIT = {"allowed": EXIT_ALLOWED, "blocked": EXIT_BLOCKED, "allowed-but-dangerous": EXIT_DANGEROUS}


@dataclass(frozen=True)
class Call:
    """One fetch() of a frontend."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    json_body: Any = None
    credentials: bool = False
    expect: str = "allowed"


@app.command()
def check(
    url: str | None = typer.Argument(
        None, help="The API URL the page fetches, e.g. http://localhost:8000/users (a path with --app)."
    ),
    origin: str | None = typer.Option(
        None, "--origin", "-o", help="The page's origin, e.g. http://localhost:3000, or null (a sandboxed iframe)."
    ),
    method: str = typer.Option("GET", "--method", "-X", help="The request method."),
    header: list[str] = typer.Option([], "--header", "-H", help='A request header, "Name: value" (repeatable).'),
    data: str | None = typer.Option(None, "--data", "-d", help="A request body (text)."),
    credentials: bool = typer.Option(False, "--credentials", help="Send cookies: fetch's credentials: 'include'."),
    cookie: list[str] = typer.Option(
        [], "--cookie", help="A cookie the browser holds for the API, NAME=VALUE[; attributes] (with --credentials)."
    ),
    timeout: float = typer.Option(5.0, "--timeout", help="Seconds to wait for each response."),
    target: str | None = typer.Option(None, "--app", help="Check an app in-process instead: MODULE:ATTR."),
    factory: bool = typer.Option(False, "--factory", help="With --app: MODULE:ATTR is a function returning the app."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="With --app: look for the module in this folder."),
    frontend: Path | None = typer.Option(
        None, "--frontend", help="A JSON file of the frontend's calls, checked in one go (see the README)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable result."),
) -> None:
    """Make a request exactly as a browser page at ORIGIN would, and say what the browser does.

    Exit code: 0 allowed, 1 blocked, 2 bad usage, 3 the server cannot be reached, 4 allowed but
    dangerous (any website could read this user's data).

    Example: cors-lab check http://localhost:8000/users -X PUT -H "Content-Type: application/json"
    --origin http://localhost:3000
    """
    if timeout <= 0:
        raise fail(f"--timeout {timeout} is not a positive number of seconds: use e.g. --timeout 5")
    if cookie and not credentials:
        raise fail(
            "--cookie needs --credentials: a page's cross-origin fetch() sends cookies only with credentials: 'include'"
        )
    asgi = None
    if target is not None:
        from ._load import load_app

        asgi = load_app(target, factory=factory, app_dir=app_dir)
    elif factory or app_dir is not None:
        raise fail("--factory and --app-dir go with --app MODULE:ATTR")
    if frontend is not None:
        if url is not None:
            raise fail("give either a URL or --frontend FILE, not both")
        _check_frontend(frontend, origin, asgi, timeout, as_json)
        return
    if url is None:
        raise fail(
            "give the URL the page fetches, e.g. cors-lab check http://localhost:8000/users -o http://localhost:3000"
        )
    if origin is None:
        raise fail("Missing option '--origin': the page's origin, e.g. --origin http://localhost:3000")
    call = Call(_absolute(url, asgi, origin), method, _headers(header), data, None, credentials)
    page = _page(origin, asgi, timeout)
    for line in cookie:
        _store_cookie(page, line, call.url)
    with page:
        result = _fetch(page, call)
    verdict, danger = _judge(result, call, asgi, timeout)
    if verdict == "unreachable":
        if as_json:
            typer.echo(json.dumps(_result_json(result, verdict, danger, asgi), indent=2))
        err.print(
            f"[bold red]error:[/] cannot reach {escape(call.url)} ({escape(str(result.verdict.network_error))}): "
            "is the server running, and are the scheme, host and port right?"
        )
        raise typer.Exit(EXIT_UNREACHABLE)
    if as_json:
        typer.echo(json.dumps(_result_json(result, verdict, danger, asgi), indent=2))
    else:
        _print_result(result, verdict, danger, asgi)
    raise typer.Exit(_exit_code(verdict))


def _exit_code(verdict: str) -> int:
    return _VERDICT_EXIT.get(verdict, EXIT_UNREACHABLE)


def _absolute(url: str, asgi: Any, origin: str | None = None) -> str:
    if url.startswith(("/", "?", "#", ".")):
        if asgi is not None:
            # An https page calls the in-process app over https: over http it would be mixed content.
            base = IN_PROCESS.replace("http:", "https:", 1) if (origin or "").startswith("https:") else IN_PROCESS
            return base + (url if url.startswith("/") else "/" + url)
        raise fail(
            f"{url!r} is a relative URL: in a page, fetch({url!r}) goes to the page's own origin, which is "
            "same-origin and needs no CORS. Give the API's full URL, e.g. http://localhost:8000/users "
            "(or check an app in-process with --app main:app and a path)"
        )
    from ..origins import OriginError, origin_of

    try:
        origin_of(url)
    except OriginError as error:
        raise fail(str(error)) from None
    return url


def _headers(lines: list[str]) -> tuple[tuple[str, str], ...]:
    from ..browser.http import parse_header_line

    try:
        return tuple(parse_header_line(line) for line in lines)
    except ValueError as error:
        raise fail(f"-H {error}") from None


def _page(origin: str, asgi: Any, timeout: float) -> Any:
    from ..driver import Browser

    if origin.strip().lower() == "null":
        # A sandboxed iframe, a data: URL or a local file: its page has an opaque origin, serialised as null.
        page = Browser("http://sandboxed.invalid", app=asgi, timeout=timeout)
        page.origin = NULL_PAGE
        return page
    try:
        return Browser(origin, app=asgi, timeout=timeout)
    except ValueError as error:
        raise fail(f"--origin {error}") from None


def _store_cookie(page: Any, line: str, url: str) -> None:
    name, equals, _ = line.partition("=")
    if not equals or not name.strip():
        raise fail(f"--cookie {line!r} is not NAME=VALUE, e.g. --cookie 'session=abc123'")
    from ..browser.cookies import Rejection

    stored = page.cookies.store(line, url, page_url=url)  # as if set when the user signed in on the API's site
    if isinstance(stored, Rejection):
        out.print(f"[yellow]note:[/] the browser would not keep the cookie {escape(line)!s}: {escape(stored.reason)}")


def _fetch(page: Any, call: Call) -> Any:
    try:
        return page.fetch(
            call.url,
            method=call.method,
            headers=list(call.headers),
            content=call.body,
            json=call.json_body,
            credentials="include" if call.credentials else "same-origin",
        )
    except ValueError as error:
        raise fail(str(error)) from None


def _judge(result: Any, call: Call, asgi: Any, timeout: float) -> tuple[str, str | None]:
    """The verdict, and (when it is dangerous) what showed it."""
    if result.verdict.network_error:
        return "unreachable", None
    if not result.ok:
        return "blocked", None
    danger = _attacker_reads(call, asgi, timeout)
    return ("allowed-but-dangerous", danger) if danger else ("allowed", None)


def _attacker_reads(call: Call, asgi: Any, timeout: float) -> str | None:
    """Does the server echo an attacker's origin with credentials allowed? (OPTIONS or GET only: no side effects.)"""
    import httpx

    method = call.method.upper()
    probe_method = "GET" if method in ("GET", "HEAD") else "OPTIONS"
    headers = {"Origin": ATTACKER, "Cookie": "cors_lab_probe=1"}
    if probe_method == "OPTIONS":
        headers = {"Origin": ATTACKER, "Access-Control-Request-Method": method}
    try:
        if asgi is not None:
            from ..auditing.probing import Probe, probing

            path = httpx.URL(call.url).raw_path.decode()
            probe = (
                Probe("simple", ATTACKER, path, credentials=True)
                if probe_method == "GET"
                else Probe("preflight", ATTACKER, path, method, credentials=True)
            )
            with probing(asgi, timeout=timeout) as prober:
                found = prober.send(probe)
            acao, acac = found.allow_origin, found.allow_credentials
        else:
            response = httpx.request(probe_method, call.url, headers=headers, timeout=timeout, trust_env=False)
            acao = response.headers.get("access-control-allow-origin")
            acac = response.headers.get("access-control-allow-credentials", "").lower() == "true"
    except httpx.HTTPError:
        return None
    if acao == ATTACKER and acac:
        return (
            f"{probe_method} {call.url} from {ATTACKER} got Access-Control-Allow-Origin: {ATTACKER} and "
            "Access-Control-Allow-Credentials: true"
        )
    return None


def _result_json(result: Any, verdict: str, danger: str | None, app: Any = None) -> dict[str, Any]:
    return {
        "url": result.verdict.url,
        "origin": "null" if result.page_origin == NULL_PAGE else result.page_origin,
        "method": result.request.method,
        "verdict": verdict,
        "exit_code": _exit_code(verdict),
        "allowed": result.ok,
        "dangerous": danger,
        "status": result.status,
        "preflighted": result.preflighted,
        "readable_headers": dict(result.headers),
        "error_code": result.error_code,
        "console_message": result.console_message,
        "fix": _final_fix(result, evidence_of(result, app)),
        "browser_fix": result.fix,
        "evidence": [{"seen": e.seen, "fix": e.fix} for e in evidence_of(result, app)],
        "warnings": [{"kind": w.kind.value, "message": w.message} for w in result.warnings],
        "exchanges": [
            {
                "kind": e.request.kind,
                "method": e.request.method,
                "url": e.request.url,
                "request_headers": [list(h) for h in e.request.headers],
                "status": e.response.status if e.response else None,
                "response_headers": [list(h) for h in e.response.headers] if e.response else None,
            }
            for e in result.exchanges
        ],
        "steps": [{"title": s.title, "passed": s.passed, "detail": s.detail, "fix": s.fix} for s in result.steps],
    }


def _final_fix(result: Any, evidence: list[Any]) -> str | None:
    """The fix the evidence points to (the most specific comes last), else the browser model's."""
    fixes = [item.fix for item in evidence if item.fix]
    return fixes[-1] if fixes else result.fix


def _print_headers(headers: Any) -> None:
    from ..browser.http import is_cors_header

    for name, value in headers:
        if is_cors_header(name):
            out.print(f"  [bold cyan]* {escape(name)}: {escape(value)}[/]")
        else:
            out.print(f"    [dim]{escape(name)}: {escape(value)}[/]")


def _print_result(result: Any, verdict: str, danger: str | None, app: Any = None) -> None:
    page = "null (a sandboxed iframe)" if result.page_origin == NULL_PAGE else result.page_origin
    out.print(
        f"[bold]{escape(result.request.method)} {escape(result.request.url)}[/] from a page at "
        f"[bold]{escape(page)}[/]   (* marks CORS headers)"
    )
    for exchange in result.exchanges:
        sent = exchange.request
        kind = "preflight " if sent.kind == "preflight" else ""
        out.print(f"\n[bold]-> {kind}{escape(sent.method)} {escape(sent.url)}[/]")
        _print_headers(sent.headers)
        if exchange.response is not None:
            reply = exchange.response
            colour = "green" if 200 <= reply.status < 300 else "yellow" if reply.status < 400 else "red"
            out.print(f"[bold {colour}]<- {reply.status} {escape(reply.reason)}[/]")
            _print_headers(reply.headers)
    evidence = evidence_of(result, app)
    fix = _final_fix(result, evidence)
    out.print("\n[bold]The browser's steps:[/]")
    marks = {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: "  - "}
    for step in result.steps:
        out.print(f"  {marks[step.passed]} {escape(step.title)}" + (f": {escape(step.detail)}" if step.detail else ""))
        if step.fix:  # the failing step's fix is the one the evidence gives, when it gives one
            out.print(f"       fix: {escape(fix if step.fix == result.fix and fix else step.fix)}")
    if evidence:
        out.print("[bold]What the responses show:[/]")
        for item in evidence:
            out.print(f"  - {escape(item.seen)}" + (f"\n    fix: {escape(item.fix)}" if item.fix else ""))
    out.print()
    if verdict == "unreachable":
        out.print(f"[bold red]UNREACHABLE[/]: {escape(str(result.verdict.network_error))}")
        return
    if result.ok:
        readable = ", ".join(result.headers.keys())
        if verdict == "allowed-but-dangerous":
            out.print(
                "[bold red]ALLOWED, AND DANGEROUS[/]: the page can read the response, but so can any website: "
                f"{escape(str(danger))}. Any website this user visits can read their data with their cookies."
            )
            out.print(
                "[bold]fix:[/] allow only your frontend's exact origins (allow_origins=['https://myfrontend.com'] "
                "with allow_credentials=True); never echo the Origin header back"
            )
            return
        out.print(
            f"[bold green]ALLOWED[/]: the page's fetch() resolves with status {result.status}; "
            f"it can read: {escape(readable)}"
        )
        for warning in result.warnings:
            out.print(f"[yellow]note:[/] {escape(warning.message)}")
        return
    out.print(
        f"[bold red]BLOCKED[/] ({escape(str(result.error_code))}): the page's fetch() rejects with "
        f"{escape(result.js_error or 'TypeError: Failed to fetch')}"
    )
    failure = result.verdict.failure
    if failure.console_message:
        out.print(f"[red]console:[/] {escape(failure.console_message)}")
    out.print(f"[bold]why:[/] {escape(failure.explanation)}")
    out.print(f"[bold]fix:[/] {escape(fix or failure.fix)}")


# --- a frontend's calls -------------------------------------------------------------------------------


def _read_calls(path: Path, origin: str | None) -> tuple[str, str, list[Call]]:
    if not path.is_file():
        raise fail(f"--frontend {str(path)!r} does not exist: give a JSON file of the frontend's calls")
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise fail(f"--frontend {str(path)!r} is not valid JSON ({error})") from None
    if isinstance(document, list):
        document = {"calls": document}
    if not isinstance(document, dict) or not isinstance(document.get("calls"), list):
        raise fail(
            f"--frontend {str(path)!r} must hold {{'origin': ..., 'api': ..., 'calls': [...]}} or a list of calls, "
            'e.g. {"origin": "http://localhost:3000", "api": "http://localhost:8000", '
            '"calls": [{"method": "GET", "url": "/users"}]}'
        )
    page = origin or document.get("origin")
    if not isinstance(page, str):
        raise fail(f'--frontend {str(path)!r} names no origin: add "origin": "http://localhost:3000" or --origin')
    api = str(document.get("api", ""))
    calls = []
    for number, raw in enumerate(document["calls"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
            raise fail(f'call {number} in {str(path)!r} needs a "url", e.g. {{"method": "GET", "url": "/users"}}')
        headers = raw.get("headers") or {}
        if not isinstance(headers, dict):
            raise fail(f'call {number}: "headers" must be an object of names and values')
        expect = raw.get("expect", "allowed")
        if expect not in ("allowed", "blocked"):
            raise fail(f'call {number}: "expect" is {expect!r}: use "allowed" (the default) or "blocked"')
        mode = raw.get("credentials", "same-origin")
        if mode not in ("omit", "same-origin", "include", True, False):
            raise fail(f'call {number}: "credentials" is {mode!r}: use "include", "same-origin" or "omit"')
        url = raw["url"]
        if url.startswith("/") and api:
            url = api.rstrip("/") + url
        calls.append(
            Call(
                url,
                str(raw.get("method", "GET")),
                tuple((str(k), str(v)) for k, v in headers.items()),
                raw.get("body"),
                raw.get("json"),
                mode in ("include", True),
                expect,
            )
        )
    return page, api, calls


def _check_frontend(path: Path, origin: str | None, asgi: Any, timeout: float, as_json: bool) -> None:
    page_origin, _, calls = _read_calls(path, origin)
    page = _page(page_origin, asgi, timeout)  # one page: cookies from a login carry over to later calls
    rows = []
    for call in calls:
        resolved = dataclasses.replace(call, url=_absolute(call.url, asgi, page_origin))
        result = _fetch(page, resolved)
        verdict, danger = _judge(result, resolved, asgi, timeout)
        met = (verdict == "blocked") == (call.expect == "blocked") and verdict != "unreachable"
        rows.append((call, result, verdict, danger, met))
    verdicts = {row[2] for row in rows}
    worst = (
        EXIT_UNREACHABLE
        if "unreachable" in verdicts
        else EXIT_DANGEROUS
        if "allowed-but-dangerous" in verdicts
        else EXIT_BLOCKED
        if not all(row[4] for row in rows)
        else EXIT_ALLOWED
    )
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "origin": page_origin,
                    "exit_code": worst,
                    "calls": [
                        {**_result_json(r, v, d, asgi), "expect": c.expect, "as_expected": met}
                        for c, r, v, d, met in rows
                    ],
                },
                indent=2,
            )
        )
    else:
        out.print(f"[bold]{len(calls)} calls from a page at {escape(page_origin)}[/]")
        for call, result, verdict, danger, met in rows:
            mark = "[green]✔[/]" if met and verdict != "allowed-but-dangerous" else "[red]✘[/]"
            what = f"{call.method.upper()} {result.verdict.url}" + (" (credentials)" if call.credentials else "")
            if verdict == "allowed" or verdict == "allowed-but-dangerous":
                how = (
                    "after a preflight"
                    if result.preflighted
                    else "preflight answer from the cache"
                    if result.preflight_cached
                    else "no preflight"
                )
                detail = f"allowed ({result.status}, {how})"
            elif verdict == "unreachable":
                detail = f"unreachable ({result.verdict.network_error})"
            else:
                detail = f"blocked ({result.error_code})"
            expected = "" if met else f", expected {call.expect}"
            out.print(f"  {mark} {escape(what)}: {escape(detail)}{escape(expected)}")
            if verdict == "allowed-but-dangerous":
                out.print(f"      [red]dangerous:[/] {escape(str(danger))}")
            if not met and verdict == "blocked":
                fixes = [item.fix for item in evidence_of(result, asgi) if item.fix]
                out.print(f"      console: {escape(str(result.console_message))}")
                out.print(f"      fix: {escape(fixes[-1] if fixes else str(result.fix))}")
        failed = sum(1 for *_, verdict, _, met in rows if not met or verdict == "allowed-but-dangerous")
        out.print(f"{len(calls) - failed} of {len(calls)} calls as expected.")
    raise typer.Exit(worst)
