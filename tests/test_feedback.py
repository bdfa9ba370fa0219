"""The feedback preprocessor on hand-made notebooks: the exam key is shown by default (its
explanations teach) and withheld when an instructor reusing the questions asks (issue 10)."""

import nbformat

from course_grader.feedback import FeedbackPolish

OUT = ("q1: wrong (you answered B). The answer is C: PR-AUC ignores true negatives.\n"
       "q2: right. The answer is A: recall at a fixed precision.\n"
       "exam_answers(): 1 of 2 right.\n")


def _graded_notebook():
    cell = nbformat.v4.new_code_cell("grade_exam(...)", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "exam", "points": 2}})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=OUT)]
    return nbformat.v4.new_notebook(cells=[cell])


def _text(nb):
    return nb.cells[0].outputs[0]["text"]


def test_the_exam_key_and_its_explanations_are_shown_by_default():
    nb, _ = FeedbackPolish().preprocess(_graded_notebook(), {})
    assert _text(nb) == OUT


def test_an_instructor_can_withhold_the_exam_key():
    nb, _ = FeedbackPolish(show_exam_key=False).preprocess(_graded_notebook(), {})
    text = _text(nb)
    assert "The answer is" not in text and "PR-AUC ignores" not in text and "recall at a fixed" not in text
    assert "q1: wrong (you answered B)." in text and "q2: right." in text and "1 of 2 right" in text
