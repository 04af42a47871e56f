"""``cors-lab check``: one request exactly as a page would make it, and what the browser does with it."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.markup import escape

from ._app import EXIT_ALLOWED, EXIT_BLOCKED, app, fail, out


@app.command()
def check(
    url: str = typer.Argument(..., help="The API URL the page fetches, e.g. http://localhost:8000/users."),
    origin: str = typer.Option(..., "--origin", "-o", help="The page's origin, e.g. http://localhost:3000."),
    method: str = typer.Option("GET", "--method", "-X", help="The request method."),
    header: list[str] = typer.Option([], "--header", "-H", help='A request header, "Name: value" (repeatable).'),
    data: str | None = typer.Option(None, "--data", "-d", help="A request body (text)."),
    credentials: bool = typer.Option(False, "--credentials", help="Send cookies: fetch's credentials: 'include'."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable result."),
) -> None:
    """Make a request exactly as a browser page at ORIGIN would, and say what the browser does.

    Exit code: 0 allowed, 1 blocked, 2 bad usage or the server cannot be reached.

    Example: cors-lab check http://localhost:8000/users -X PUT -H "Content-Type: application/json"
    --origin http://localhost:3000
    """
    from ..driver import Browser

    headers = []
    for line in header:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise fail(f"header {line!r} is not 'Name: value', e.g. -H 'Content-Type: application/json'")
        headers.append((name.strip(), value.strip()))
    try:
        browser = Browser(origin)
    except ValueError as error:
        raise fail(f"--origin {error}") from None
    try:
        result = browser.fetch(
            url, method=method, headers=headers, content=data, credentials="include" if credentials else "same-origin"
        )
    except ValueError as error:
        raise fail(str(error)) from None
    if result.verdict.network_error:
        raise fail(
            f"cannot reach {url} ({result.verdict.network_error}): is the server running, "
            "and are the scheme, host and port right?"
        )
    if as_json:
        typer.echo(json.dumps(_result_json(result), indent=2))
    else:
        _print_result(result)
    raise typer.Exit(EXIT_ALLOWED if result.ok else EXIT_BLOCKED)


def _result_json(result: Any) -> dict[str, Any]:
    return {
        "url": result.verdict.url,
        "origin": result.page_origin,
        "method": result.request.method,
        "allowed": result.ok,
        "status": result.status,
        "preflighted": result.preflighted,
        "readable_headers": dict(result.headers),
        "error_code": result.error_code,
        "console_message": result.console_message,
        "fix": result.fix,
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


def _print_headers(headers: Any) -> None:
    for name, value in headers:
        if name.lower().startswith(("access-control-", "origin", "vary")):
            out.print(f"  [bold cyan]* {escape(name)}: {escape(value)}[/]")
        else:
            out.print(f"    [dim]{escape(name)}: {escape(value)}[/]")


def _print_result(result: Any) -> None:
    out.print(
        f"[bold]{escape(result.request.method)} {escape(result.request.url)}[/] from a page at "
        f"[bold]{escape(result.page_origin)}[/]   (* marks CORS headers)"
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
    out.print()
    if result.ok:
        out.print(
            f"[bold green]ALLOWED[/]: the page's fetch() resolves with status {result.status}; "
            f"it can read: {escape(', '.join(result.headers.keys()))}"
        )
        for warning in result.warnings:
            out.print(f"[yellow]note:[/] {escape(warning.message)}")
        return
    out.print(
        f"[bold red]BLOCKED[/] ({escape(str(result.error_code))}): the page's fetch() rejects with "
        "TypeError: Failed to fetch"
    )
    failure = result.verdict.failure
    out.print(f"[red]console:[/] {escape(failure.console_message)}")
    out.print(f"[bold]why:[/] {escape(failure.explanation)}")
    out.print(f"[bold]fix:[/] {escape(failure.fix)}")
