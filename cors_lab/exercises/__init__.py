"""Exercises with instant feedback. A notebook cell holds the learner's answer; the next calls
``exercise.check(answer)``, which never raises: it shows what is still wrong, or that it works.

A checker is a function that takes the answer, raises ``NotYet`` while the answer is wrong, and returns
a short success message. Each topic's exercises live in their own module (``cors_lab.exercises.origins``
for notebook 01, and so on).

Every check follows one pattern of graded hints:

* the first feedback on a wrong answer points at the idea (what to look at), never at the answer;
* the **Show a hint** button under it reveals more, one hint at a time, the last one closest to the answer
  (the checker's exact diagnosis);
* the solution stays one click away: ``exercise.solution()``.

A checker says so with ``NotYet(detail, idea=..., hints=(...))``: ``idea`` is the first feedback (the
exercise's own ``idea`` when left out), ``hints`` the steps between, ``detail`` the last hint. An answer
with several wrong parts raises ``NotYet.parts([Problem(idea, detail), ...])``: the feedback is then a
list, one item per wrong part. An answer that cannot be checked at all (a wrong type, a missing key)
raises ``BadInput(message)``: one clear message, and no hints.
"""

from __future__ import annotations

import difflib
import html
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ..config import SETTINGS, CorsConfig
from ..palette import GREEN, GREY, RED

__all__ = ["BadInput", "Exercise", "Feedback", "FeedbackView", "NotYet", "Problem", "Solution", "settings_answer"]

#: A hint: one text, or several (one per wrong part), shown as a list.
Hint = tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """One wrong part of an answer: what to look at (``idea``), graded ``hints``, and the exact ``detail``."""

    idea: str
    detail: str
    hints: tuple[str, ...] = ()


class NotYet(Exception):
    """Raised by a checker: the answer is not right yet.

    ``detail`` is the exact diagnosis (the last hint); ``idea`` is what the learner sees first (what to look
    at, not the answer); ``hints`` are the steps in between.
    """

    def __init__(self, detail: str, idea: str | None = None, hints: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.problems: tuple[Problem, ...] = (Problem(idea or "", detail, tuple(hints)),)
        self.summary: str | None = None

    @classmethod
    def parts(cls, problems: Iterable[Problem], summary: str | None = None) -> NotYet:
        """Several wrong parts, one feedback item each; ``summary`` heads the list."""
        found = tuple(problems)
        error = cls("; ".join(problem.detail for problem in found))
        error.problems, error.summary = found, summary
        return error


class BadInput(NotYet):
    """Raised by a checker: the answer cannot be checked (a wrong type, a missing part); the message says
    what to give instead, and is the whole feedback."""

    def __init__(self, message: str) -> None:
        super().__init__(message, idea=message)


@dataclass(frozen=True)
class Feedback:
    """The result of a check: passed or not, the first feedback (``message``, and ``items`` when several
    parts are wrong), and the graded ``hints`` the Hint button reveals, one at a time."""

    exercise: str
    passed: bool
    message: str
    items: tuple[str, ...] = ()
    hints: tuple[Hint, ...] = ()

    def __bool__(self) -> bool:
        return self.passed

    @property
    def first(self) -> str:
        """The first feedback as plain text: the message, and its list of wrong parts."""
        return "\n".join([self.message, *(f"- {item}" for item in self.items)])

    def hint_text(self, number: int) -> str:
        """Hint ``number`` (from 1) as plain text."""
        return _plain(self.hints[number - 1])

    @property
    def detail(self) -> str:
        """The exact diagnosis as plain text: the last hint (the message itself when there are none)."""
        return _plain(self.hints[-1]) if self.hints else self.first

    @property
    def full_text(self) -> str:
        """The first feedback and every hint, as plain text (what a learner sees once every hint is shown)."""
        return "\n".join([self.first, *(_plain(hint) for hint in self.hints)])

    def __repr__(self) -> str:
        if self.passed:
            return f"\u2714 Well done ({self.exercise}): {self.message}"
        text = f"\u2718 Not yet ({self.exercise}): {self.first}"
        if self.hints:
            count = f"{len(self.hints)} hint" + ("s" if len(self.hints) > 1 else "")
            text += f"\n({count} under the Show a hint button; .solution() shows the answer)"
        return text

    def html(self) -> str:
        """The feedback as HTML (not ``_repr_html_``: IPython would add it next to the widget's view)."""
        if self.passed:
            return _box(GREEN, "&#x2714; Well done", self.exercise, _inline_code(self.message))
        return _box(RED, "&#x2718; Not yet", self.exercise, self._first_html())

    def _first_html(self) -> str:
        text = _inline_code(self.message)
        if self.items:
            text += _html_list(self.items)
        return text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """A wrong answer with hints shows as its widget, with ``repr()`` as the text view (what nbval compares,
        and what a page without a kernel shows, as for every widget of the course); otherwise as HTML."""
        if not self.passed and self.hints:
            bundle = FeedbackView(self)._repr_mimebundle_()
            if bundle:
                return dict(bundle)
        return {"text/plain": repr(self), "text/html": self.html()}

    def view(self) -> FeedbackView:
        """The feedback as a widget, with its Show a hint button (what a notebook shows)."""
        return FeedbackView(self)


def _hint_html(hint: Hint) -> str:
    return _inline_code(hint[0]) if len(hint) == 1 else _html_list(hint)


def _plain(hint: Hint) -> str:
    return hint[0] if len(hint) == 1 else "\n".join(f"- {line}" for line in hint)


def _html_list(lines: Iterable[str]) -> str:
    return (
        '<ul style="margin:2px 0 2px 1.2em;padding:0">'
        + "".join(f"<li>{_inline_code(line)}</li>" for line in lines)
        + "</ul>"
    )


def _box(colour: str, mark: str, exercise: str, body: str) -> str:
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 8px;line-height:1.4">'
        f'<b style="color:{colour}">{mark}</b> ({html.escape(exercise)}): {body}</div>'
    )


class FeedbackView(w.VBox):
    """A wrong answer's feedback; each click on its button shows the next hint."""

    def __init__(self, feedback: Feedback) -> None:
        self.feedback = feedback
        self.shown = 0
        self.first = w.HTML(feedback.html())
        self.hint_button = w.Button(
            description="Show a hint",
            icon="lightbulb-o",
            tooltip="one more hint",
            layout=w.Layout(width="auto", align_self="flex-start", margin="2px 0 2px 12px"),
        )
        self.hint_output = w.HTML(layout=w.Layout(width="auto"))
        self.hint_button.on_click(lambda _button: self.show_hint())
        self.hint_button.add_class("cors-lab-hint-button")
        self.hint_output.add_class("cors-lab-hints")
        # The hints shown so far, then the button for the next: the newest hint sits just above it.
        super().__init__([self.first, self.hint_output, self.hint_button], layout=w.Layout(width="auto"))
        self.add_class("cors-lab-feedback")
        self._label()

    def show_hint(self) -> str | None:
        """Show the next hint (and return it as text); None once every hint is shown."""
        hints = self.feedback.hints
        if self.shown >= len(hints):
            return None
        self.shown += 1
        items = []
        for number, hint in enumerate(hints[: self.shown], 1):
            items.append(f"<div><b>Hint {number} of {len(hints)}:</b> {_hint_html(hint)}</div>")
        self.hint_output.value = (
            f'<div style="border-left:4px solid {GREY};padding:2px 8px;line-height:1.4">{"".join(items)}</div>'
        )
        self._label()
        return self.feedback.hint_text(self.shown)

    def _label(self) -> None:
        total = len(self.feedback.hints)
        if self.shown >= total:
            self.hint_button.description = "No more hints: .solution() shows the answer"
            self.hint_button.disabled = True
        else:
            self.hint_button.description = f"Show a hint ({self.shown + 1} of {total})"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = repr(self.feedback)
        return bundle

    def __repr__(self) -> str:
        return repr(self.feedback)


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
    the solution cell and the graded assignment).

    ``idea`` is the first feedback on a wrong answer whose checker names no idea of its own (what to look
    at), ``hints`` the graded hints shown before the checker's exact diagnosis. A checker's ``NotYet`` with
    neither says its diagnosis from the start (for a diagnosis that does not give the answer away).
    """

    def __init__(
        self,
        number: str,
        title: str,
        checker: Callable[..., str],
        solution: str,
        explanation: str = "",
        *,
        idea: str | None = None,
        hints: Sequence[str] = (),
    ) -> None:
        self.number = number
        self.title = title
        self.checker = checker
        self.solution_code = textwrap.dedent(solution).strip()
        self.explanation = " ".join(explanation.split())
        self.idea = _sentence(idea) if idea else None
        self.hints = tuple(map(_sentence, hints))

    @property
    def name(self) -> str:
        return f"exercise {self.number}"

    def check(self, *answer: Any) -> Feedback:
        """Check the learner's answer. Never raises: even a broken answer gets feedback.

        In a course workspace the result is also recorded for ``cors-lab progress`` (never failing the check).
        """
        try:
            feedback = Feedback(self.name, True, self.checker(*answer))
        except BadInput as reason:
            feedback = Feedback(self.name, False, str(reason))
        except NotYet as reason:
            feedback = self._graded(reason)
        except Exception as error:  # the answer itself blew up: say so, do not show a traceback
            feedback = Feedback(self.name, False, f"checking your answer raised {type(error).__name__}: {error}")
        from ..course import record_check  # here, not at the top: the exercises load without the course

        record_check(self.number, feedback.passed)
        return feedback

    def _graded(self, reason: NotYet) -> Feedback:
        """A wrong answer's feedback: the idea first, then the hints, the exact diagnosis last."""
        problems = tuple(
            Problem(_sentence(p.idea), _sentence(p.detail), tuple(map(_sentence, p.hints))) for p in reason.problems
        )
        if len(problems) == 1 and reason.summary is None:
            (problem,) = problems
            idea = problem.idea or self.idea or problem.detail
            steps = [*(problem.hints or (() if problem.idea else self.hints)), problem.detail]
            return Feedback(self.name, False, idea, hints=_distinct([(step,) for step in steps], idea))
        summary = reason.summary or f"{len(problems)} parts are not right yet:"
        items = tuple(problem.idea or self.idea or problem.detail for problem in problems)
        levels: list[Hint] = [(hint,) for hint in self.hints]
        for depth in range(max(len(problem.hints) for problem in problems)):
            levels.append(tuple(problem.hints[depth] for problem in problems if len(problem.hints) > depth))
        levels.append(tuple(problem.detail for problem in problems))
        return Feedback(self.name, False, summary, items, _distinct(levels, summary))

    def solution(self) -> Solution:
        return Solution(self.name, self.solution_code, self.explanation)

    def __repr__(self) -> str:
        return f"<Exercise {self.number}: {self.title}>"


def without_fix(message: str) -> str:
    """A refusal (such as ``CorsConfig.from_env``'s) without the corrected value it proposes: what is wrong,
    for a first feedback that must not give the answer."""
    return message.split(", so it would never match")[0]


def _sentence(text: str) -> str:
    """``text`` ending as a sentence does (an empty text stays empty)."""
    return text if not text or text.endswith((".", "?", "!", ":")) else text + "."


def _distinct(levels: Sequence[Hint], first: str) -> tuple[Hint, ...]:
    """The hint levels, each new text (a step that repeats the first feedback or an earlier hint is left out)."""
    seen = {first}
    kept = []
    for level in levels:
        text = _plain(level)
        if level and text not in seen:
            seen.add(text)
            kept.append(level)
    return tuple(kept)


def settings_answer(answer: Any, example: str = "{'allow_origins': ['http://localhost:3000']}") -> CorsConfig:
    """A learner's CORSMiddleware settings (a dict, or a CorsConfig) as a CorsConfig.

    Raises BadInput naming what is malformed: not a dict, an argument CORSMiddleware does not take
    (with the likely one meant), a non-boolean allow_credentials, a regex that does not compile.
    """
    if isinstance(answer, CorsConfig):
        return answer
    if not isinstance(answer, Mapping):
        raise BadInput(
            f"give the settings as a dict of CORSMiddleware arguments, such as {example}, not a {type(answer).__name__}"
        )
    for key in answer:
        if key not in SETTINGS:
            close = difflib.get_close_matches(str(key), SETTINGS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use only {', '.join(SETTINGS)}"
            raise BadInput(f"{key!r} is not a CORSMiddleware argument (Starlette would raise TypeError): {hint}")
    credentials = answer.get("allow_credentials", False)
    if not isinstance(credentials, bool):
        raise BadInput(f"allow_credentials is {credentials!r}; write True or False (without quotes)")
    regex = answer.get("allow_origin_regex")
    if regex is not None:
        try:
            re.compile(regex)
        except (re.error, TypeError) as error:
            raise BadInput(f"allow_origin_regex {regex!r} is not a valid regular expression ({error})") from None
    return CorsConfig(**answer)
