"""nbgrader assignments made from the lessons themselves: ``cors-lab classroom export DIR``.

Each lesson with exercises becomes one assignment in nbgrader's course layout (``source/<lesson>/``).
The lesson's tagged exercise cells become nbgrader's cells: the answer cell keeps the learner's starting
value and gets the Exercise's reference answer as its solution region (``### BEGIN SOLUTION`` /
``### END SOLUTION``, which ``nbgrader generate_assignment`` replaces with a stub); the check cell becomes
an autograded test cell that raises (so it scores zero) while the answer is wrong, with the check's
feedback as its message; the cell that shows the solution is left out. Nothing is kept by hand: run the
export again after the course changes.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .course import CourseExercise, course_exercises, course_source

__all__ = ["ExportedAssignment", "answer_source", "check_source", "export_course", "nbgrader_config"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = "# Your answer: edit the value above; the check below says what is still wrong."
CONFIG_NAME = "nbgrader_config.py"
_SCHEMA = 3


class ExportError(RuntimeError):
    """The export would overwrite an instructor's files, or a lesson is not shaped as expected."""


@dataclass(frozen=True)
class ExportedAssignment:
    name: str
    notebook: Path
    exercises: tuple[str, ...]  # exercise numbers, in order
    points: int


def answer_source(starter: str, exercise: CourseExercise) -> str:
    """The answer cell: the learner's starting value, then the reference answer as nbgrader's solution."""
    return f"{starter.rstrip()}\n{BEGIN}\n{exercise.exercise.solution_code}\n{END}"


def check_source(check: str) -> str:
    """The check cell as a test cell: the same check, shown, and an assertion that fails while it does."""
    tree = ast.parse(check)
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr):
        raise ExportError(
            f"a check cell should end with the check itself, such as exercises.x.check(answer): {check!r}"
        )
    lines = check.splitlines()
    before = "\n".join(lines[: last.lineno - 1])
    expression = ast.get_source_segment(check, last.value)
    return (
        (f"{before}\n" if before.strip() else "")
        + f"feedback = {expression}\n"
        + "display(feedback)\n"
        + "assert feedback, repr(feedback)  # autograded: fails, scoring 0, while the answer is not right yet"
    )


def _grade_id(kind: str, number: str) -> str:
    return f"{kind}-{number.replace('.', '-')}"


def _nbgrader(**fields: Any) -> dict[str, Any]:
    return {"schema_version": _SCHEMA, "task": False, **fields}


def _assignment(notebook: dict[str, Any], exercises: dict[str, CourseExercise], points: int) -> list[str]:
    """Turn one lesson notebook (in place) into nbgrader's source version; returns its exercise numbers."""
    cells, numbers = [], []
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        role = next((t.removeprefix("exercise-") for t in tags if t.startswith("exercise-")), None)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if role is None:
            cells.append(cell)
            continue
        exercise = exercises[cell["metadata"]["cors_lab"]["exercise"]]
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if role == "solution":
            continue  # it would show the reference answer
        if role == "answer":
            cell["source"] = answer_source(source, exercise)
            cell["metadata"]["nbgrader"] = _nbgrader(
                grade=False, solution=True, locked=False, grade_id=_grade_id("answer", exercise.number)
            )
            numbers.append(exercise.number)
        elif role == "check":
            cell["source"] = check_source(source)
            cell["metadata"]["nbgrader"] = _nbgrader(
                grade=True, solution=False, locked=True, points=points, grade_id=_grade_id("check", exercise.number)
            )
        cells.append(cell)
    notebook["cells"] = cells
    return numbers


def nbgrader_config(course_id: str) -> str:
    return f'''"""nbgrader's configuration for the cors-lab course (written by `cors-lab classroom export`).

Run nbgrader from this folder: nbgrader generate_assignment 01_origins, nbgrader autograde 01_origins, ...
See docs/teaching.md in the cors-lab repository for the whole round (release, collect, grade, feedback).
"""

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = {course_id!r}
# The release keeps the learner's starting value above this line, as the lesson does.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
# Each lesson starts real servers in the kernel; give a slow machine room.
c.Execute.timeout = 120
'''


def export_course(
    directory: Path, *, points: int = 1, course_id: str = "cors-lab", force: bool = False
) -> list[ExportedAssignment]:
    """Write an nbgrader course: ``source/<lesson>/<lesson>.ipynb`` per lesson with exercises, and its config.

    Refuses to overwrite an existing assignment or config unless ``force``: an instructor may have edited them.
    """
    if points < 1:
        raise ExportError(f"points={points}: each check is worth at least 1 point")
    by_notebook: dict[str, dict[str, CourseExercise]] = {}
    for exercise in course_exercises():
        by_notebook.setdefault(exercise.notebook, {})[exercise.ref] = exercise
    config = directory / CONFIG_NAME
    targets = [directory / "source" / Path(name).stem for name in by_notebook]
    existing = [path for path in [config, *targets] if path.exists()]
    if existing and not force:
        raise ExportError(
            f"{existing[0]} exists already: pass --force to overwrite the export (your edits to it would be lost)"
        )
    exported = []
    for name, exercises in by_notebook.items():
        notebook = json.loads((course_source() / name).read_text(encoding="utf-8"))
        numbers = _assignment(notebook, exercises, points)
        target = directory / "source" / Path(name).stem / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        exported.append(ExportedAssignment(Path(name).stem, target, tuple(numbers), points * len(numbers)))
    config.write_text(nbgrader_config(course_id), encoding="utf-8")
    return exported
