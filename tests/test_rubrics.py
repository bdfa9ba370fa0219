"""Every written answer has a rubric (3-5 criteria whose points add up to the cell's points)
and a model answer, kept in the solution region (never in release) and in course_grader.rubrics."""

import nbformat
import pytest

from course import paths
from course_grader.rubrics import rubric_for, rubric_markdown

MODULES = paths.available_modules()  # every module: one without a rubric fails, it is not skipped


def _manual_cells(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")}


@pytest.mark.parametrize("module", MODULES)
def test_every_written_answer_has_a_rubric_whose_points_add_up(module):
    src = _manual_cells(nbformat.read(str(paths.source_notebook(module)), as_version=4))
    rubrics = {r["grade_id"]: r for r in rubric_for(module)}
    assert set(src) == set(rubrics), (set(src), set(rubrics))
    for gid, cell in src.items():
        r = rubrics[gid]
        assert 3 <= len(r["criteria"]) <= 5, gid
        assert sum(p for _, p in r["criteria"]) == pytest.approx(float(cell.metadata["nbgrader"]["points"])), gid
        assert len(r["model_answer"]) > 200, gid
        solution = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        assert rubric_markdown(r) in solution, f"{gid}: the cell's rubric differs from course_grader/rubrics.py"


@pytest.mark.parametrize("module", MODULES)
def test_rubric_and_model_answer_stay_out_of_release(module):
    rel = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    text = "\n".join(c.source for c in rel.cells)
    for r in rubric_for(module):
        assert r["model_answer"][:60] not in text
        for criterion, _ in r["criteria"]:
            assert criterion[:60] not in text


def test_rubric_for_accepts_a_module_number():
    assert rubric_for("01") == rubric_for("01_overfitting_regularization")
    entry = rubric_for("05")[0]
    assert set(entry) >= {"grade_id", "criteria", "model_answer"}
    assert all(isinstance(t, str) and p > 0 for t, p in entry["criteria"])
