"""The prepared gradebook of a module is cached across runs, keyed by everything that changes
it, and a damaged or half-written cache is rebuilt, never used (issue 14)."""

import shutil

import pytest

from course import paths
from course_grader import grading

MODULE = "03_classification_metrics"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    grading._TEMPLATES.clear()
    yield tmp_path / "cache" / "templates"
    grading._TEMPLATES.clear()


def test_a_template_is_reused_across_processes(cache):
    first = grading._template(MODULE)
    assert (first / "READY.json").exists() and first.parent == cache
    grading._TEMPLATES.clear()  # a new process
    before = (first / "gradebook.db").stat().st_mtime_ns
    assert grading._template(MODULE) == first
    assert (first / "gradebook.db").stat().st_mtime_ns == before, "a valid template was rebuilt"


@pytest.mark.parametrize("damage", ["truncated gradebook", "no marker (half-written)", "marker of another key"])
def test_a_damaged_template_is_rebuilt(cache, damage):
    t = grading._template(MODULE)
    db = t / "gradebook.db"
    if damage == "truncated gradebook":
        db.write_bytes(db.read_bytes()[:1000])
    elif damage == "no marker (half-written)":
        (t / "READY.json").unlink()
    else:
        (t / "READY.json").write_text('{"key": "something else"}')
    grading._TEMPLATES.clear()
    rebuilt = grading._template(MODULE)
    assert grading._template_ok(rebuilt, grading.template_key(MODULE))
    root = grading._scratch_from_template(MODULE)
    try:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
            assert gb.find_assignment(MODULE).notebooks, "the rebuilt gradebook does not know the assignment"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_key_changes_with_the_source_notebook(cache, tmp_path, monkeypatch):
    key = grading.template_key(MODULE)
    copy = tmp_path / "src" / MODULE / f"{MODULE}.ipynb"
    copy.parent.mkdir(parents=True)
    copy.write_text(paths.source_notebook(MODULE).read_text().replace("Exercise", "Exercise ", 1))
    monkeypatch.setattr(paths, "source_notebook", lambda m: copy)
    assert grading.template_key(MODULE) != key
