"""An instructor-run cohort through nbgrader's REAL exchange, on one machine, in temp folders.

The instructor (a course folder with the course's nbgrader settings and a temporary exchange
directory) generates and releases module 03; three learners, each with a HOME folder of their
own and the nbgrader_config.py the course writes for learners (in ~/.jupyter), fetch it:

* alice submits the solved notebook and a written answer, on time;
* bob submits a partly wrong one (precision and recall swapped, roc_auc not started) and a
  written answer, AFTER the due date (the course's late policy: course_grader/late.py);
* carol submits the untouched release, on time.

The instructor collects, autogrades, grades alice's written answer with a comment through
nbgrader's Gradebook API, generates and releases feedback; each learner fetches their own;
`nbgrader export` writes the CSV. Every nbgrader step is a subprocess with the course config,
as an instructor or a learner runs it. The learners share this machine's OS user (the test
cannot create users), so "cannot read another's feedback" is checked as nbgrader enforces it:
file modes in the exchange and per-learner secrets that name each feedback file.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from course import paths
from course.start import write_nbgrader_config
from course_grader.feedback import math_to_mathml
from course_grader.late import LATE_PENALTY_FRACTION
from tests.nbrun import variant_source
from tests.submissions import make_submission
from tests.variants import metrics as variants

A = "03_classification_metrics"
NB = A
WRITTEN = "written_metric_choice"
COMMENT = "Clear trade-off between recall and precision; name the business cost of a miss."
MANUAL = 2.5
BIN = Path(sys.executable).parent
LEARNERS = ("alice", "bob", "carol")
TIMES: list = []


def _env(home: Path) -> dict:
    env = dict(os.environ, HOME=str(home), PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("JUPYTERHUB_USER", None)
    return env


def nbgrader(args, cwd: Path, home: Path, ok=True) -> str:
    """One nbgrader command as a user runs it: a process of its own, in ``cwd``, with ``HOME``."""
    return nbgrader_parallel([(args, cwd, home)], ok)[0]


def nbgrader_parallel(jobs, ok=True) -> list[str]:
    """Several users' nbgrader commands at once (the learners act independently)."""
    t = time.perf_counter()
    procs = [subprocess.Popen([str(BIN / "nbgrader"), *args], cwd=cwd, env=_env(home), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for args, cwd, home in jobs]
    outs = []
    for (args, _, _), proc in zip(jobs, procs):
        out, _ = proc.communicate(timeout=300)
        if ok:
            assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{out[-4000:]}"
        outs.append(out)
    TIMES.append(("+".join(sorted({a[0] for a, _, _ in jobs})), round(time.perf_counter() - t, 1)))
    return outs


def points(kind):
    rel = nbformat.read(str(paths.release_notebook(A)), as_version=4)
    return {
        c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"])
        for c in rel.cells
        if c.metadata.get("nbgrader", {}).get("grade") and (c.cell_type == "code") == (kind == "auto")
    }


def fill(nb_path: Path, who: str):
    if who == "carol":
        return  # the untouched release
    overrides = {}
    if who == "bob":
        overrides = {
            "precision": variant_source(variants.precision__is_recall),
            "roc_auc": "def roc_auc(y_true, scores):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
        }
    nb = make_submission(A, overrides)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = f"{who}: I would optimise recall for fraud, then pick the threshold on the PR curve."
    nbformat.write(nb, str(nb_path))


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    started = time.perf_counter()
    tmp = tmp_path_factory.mktemp("cohort")
    exchange, course, ihome = tmp / "exchange", tmp / "course", tmp / "instructor_home"
    for d in (exchange, course, ihome):
        d.mkdir()
    os.chmod(exchange, 0o777)  # what an admin does for a shared exchange
    shutil.copytree(paths.SOURCE / A, course / "source" / A)
    (course / "nbgrader_config.py").write_text(
        "from course_grader.settings import apply\n"
        "c = get_config()\n"
        f"apply(c, root={str(course)!r})\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    run = lambda *args, ok=True: nbgrader(list(args), course, ihome, ok)  # noqa: E731

    (course / "students.csv").write_text(
        "id,first_name,last_name\n" + "".join(f"{w},{w.title()},Learner\n" for w in LEARNERS))
    run("db", "student", "import", "students.csv")
    run("generate_assignment", A, "--force")  # also registers the assignment in the gradebook
    run("release_assignment", A, "--force")

    homes = {who: tmp / f"home_{who}" for who in LEARNERS}
    for who, home in homes.items():
        home.mkdir()
        # the learner's own Jupyter config folder: found whatever folder they work in
        write_nbgrader_config(home / ".jupyter", exchange=str(exchange))
    nbgrader_parallel([(["fetch_assignment", A], home, home) for home in homes.values()])
    fetched = {who: sorted(p.name for p in (home / A).iterdir()) for who, home in homes.items()}
    for who, home in homes.items():
        fill(home / A / f"{NB}.ipynb", who)

    # alice and carol submit, the due date passes, bob submits
    nbgrader_parallel([(["submit", A, f"--student={w}"], homes[w], homes[w]) for w in ("alice", "carol")])
    due = datetime.now(timezone.utc)
    time.sleep(0.05)
    nbgrader(["submit", A, "--student=bob"], homes["bob"], homes["bob"])
    run("db", "assignment", "add", A, f"--duedate={due.strftime('%Y-%m-%d %H:%M:%S.%f')} UTC")

    run("collect", A)
    run("autograde", A, "--create")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(WRITTEN, NB, A, "alice")
        grade.manual_score = MANUAL
        comment = gb.find_comment(WRITTEN, NB, A, "alice")
        comment.manual_comment = COMMENT
        gb.db.commit()

    run("generate_feedback", A)
    run("release_feedback", A)
    nbgrader_parallel([(["fetch_feedback", A, f"--student={w}"], homes[w], homes[w]) for w in LEARNERS])
    feedback = {who: sorted((homes[who] / A / "feedback").rglob("*.html")) for who in LEARNERS}
    run("export", "--to=grades.csv")
    seconds = time.perf_counter() - started
    print(f"\ncohort workflow: {seconds:.1f} s", TIMES)
    return dict(tmp=tmp, course=course, exchange=exchange, homes=homes, feedback=feedback, fetched=fetched,
                db=f"sqlite:///{course / 'gradebook.db'}", csv=course / "grades.csv", due=due)


def scores_of(cohort, who):
    from nbgrader.api import Gradebook

    with Gradebook(cohort["db"]) as gb:
        sub = gb.find_submission_notebook(NB, A, who)
        cells = {g.name: g.score for g in sub.grades}
        return cells, sub.score, sub.late_submission_penalty or 0.0, gb.find_submission(A, who).total_seconds_late


def test_learners_fetch_exactly_the_release(cohort):
    release = sorted(p.name for p in (paths.RELEASE / A).iterdir())
    for who in LEARNERS:
        assert cohort["fetched"][who] == release, f"{who} fetched {cohort['fetched'][who]}, release/ holds {release}"


def test_autograded_scores_match_each_learners_work(cohort):
    auto = points("auto")
    alice, _, _, _ = scores_of(cohort, "alice")
    bob, _, _, _ = scores_of(cohort, "bob")
    carol, _, _, _ = scores_of(cohort, "carol")
    for gid, pts in auto.items():
        assert alice[gid] == pts, f"alice {gid}: {alice[gid]}/{pts}"
        assert carol[gid] == 0, f"carol (untouched) {gid}: {carol[gid]}"
    assert 0 < bob["test_precision"] < auto["test_precision"], "swapped precision loses some, not all, points"
    assert bob["test_roc_auc"] == 0, "roc_auc not started"
    for gid in set(auto) - {"test_precision", "test_roc_auc"}:
        assert bob[gid] == auto[gid], f"bob {gid}: {bob[gid]}/{auto[gid]}"
    assert alice[WRITTEN] == MANUAL
    assert carol[WRITTEN] == 0  # no response: nbgrader scores it 0 itself


def test_late_submission_is_penalised_by_the_course_policy(cohort):
    for who in ("alice", "carol"):
        *_, penalty, late = scores_of(cohort, who)
        assert late == 0 and penalty == 0, who
    cells, score, penalty, late = scores_of(cohort, "bob")
    assert late > 0
    auto_score = sum(v for k, v in cells.items() if k in points("auto"))
    assert penalty == pytest.approx(LATE_PENALTY_FRACTION * auto_score, rel=1e-6)
    assert penalty > 0


def test_export_csv_has_the_right_score_per_learner(cohort):
    rows = {r["student_id"]: r for r in csv.DictReader(cohort["csv"].open())}
    assert set(rows) == set(LEARNERS)
    total_max = sum(points("auto").values()) + sum(points("manual").values())
    expected = {}
    for who in LEARNERS:
        cells, raw, penalty, _ = scores_of(cohort, who)
        assert raw == pytest.approx(sum(v or 0 for v in cells.values()))
        expected[who] = raw - penalty
    assert expected["alice"] == pytest.approx(sum(points("auto").values()) + MANUAL)
    assert expected["carol"] == 0
    for who, row in rows.items():
        assert row["assignment"] == A
        assert float(row["score"]) == pytest.approx(expected[who], abs=1e-6), who
        assert float(row["max_score"]) == pytest.approx(total_max)
        assert float(row["late_submission_penalty"]) == pytest.approx(scores_of(cohort, who)[2], abs=1e-6)
        assert row["first_name"] == who.title()


def test_each_learner_fetches_their_own_feedback_only(cohort):
    fb = cohort["feedback"]
    for who in LEARNERS:
        assert len(fb[who]) == 1, f"{who} fetched {fb[who]}"
        assert fb[who][0].name == f"{NB}.html"
        assert fb[who][0].is_relative_to(cohort["homes"][who])
    texts = {who: fb[who][0].read_text() for who in LEARNERS}
    assert COMMENT in texts["alice"]
    assert COMMENT not in texts["bob"] and COMMENT not in texts["carol"]
    assert len({texts[w] for w in LEARNERS}) == 3
    # nbgrader's exchange: released feedback is named by an HMAC of a secret that only the
    # submitting learner's cache holds, in a folder others may traverse but not list
    out = cohort["exchange"] / paths.COURSE_ID / "feedback"
    assert stat.S_IMODE(out.stat().st_mode) & 0o044 == 0, oct(out.stat().st_mode)
    released = sorted(p.name for p in out.glob("*.html"))
    assert len(released) == 3
    secrets = {}
    for who in LEARNERS:
        found = list((cohort["homes"][who] / ".local/share/jupyter/nbgrader_cache").rglob("submission_secret.txt"))
        assert len(found) == 1, f"{who}: {found}"
        secrets[who] = found[0].read_text()
        for other in set(LEARNERS) - {who}:
            assert not list((cohort["homes"][other]).rglob(f"*{who}+{A}*")), f"{other} holds {who}'s submission"
    assert len(set(secrets.values())) == 3
    from nbgrader.utils import notebook_hash

    assert sorted(f"{notebook_hash(secret=s, notebook_id=NB)}.html" for s in secrets.values()) == released
    inbound = cohort["exchange"] / paths.COURSE_ID / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) & 0o044 == 0, "learners must not list each other's submissions"


def test_feedback_pages_read_well_offline_and_keep_hidden_tests_hidden(cohort):
    texts = {who: cohort["feedback"][who][0].read_text() for who in LEARNERS}
    for who, html in texts.items():
        assert "<math" in html, f"{who}: no MathML"
        assert math_to_mathml(html) == html, f"{who}: LaTeX left for MathJax"
        assert "border: 1px solid" in html
        assert "BEGIN HIDDEN TESTS" not in html and "grade_exam(exam_answers, {" not in html
    assert "awaiting your instructor" in texts["bob"], "bob's written answer is not graded yet"
    assert "Score: 0.0 / 3.0" not in texts["bob"].split("Student's answer")[-1][:400]
    assert "awaiting your instructor" not in texts["alice"].replace("awaiting-instructor", "")
    assert "Score: 2.5 / 3.0" in texts["alice"]
    assert "precision and recall are swapped" in texts["bob"], "the failed check's message"
    assert "not implemented yet" in texts["carol"]
    assert "Late submission penalty" in texts["bob"] and "Late submission penalty" not in texts["alice"]


def test_a_fetched_assignment_validates_with_the_course_settings(cohort):
    home = cohort["homes"]["bob"]
    out = nbgrader(["validate", f"{NB}.ipynb"], home / A, home)  # config from ~/.jupyter
    assert "VALIDATION FAILED" in out
    assert "precision: 1 of 2 visible checks passed" in out, out[-3000:]
    assert "precision and recall are swapped" in out
    assert "roc_auc: not started yet (0 of 3 points)" in out
    assert "Partial credit; passed some but not all" not in out
    assert "Kernel is running over TCP" not in out, "the course's Execute settings were not loaded"
