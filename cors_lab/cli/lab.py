"""``cors-lab lab``: the course in the learner's own folder, opened in JupyterLab (token login, loopback only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from ._app import app, fail

FIRST_NOTEBOOK = "00_start_here.ipynb"
DEFAULT_DIR = Path("cors-lab-course")
_START_TIMEOUT = 120.0

DIR_OPTION = typer.Option(
    DEFAULT_DIR, "--dir", help="The course folder: made and filled on first run, your work kept after that."
)


def course_environment() -> dict[str, str]:
    """The environment for a course server: the course's Jupyter settings first on the config path
    (no news pop-up; the file browser shows the notebooks). Only this server sees them."""
    ours = str(Path(__file__).resolve().parents[1] / "jupyter_config")
    existing = os.environ.get("JUPYTER_CONFIG_PATH")
    return {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join([ours, existing] if existing else [ours])}


def prepare(folder: Path) -> Path:
    """Copy or update the course in ``folder`` and say what changed; exit 2 if the folder cannot be used."""
    from ..course import CourseNotFoundError, prepare_workspace

    if folder.exists() and not folder.is_dir():
        raise fail(f"--dir {folder} is a file, not a folder: pass --dir with a folder for the course")
    try:
        changes = prepare_workspace(folder)
    except CourseNotFoundError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(
            f"cannot write the course into {folder}: {error.strerror or error}; pass --dir with a folder you can write"
        ) from None
    copied = [c for c in changes if c.action == "copied"]
    if copied:
        typer.echo(f"Copied the course into {folder.resolve()} ({len(copied)} files).")
    for change in changes:
        if change.action != "copied":
            typer.echo(str(change))
    return folder.resolve()


@app.command()
def lab(directory: Path = DIR_OPTION) -> None:
    """Start JupyterLab on the course: copies the notebooks into --dir on first run, then opens notebook 00.

    Your edited notebooks are never overwritten: a newer course version goes beside them.
    Jupyter's token login stays on, and the server listens on localhost only.

    Example: cors-lab lab --dir ~/cors-lab-course
    """
    if not isinstance(directory, Path):  # plain `cors-lab` calls this function directly, without Click's defaults
        directory = DEFAULT_DIR
    folder = prepare(directory)
    log_path = folder / ".cors-lab" / "jupyterlab.log"
    runtime = _runtime_dir()
    # "localhost" (loopback only): the lessons' pages are at localhost too, so their cookies are first-party.
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=localhost",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses root unless told; containers and CI machines often run as root.
        command.append("--allow-root")
    with open(log_path, "ab") as log:
        # Its own session: Ctrl-C comes to us, and we stop Jupyter cleanly (no shutdown prompt into a log file).
        process = subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=course_environment(), start_new_session=True
        )
    try:
        info = _wait_for_server(process, runtime, log_path)
        url = f"{info['url'].rstrip('/')}/lab/tree/{FIRST_NOTEBOOK}?token={info['token']}"
        typer.echo(f"JupyterLab is running on the course in {folder}; its log is {log_path}.")
        typer.echo("Ctrl-C stops it.\n\nOpen the course in your browser:\n")
        typer.echo(f"    {url}")  # the last thing printed: easy to find, and it opens notebook 00
        raise typer.Exit(process.wait())
    except KeyboardInterrupt:
        typer.echo("\nStopping JupyterLab (and the kernels it started)...")
        _stop(process)
        raise typer.Exit(0) from None
    finally:
        if process.poll() is None:
            _stop(process)


def _runtime_dir() -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def _wait_for_server(process: subprocess.Popen[bytes], runtime: Path, log: Path) -> dict[str, str]:
    """Jupyter's own server file (jpserver-PID.json) appears once it listens: it has the URL and token."""
    info_file = runtime / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise fail(f"JupyterLab stopped as it started (exit {process.returncode}):\n{_tail(log)}")
        try:
            info: dict[str, str] = json.loads(info_file.read_text())
        except (OSError, ValueError):
            time.sleep(0.1)
            continue
        return info
    raise fail(f"JupyterLab did not start within {_START_TIMEOUT:.0f} s; its log says:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM is Jupyter's clean shutdown: it stops its kernels (and so the lesson servers) first."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
