"""The ``cors-lab`` command: the lab, and tools for a real app's CORS errors (check, audit, explain, serve)."""

from __future__ import annotations

import typer

from .._version import __version__
from . import audit, check, explain, lab, serve  # noqa: F401  (each module registers its command)
from . import classroom as _classroom  # noqa: F401  (classroom export)
from . import course as _course  # noqa: F401  (reset, progress)
from . import hub as _hub  # noqa: F401  (singleuser)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()


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
        ctx.invoke(lab.lab)
