"""``cors-lab reset`` and ``cors-lab progress``: the learner's course folder."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, fail, out
from .lab import DEFAULT_DIR

DIR_OPTION = typer.Option(DEFAULT_DIR, "--dir", help="The course folder (as given to cors-lab lab).")


def _workspace(folder: Path) -> Path:
    from ..course import is_workspace

    if not is_workspace(folder):
        raise fail(f"{folder} is not a course folder: start the course with `cors-lab lab --dir {folder}` first")
    return folder


@app.command()
def reset(
    notebook: str = typer.Argument(..., help="The notebook: 03_preflight.ipynb, 03_preflight or 03."),
    directory: Path = DIR_OPTION,
) -> None:
    """Restore one notebook of your course folder to the original (your version is kept aside).

    Example: cors-lab reset 03_preflight
    """
    from ..course import UnknownNotebookError, reset_notebook

    folder = _workspace(directory)
    try:
        name, kept = reset_notebook(folder, notebook)
    except UnknownNotebookError as error:
        raise fail(str(error)) from None
    out.print(f"{folder / name}: restored to the original.")
    if kept is not None:
        out.print(f"Your version is kept as {kept}.")
    out.print("If it is open in JupyterLab, reload it there (File > Reload Notebook from Disk).")


@app.command()
def progress(directory: Path = DIR_OPTION) -> None:
    """Show which exercises of the course you have done (each check you run records its result).

    Example: cors-lab progress --dir ~/cors-lab-course
    """
    from ..course import progress as read_progress

    out.print(repr(read_progress(_workspace(directory))))
