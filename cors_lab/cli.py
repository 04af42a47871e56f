"""The ``cors-lab`` command: the lab, and tools for a real app's CORS errors (check, audit, serve)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from . import __version__

app = typer.Typer(
    name="cors-lab",
    help="Learn, teach and debug CORS for FastAPI backends.\n\nExample: cors-lab check "
    "http://localhost:8000/users --origin http://localhost:3000",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
# Colour only on a terminal: a notebook cell or a pipe gets plain text, whatever FORCE_COLOR says.
out = Console(highlight=False, soft_wrap=True, force_terminal=sys.stdout.isatty())
err = Console(stderr=True, highlight=False, soft_wrap=True, force_terminal=sys.stderr.isatty())

FIRST_NOTEBOOK = "00_start_here.ipynb"
EXIT_ALLOWED, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_USAGE)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"cors-lab {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Learn, teach and debug CORS for FastAPI backends. With no command, starts the lab."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(lab)


# --- lab --------------------------------------------------------------------------------------------


@app.command()
def lab(
    notebooks: Path | None = typer.Option(
        None, "--notebooks", help="Folder of the tutorial notebooks (default: the checkout's notebooks/)."
    ),
) -> None:
    """Start JupyterLab on the tutorial, with Jupyter's token login on.

    Example: cors-lab lab
    """
    folder = notebooks or _default_notebooks()
    first = folder / FIRST_NOTEBOOK
    if not first.is_file():
        raise _fail(f"{first} not found: pass --notebooks with the folder of the tutorial notebooks")
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    if jupyter is None:
        raise _fail("JupyterLab is not installed here: pip install jupyterlab")
    # "localhost" (loopback only): the lessons' pages are at localhost too, so their cookies are first-party.
    command = [jupyter, "lab", "--ServerApp.ip=localhost", f"--ServerApp.root_dir={folder}", FIRST_NOTEBOOK]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses root unless told; containers and CI machines often run as root.
        command.append("--allow-root")
    typer.echo("Starting JupyterLab; open the URL with the token that it prints below. Ctrl-C stops it.")
    if os.name == "posix":
        # Become Jupyter, so that Ctrl-C and its shutdown prompt behave exactly as usual.
        os.chdir(folder)
        os.execv(jupyter, command)
    raise typer.Exit(subprocess.call(command, cwd=folder))


def _default_notebooks() -> Path:
    return Path(__file__).resolve().parent.parent / "notebooks"


# --- check ------------------------------------------------------------------------------------------


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
    from .driver import Browser

    headers = []
    for line in header:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise _fail(f"header {line!r} is not 'Name: value', e.g. -H 'Content-Type: application/json'")
        headers.append((name.strip(), value.strip()))
    try:
        browser = Browser(origin)
    except ValueError as error:
        raise _fail(f"--origin {error}") from None
    try:
        result = browser.fetch(
            url, method=method, headers=headers, content=data, credentials="include" if credentials else "same-origin"
        )
    except ValueError as error:
        raise _fail(str(error)) from None
    if result.verdict.network_error:
        raise _fail(
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
        return
    out.print(
        f"[bold red]BLOCKED[/] ({escape(str(result.error_code))}): the page's fetch() rejects with "
        "TypeError: Failed to fetch"
    )
    failure = result.verdict.failure
    out.print(f"[red]console:[/] {escape(failure.console_message)}")
    out.print(f"[bold]why:[/] {escape(failure.explanation)}")
    out.print(f"[bold]fix:[/] {escape(failure.fix)}")


# --- audit ------------------------------------------------------------------------------------------


@app.command()
def audit(
    app_spec: str | None = typer.Argument(
        None, metavar="MODULE:ATTR", help="The FastAPI app, as for uvicorn: main:app."
    ),
    env: bool = typer.Option(False, "--env", help="Audit ALLOWED_ORIGINS and CORS_* in the environment instead."),
    env_file: Path | None = typer.Option(None, "--env-file", help="Also read this .env file (with --env)."),
    production: bool | None = typer.Option(
        None, "--production/--development", help="Judge as production (default: from ENVIRONMENT and friends)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Find what is wrong with an app's CORS settings. Exit code 1 when there is an error-level finding.

    Example: cors-lab audit main:app      or      ALLOWED_ORIGINS=https://shop.com cors-lab audit --env
    """
    from .auditing import audit as run_audit
    from .auditing import audit_env

    if env == (app_spec is not None):
        raise _fail("give either MODULE:ATTR (e.g. main:app) or --env")
    if env:
        findings = audit_env(env_file=env_file, production=production)
    else:
        findings = run_audit(_import_app(app_spec))
    if as_json:
        typer.echo(
            json.dumps(
                [{"code": f.code, "severity": f.severity, "message": f.message, "fix": f.fix} for f in findings],
                indent=2,
            )
        )
    else:
        colours = {"error": "red", "warning": "yellow", "info": "blue"}
        for finding in findings:
            out.print(
                f"[bold {colours[finding.severity]}]{finding.severity}[/] [bold]{finding.code}[/]: "
                f"{escape(finding.message)}"
            )
            out.print(f"    [bold]fix:[/] {escape(finding.fix)}")
        worst = [f for f in findings if f.severity != "info"]
        if not worst:
            out.print("[bold green]No errors or warnings.[/]")
    raise typer.Exit(EXIT_BLOCKED if any(f.severity == "error" for f in findings) else EXIT_ALLOWED)


def _import_app(spec: str) -> Any:
    from uvicorn.importer import ImportFromStringError, import_from_string

    sys.path.insert(0, os.getcwd())
    try:
        target = import_from_string(spec)
    except ImportFromStringError as error:
        raise _fail(f"cannot load {spec!r}: {error}") from None
    except Exception as error:  # the module itself failed while importing
        raise _fail(f"importing {spec!r} failed: {type(error).__name__}: {error}") from None
    if not hasattr(target, "user_middleware"):
        raise _fail(f"{spec!r} is {type(target).__name__}, not a FastAPI or Starlette app")
    return target


# --- serve ------------------------------------------------------------------------------------------


@app.command()
def serve(
    allow_origin: list[str] = typer.Option([], "--allow-origin", help="An allowed origin (repeatable)."),
    allow_credentials: bool = typer.Option(False, "--allow-credentials", help="allow_credentials=True."),
    allow_method: list[str] = typer.Option([], "--allow-method", help="An allowed method (repeatable)."),
    allow_header: list[str] = typer.Option([], "--allow-header", help="An allowed request header (repeatable)."),
    expose_header: list[str] = typer.Option([], "--expose-header", help="An exposed response header (repeatable)."),
    port: int = typer.Option(8000, "--port", help="The backend's port."),
    frontend_port: int = typer.Option(3000, "--frontend-port", help="The frontend page's port."),
) -> None:
    """Run the tutorial's backend and a frontend page on this machine, to try a real browser by hand.

    Without --allow-origin the backend has no CORSMiddleware. Ctrl-C stops both.

    Example: cors-lab serve --allow-origin http://localhost:3000 --allow-method PUT
    """
    from .config import CorsConfig
    from .demo import demo_api, frontend_app
    from .servers import PortInUseError
    from .servers import serve as start

    settings: dict[str, Any] = {}
    if allow_origin:
        settings["allow_origins"] = allow_origin
    if allow_credentials:
        settings["allow_credentials"] = True
    if allow_method:
        settings["allow_methods"] = allow_method
    if allow_header:
        settings["allow_headers"] = allow_header
    if expose_header:
        settings["expose_headers"] = expose_header
    if settings and not allow_origin:
        raise _fail("CORS settings without --allow-origin allow no page: add --allow-origin http://localhost:3000")
    config = CorsConfig(**settings) if settings else None
    servers = []
    try:
        servers.append(start(demo_api(config), port=port, name="cors-lab-backend"))
        backend_url = f"http://localhost:{servers[0].port}"
        servers.append(
            start(
                frontend_app("cors-lab frontend", api_url=f"{backend_url}/users"),
                port=frontend_port,
                name="cors-lab-frontend",
            )
        )
    except (PortInUseError, PermissionError, ValueError) as error:
        for server in servers:
            server.stop()
        option = "--port" if not servers else "--frontend-port"
        raise _fail(f"{error} (choose another with {option})") from None
    out.print(f"backend:  [bold]{backend_url}[/]  (GET /users, PUT /users/1, POST /login, GET /me, ...)")
    out.print(
        f"frontend: [bold]http://localhost:{servers[1].port}[/]  open it in your browser, press F12 for the console"
    )
    out.print("CORS: " + (escape(config.summary()) if config else "none (no CORSMiddleware)"))
    out.print("Ctrl-C stops both.")
    out.file.flush()  # a parent process reading a pipe sees the URLs at once
    try:
        while all(server.running for server in servers):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    out.print("stopped")


def main() -> None:
    app()
