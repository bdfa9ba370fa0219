"""Red team: hostile submissions graded through the real autograder (issue 9).

Module 03 (the fastest) gets every attack; every other module gets all the cheats at once in
one submission and the kernel-killing fault, so each module's own checks are proven too. The
instructor's path (``nbgrader autograde`` with the course's config, as a subprocess) is tried at
the end with a cheat and a fault.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course import paths
from course_grader.grading import grade_notebook
from course_grader.results import read_results
from tests.redteam import CHEATS, FAULTS, FORGE_PROBES, all_cheats, cheat_cell, fault_in_function, fault_target, never_ending, secret_reader
from tests.submissions import make_submission, write

FAST = "03_classification_metrics"
OTHERS = [m for m in paths.available_modules() if m != FAST]
CHEAT_CELL_TIMEOUT = 10  # seconds a cell may run when grading a cheat (the course's default is 60)


def auto(result):
    return [e for e in result.exercises if e.kind == "auto"]


def grade(nb, tmp_path, name, **kw):
    path = write(nb, tmp_path / f"{name}.ipynb")
    result = grade_notebook(path, feedback_to=tmp_path / f"{name}.html", **kw)
    return result, (tmp_path / f"{name}.html").read_text()


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_a_cheat_earns_nothing(cheat, tmp_path):
    # a cheat that breaks the kernel (builtins.isinstance patched) hangs a later cell: what it
    # earns does not depend on how long that cell may run, so the cell limit is short here
    result, _ = grade(CHEATS[cheat](FAST), tmp_path, cheat, timeout=CHEAT_CELL_TIMEOUT)
    earned = {e.id: e.score for e in auto(result) if e.score}
    assert not earned, f"{cheat} earned points: {earned}"


@pytest.mark.parametrize("module", OTHERS)
def test_every_cheat_at_once_earns_nothing_in_every_module(module, tmp_path):
    result, html = grade(all_cheats(module), tmp_path, "all_cheats", timeout=CHEAT_CELL_TIMEOUT)
    earned = {e.id: e.score for e in auto(result) if e.score}
    assert not earned, f"cheats earned points in {module}: {earned}"
    # not vacuous: the kernel survived the stacked cheats, and every exercise's checks ran and
    # failed the rigged answers (a dead kernel would also give 0, and prove nothing)
    assert not result.faults, f"{module}: the stacked cheats broke the grading run: {result.faults}"
    for e in auto(result):
        name = e.id.removeprefix("test_")
        if name != "exam_answers":
            assert f"{name}: 0 of" in html, f"{module}: the checks of {name} did not run and fail"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_costs_only_what_it_touches(fault, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MEMORY_MB", "1024")
    build, keeps = FAULTS[fault]
    result, html = grade(build(FAST), tmp_path, fault, timeout=10)
    scores = {e.id: (e.score, e.max_score) for e in auto(result)}
    target = fault_target(build(FAST))
    for gid, (score, best) in scores.items():
        if keeps == "all-but-target" and gid == target:
            assert score == 0, f"{fault}: the broken exercise {gid} earned {score}"
        else:
            assert score == best, f"{fault}: {gid} lost points ({score}/{best}): {scores}"
    assert result.faults, f"{fault}: no fault recorded"
    assert any(word in html for word in ("KernelDied", "KernelRestarted", "TooManyProcesses", "truncated", "did not finish", "died", "ran longer than")), \
        f"{fault}: the feedback does not say what happened"


@pytest.mark.parametrize("module", OTHERS)
def test_killing_the_kernel_mid_notebook_costs_nothing_in_every_module(module, tmp_path):
    build, _ = FAULTS["os_exit_in_cell"]
    result, _ = grade(build(module), tmp_path, "os_exit")
    lost = {e.id: e.score for e in auto(result) if e.score != e.max_score}
    assert not lost, f"{module}: exercises lost points after a kernel death: {lost}"


def test_a_notebook_that_never_ends_is_stopped_and_keeps_earlier_points(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_NOTEBOOK_TIMEOUT", "40")
    result, _ = grade(never_ending(FAST, sleeps=12, seconds=4), tmp_path, "never_ending", timeout=10)
    ex = auto(result)
    assert ex[0].score == ex[0].max_score and ex[1].score == ex[1].max_score, [(e.id, e.score) for e in ex]
    assert ex[-1].score == 0, "cells after the notebook's time limit must not run"
    assert result.seconds < 120


def test_nothing_secret_is_reachable_from_the_kernel(tmp_path):
    for p in (paths.ROOT / "PWNED", Path("/tmp/PWNED-course")):
        p.unlink(missing_ok=True)
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    try:
        result, html = grade(secret_reader(FAST, server.getsockname()[1]), tmp_path, "secrets")
    finally:
        server.close()
    assert "SAFE network" in html, "the network probe did not run"
    assert "SAFE read" in html, "the probe cell did not run"
    assert "LEAK" not in html, [line for line in html.splitlines() if "LEAK" in line]
    assert not (paths.ROOT / "PWNED").exists() and not Path("/tmp/PWNED-course").exists()
    assert all(e.score == e.max_score for e in auto(result)), "a correct submission that looks around keeps its points"


def test_a_correct_answer_that_writes_to_stderr_keeps_full_marks(tmp_path):
    nb = make_submission(FAST)
    from tests.redteam import _insert_after

    _insert_after(nb, "setup", "import sys, warnings, logging\nsys.stderr.write('noise\\n')\nwarnings.warn('library warning')\nlogging.getLogger().error('a log line')\n")
    result, _ = grade(nb, tmp_path, "noisy")
    assert all(e.score == e.max_score for e in auto(result))


# ----------------------------------------------------------------------------- instructor path
def test_instructor_autograde_is_hardened_too(tmp_path):
    """``nbgrader autograde`` in a course folder configured like the repository's."""
    root = tmp_path / "course"
    shutil.copytree(paths.SOURCE / FAST, root / "source" / FAST)
    (root / "nbgrader_config.py").write_text("from course_grader.settings import apply\nc = get_config()\napply(c)\n")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])

    def nbgrader(*args):
        return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)

    assert nbgrader("generate_assignment", FAST, "--force").returncode == 0
    cheat = CHEATS["replace_checks"](FAST)
    fault, _ = FAULTS["os_exit_in_cell"]
    for student, nb in (("mallory", cheat), ("crash", fault(FAST)), ("snoop", secret_reader(FAST))):
        write(nb, root / "submitted" / student / FAST / f"{FAST}.ipynb")
    proc = nbgrader("autograde", FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
        auto_max = sum(g.max_score for g in gb.find_submission_notebook(FAST, FAST, "crash").grades if g.cell.cell_type == "code")
        mallory = gb.find_submission(FAST, "mallory").score
        crash = gb.find_submission(FAST, "crash").score
    assert mallory == 0, f"the cheat earned {mallory} through nbgrader autograde"
    assert crash == auto_max, f"a kernel death cost points through nbgrader autograde: {crash}/{auto_max}"
    record = read_results(root / "autograded" / "crash" / FAST / f"{FAST}.ipynb")
    assert record and record["faults"] and record["faults"][0]["kind"] == "kernel-died", record
    assert json.dumps(record)  # plain data
    snooped = (root / "autograded" / "snoop" / FAST / f"{FAST}.ipynb").read_text()
    assert "SAFE read" in snooped and "LEAK" not in snooped, "the kernel could reach the instructor's course folder"
    assert not (root / "PWNED").exists(), "the kernel wrote into the instructor's course folder"


def test_slow_calls_of_a_graded_function_do_not_outlive_the_notebook_limit(tmp_path, monkeypatch):
    """Each call of the last exercise's function sleeps 20 s (under the 30 s limit of one call);
    its hidden checks call it many times. A call is capped to what is left of the notebook's
    limit, so grading ends near that limit, and the exercises before keep their points."""
    monkeypatch.setenv("COURSE_NOTEBOOK_TIMEOUT", "45")
    build = fault_in_function("import time\ntime.sleep(20)\n")
    result, html = grade(build(FAST), tmp_path, "slow_calls", timeout=60)
    target = fault_target(build(FAST))
    ex = auto(result)
    kept = [e for e in ex if e.id != target and e.id != "test_exam_answers"]
    assert all(e.score == e.max_score for e in kept), [(e.id, e.score) for e in ex]
    assert result.seconds < 45 + 30, f"grading took {result.seconds:.0f} s with a 45 s notebook limit"
    assert "exceeded its 45 s time limit" in html


def test_a_forged_probe_earns_nothing(tmp_path):
    """Module 06's mirrored_gradients is observed by a probe that runs in the learner's kernel.
    A cell replacing that probe (single-device gradients, a claimed N-replica run) on an untouched
    release must not earn the exercise: the probes are sent to the kernel as code."""
    module = "06_distributed_training"
    result, html = grade(cheat_cell(FORGE_PROBES)(module), tmp_path, "forged_probe", timeout=CHEAT_CELL_TIMEOUT)
    scores = {e.id: e.score for e in auto(result)}
    assert scores["test_mirrored_gradients"] == 0, scores
    assert "mirrored_gradients: 0 of" in html and not result.faults


def test_batch_grading_hides_the_instructors_folders(tmp_path):
    """A batch worker grades in a scratch course, but the instructor's course folder and the
    exchange may sit anywhere on the worker (here under /var/tmp, outside the kernel's private
    /tmp): the kernel of a submission graded by ``grade_submission`` cannot read them."""
    import tempfile

    from course_grader.batch import grade_submission
    from tests.redteam import _insert_after

    course = Path(tempfile.mkdtemp(prefix="instructor-course-", dir="/var/tmp"))
    exchange = Path(tempfile.mkdtemp(prefix="exchange-", dir="/var/tmp"))
    try:
        (course / "gradebook.db").write_text("secret gradebook")
        (exchange / "other_learner.ipynb").write_text("someone else's work")
        probe = (f"for p in ({str(course / 'gradebook.db')!r}, {str(exchange / 'other_learner.ipynb')!r}):\n"
                 "    try:\n        open(p).read(); print('LE' + 'AK', p)\n"
                 "    except OSError:\n        print('SA' + 'FE', p)\n")
        nb = _insert_after(make_submission(FAST), "setup", probe)
        import nbformat

        job = {"assignment": FAST, "student": "snoop", "files": {f"{FAST}.ipynb": nbformat.writes(nb).encode()},
               "cell_timeout": 60, "submission_timeout": 300, "memory_limit": None, "hide": [str(course), str(exchange)]}
        # what grade_all puts in each job: the course, its submissions and the exchange
        from course_grader.batch import instructor_folders

        assert {str(course), str(course / "submitted"), "/srv/nbgrader/exchange"} == set(instructor_folders(course, None, None))
        out = grade_submission(job)
        assert out["ok"], out["reason"]
        graded = out["files"][f"{FAST}.ipynb"].decode()
        assert graded.count("SAFE") == 2 and "LEAK" not in graded, [line for line in graded.splitlines() if "LEAK" in line or "SAFE" in line]
    finally:
        shutil.rmtree(course, ignore_errors=True)
        shutil.rmtree(exchange, ignore_errors=True)
