"""What nbgrader's Validate shows for one exercise (in-process, fast).

nbgrader's validator fails a test cell on an error or stderr output and shows that text; a
number as the last value would read "Partial credit; passed some but not all of the tests"
with no reason. So while validating, an unfinished exercise reports on stderr and returns
nothing; autograding keeps returning the partial points (tests/test_cohort.py runs both for
real through nbgrader).
"""

import pytest

from course.checks import CheckFailed, Exercise, check_exam_format


def _exercise(outcomes):
    ex = Exercise("precision", points=2)
    for label, error in outcomes:
        with ex.check(label):
            if error:
                raise CheckFailed(error)
    return ex


@pytest.fixture
def validating(monkeypatch):
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")


def test_partial_exercise_reports_failing_checks_on_stderr(validating, capsys):
    ex = _exercise([("worked example", "expected 0.6, got 0.75. Precision and recall are swapped."), ("zero division", None)])
    assert ex.done() is None
    out, err = capsys.readouterr()
    assert out == ""
    assert "precision: 1 of 2 visible checks passed (1 of 2 points so far)" in err
    assert "FAIL worked example" in err and "recall are swapped" in err and "ok   zero division" in err
    assert all(len(line) <= 86 for line in err.splitlines()), "nbgrader validate cuts lines at 87 characters"


def test_not_started_exercise_reads_as_not_started(validating, capsys):
    ex = Exercise("roc_auc", points=3)
    for label in ("a", "b"):
        with ex.check(label):
            raise NotImplementedError
    assert ex.done() is None
    err = capsys.readouterr().err
    assert "roc_auc: not started yet (0 of 3 points)" in err


def test_finished_exercise_says_more_checks_run_at_grading(validating, capsys):
    assert _exercise([("a", None), ("b", None)]).done() is None
    out, err = capsys.readouterr()
    assert err == ""
    assert "the 2 visible checks passed. More checks run when your notebook is graded." in out


def test_exam_format_while_validating(validating, capsys):
    def not_started():
        raise NotImplementedError

    assert check_exam_format(not_started, ["q1"]) is None
    assert "exam_answers: not started yet" in capsys.readouterr().err
    assert check_exam_format(lambda: {"q1": "Z"}, ["q1"]) is None
    assert "should be one of the letters" in capsys.readouterr().err
    check_exam_format(lambda: {"q1": "B"}, ["q1"])
    out, err = capsys.readouterr()
    assert err == "" and "1 answers in the right format" in out


def test_autograding_still_scores_partial_credit_as_the_last_value(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ex = _exercise([("a", "wrong"), ("b", None)])
    assert ex.done() == pytest.approx(1.0)
    assert capsys.readouterr().err == ""
