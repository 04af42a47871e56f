"""The learner's course folder: copied once, never overwriting their work, reset, and progress."""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cors_lab import course
from cors_lab.exercises import origins

CLI = Path(sys.executable).parent / "cors-lab"
NOTEBOOKS = sorted(p.name for p in (Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_a_new_folder_gets_every_notebook_and_image_but_not_the_test_configuration(tmp_path):
    changes = course.prepare_workspace(tmp_path / "course")
    names = sorted(p.name for p in (tmp_path / "course").glob("*.ipynb"))
    assert names == NOTEBOOKS
    assert (tmp_path / "course/images/jupyterlab-playground.png").is_file()
    assert not (tmp_path / "course/nbval-sanitize.cfg").exists()
    assert {c.action for c in changes} == {"copied"}
    assert course.prepare_workspace(tmp_path / "course") == []  # a second run changes nothing


def test_an_edited_notebook_is_kept_and_a_newer_version_is_offered_beside_it(tmp_path, monkeypatch):
    old_course = tmp_path / "old"
    old_course.mkdir()
    for name in NOTEBOOKS:
        (old_course / name).write_text(json.dumps({"version": "old", "name": name}))
    workspace = tmp_path / "course"
    monkeypatch.setattr(course, "course_source", lambda: old_course)
    course.prepare_workspace(workspace)
    edited = workspace / "03_preflight.ipynb"
    edited.write_text("my answers")
    monkeypatch.undo()  # the course moves on to the real notebooks

    changes = {c.path: c for c in course.prepare_workspace(workspace)}
    assert changes["01_origins.ipynb"].action == "updated"  # untouched: nothing of the learner's to lose
    assert (workspace / "01_origins.ipynb").read_bytes() == (course.course_source() / "01_origins.ipynb").read_bytes()
    offered = changes["03_preflight.ipynb"]
    assert offered.action == "offered" and edited.read_text() == "my answers"
    assert offered.beside == f"03_preflight.v{course.__version__}.ipynb"
    assert (workspace / offered.beside).read_bytes() == (course.course_source() / "03_preflight.ipynb").read_bytes()
    assert "you have changed it, so it is kept" in str(offered) and offered.beside in str(offered)

    (workspace / offered.beside).write_text("my answers in the new copy too")
    again = {c.path: c for c in course.prepare_workspace(workspace)}
    assert again["03_preflight.ipynb"].action == "kept"
    assert (workspace / offered.beside).read_text() == "my answers in the new copy too"


def test_reset_restores_the_original_and_keeps_the_learners_version_aside(tmp_path):
    workspace = tmp_path / "course"
    course.prepare_workspace(workspace)
    (workspace / "02_first_cors_error.ipynb").write_text("scribbles")
    name, kept = course.reset_notebook(workspace, "02")
    assert name == "02_first_cors_error.ipynb"
    original = (course.course_source() / name).read_bytes()
    assert (workspace / name).read_bytes() == original
    assert kept is not None and kept.read_text() == "scribbles" and ".cors-lab" in kept.parts
    assert course.prepare_workspace(workspace) == []  # the reset copy counts as an untouched original
    assert course.reset_notebook(workspace, "02_first_cors_error")[1] is None  # nothing of theirs to keep


def test_reset_from_the_command_line(tmp_path):
    workspace = tmp_path / "course"
    course.prepare_workspace(workspace)
    (workspace / "07_capstone.ipynb").write_text("scribbles")
    done = run_cli("reset", "07_capstone.ipynb", "--dir", str(workspace))
    assert done.returncode == 0, done.stderr
    assert "restored to the original" in done.stdout and "Your version is kept as" in done.stdout
    assert (workspace / "07_capstone.ipynb").read_bytes() == (course.course_source() / "07_capstone.ipynb").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["reset", "08_extra"],
            "'08_extra' is not a course notebook: use one of 00_start_here.ipynb, 01_origins.ipynb",
        ),
        (["reset", "01"], "is not a course folder: start the course with `cors-lab lab --dir"),
        (["progress"], "is not a course folder"),
    ],
)
def test_course_commands_with_bad_input_exit_2_with_one_clear_error(tmp_path, args, message):
    if args == ["reset", "08_extra"]:
        course.prepare_workspace(tmp_path / "course")
    done = run_cli(*args, "--dir", str(tmp_path / ("course" if args[1:] == ["08_extra"] else "nowhere")))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_each_check_in_a_workspace_records_its_result_for_progress(tmp_path, monkeypatch):
    workspace = tmp_path / "course"
    course.prepare_workspace(workspace)
    monkeypatch.chdir(workspace)  # a kernel runs in its notebook's folder
    exercise = origins.same_origin_picks
    assert course.progress().exercises[1].state == "not tried"
    assert not exercise.check({0, 2})
    entry = next(e for e in course.progress().exercises if e.exercise.exercise is exercise)
    assert entry.state == "not yet"
    solution: dict = {}
    exec(exercise.solution_code, solution)
    assert exercise.check(solution["same_origin"])
    assert not exercise.check({0})  # a later wrong answer does not undo "done", but is shown
    shown = course.progress()
    entry = next(e for e in shown.exercises if e.exercise.exercise is exercise)
    assert entry.state == "done" and entry.last_passed is False
    assert shown.done == 1 and shown.workspace == workspace.resolve()
    text = repr(shown)
    assert f"1 of {len(shown.exercises)} exercises done" in text
    assert "\u2714 1.2 " in text and "passed before; its last check did not" in text
    assert "<table>" in shown._repr_html_() and 'href="01_origins.ipynb"' in shown._repr_html_()

    done = run_cli("progress", "--dir", str(workspace))
    assert done.returncode == 0 and "1 of" in done.stdout and "1.2" in done.stdout


def test_progress_lists_every_exercise_of_the_course_in_order():
    numbers = [e.number for e in course.course_exercises()]
    assert numbers == sorted(numbers, key=lambda n: [int(part) for part in n.split(".")])
    assert len(numbers) == len(set(numbers)) >= 20
    assert {e.notebook for e in course.course_exercises()} == set(NOTEBOOKS[1:])


def test_outside_a_workspace_a_check_records_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    origins.same_origin_picks.check({0})
    assert list(tmp_path.iterdir()) == []
    assert "start the course with `cors-lab lab`" in repr(course.progress())


def test_a_progress_file_that_cannot_be_written_never_breaks_a_check(tmp_path, monkeypatch):
    workspace = tmp_path / "course"
    course.prepare_workspace(workspace)
    (workspace / course.PROGRESS).mkdir(parents=True)  # a folder where the file should be: no write can succeed
    monkeypatch.chdir(workspace)
    feedback = origins.same_origin_picks.check({0})
    assert not feedback and "Not yet" in repr(feedback)
    (workspace / course.PROGRESS).rmdir()
    (workspace / course.PROGRESS).write_text("{not json")  # a broken file: progress starts again
    origins.same_origin_picks.check({0})
    assert json.loads((workspace / course.PROGRESS).read_text())["exercises"]["1.2"]["checks"] == 1
    assert stat.S_ISREG((workspace / course.PROGRESS).stat().st_mode)
