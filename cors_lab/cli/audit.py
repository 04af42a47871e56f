"""``cors-lab audit``: what is wrong with an app's CORS settings, or with the environment's."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ._app import EXIT_ALLOWED, EXIT_BLOCKED, app, fail, out


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
    from ..auditing import audit as run_audit
    from ..auditing import audit_env

    if env == (app_spec is not None):
        raise fail("give either MODULE:ATTR (e.g. main:app) or --env")
    if env:
        findings = audit_env(env_file=env_file, production=production)
    else:
        assert app_spec is not None  # checked above: exactly one of the two
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
        raise fail(f"cannot load {spec!r}: {error}") from None
    except Exception as error:  # the module itself failed while importing
        raise fail(f"importing {spec!r} failed: {type(error).__name__}: {error}") from None
    if not hasattr(target, "user_middleware"):
        raise fail(f"{spec!r} is {type(target).__name__}, not a FastAPI or Starlette app")
    return target
