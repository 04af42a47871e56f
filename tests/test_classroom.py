"""The lessons as an nbgrader course, graded by the real nbgrader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cors_lab import classroom, course

BIN = Path(sys.executable).parent
CLI = BIN / "cors-lab"
LESSONS = sorted({Path(e.notebook).stem for e in course.course_exercises()})
SOLUTIONS = {e.number: e.exercise.solution_code for e in course.course_exercises()}


def nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # nbgrader runs its own tools (alembic) by name: they are beside this Python.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([BIN / "nbgrader", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def answered(release: Path, target: Path, numbers: set[str]) -> None:
    """A student's submission: the release, with the reference answer typed in for the given exercises."""
    notebook = read(release)
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        number = grade_id.removeprefix("answer-").replace("-", ".")
        if grade_id.startswith("answer-") and number in numbers:
            cell["source"] = source(cell).replace(classroom.CODE_STUB, SOLUTIONS[number])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """An exported course with every lesson released by `nbgrader generate_assignment`."""
    root = tmp_path_factory.mktemp("class")
    done = subprocess.run([CLI, "classroom", "export", str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    nbgrader("generate_assignment", "*", cwd=root)  # every lesson in one run: nbgrader starts slowly
    return root


def test_the_export_is_an_nbgrader_course_built_from_the_lessons_exercises(released):
    assert (released / "nbgrader_config.py").is_file()
    assert sorted(p.name for p in (released / "source").iterdir()) == LESSONS
    for exercise in course.course_exercises():
        lesson = Path(exercise.notebook).stem
        cells = read(released / "source" / lesson / exercise.notebook)["cells"]
        graded = {c["metadata"]["nbgrader"]["grade_id"]: c for c in cells if "nbgrader" in c["metadata"]}
        answer = graded[f"answer-{exercise.number.replace('.', '-')}"]
        check = graded[f"check-{exercise.number.replace('.', '-')}"]
        assert answer["metadata"]["nbgrader"]["solution"] is True
        assert f"### BEGIN SOLUTION\n{exercise.exercise.solution_code}\n### END SOLUTION" in source(answer)
        assert check["metadata"]["nbgrader"]["grade"] is True and check["metadata"]["nbgrader"]["points"] == 1
        assert "assert feedback" in source(check) and ".check(" in source(check)
        assert not any(".solution()" in source(c) for c in cells), "the solution cells are left out"


@pytest.mark.parametrize("lesson", LESSONS)
def test_released_notebooks_have_no_solutions_in_them(released, lesson):
    text = (released / "release" / lesson / f"{lesson}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and ".solution()" not in text
    for exercise in course.course_exercises():
        if exercise.notebook.startswith(lesson):
            assert json.dumps(exercise.exercise.solution_code)[1:-1] not in text, exercise.number
    assert classroom.CODE_STUB in text


def test_autograde_gives_full_partial_and_zero_marks(released):
    from nbgrader.api import Gradebook

    submitted = released / "submitted"
    for lesson in LESSONS:  # every lesson's reference answers score full marks
        name = f"{lesson}.ipynb"
        answered(released / "release" / lesson / name, submitted / "reference" / lesson / name, set(SOLUTIONS))
    origins = released / "release" / "01_origins" / "01_origins.ipynb"
    (submitted / "untouched" / "01_origins").mkdir(parents=True)
    shutil.copyfile(origins, submitted / "untouched" / "01_origins" / origins.name)
    answered(origins, submitted / "partly" / "01_origins" / origins.name, {"1.1", "1.3"})
    nbgrader("autograde", "*", cwd=released)

    with Gradebook(f"sqlite:///{released / 'gradebook.db'}") as gradebook:
        for lesson in LESSONS:
            full = gradebook.find_submission(lesson, "reference")
            assert full.max_score > 0 and full.score == full.max_score, (lesson, full.score, full.max_score)
        assert gradebook.find_submission("01_origins", "untouched").score == 0
        assert gradebook.find_submission("01_origins", "partly").score == 2
        assert gradebook.find_submission("01_origins", "partly").max_score == 3

    graded = read(released / "autograded" / "partly" / "01_origins" / "01_origins.ipynb")
    check = next(c for c in graded["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "check-1-2")
    errors = [o for o in check["outputs"] if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "AssertionError" and "Not yet (exercise 1.2)" in errors[0]["evalue"]


def test_export_refuses_to_overwrite_an_earlier_export(released):
    done = subprocess.run([CLI, "classroom", "export", str(released)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "exists already: pass --force" in done.stderr and "Traceback" not in done.stderr
