"""``cors-lab audit``: what is wrong with an app's CORS, or with the environment's CORS variables."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.markup import escape

from ._app import EXIT_ALLOWED, EXIT_BLOCKED, app, err, fail, out
from ._load import load_app


@app.command()
def audit(
    app_spec: str | None = typer.Argument(
        None, metavar="MODULE:ATTR", help="The app, as for uvicorn: main:app (or main:create_app with --factory)."
    ),
    factory: bool = typer.Option(False, "--factory", help="MODULE:ATTR is a function that returns the app."),
    app_dir: Path | None = typer.Option(None, "--app-dir", help="Look for the module in this folder (default: here)."),
    frontend: list[str] = typer.Option(
        [], "--frontend", "-f", help="An origin that must get in, e.g. https://app.example.com (repeatable)."
    ),
    env: bool = typer.Option(False, "--env", help="Audit the CORS variables in the environment instead."),
    env_file: Path | None = typer.Option(None, "--env-file", help="Read this .env file too (implies --env)."),
    var: list[str] = typer.Option(
        [], "--var", help="The variable that holds the origins, e.g. BACKEND_CORS_ORIGINS (repeatable; with --env)."
    ),
    production: bool | None = typer.Option(
        None, "--production/--development", help="Judge as production (default: from ENVIRONMENT and friends)."
    ),
    timeout: float = typer.Option(3.0, "--timeout", help="Seconds to wait for each probe's answer."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Find what is wrong with an app's CORS: read its settings, then probe it in-process as a browser and an
    attacker would. Exit code: 0 no errors, 1 an error-level finding, 2 bad usage.

    Example: cors-lab audit main:app --frontend https://app.example.com
    or: cors-lab audit --env --var BACKEND_CORS_ORIGINS --production
    """
    from ..auditing import audit as run_audit
    from ..auditing.environment import audit_reading, read_env

    env = env or env_file is not None or bool(var)
    if env == (app_spec is not None):
        raise fail("give either MODULE:ATTR (e.g. main:app) or --env (with --env-file FILE or --var NAME)")
    if timeout <= 0:
        raise fail(f"--timeout {timeout} is not a positive number of seconds: use e.g. --timeout 3")
    header = ""
    started = time.perf_counter()
    if env:
        if env_file is not None and not env_file.is_file():
            raise fail(f"--env-file {str(env_file)!r} does not exist: check the path (or leave it out)")
        if env_file is None and Path(".env").is_file():
            env_file = Path(".env")
        reading = read_env(env_file=env_file, names=var)
        header = reading.describe()
        findings = audit_reading(reading, production=production, names=var, course_default=False)
    else:
        assert app_spec is not None  # checked above: exactly one of the two
        for page in frontend:
            _check_origin(page)
        target = load_app(app_spec, factory=factory, app_dir=app_dir)
        if production is None:
            production = _production_from_environment()
        findings = run_audit(target, frontend=frontend, production=production, timeout=timeout)
        header = f"audited {app_spec} in {time.perf_counter() - started:.2f} s"
    if as_json:
        typer.echo(json.dumps({"read": header, "findings": [f.as_dict() for f in findings]}, indent=2))
    else:
        err.print(f"[dim]{escape(header)}[/]")  # on stderr: stdout is the findings, for pipes and diffs
        colours = {"error": "red", "warning": "yellow", "info": "blue"}
        for finding in findings:
            out.print(
                f"[bold {colours[finding.severity]}]{finding.severity}[/] [bold]{finding.code}[/]: "
                f"{escape(finding.message)}"
            )
            out.print(f"    [bold]fix:[/] {escape(finding.fix)}")
            if finding.probe:
                out.print(f"    [bold]probe:[/] {escape(finding.probe)}")
        if not any(f.severity != "info" for f in findings):
            out.print("[bold green]No errors or warnings.[/]")
    raise typer.Exit(EXIT_BLOCKED if any(f.severity == "error" for f in findings) else EXIT_ALLOWED)


def _production_from_environment() -> bool:
    import os

    from ..auditing.environment import PRODUCTION_NAMES

    return any(os.environ.get(name, "").strip().lower() in ("prod", "production") for name in PRODUCTION_NAMES)


def _check_origin(page: str) -> None:
    from ..origins import OriginError, origin_of

    try:
        origin = origin_of(page)
    except OriginError as error:
        raise fail(f"--frontend {error}") from None
    if str(origin) != page:
        raise fail(f"--frontend {page!r} is not an origin as a browser sends it: use {str(origin)!r}")
