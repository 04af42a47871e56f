"""``cors-lab classroom export``: the lessons as an nbgrader course, for teachers."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, fail, out

classroom = typer.Typer(
    help="For teachers: the lessons as nbgrader assignments.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(classroom, name="classroom")


@classroom.command()
def export(
    directory: Path = typer.Argument(..., help="The nbgrader course folder to write source/ and its config into."),
    points: int = typer.Option(1, "--points", help="Points for each exercise's check."),
    course_id: str = typer.Option("cors-lab", "--course-id", help="nbgrader's course id."),
    force: bool = typer.Option(False, "--force", help="Overwrite an earlier export (and your edits to it)."),
) -> None:
    """Write an nbgrader course: one assignment per lesson, answers as solution cells, checks as graded tests.

    Example: cors-lab classroom export cors-lab-class && cd cors-lab-class && nbgrader generate_assignment 01_origins
    """
    from ..classroom import ExportError, export_course

    if directory.exists() and not directory.is_dir():
        raise fail(f"{directory} is a file, not a folder: give a folder for the nbgrader course")
    try:
        assignments = export_course(directory, points=points, course_id=course_id, force=force)
    except ExportError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"cannot write into {directory}: {error.strerror or error}; give a folder you can write") from None
    for assignment in assignments:
        out.print(f"{assignment.notebook}: exercises {', '.join(assignment.exercises)} ({assignment.points} points)")
    out.print(f"{directory / 'nbgrader_config.py'}: nbgrader's configuration")
    out.print(f"Next: cd {directory} && nbgrader generate_assignment {assignments[0].name}  (see docs/teaching.md)")
