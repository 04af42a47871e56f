"""``cors-lab singleuser``: a JupyterHub single-user server on the student's own copy of the course.

JupyterHub's ``Spawner.cmd`` runs it (see deploy/jupyterhub/): it copies or updates the course in the
student's home, exactly as ``cors-lab lab`` does, then becomes ``jupyterhub-singleuser`` with the course's
Jupyter settings and every argument JupyterHub passed. The Hub's authentication applies as to any server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import typer

from ._app import app, fail
from .lab import DEFAULT_DIR, course_environment, prepare


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def singleuser(
    ctx: typer.Context,
    directory: Path | None = typer.Option(
        None, "--dir", help=f"The student's course folder (default: ~/{DEFAULT_DIR})."
    ),
) -> None:
    """For JupyterHub (Spawner.cmd): the student's course in their home, served by jupyterhub-singleuser.

    Arguments it does not know go to jupyterhub-singleuser.

    Example (jupyterhub_config.py): c.Spawner.cmd = ["cors-lab", "singleuser"]
    """
    folder = prepare(directory or Path.home() / DEFAULT_DIR)
    server = shutil.which("jupyterhub-singleuser", path=os.path.dirname(sys.executable)) or shutil.which(
        "jupyterhub-singleuser"
    )
    if server is None:
        raise fail("jupyterhub-singleuser is not installed here: pip install 'cors-lab[hub]'")
    command = [server, f"--ServerApp.root_dir={folder}", *ctx.args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in command:
        command.append("--allow-root")  # containers often run as root; the Hub still guards the server
    sys.stdout.flush()
    if os.name == "posix":
        # Become the server: the Hub's signals and its view of the process are then the server's own.
        os.execve(server, command, course_environment())
    raise typer.Exit(subprocess.call(command, env=course_environment()))
