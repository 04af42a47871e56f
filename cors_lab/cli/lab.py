"""``cors-lab lab``: JupyterLab on the tutorial, with token login on and loopback only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from ._app import app, fail

FIRST_NOTEBOOK = "00_start_here.ipynb"


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
        raise fail(f"{first} not found: pass --notebooks with the folder of the tutorial notebooks")
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    if jupyter is None:
        raise fail("JupyterLab is not installed here: pip install jupyterlab")
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
    return Path(__file__).resolve().parents[2] / "notebooks"
