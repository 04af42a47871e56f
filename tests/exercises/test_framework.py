"""The exercise framework: checks never raise; a wrong answer's feedback points at the idea first, and a
hint button reveals graded hints, the last the exact diagnosis; the solution stays one call away."""

import ipywidgets as w

from cors_lab.exercises import BadInput, Exercise, Feedback, FeedbackView, NotYet, Problem


def is_even(number):
    if not isinstance(number, int):
        raise BadInput(f"give a whole number, not a {type(number).__name__}")
    if number % 2:
        raise NotYet(
            f"{number} is odd: {number + 1} is even",
            idea="look at the last digit",
            hints=("an even number ends in 0, 2, 4, 6 or 8",),
        )
    return f"{number} is even"


EVEN = Exercise("0.1", "Pick an even number", is_even, "answer = 2")


def both_even(a, b):
    problems = [
        Problem(f"{name}: look at its last digit", f"{name} = {value} is odd", (f"{name}: is it divisible by 2?",))
        for name, value in (("a", a), ("b", b))
        if value % 2
    ]
    if problems:
        raise NotYet.parts(problems, f"{len(problems)} of 2 numbers are not right yet:")
    return "both are even"


BOTH = Exercise("0.2", "Two even numbers", both_even, "a, b = 2, 4", hints=("zero is even too",))


def plain(number):
    if number < 0:
        raise NotYet("the number is negative")
    return "fine"


PLAIN = Exercise("0.3", "A positive number", plain, "answer = 1", idea="look at the sign")


def test_a_right_answer():
    assert EVEN.check(4) == Feedback("exercise 0.1", True, "4 is even")
    assert bool(EVEN.check(4))
    assert repr(EVEN.check(2)) == "\u2714 Well done (exercise 0.1): 2 is even"
    assert "Well done" in EVEN.check(2).html()


def test_a_wrong_answer_points_at_the_idea_first_and_the_hints_are_graded():
    feedback = EVEN.check(3)
    assert not feedback
    assert feedback.message == "look at the last digit."
    assert "4" not in feedback.first
    assert [feedback.hint_text(n) for n in (1, 2)] == [
        "an even number ends in 0, 2, 4, 6 or 8.",
        "3 is odd: 4 is even.",
    ]
    assert feedback.detail == "3 is odd: 4 is even."
    assert repr(feedback) == (
        "\u2718 Not yet (exercise 0.1): look at the last digit.\n"
        "(2 hints under the Show a hint button; .solution() shows the answer)"
    )


def test_the_exercise_idea_and_hints_stand_in_for_a_checker_that_names_none():
    feedback = PLAIN.check(-1)
    assert feedback.message == "look at the sign."
    assert feedback.hints == (("the number is negative.",),)


def test_several_wrong_parts_are_a_list_and_each_hint_level_is_new_text():
    feedback = BOTH.check(3, 5)
    assert feedback.message == "2 of 2 numbers are not right yet:"
    assert feedback.items == ("a: look at its last digit.", "b: look at its last digit.")
    assert (
        feedback.first
        == "2 of 2 numbers are not right yet:\n- a: look at its last digit.\n- b: look at its last digit."
    )
    texts = [feedback.hint_text(n) for n in range(1, len(feedback.hints) + 1)]
    assert texts == [
        "zero is even too.",
        "- a: is it divisible by 2?\n- b: is it divisible by 2?",
        "- a = 3 is odd.\n- b = 5 is odd.",
    ]
    assert len(set(texts)) == len(texts) and feedback.first not in texts
    html = feedback.html()
    assert "<ul" in html and html.count("<li>") == 2
    assert BOTH.check(2, 4).passed


def test_bad_input_is_one_clear_message_without_hints():
    feedback = EVEN.check("four")
    assert not feedback.passed
    assert feedback.message == "give a whole number, not a str"
    assert feedback.hints == ()
    assert repr(feedback) == "\u2718 Not yet (exercise 0.1): give a whole number, not a str"


def test_an_answer_that_blows_up_gets_feedback_not_a_traceback():
    feedback = BOTH.check("four", 2)
    assert not feedback.passed
    assert feedback.message.startswith("checking your answer raised TypeError")


def test_the_hint_button_shows_the_next_hint_on_each_click():
    feedback = EVEN.check(3)
    view = feedback.view()
    assert isinstance(view, FeedbackView) and isinstance(view, w.VBox)
    assert repr(view) == repr(feedback)
    assert view.hint_button.description == "Show a hint (1 of 2)"
    assert view.hint_output.value == ""
    view.hint_button.click()
    assert "Hint 1 of 2:" in view.hint_output.value and "ends in 0, 2, 4" in view.hint_output.value
    assert "Hint 2" not in view.hint_output.value
    assert view.hint_button.description == "Show a hint (2 of 2)"
    view.hint_button.click()
    assert "Hint 2 of 2:</b> 3 is odd: 4 is even." in view.hint_output.value
    assert view.hint_button.disabled and "solution()" in view.hint_button.description
    view.hint_button.click()  # nothing more to show: no error
    assert view.show_hint() is None


def test_the_notebook_output_is_the_widget_with_a_stable_text_fallback():
    from IPython.core.formatters import DisplayFormatter

    feedback = EVEN.check(3)
    # What IPython puts in the notebook: the widget's view and the text view, no HTML beside them.
    shown, _ = DisplayFormatter().format(feedback)
    assert set(shown) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
    bundle = feedback._repr_mimebundle_()
    assert bundle["text/plain"] == repr(feedback)  # what nbval compares
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "text/html" not in bundle  # where widgets do not run, the text view shows, as for every widget
    for no_hints in (EVEN.check(4), EVEN.check("x")):  # passed, or bad input: nothing to click, plain HTML
        assert no_hints._repr_mimebundle_() == {"text/plain": repr(no_hints), "text/html": no_hints.html()}


def test_solutions():
    solution = EVEN.solution()
    assert repr(solution) == "Solution to exercise 0.1:\nanswer = 2"
    assert solution._repr_html_().startswith("<details><summary>Solution to exercise 0.1")
    assert repr(EVEN) == "<Exercise 0.1: Pick an even number>"
