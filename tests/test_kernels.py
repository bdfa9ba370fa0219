"""The kernel `course grade` starts early (course_grader/kernels.py) is the kernel nbgrader would
have started: same sandbox, environment, folder and results; it is adopted once; one never
adopted is shut down (issue 14)."""

import json
import os
import time

import pytest

from course import paths
from course_grader import grading, kernels
from tests.submissions import insert_after, make_submission, write

MODULE = "03_classification_metrics"
REAL_TAKE = kernels.take

#: what a learner's code could observe of its kernel, printed by a cell of the submission
OBSERVE = r'''
import json as _j, os as _o, sys as _s
print("@@KERNEL@@" + _j.dumps({
    "cwd": _o.getcwd(), "files": sorted(_o.listdir(".")),
    "env": {k: _o.environ.get(k) for k in ("PYTHONHASHSEED", "NBGRADER_EXECUTION", "TF_ENABLE_ONEDNN_OPTS",
                                           "KERAS_BACKEND", "CUDA_VISIBLE_DEVICES", "HOME", "COURSE_CELL_TIMEOUT")},
    "hash": hash("course"), "user_names": sorted(n for n in dir() if not n.startswith("_")),
    "argv_hist": [a for a in _s.argv if "hist_file" in a or "log_level" in a],
}))
'''


def _observed(result_path) -> dict:
    import nbformat

    nb = nbformat.read(str(result_path), as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            if "@@KERNEL@@" in text:
                return json.loads(text.split("@@KERNEL@@", 1)[1].splitlines()[0])
    raise AssertionError("the observing cell printed nothing")


def _grade(tmp_path, prestart: str, monkeypatch, name: str):
    monkeypatch.setenv("COURSE_PRESTART", prestart)
    nb = insert_after(make_submission(MODULE), "setup", OBSERVE)
    path = write(nb, tmp_path / name / f"{MODULE}.ipynb")
    adopted = []
    real_take = REAL_TAKE

    def spy(workdir, hide):
        km = real_take(workdir, hide)
        adopted.append(km is not None)
        return km

    monkeypatch.setattr(kernels, "take", spy)
    result = grading.grade_notebook(path, MODULE, feedback_to=tmp_path / name / "fb.html", keep_scratch=True, timeout=120)
    return result, adopted


def test_the_early_kernel_is_the_kernel_nbgrader_would_start(tmp_path, monkeypatch, capsys):
    early, adopted_early = _grade(tmp_path, "1", monkeypatch, "early")
    scratch_early = capsys.readouterr().out.split("scratch course directory kept: ")[-1].strip()
    late, adopted_late = _grade(tmp_path, "0", monkeypatch, "late")
    scratch_late = capsys.readouterr().out.split("scratch course directory kept: ")[-1].strip()
    try:
        assert adopted_early == [True], "the kernel started early was not adopted"
        assert adopted_late == [False]
        nb_early = f"{scratch_early}/autograded/learner/{MODULE}/{MODULE}.ipynb"
        nb_late = f"{scratch_late}/autograded/learner/{MODULE}/{MODULE}.ipynb"
        a, b = _observed(nb_early), _observed(nb_late)
        # the same folder (relative to its scratch course), environment, names and arguments
        assert a["cwd"].replace(scratch_early, "") == b["cwd"].replace(scratch_late, "") == f"/autograded/learner/{MODULE}"
        assert a["files"] == b["files"]
        for key in ("env", "hash", "user_names", "argv_hist"):
            assert a[key] == b[key], (key, a[key], b[key])
        assert a["env"]["NBGRADER_EXECUTION"] == "autograde" and a["env"]["PYTHONHASHSEED"] == "0"
        # and the same grades, checks and faults
        assert [(e.id, e.score) for e in early.exercises] == [(e.id, e.score) for e in late.exercises]
        assert early.score == late.score == early.auto_max_score
        assert early.faults == late.faults == []
        def outcomes(cells: dict) -> dict:
            return {cid: [(ex["name"], ex["points"], [(c["label"], c["passed"], c["message"]) for c in ex["checks"]])
                          for ex in cell.get("exercises") or []] for cid, cell in cells.items()}

        assert outcomes(early.checks) == outcomes(late.checks) and outcomes(early.checks)
    finally:
        import shutil

        shutil.rmtree(scratch_early, ignore_errors=True)
        shutil.rmtree(scratch_late, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead
        return f.read().split(")")[-1].split()[0] != "Z"


def test_a_kernel_never_adopted_is_shut_down(tmp_path):
    import nbformat

    release = nbformat.read(str(paths.release_notebook(MODULE)), as_version=4)
    workdir = tmp_path / "course" / "autograded" / "learner" / MODULE
    kernels.prestart(workdir, tmp_path / "course", release)
    km = kernels._PRESTARTED[str(workdir.resolve())]
    pid = km.provisioner.process.pid
    assert _alive(pid)
    assert not workdir.exists(), "nbgrader must be the one to create the autograded folder"
    kernels.discard(workdir)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "a kernel started early and never adopted is still running"
    assert kernels.take(workdir, []) is None, "a discarded kernel was adopted"


def test_a_kernel_is_adopted_only_with_the_same_hidden_folders(tmp_path):
    import nbformat

    release = nbformat.read(str(paths.release_notebook(MODULE)), as_version=4)
    workdir = tmp_path / "course" / "autograded" / "learner" / MODULE
    kernels.prestart(workdir, tmp_path / "course", release)
    pid = kernels._PRESTARTED[str(workdir.resolve())].provisioner.process.pid
    assert kernels.take(workdir, ["/somewhere/else"]) is None
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "a kernel refused for its hidden folders is still running"


def test_preload_lists_the_release_notebooks_imports_but_not_the_test_cells():
    import nbformat

    release = nbformat.read(str(paths.release_notebook(MODULE)), as_version=4)
    names = kernels.preload_modules(release)
    assert "numpy" in names and not any(n.startswith("course.checks") for n in names), names
    assert not any(n.startswith("course_grader") for n in names)


@pytest.mark.parametrize("modules", [[], ["numpy", "no_such_module_here"]])
def test_preload_argument_binds_no_name(modules):
    args = kernels.preload_argument(modules)
    if not modules:
        assert args == []
        return
    (arg,) = args
    line = json.loads(arg.split("=", 1)[1])[0]
    ns: dict = {}
    exec(line, ns)  # an expression statement: no name bound besides __builtins__
    assert set(ns) == {"__builtins__"}
