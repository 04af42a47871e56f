"""Exercises with instant feedback. A notebook cell holds the learner's answer; the next calls
``exercise.check(answer)``, which never raises: it shows what is still wrong, or that it works.

A checker is a function that takes the answer, raises ``NotYet("why")`` while the answer is wrong,
and returns a short success message. Each topic's exercises live in their own module
(``cors_lab.exercises.origins`` for notebook 01, and so on).
"""

from __future__ import annotations

import difflib
import html
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import SETTINGS, CorsConfig
from ..palette import GREEN, RED

__all__ = ["Exercise", "Feedback", "NotYet", "Solution", "settings_answer"]


class NotYet(Exception):
    """Raised by a checker: the answer is not right yet; the message says why."""


@dataclass(frozen=True)
class Feedback:
    """The result of a check: passed or not, and a specific message."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = "\u2714 Well done" if self.passed else "\u2718 Not yet"
        return f"{mark} ({self.exercise}): {self.message}"

    def _repr_html_(self) -> str:
        colour, mark = (GREEN, "&#x2714; Well done") if self.passed else (RED, "&#x2718; Not yet")
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 8px"><b style="color:{colour}">{mark}</b> '
            f"({html.escape(self.exercise)}): {html.escape(self.message)}</div>"
        )


@dataclass(frozen=True)
class Solution:
    """One correct answer and why it is right, shown folded so it is a click away rather than in plain sight."""

    exercise: str
    code: str
    explanation: str = ""

    def __repr__(self) -> str:
        why = f"\n\n{self.explanation}" if self.explanation else ""
        return f"Solution to {self.exercise}:\n{self.code}{why}"

    def _repr_html_(self) -> str:
        why = f"<p>{_inline_code(self.explanation)}</p>" if self.explanation else ""
        return (
            f"<details><summary>Solution to {html.escape(self.exercise)} (click to open)</summary>"
            f"<pre>{html.escape(self.code)}</pre>{why}</details>"
        )


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML and show its `backticked` parts as code, as the lessons' markdown does."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


class Exercise:
    """An exercise: a number and title, a checker, and its solution (the one source for the notebook,
    the solution cell and the graded assignment)."""

    def __init__(
        self, number: str, title: str, checker: Callable[..., str], solution: str, explanation: str = ""
    ) -> None:
        self.number = number
        self.title = title
        self.checker = checker
        self.solution_code = textwrap.dedent(solution).strip()
        self.explanation = " ".join(explanation.split())

    @property
    def name(self) -> str:
        return f"exercise {self.number}"

    def check(self, *answer: Any) -> Feedback:
        """Check the learner's answer. Never raises: even a broken answer gets feedback.

        In a course workspace the result is also recorded for ``cors-lab progress`` (never failing the check).
        """
        try:
            feedback = Feedback(self.name, True, self.checker(*answer))
        except NotYet as reason:
            feedback = Feedback(self.name, False, str(reason))
        except Exception as error:  # the answer itself blew up: say so, do not show a traceback
            feedback = Feedback(self.name, False, f"checking your answer raised {type(error).__name__}: {error}")
        from ..course import record_check  # here, not at the top: the exercises load without the course

        record_check(self.number, feedback.passed)
        return feedback

    def solution(self) -> Solution:
        return Solution(self.name, self.solution_code, self.explanation)

    def __repr__(self) -> str:
        return f"<Exercise {self.number}: {self.title}>"


def settings_answer(answer: Any, example: str = "{'allow_origins': ['http://localhost:3000']}") -> CorsConfig:
    """A learner's CORSMiddleware settings (a dict, or a CorsConfig) as a CorsConfig.

    Raises NotYet naming what is malformed: not a dict, an argument CORSMiddleware does not take
    (with the likely one meant), a non-boolean allow_credentials, a regex that does not compile.
    """
    if isinstance(answer, CorsConfig):
        return answer
    if not isinstance(answer, Mapping):
        raise NotYet(
            f"give the settings as a dict of CORSMiddleware arguments, such as {example}, not a {type(answer).__name__}"
        )
    for key in answer:
        if key not in SETTINGS:
            close = difflib.get_close_matches(str(key), SETTINGS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use only {', '.join(SETTINGS)}"
            raise NotYet(f"{key!r} is not a CORSMiddleware argument (Starlette would raise TypeError): {hint}")
    credentials = answer.get("allow_credentials", False)
    if not isinstance(credentials, bool):
        raise NotYet(f"allow_credentials is {credentials!r}; write True or False (without quotes)")
    regex = answer.get("allow_origin_regex")
    if regex is not None:
        try:
            re.compile(regex)
        except (re.error, TypeError) as error:
            raise NotYet(f"allow_origin_regex {regex!r} is not a valid regular expression ({error})") from None
    return CorsConfig(**answer)
