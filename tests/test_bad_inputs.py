"""Bad input gets a clear error (never a traceback dump) and never loses the learner's work."""

import hashlib
import json
import subprocess
import sys

import nbformat
import pytest

from course import paths
from course_grader.grading import grade_notebook
from course.paths import CourseError
from tests.submissions import make_submission, write

M01 = "01_overfitting_regularization"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "course_grader", *args], capture_output=True, text=True, timeout=600)


def test_missing_file_is_a_clear_error():
    proc = run_cli("grade", "no/such/notebook.ipynb")
    assert proc.returncode == 2
    assert "No such file" in proc.stderr and "Traceback" not in proc.stderr


def test_invalid_json_is_a_clear_error(tmp_path):
    bad = tmp_path / "broken.ipynb"
    bad.write_text('{"cells": [ {"cell_type": "code", ')
    proc = run_cli("grade", str(bad))
    assert proc.returncode == 2
    assert "not valid notebook JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_text() == '{"cells": [ {"cell_type": "code", '


def test_json_that_is_not_a_notebook_is_a_clear_error(tmp_path):
    bad = tmp_path / "data.ipynb"
    bad.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CourseError, match="not a Jupyter notebook"):
        grade_notebook(bad)


def test_notebook_without_course_cells_is_a_clear_error(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hi')")])
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(CourseError, match="not one of this course's notebooks"):
        grade_notebook(path)


def test_notebook_of_another_module_is_a_clear_error():
    other = next(m for m in paths.MODULES if m != M01)
    proc = run_cli("grade", str(paths.release_notebook(M01)), "--module", other[:2])
    assert proc.returncode == 2
    assert f"is the notebook of module {M01}, not {other}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_module_name_is_a_clear_error():
    proc = run_cli("grade", "99")
    assert proc.returncode == 2 and "not a course module" in proc.stderr


def test_deleted_and_edited_cells_are_restored_and_graded(tmp_path):
    nb = make_submission(M01)
    gid = lambda c: c.metadata.get("nbgrader", {}).get("grade_id")  # noqa: E731
    nb.cells = [c for c in nb.cells if gid(c) not in ("test_l2_penalty", "setup")]
    for c in nb.cells:
        if gid(c) == "l1_penalty":
            del c.metadata["nbgrader"]            # answer cell lost its metadata
        elif gid(c) == "test_soft_threshold":
            c.metadata["nbgrader"]["points"] = 100  # points edited
            c.source = "pass  # the learner emptied the test"
        elif gid(c) == "test_dropout_forward":
            c.cell_type = "markdown"                # cell type changed
            c.pop("outputs", None)
            c.pop("execution_count", None)
    path = write(nb, tmp_path / "damaged.ipynb")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = grade_notebook(path, feedback_to=tmp_path / "fb.html")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    got = {e.id: (e.score, e.max_score) for e in result.exercises if e.kind == "auto"}
    assert got["test_l2_penalty"] == (2.0, 2.0), "a deleted test cell must be restored and graded"
    assert got["test_soft_threshold"] == (2.0, 2.0), "edited points/content must be restored"
    assert got["test_dropout_forward"] == (3.0, 3.0)
    assert got["test_l1_penalty"] == (2.0, 2.0), "an answer cell without metadata must be found by its def"
    assert result.auto_max_score == 24
    notes = " ".join(result.notes)
    assert "restored deleted test cell 'test_l2_penalty'" in notes
    assert "restored deleted locked cell 'setup'" in notes


def test_infinite_loop_times_out_and_the_rest_is_still_graded(tmp_path):
    loop = "def soft_threshold(w, t):\n    while True:\n        pass\n"
    path = write(make_submission(M01, {"soft_threshold": loop}), tmp_path / "loop.ipynb")
    # the loop is stopped twice: in the check's call (at min(timeout, 30 s)) and in the demo cell
    # that calls it (at the cell timeout); 15 s leaves the notebook's slowest cell (2-3 s idle)
    # room on a loaded machine
    result = grade_notebook(path, timeout=15, feedback_to=tmp_path / "fb.html")
    got = {e.id: e.score for e in result.exercises if e.kind == "auto"}
    assert got["test_soft_threshold"] == 0
    assert got["test_dropout_forward"] == 3 and got["test_exam_answers"] == 7, got
    html = (tmp_path / "fb.html").read_text()
    assert "did not finish within" in html or "CellTimeoutError" in html, "the feedback does not say the function was stopped"


def test_grading_a_module_without_a_working_copy_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "WORK", tmp_path / "work")
    with pytest.raises(CourseError, match="You have no working copy .* Run `make start`"):
        grade_notebook("01")


def test_grading_a_module_by_number_reads_the_learners_working_copy(tmp_path, monkeypatch):
    from course_grader.grading import resolve_target

    monkeypatch.setattr(paths, "WORK", tmp_path / "work")
    mine = write(make_submission(M01, solved=False), tmp_path / "work" / M01 / f"{M01}.ipynb")
    assert resolve_target("01") == (mine, M01)
