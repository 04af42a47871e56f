"""The ``cors-lab`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

from . import __version__

app = typer.Typer(
    name="cors-lab",
    help="Learn, teach and debug CORS for FastAPI backends.\n\nExample: cors-lab lab",
    no_args_is_help=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FIRST_NOTEBOOK = "00_start_here.ipynb"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"cors-lab {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Learn, teach and debug CORS for FastAPI backends. With no command, starts the lab."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(lab)


@app.command()
def lab(
    notebooks: Optional[Path] = typer.Option(
        None, "--notebooks", help="Folder of the tutorial notebooks (default: the checkout's notebooks/)."
    ),
) -> None:
    """Start JupyterLab on the tutorial, with Jupyter's token login on.

    Example: cors-lab lab
    """
    folder = notebooks or _default_notebooks()
    first = folder / FIRST_NOTEBOOK
    if not first.is_file():
        typer.secho(f"error: {first} not found: pass --notebooks with the folder of the tutorial notebooks",
                    err=True, fg="red")
        raise typer.Exit(2)
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    if jupyter is None:
        typer.secho("error: JupyterLab is not installed here: pip install jupyterlab", err=True, fg="red")
        raise typer.Exit(2)
    command = [jupyter, "lab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={folder}", FIRST_NOTEBOOK]
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


def main() -> None:
    app()
