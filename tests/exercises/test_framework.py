"""The exercise framework: checks never raise, feedback and solutions display well."""

from cors_lab.exercises import Exercise, Feedback, NotYet


def is_even(number):
    if number % 2:
        raise NotYet(f"{number} is odd")
    return f"{number} is even"


EVEN = Exercise(
    "0.1",
    "Pick an even number",
    is_even,
    """
    answer = 2
""",
)


def test_right_and_wrong_answers():
    assert EVEN.check(4) == Feedback("exercise 0.1", True, "4 is even")
    assert EVEN.check(3) == Feedback("exercise 0.1", False, "3 is odd")
    assert bool(EVEN.check(4)) and not EVEN.check(3)


def test_a_broken_answer_gets_feedback_not_a_traceback():
    feedback = EVEN.check("four")
    assert not feedback.passed
    assert feedback.message.startswith("checking your answer raised TypeError")


def test_reprs():
    assert repr(EVEN.check(3)) == "\u2718 Not yet (exercise 0.1): 3 is odd"
    assert repr(EVEN.check(2)) == "\u2714 Well done (exercise 0.1): 2 is even"
    assert "Well done" in EVEN.check(2)._repr_html_()
    solution = EVEN.solution()
    assert repr(solution) == "Solution to exercise 0.1:\nanswer = 2"
    assert solution._repr_html_().startswith("<details><summary>Solution to exercise 0.1")
    assert repr(EVEN) == "<Exercise 0.1: Pick an even number>"
