"""The real nbgrader autograder, end to end, for every written module.

Each test grades through `course_grader.grading.grade_notebook`, the one function the CLI uses:
nbgrader generate_assignment + autograde + generate_feedback in a scratch course directory.
"""

import hashlib

import pytest

from course import paths
from course_grader.grading import grade_notebook
from tests.conftest import variant_modules
from tests.nbrun import variant_source
from tests.submissions import make_submission, write

MODULES = [m for m, _ in variant_modules()]
VARIANTS = dict(variant_modules())


def scores(result):
    return {e.id: e.score for e in result.exercises}


def auto(result):
    return [e for e in result.exercises if e.kind == "auto"]


@pytest.mark.parametrize("module", MODULES)
def test_solved_source_notebook_earns_full_marks(module, tmp_path):
    result = grade_notebook(paths.source_notebook(module), module, feedback_to=tmp_path / "fb.html")
    assert auto(result), "no autograded exercises"
    for e in auto(result):
        assert e.score == e.max_score, f"{e.id}: {e.score}/{e.max_score}"
    assert [e for e in result.exercises if e.kind == "manual"], "no manually graded written answer"
    assert all(e.score is None for e in result.exercises if e.kind == "manual")
    html = (tmp_path / "fb.html").read_text()
    assert "checks passed" in html
    assert "BEGIN HIDDEN TESTS" not in html and "grade_exam(exam_answers, {" not in html, "hidden test source in feedback"
    assert "The answer is" in html, "the feedback must explain the exam answers"


@pytest.mark.parametrize("module", MODULES)
def test_unmodified_release_notebook_earns_zero_without_crashing(module, tmp_path):
    release = paths.release_notebook(module)
    before = hashlib.sha256(release.read_bytes()).hexdigest()
    result = grade_notebook(release, module, feedback_to=tmp_path / "fb.html")
    assert hashlib.sha256(release.read_bytes()).hexdigest() == before, "grading modified the notebook"
    assert result.auto_max_score > 0
    for e in auto(result):
        assert e.score == 0, f"{e.id} earned {e.score} on the unmodified release"
    assert "not implemented yet" in (tmp_path / "fb.html").read_text()


@pytest.mark.parametrize("module", MODULES)
def test_known_mistake_loses_points_end_to_end_deterministically(module, tmp_path):
    mod = VARIANTS[module]
    wrong = mod.END_TO_END_WRONG
    overrides = {wrong.__name__.split("__")[0]: variant_source(wrong)}
    noisy = getattr(mod, "END_TO_END_NOISY", None)
    if noisy is not None:
        overrides[noisy.__name__.split("__")[0]] = variant_source(noisy)
    path = write(make_submission(module, overrides), tmp_path / f"{module}.ipynb")
    first = grade_notebook(path, module, feedback_to=tmp_path / "fb.html")
    second = grade_notebook(path, module, feedback=False)
    assert scores(first) == scores(second), "the same submission got two different scores"
    broken = "test_" + wrong.__name__.split("__")[0]
    for e in auto(first):
        if e.id == broken:
            assert e.score < e.max_score, f"{wrong.__name__} kept full marks end to end"
        else:
            assert e.score == e.max_score, f"{e.id} lost points because of another function's mistake ({e.score})"
    assert wrong.feedback_fragment.lower() in (tmp_path / "fb.html").read_text().lower()
