"""The shared check helpers and the structure restorer, on small hand-made cases."""

import copy

import nbformat
import numpy as np
import pytest

from course import paths
from course.checks import CheckFailed, Exercise, expect_close
from course_grader.preprocessors import restore_structure


def test_exercise_full_marks_return_nothing(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    ex = Exercise("f", points=2)
    with ex.check("a"):
        pass
    assert ex.done() is None
    out = capsys.readouterr().out
    assert "visible check passed" in out and "More checks run when your notebook is graded" in out
    assert "all tests passed" not in out.lower()


def test_exercise_counts_checks_in_plain_words(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    ex = Exercise("f", points=2)
    for label in ("a", "b"):
        with ex.check(label):
            pass
    ex.done()
    assert "the 2 visible checks passed" in capsys.readouterr().out


def test_exercise_partial_credit_returns_points_and_says_what_failed(capsys):
    ex = Exercise("f", points=3)
    with ex.check("good"):
        pass
    with ex.check("bad"):
        raise CheckFailed("expected 1, got 2: precision, not recall")
    assert ex.done() == pytest.approx(1.5)
    assert "precision, not recall" in capsys.readouterr().out


def test_exercise_with_no_passing_check_scores_zero_and_lists_every_failure(capsys):
    ex = Exercise("f", points=1)
    with ex.check("one"):
        raise NotImplementedError
    with ex.check("two"):
        raise ValueError("boom")
    assert ex.done() == 0.0
    out = capsys.readouterr().out
    assert "0 of 2 checks passed" in out and "not implemented yet" in out and "boom" in out


def test_exercise_does_not_swallow_a_timeout_interrupt():
    ex = Exercise("f", points=1)
    with pytest.raises(KeyboardInterrupt):
        with ex.check("hangs"):
            raise KeyboardInterrupt


def test_expect_close_accepts_lists_float32_and_names_misconceptions():
    expect_close([1.0, 2.0], np.array([1, 2], dtype="float32"), "x")
    expect_close(np.float32(0.1) * 3, 0.3, "x")
    with pytest.raises(CheckFailed, match="that is precision"):
        expect_close(0.5, 0.25, "recall", misconceptions=[(0.5, "that is precision")])
    with pytest.raises(CheckFailed, match="shape"):
        expect_close([1.0, 2.0, 3.0], [1.0, 2.0], "x")
    with pytest.raises(CheckFailed, match="forget to `return`"):
        expect_close(None, 1.0, "x")


M = "01_overfitting_regularization"


@pytest.fixture
def release():
    return nbformat.read(str(paths.release_notebook(M)), as_version=4)


def _ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_restore_is_a_no_op_on_an_intact_notebook(release):
    nb, notes = restore_structure(release, release)
    assert notes == [] and _ids(nb) == _ids(release)


def test_restore_puts_deleted_cells_back_in_order(release):
    damaged = copy.deepcopy(release)
    damaged.cells = [c for c in damaged.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in ("test_l1_penalty", "setup", "l2_penalty")]
    nb, notes = restore_structure(damaged, release)
    assert [i for i in _ids(nb) if i] == [i for i in _ids(release) if i]
    assert any("test_l1_penalty" in n for n in notes)


def test_restore_ignores_foreign_and_duplicate_ids(release):
    damaged = copy.deepcopy(release)
    extra = copy.deepcopy(next(c for c in damaged.cells if _ids(nbformat.v4.new_notebook(cells=[c]))[0] == "test_l1_penalty"))
    foreign = nbformat.v4.new_code_cell("x = 1")
    foreign.metadata["nbgrader"] = {"grade_id": "test_roc_auc", "grade": True, "points": 5, "solution": False, "locked": True}
    damaged.cells += [extra, foreign]
    nb, notes = restore_structure(damaged, release)
    ids = [i for i in _ids(nb) if i]
    assert ids.count("test_l1_penalty") == 1 and "test_roc_auc" not in ids


def test_early_stopping_reference_agrees_with_keras_on_nan_inf_and_ties():
    """The notebook's reference and real Keras EarlyStopping agree on 300 random loss sequences
    with NaN, inf and ties, a NaN first epoch included (Keras 3: the first epoch always sets the
    first best, even a NaN one)."""
    from course_grader.checks.regularization import keras_early_stopping
    from tests.submissions import reference_answers

    ns = {"np": np}
    exec(reference_answers("01_overfitting_regularization")["early_stopping_epochs"], ns)
    rng = np.random.default_rng(0)
    cases = [([float("nan"), 0.5, 0.4], 1), ([float("inf"), 0.5], 0), ([0.5], 0)]
    for _ in range(300):
        v = [float(x) for x in np.round(rng.random(int(rng.integers(1, 9))), 1)]
        for j in range(len(v)):
            r = rng.random()
            v[j] = float("nan") if r < 0.1 else float("inf") if r < 0.15 else v[j]
        cases.append((v, int(rng.integers(0, 4))))
    wrong = [(v, p) for v, p in cases if tuple(ns["early_stopping_epochs"](v, p)) != keras_early_stopping(v, p)]
    assert not wrong, wrong[:3]
