"""The course as a learner's own copy: the shipped notebooks, a workspace folder, reset, and progress.

The wheel carries the lesson notebooks (and their images) as ``cors_lab/notebooks``; in a checkout they
are the repository's ``notebooks/``. ``prepare_workspace`` copies them into a folder the learner owns
and keeps a manifest of what it wrote (``.cors-lab/course.json``), so it can tell an untouched original
(safe to update to a newer course version) from a notebook the learner has changed (never overwritten:
the newer version goes beside it). Each exercise check records pass or fail in the workspace's
``.cors-lab/progress.json``; ``progress()`` reads it back against the course's exercises.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._version import __version__
from .palette import GREEN, GREY, RED

__all__ = [
    "FIRST_NOTEBOOK",
    "Change",
    "CourseExercise",
    "CourseNotFoundError",
    "Progress",
    "UnknownNotebookError",
    "course_exercises",
    "course_notebooks",
    "course_source",
    "find_workspace",
    "is_workspace",
    "prepare_workspace",
    "progress",
    "record_check",
    "reset_notebook",
    "resolve_notebook",
]

FIRST_NOTEBOOK = "00_start_here.ipynb"
DEFAULT_WORKSPACE = "cors-lab-course"
# A dot folder: Jupyter's file browser does not show it, so the course reads as just its notebooks.
STATE_DIR = ".cors-lab"
MANIFEST = f"{STATE_DIR}/course.json"
PROGRESS = f"{STATE_DIR}/progress.json"
REPLACED = f"{STATE_DIR}/replaced"
_LESSON = re.compile(r"\d\d_[a-z_]+\.ipynb")


class CourseNotFoundError(RuntimeError):
    """This installation has no course notebooks (a broken install)."""


class UnknownNotebookError(ValueError):
    """A notebook name that is not one of the course's; the message lists the valid ones."""


# --- the course as shipped ---------------------------------------------------------------------------


def course_source() -> Path:
    """The folder holding the original notebooks: inside the installed package, else the checkout's."""
    package = Path(__file__).resolve().parent
    for folder in (package / "notebooks", package.parent / "notebooks"):
        if (folder / FIRST_NOTEBOOK).is_file():
            return folder
    raise CourseNotFoundError(
        f"no course notebooks in {package / 'notebooks'}: reinstall cors-lab (pip install --force-reinstall cors-lab)"
    )


def course_notebooks() -> list[str]:
    """The lesson notebooks' file names, in course order."""
    return sorted(p.name for p in course_source().glob("*.ipynb") if _LESSON.fullmatch(p.name))


def _course_files(source: Path) -> list[str]:
    """What a workspace gets: the lesson notebooks and the images they show (not the test configuration)."""
    images = source / "images"
    pictures = (
        sorted(p.relative_to(source).as_posix() for p in images.rglob("*") if p.is_file()) if images.is_dir() else []
    )
    return course_notebooks() + pictures


@dataclass(frozen=True)
class CourseExercise:
    """One exercise as the course orders it: its notebook, its ``module:name`` reference, its Exercise."""

    notebook: str
    ref: str
    exercise: Any  # cors_lab.exercises.Exercise (imported lazily: the exercises pull in the browser model)

    @property
    def number(self) -> str:
        return str(self.exercise.number)

    @property
    def title(self) -> str:
        return str(self.exercise.title)


def course_exercises() -> list[CourseExercise]:
    """Every exercise, in the order the notebooks pose them, read from their tagged answer cells."""
    found: list[CourseExercise] = []
    for name in course_notebooks():
        notebook = json.loads((course_source() / name).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if "exercise-answer" in cell.get("metadata", {}).get("tags", []):
                ref = cell["metadata"]["cors_lab"]["exercise"]
                module, _, attribute = ref.partition(":")
                found.append(CourseExercise(name, ref, getattr(importlib.import_module(module), attribute)))
    return found


def resolve_notebook(name: str) -> str:
    """A course notebook's file name from what a learner types: ``03_preflight.ipynb``, ``03_preflight`` or ``03``."""
    notebooks = course_notebooks()
    wanted = Path(name.strip()).name
    for notebook in notebooks:
        if wanted in (notebook, notebook.removesuffix(".ipynb"), notebook[:2]):
            return notebook
    raise UnknownNotebookError(f"{name!r} is not a course notebook: use one of {', '.join(notebooks)}")


# --- the learner's workspace -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What preparing the workspace did to one file."""

    path: str
    action: Literal["copied", "updated", "offered", "kept"]
    beside: str | None = None  # for "offered": the newer course version's file, next to the learner's

    def __str__(self) -> str:
        if self.action == "offered":
            return (
                f"{self.path}: you have changed it, so it is kept as it is; this course version "
                f"({__version__}) of it is beside it as {self.beside}"
            )
        if self.action == "kept":
            return f"{self.path}: you have changed it and its newer copy {self.beside}, so both are kept as they are"
        return f"{self.path}: {self.action}"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_workspace(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write whole or not at all: a crash mid-write never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _copy(source: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return _digest(target)


def _offered_name(relative: str) -> str:
    path = Path(relative)
    return path.with_name(f"{path.stem}.v{__version__}{path.suffix}").as_posix()


def prepare_workspace(folder: Path) -> list[Change]:
    """Copy the course into ``folder``, or bring an existing copy up to this course version.

    Never overwrites a file the learner has changed: a file is replaced only when it is exactly what an
    earlier run wrote. A changed notebook whose original has moved on gets the new version beside it.
    """
    source = course_source()
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _read_json(folder / MANIFEST)
    written: dict[str, str] = dict(manifest.get("files", {}))
    changes: list[Change] = []
    for relative in _course_files(source):
        original, target = source / relative, folder / relative
        wanted = _digest(original)
        if not target.exists():
            written[relative] = _copy(original, target)
            changes.append(Change(relative, "copied"))
            continue
        current = _digest(target)
        if current == wanted:
            written[relative] = wanted
        elif written.get(relative) == current:  # an untouched original of an earlier version: nothing to lose
            written[relative] = _copy(original, target)
            changes.append(Change(relative, "updated"))
        else:
            offered = _offered_name(relative)
            beside = folder / offered
            if beside.exists() and written.get(offered) != _digest(beside):
                changes.append(Change(relative, "kept", offered))
                continue
            if not beside.exists() or _digest(beside) != wanted:
                written[offered] = _copy(original, beside)
            changes.append(Change(relative, "offered", offered))
    _write_json(folder / MANIFEST, {"course_version": __version__, "files": written})
    return changes


def reset_notebook(folder: Path, name: str) -> tuple[str, Path | None]:
    """Restore one notebook of the workspace to the course's original.

    Returns the notebook's file name and where the learner's replaced version was kept (None if there
    was nothing of theirs to keep), so a reset by mistake loses nothing.
    """
    notebook = resolve_notebook(name)
    manifest = _read_json(folder / MANIFEST)
    target = folder / notebook
    kept: Path | None = None
    if target.exists() and _digest(target) != _digest(course_source() / notebook):
        kept = folder / REPLACED / f"{target.stem}-{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, kept)
    files = dict(manifest.get("files", {}))
    files[notebook] = _copy(course_source() / notebook, target)
    _write_json(folder / MANIFEST, {"course_version": __version__, **manifest, "files": files})
    return notebook, kept


def find_workspace(start: Path | None = None) -> Path | None:
    """The course workspace holding ``start`` (a kernel runs in its notebook's folder), or None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return folder
    return None


# --- progress ----------------------------------------------------------------------------------------


def record_check(number: str, passed: bool, workspace: Path | None = None) -> None:
    """Note one check's result in the workspace's progress file. Outside a workspace it does nothing.

    Never raises: a read-only disk or a broken file must not turn a learner's check into an error.
    """
    with contextlib.suppress(Exception):
        folder = workspace or find_workspace()
        if folder is None:
            return
        path = folder / PROGRESS
        data = _read_json(path)
        exercises = data.setdefault("exercises", {})
        entry = exercises.get(number) if isinstance(exercises.get(number), dict) else {}
        exercises[number] = {
            "passed": passed,  # the last check
            "done": bool(entry.get("done")) or passed,  # passed at least once
            "checks": int(entry.get("checks", 0)) + 1,
            "last_checked": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        _write_json(path, data)


@dataclass(frozen=True)
class ExerciseProgress:
    exercise: CourseExercise
    state: Literal["done", "not yet", "not tried"]
    last_passed: bool | None


_MARKS = {"done": "\u2714", "not yet": "\u2718", "not tried": "\u00b7"}


@dataclass(frozen=True)
class Progress:
    """Which of the course's exercises pass, from a workspace's progress file."""

    workspace: Path | None
    exercises: tuple[ExerciseProgress, ...]

    @property
    def done(self) -> int:
        return sum(e.state == "done" for e in self.exercises)

    def by_notebook(self) -> Iterator[tuple[str, list[ExerciseProgress]]]:
        notebooks: dict[str, list[ExerciseProgress]] = {}
        for entry in self.exercises:
            notebooks.setdefault(entry.exercise.notebook, []).append(entry)
        yield from notebooks.items()

    def _note(self, entry: ExerciseProgress) -> str:
        if entry.state == "done" and entry.last_passed is False:
            return " (passed before; its last check did not)"
        return ""

    def __repr__(self) -> str:
        if self.workspace is None:
            return (
                "Progress is kept in a course workspace: start the course with `cors-lab lab`, and each "
                "exercise check you run there is recorded."
            )
        lines = [f"{self.done} of {len(self.exercises)} exercises done (workspace: {self.workspace})"]
        for notebook, entries in self.by_notebook():
            lines.append(notebook)
            lines.extend(
                f"  {_MARKS[e.state]} {e.exercise.number} {e.exercise.title}: {e.state}{self._note(e)}" for e in entries
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if self.workspace is None:
            return f"<p>{html.escape(repr(self))}</p>"
        colours = {"done": GREEN, "not yet": RED, "not tried": GREY}
        rows = []
        for notebook, entries in self.by_notebook():
            link = f'<a href="{html.escape(notebook)}">{html.escape(notebook.removesuffix(".ipynb"))}</a>'
            for i, e in enumerate(entries):
                rows.append(
                    f"<tr><td>{link if i == 0 else ''}</td><td>{html.escape(e.exercise.number)}</td>"
                    f"<td>{html.escape(e.exercise.title)}</td><td style='color:{colours[e.state]}'>"
                    f"{_MARKS[e.state]} {e.state}{html.escape(self._note(e))}</td></tr>"
                )
        return (
            f"<p><b>{self.done} of {len(self.exercises)} exercises done</b></p>"
            "<table><tr><th>Notebook</th><th>Exercise</th><th></th><th>State</th></tr>" + "".join(rows) + "</table>"
        )


def progress(workspace: Path | None = None) -> Progress:
    """Which exercises pass in ``workspace`` (default: the one this notebook runs in)."""
    folder = workspace if workspace is not None else find_workspace()
    if folder is not None and not is_workspace(folder):
        folder = None
    recorded = _read_json(folder / PROGRESS).get("exercises", {}) if folder else {}
    entries = []
    for exercise in course_exercises():
        seen = recorded.get(exercise.number)
        if not isinstance(seen, dict):
            entries.append(ExerciseProgress(exercise, "not tried", None))
        else:
            entries.append(ExerciseProgress(exercise, "done" if seen.get("done") else "not yet", seen.get("passed")))
    return Progress(folder, tuple(entries))
