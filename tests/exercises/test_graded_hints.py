"""Every exercise of the course follows the graded-hint pattern, checked on the wrong answer each notebook
starts with (its tagged answer cell):

* the first feedback (and anything the check prints) does not contain the answer, which is derived from the
  exercise's own solution: no value the solution writes appears in it, quoted as code would quote it, unless
  the learner's own answer has it too (feedback may quote the learner);
* the hints are graded: each is new text, and the last is the exact diagnosis;
* the hint button of the feedback widget shows them, one per click.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import textwrap
from pathlib import Path

import nbformat
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from cors_lab.exercises import Exercise, Feedback
from cors_lab.exercises.first_error import did_the_server_run_it

ROOT = Path(__file__).resolve().parents[2]


class UserNotFound(Exception):
    """Notebook 06 defines it in an earlier cell."""


def _exercise_cells() -> list[tuple[str, str, str]]:
    """(exercise reference, answer cell source, check cell source) of every exercise in the notebooks."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        answer = None
        for cell in nbformat.read(path, as_version=4).cells:
            tags = cell.metadata.get("tags", [])
            if "exercise-answer" in tags:
                answer = cell.source
            elif "exercise-check" in tags:
                assert answer is not None
                found.append((cell.metadata["cors_lab"]["exercise"], answer, cell.source))
    return found


CELLS = _exercise_cells()


def _exercise(reference: str) -> Exercise:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def _namespace() -> dict:
    return {
        "FastAPI": FastAPI,
        "HTTPException": HTTPException,
        "Request": Request,
        "CORSMiddleware": CORSMiddleware,
        "JSONResponse": JSONResponse,
        "UserNotFound": UserNotFound,
        "FRONTEND": "http://localhost:41234",  # notebook 02's frontend, on a port of its own
    }


def _quoted(value) -> set[str]:
    """A value as code would write it (strings in either quotes), and the values inside it."""
    if isinstance(value, bool):
        return {repr(value)}
    if isinstance(value, str):
        return {repr(value), f'"{value}"'} if value else set()
    if isinstance(value, dict):
        found = {repr(value)}
        for item in value.values():
            found |= _quoted(item)
        return found
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
        found = {", ".join(map(repr, items))} if len(items) > 1 else set()
        for item in items:
            found |= _quoted(item)
        return found
    return set()


def _answer_values(source: str) -> set[str]:
    """What a piece of answer code writes: its string and boolean literals, and the values of the names it
    defines (so ``allowed = [FRONTEND]`` gives the frontend's origin), as code would quote them."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, str)):
            found |= _quoted(node.value)
    before = _namespace()
    namespace = _namespace()
    exec(textwrap.dedent(source), namespace)
    for name, value in namespace.items():
        if name != "__builtins__" and before.get(name, object()) is not value:
            found |= _quoted(value)
    return found


def _wrong_feedback(reference: str, answer_source: str, check_source: str) -> tuple[Feedback, str]:
    """Run the notebook's answer cell and its check, as the notebook does; the feedback and what it printed."""
    namespace = _namespace()
    exec(answer_source, namespace)
    call = ast.parse(check_source.strip()).body[0].value
    assert isinstance(call, ast.Call)
    args = [eval(compile(ast.Expression(arg), "<check>", "eval"), namespace) for arg in call.args]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        feedback = _exercise(reference).check(*args)
    return feedback, printed.getvalue()


@pytest.fixture(scope="module", params=CELLS, ids=[reference.split(":")[1] for reference, _, _ in CELLS])
def wrong(request):
    reference, answer, check = request.param
    feedback, printed = _wrong_feedback(reference, answer, check)
    return _exercise(reference), answer, feedback, printed


def test_every_exercise_is_in_a_notebook():
    assert len(CELLS) == 21


def test_the_first_feedback_does_not_give_the_answer_away(wrong):
    exercise, answer, feedback, printed = wrong
    assert not feedback.passed, f"{exercise.name}: the notebook's starting answer should be wrong"
    answer_values = _answer_values(exercise.solution_code) - _answer_values(answer)
    assert answer_values, f"{exercise.name}: no answer values derived from its solution"
    first = feedback.first + "\n" + printed
    assert [value for value in answer_values if value in first] == []
    assert first.strip() not in feedback.detail  # the first feedback is not the exact diagnosis


def test_the_hints_are_graded(wrong):
    exercise, _, feedback, _ = wrong
    texts = [feedback.hint_text(number) for number in range(1, len(feedback.hints) + 1)]
    assert texts, f"{exercise.name}: a wrong answer gets at least one hint"
    seen = [feedback.first]
    for text in texts:
        assert text not in seen, f"{exercise.name}: a hint repeats earlier text: {text!r}"
        seen.append(text)
    assert texts[-1] == feedback.detail


def test_the_hint_button_reveals_them_one_by_one(wrong):
    _, _, feedback, _ = wrong
    view = feedback.view()
    for number in range(1, len(feedback.hints) + 1):
        assert not view.hint_button.disabled
        view.hint_button.click()
        assert f"Hint {number} of {len(feedback.hints)}:" in view.hint_output.value
        assert f"Hint {number + 1} " not in view.hint_output.value
    assert view.hint_button.disabled


def test_exercise_2_2_first_feedback_is_the_same_whichever_way_a_message_is_wrong():
    """Saying A=False or B=True (each wrong) gets the same pointer, so its words cannot tell the answer."""
    a_wrong = did_the_server_run_it.check({"A": False, "B": False})
    b_wrong = did_the_server_run_it.check({"A": True, "B": True})
    assert a_wrong.message == b_wrong.message == "1 of 2 answers are not right yet:"
    assert a_wrong.items[0].replace("message A", "message X") == b_wrong.items[0].replace("message B", "message X")
    solution = {"A": True, "B": False}
    for feedback in (a_wrong, b_wrong):
        assert "did run" not in feedback.first and "did not run" not in feedback.first
        assert not any(repr(value) in feedback.first for value in solution.values())
