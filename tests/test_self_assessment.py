"""Self-assessment of written answers: after a first grading, the rubric and model answer are
shown and the learner's own points are recorded apart from the automatic score (issue 13)."""

import json

import pytest

from course_grader import self_assessment as sa
from course_grader.cli import main

MODULE = "03_classification_metrics"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_rubric_only_after_a_first_grading_then_points_kept_apart(home, tmp_path, capsys):
    from tests.submissions import make_submission, write

    nb = write(make_submission(MODULE), tmp_path / "mine" / f"{MODULE}.ipynb")
    rubric = sa.rubrics(MODULE)
    assert rubric and all(abs(sum(p for _, p in r["criteria"]) - r["points"]) < 1e-9 for r in rubric)
    assert main(["grade", str(nb), "--rubric"]) == 2  # never graded: refused with a clear message
    assert "Grade your notebook once first" in capsys.readouterr().err
    assert main(["grade", str(nb)]) == 0
    out = capsys.readouterr().out
    # the first grading tells a learner how to score the written answer themselves
    assert f"course grade {MODULE[:2]} --rubric" in out and f"--self-assess {sa.example_points(MODULE)}" in out, out
    from course_grader.analytics.history import read_history
    from course_grader.analytics.progress import written_line

    first = read_history()[-1]
    assert "not self-assessed yet" in written_line(MODULE)
    n = sum(len(r["criteria"]) for r in rubric)
    points = ",".join(str(p) for r in rubric for _, p in r["criteria"])  # full marks on every criterion
    assert main(["grade", str(nb), "--self-assess", points]) == 0
    out = capsys.readouterr().out
    assert "Model answer" in out and "kept apart from the automatic score" in out
    html = nb.with_name(f"{MODULE}.feedback.html").read_text()
    assert "Self-assessment of your written answer" in html and rubric[0]["model_answer"][:40] in html
    stored = json.loads((home / "self_assessment.json").read_text())[MODULE]
    assert stored[rubric[0]["grade_id"]]["points"] == rubric[0]["points"]
    total = sum(r["points"] for r in rubric)
    assert f"self-assessed: {total:g} / {total:g}" in written_line(MODULE)  # shown by course progress
    assert main(["grade", str(nb), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["score"] == first["score"], "self-assessed points leaked into the automatic score"
    assert main(["grade", str(nb), "--self-assess", ",".join(["9"] * n)]) == 2  # above a criterion's points
    assert main(["grade", str(nb), "--self-assess", "1"]) == 2 or n == 1  # wrong count


def test_a_damaged_store_is_kept_aside(home):
    home.mkdir(parents=True)
    (home / "self_assessment.json").write_text("{not json")
    assert sa.recorded_for(MODULE) == {}
    assert list(home.glob("self_assessment.json.damaged-*")), "the damaged file was not kept aside"


def test_the_example_points_shown_to_learners_are_accepted_in_every_module(home):
    from course import paths

    for module in paths.available_modules():
        example = sa.example_points(module)
        mine = sa.record(module, [float(p) for p in example.split(",")])
        assert mine and all(r["points"] >= 0 for r in mine.values()), (module, example)
