"""`course grade-all`: parallel nbgrader autograde on real Dask processes, into sqlite or PostgreSQL.

The reference is stock, serial `nbgrader autograde` run on a copy of the same course folder with
the same configuration: the batch must leave the same gradebook (every grade, comment,
timestamp and late penalty) and the same autograded notebooks. Module 03 is used (the fastest
to execute); a handful of submissions keeps the wall time small.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import pytest

from course import paths
from course_grader import batch
from course_grader.build import CONFIG, nbgrader
from course_grader.cli import main as cli
from course.paths import CourseError
from tests.nbrun import variant_source
from tests.services import DaskCluster, Postgres, free_port, postgres_bin
from tests.submissions import insert_after, make_submission, write
from tests.variants import metrics

M = "03_classification_metrics"
DUE = datetime.datetime(2026, 11, 30, 12, 0, 0)
ON_TIME = "2026-11-30 11:00:00.000000 UTC"
LATE = "2026-11-30 14:30:00.000000 UTC"
WRONG = metrics.END_TO_END_WRONG
#: the course's own configuration (its late-submission plugin included)
COURSE_CONFIG = CONFIG


def auto_max() -> float:
    nb = nbformat.read(str(paths.release_notebook(M)), as_version=4)
    return sum(float(c.metadata.nbgrader.get("points", 0)) for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))


def make_course(root: Path, db_url: str | None = None) -> Path:
    """An nbgrader course folder with module 03 generated into its gradebook, due at DUE."""
    from nbgrader.api import Gradebook

    root.mkdir(parents=True)
    config = COURSE_CONFIG + (f"c.CourseDirectory.db_url = {db_url!r}\n" if db_url else "")
    (root / "nbgrader_config.py").write_text(config)
    shutil.copytree(paths.SOURCE / M, root / "source" / M)
    proc = nbgrader(root, "generate_assignment", M, "--force")
    assert proc.returncode == 0, proc.stderr[-2000:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(db_url or f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
            gb.update_or_create_assignment(M, duedate=DUE)
    return root


def submit(root: Path, student: str, nb, timestamp: str | None = ON_TIME) -> None:
    folder = root / "submitted" / student / M
    write(nb, folder / f"{M}.ipynb")
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)


def wrong_submission():
    return make_submission(M, {WRONG.__name__.split("__")[0]: variant_source(WRONG)})


def crashing_submission():
    return make_submission(M, {"confusion_counts": "import os\nos._exit(3)  # kills the kernel\n"})


def snapshot(root: Path, db_url: str | None = None) -> dict:
    """Everything nbgrader autograde leaves behind, minus what differs between two executions of
    the same notebook (execution timestamps, how stdout was chunked into stream outputs)."""
    from nbgrader.api import Gradebook

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(db_url or f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
            out["students"] = sorted(s.id for s in gb.students)
            for s in gb.assignment_submissions(M):
                row = {"timestamp": s.timestamp, "seconds_late": s.total_seconds_late, "score": s.score}
                for nb in s.notebooks:
                    row[nb.name] = {
                        "late_penalty": nb.late_submission_penalty,
                        "grades": {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades},
                        "comments": {c.name: c.auto_comment for c in nb.comments},
                    }
                out[s.student.id] = row
    files = {}
    for f in sorted((root / "autograded").rglob("*")):
        if not f.is_file() or f.name.startswith(".kernel-"):  # kernel connection files the sandbox leaves behind
            continue
        rel = str(f.relative_to(root))
        mode = oct(f.stat().st_mode & 0o777)
        if f.suffix == ".json":  # the grader's structured results: the same, but for when and how long
            record = json.loads(f.read_text())
            files[rel] = (mode, {k: v for k, v in record.items() if k not in ("graded_at", "seconds")})
            continue
        if f.suffix != ".ipynb":
            files[rel] = (mode, f.read_bytes())
            continue
        nb = nbformat.read(str(f), as_version=4)
        cells = []
        for c in nb.cells:
            meta = {k: v for k, v in c.metadata.items() if k != "execution"}
            outs = c.get("outputs", [])
            stream = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
            errors = [(o.ename, o.evalue) for o in outs if o.get("output_type") == "error"]
            kinds = sorted({o.output_type for o in outs} - {"stream"})
            cells.append((c.cell_type, c.source, meta, stream, errors, kinds))
        files[rel] = (mode, nb.metadata, cells)
    out["autograded"] = files
    return out


def rows(report) -> dict:
    return {r.student: r for r in report.rows}


@pytest.fixture(scope="module")
def course_template(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("batch") / "course")


@pytest.fixture
def short_tmp():
    """A folder with a short path: the grader's kernels put their sockets in the notebook's
    folder, and a Unix socket path may not exceed 107 characters (pytest's tmp_path can)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="cb-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def course(course_template, short_tmp):
    root = short_tmp / "course"
    shutil.copytree(course_template, root)
    return root


@pytest.fixture
def dask_cluster():
    cluster = DaskCluster().start_scheduler()
    yield cluster
    cluster.stop()


def test_dask_cluster_grades_exactly_like_serial_nbgrader_autograde(course, short_tmp, dask_cluster):
    started = time.perf_counter()
    for i in range(2):
        dask_cluster.start_worker(f"w{i}")
    submit(course, "alice", make_submission(M))                 # solved, on time
    submit(course, "bob", wrong_submission(), LATE)             # one known mistake, late: the course's penalty
    submit(course, "carol", make_submission(M, solved=False))   # the untouched release
    submit(course, "dave", crashing_submission())               # kills its kernel with os._exit
    stock = short_tmp / "stock"
    shutil.copytree(course, stock)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", M], cwd=stock, env=env,
                          capture_output=True, text=True, timeout=600)
    # what stock nbgrader made of each submission: graded (an autograded notebook) or failed
    stock_graded = {s for s in ("alice", "bob", "carol", "dave") if (stock / "autograded" / s / M / f"{M}.ipynb").exists()}
    assert {"alice", "bob", "carol"} <= stock_graded, proc.stderr[-3000:]
    dask_cluster.wait_for_workers(2)

    report = batch.grade_all(M, course=course, scheduler=dask_cluster.address, progress=False)
    got = rows(report)
    assert report.workers == 2
    assert {s: r.status for s, r in got.items()} == {s: "graded" if s in stock_graded else "failed" for s in got}
    if "dave" in stock_graded:  # the grader restarts a dead kernel and grades on: the crash is in the notebook
        assert "KernelDied" in (course / "autograded" / "dave" / M / f"{M}.ipynb").read_text()
    else:                       # stock nbgrader's Execute gives up on the submission
        assert "kernel died" in got["dave"].reason
    assert len({r.worker for r in got.values()}) == 2, "both dask workers should have graded"
    expected, actual = snapshot(stock), snapshot(course)
    assert set(expected["autograded"]) == set(actual["autograded"])
    for key in expected:
        assert actual[key] == expected[key], f"{key}: the batch differs from serial nbgrader autograde"
    # the scores are what they should be, not only equal
    top = auto_max()
    assert actual["alice"]["score"] == top and actual["carol"]["score"] == 0
    assert 0 < actual["bob"]["score"] < top and 0 < actual["bob"][M]["late_penalty"] <= actual["bob"]["score"]
    assert actual["alice"][M]["late_penalty"] is None and got["bob"].late_penalty == actual["bob"][M]["late_penalty"]

    # a rerun grades nothing: no cluster is even needed
    again = batch.grade_all(M, course=course, scheduler="tcp://127.0.0.1:1", progress=False)
    before = {s: "unchanged" if s in stock_graded else "failed earlier" for s in got}
    assert {s: r.status for s, r in rows(again).items()} == before
    assert snapshot(course) == actual

    # carol finishes her notebook and submits again: only she is graded
    submit(course, "carol", make_submission(M), "2026-11-30 11:30:00.000000 UTC")
    third = batch.grade_all(M, course=course, scheduler=dask_cluster.address, progress=False)
    assert {s: r.status for s, r in rows(third).items()} == dict(before, carol="graded")
    after = snapshot(course)
    assert after["carol"]["score"] == top and after["carol"]["timestamp"] == datetime.datetime(2026, 11, 30, 11, 30)
    assert {k: after[k] for k in ("alice", "bob", "dave")} == {k: actual[k] for k in ("alice", "bob", "dave")}

    # nbgrader's own generate_feedback works on what the batch wrote
    from course_grader.grading import run_nbgrader_app

    ok, log = run_nbgrader_app("generate_feedback", course, [M, "--student", "bob"])
    assert ok, log
    assert "late" in (course / "feedback" / "bob" / M / f"{M}.html").read_text().lower()
    print(f"\n[timing] dask cluster test: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _pg_or_skip() -> Postgres:
    if postgres_bin() is None:
        msg = ("POSTGRESQL IS NOT INSTALLED: the PostgreSQL gradebook test did NOT run. "
               "Install Debian's postgresql package (bash .ci/setup-services) to run it.")
        warnings.warn(msg)
        print("\n" + "!" * 20 + " " + msg, file=sys.stderr)
        pytest.skip(msg)
    return Postgres().start()


@pytest.fixture
def postgres():
    pg = _pg_or_skip()
    yield pg
    pg.stop()


def _graded_in_state(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute(f"SELECT to_regclass('{batch.STATE_TABLE}')").fetchone()[0] is None:
            return set()
        return {r[0] for r in conn.execute(f"SELECT student FROM {batch.STATE_TABLE} WHERE status = 'graded'")}


def test_postgres_gradebook_survives_ctrl_c_and_resumes(postgres, tmp_path):
    started = time.perf_counter()
    url = postgres.create_database("gradebook")
    course = make_course(tmp_path / "course", db_url=url)
    flat = tmp_path / "inbox"  # a folder of notebooks named by learner
    write(make_submission(M), flat / "alice.ipynb")
    write(make_submission(M, solved=False), flat / "carol.ipynb")
    write(wrong_submission(), flat / "erin.ipynb")
    # a correct notebook that takes a while: it cannot have finished when Ctrl-C comes, however
    # fast the others are
    write(insert_after(make_submission(M), "setup", "import time\ntime.sleep(25)\n"), flat / "dave.ipynb")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # Ctrl-C reaches a command run in a terminal. A job that a non-interactive shell starts in
    # the background (`make test &`, some CI runners) inherits SIGINT *ignored*, and Python then
    # never raises KeyboardInterrupt (that, not load, was why a Ctrl-C went unanswered in earlier
    # runs): the command gets the terminal's default, as a learner's or instructor's would.
    proc = subprocess.Popen([sys.executable, "-m", "course_grader", "grade-all", "03", "--course", str(course),
                             "--submissions", str(flat), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not _graded_in_state(url) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
    assert proc.poll() is None, f"grade-all ended before the first result: {proc.communicate()}"
    proc.send_signal(signal.SIGINT)  # one Ctrl-C
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err[-2000:])
    assert "interrupted" in out + err
    done = _graded_in_state(url)
    assert 1 <= len(done) and "dave" not in done, done
    for s in done:  # a finished grade is in the gradebook and its notebook under autograded/
        assert (course / "autograded" / s / M / f"{M}.ipynb").exists()

    report = batch.grade_all(M, course=course, workers=2, progress=False)
    status = {s: r.status for s, r in rows(report).items()}
    assert status == {s: ("unchanged" if s in done else "graded") for s in ("alice", "carol", "dave", "erin")}
    snap = snapshot(course, url)
    top = auto_max()
    assert snap["alice"]["score"] == top and snap["carol"]["score"] == 0 and 0 < snap["erin"]["score"] < top
    assert snap["dave"]["score"] == top
    assert snap["alice"]["timestamp"] is None  # notebooks without timestamp.txt, as nbgrader records them
    broken = "test_" + WRONG.__name__.split("__")[0]
    assert [g for g, v in snap["erin"][M]["grades"].items() if v[0] != snap["alice"][M]["grades"][g][0]] == [broken]

    # nbgrader export reads the PostgreSQL gradebook the batch wrote
    proc = nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (tmp_path / "grades.csv").read_text().splitlines()
    header = lines[0].split(",")
    scores = {r.split(",")[header.index("student_id")]: float(r.split(",")[header.index("score")]) for r in lines[1:]}
    assert scores == {"alice": top, "carol": 0.0, "dave": top, "erin": snap["erin"]["score"]}
    print(f"\n[timing] postgres test: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _one_line_error(capsys, argv) -> str:
    code = cli(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    return err


def _nothing_graded(course: Path) -> None:
    assert not (course / "autograded").exists()


def test_bad_inputs_get_one_line_errors_and_grade_nothing(course, tmp_path, capsys):
    submit(course, "alice", make_submission(M))
    # a folder of notebooks that holds something else
    inbox = tmp_path / "inbox"
    write(make_submission(M), inbox / "bob.ipynb")
    (inbox / "notes.txt").write_text("not a notebook")
    err = _one_line_error(capsys, ["grade-all", "03", "--course", str(course), "--submissions", str(inbox)])
    assert "notes.txt" in err and "not notebooks" in err
    # a scheduler that does not answer
    port = free_port()
    err = _one_line_error(capsys, ["grade-all", "03", "--course", str(course), "--scheduler", f"tcp://127.0.0.1:{port}",
                                  "--connect-timeout", "2"])
    assert f"127.0.0.1:{port}" in err and "no Dask scheduler answers" in err
    # a PostgreSQL server that refuses the connection
    err = _one_line_error(capsys, ["grade-all", "03", "--course", str(course), "--db-url", f"postgresql://grader:secret@127.0.0.1:{port}/gradebook"])
    assert "cannot open the gradebook" in err and "refused" in err.lower() and "secret" not in err
    # an assignment the gradebook does not know
    with pytest.raises(CourseError, match="has no assignment 01_overfitting_regularization"):
        batch.grade_all("01", course=course, workers=1, progress=False)
    _nothing_graded(course)


def test_workers_without_the_course_or_with_another_version_are_refused(course, tmp_path, dask_cluster, capsys):
    submit(course, "alice", make_submission(M))
    # a worker whose `course` package is another version
    other = tmp_path / "other_version"
    shutil.copytree(paths.ROOT / "course", other / "course", ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "course" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "0.0.1-other-'))
    path = os.pathsep.join([str(other), os.environ.get("PYTHONPATH", "")])
    w = dask_cluster.start_worker("old", env={"PYTHONPATH": path})
    dask_cluster.wait_for_workers(1)
    err = _one_line_error(capsys, ["grade-all", "03", "--course", str(course), "--scheduler", dask_cluster.address])
    assert "0.0.1-other-" in err and "same version" in err
    dask_cluster.stop_worker(w)
    dask_cluster.wait_for_workers(0)
    # a worker on which the grader cannot be imported (the course is not installed there)
    missing = tmp_path / "not_installed" / "course_grader"
    missing.mkdir(parents=True)
    (missing / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'course_grader'\")\n")
    path = os.pathsep.join([str(missing.parent), os.environ.get("PYTHONPATH", "")])
    dask_cluster.start_worker("bare", env={"PYTHONPATH": path})
    dask_cluster.wait_for_workers(1)
    err = _one_line_error(capsys, ["grade-all", "03", "--course", str(course), "--scheduler", dask_cluster.address])
    assert "cannot run the grader" in err and "course_grader" in err and "install this course" in err
    _nothing_graded(course)


def _job(student: str, nb, **limits) -> dict:
    return {"assignment": M, "student": student, "files": {f"{M}.ipynb": nbformat.writes(nb).encode()},
            "cell_timeout": None, **limits}


def test_a_submission_that_hangs_or_eats_memory_fails_alone_with_its_reason():
    """What a worker does with one submission (in this process): the watchdog stops the kernel."""
    started = time.perf_counter()
    hang = make_submission(M, {"confusion_counts": "import time\ntime.sleep(600)\n"})
    res = batch.grade_submission(_job("hangs", hang, submission_timeout=12, memory_limit=None))
    assert not res["ok"] and res["reason"].startswith("timed out"), res["reason"]
    assert res["autograde_s"] < 60, "the cell timeout (60 s) must not be what stopped it"
    hog = make_submission(M, {"confusion_counts": "import numpy as np\nhog = np.ones(2**28)  # 2 GiB, written\n"})
    res = batch.grade_submission(_job("hog", hog, submission_timeout=None, memory_limit=1.5 * 2**30))
    assert not res["ok"] and res["reason"].startswith("out of memory"), res["reason"]
    # the same worker then grades a normal submission normally
    res = batch.grade_submission(_job("fine", make_submission(M), submission_timeout=120, memory_limit=1.5 * 2**30))
    assert res["ok"], res["reason"]
    assert sum(v for v in res["grades"][M].values() if v is not None) == auto_max()
    print(f"\n[timing] watchdog test: {time.perf_counter() - started:.1f} s", file=sys.stderr)
