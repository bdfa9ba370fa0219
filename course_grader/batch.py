"""Grade every submission of an assignment in parallel, on one machine or on a Dask cluster.

``course grade-all ASSIGNMENT`` is stock ``nbgrader autograde ASSIGNMENT`` made parallel:

* **Workers** (Dask worker processes, one task at a time each: nbgrader changes the working
  directory) grade one submission per task with the real ``nbgrader autograde`` in a scratch
  course directory of their own (:func:`grade_submission`, built on
  :func:`course_grader.grading.run_nbgrader_app` and ``_scratch_from_template``). They return
  plain data: the autograded folder's files, each cell's automatic score and comment, and the
  checksums of the cells they graded against. Each worker forks its kernels from a warm
  zygote (:mod:`course_grader.zygote`: the imports are paid once per worker, every kernel is a
  new fork in the same sandbox). A watchdog kills the submission's kernel when it
  runs past ``submission_timeout`` or uses more than ``memory_limit`` of memory, so a
  submission that hangs or eats the machine costs only itself.
* **One writer**, the client, applies each result to the course's real gradebook as it arrives
  (:func:`apply_result`), doing exactly what ``nbgrader autograde`` does there: the student and
  the submission with the timestamp read from ``timestamp.txt``, each grade's ``auto_score``
  and ``needs_manual_grade`` by SaveAutoGrades' rule (a manual score already given keeps the
  cell in review), the comments, the late penalty by ``AssignLatePenalties``' steps with the
  late-submission plugin of the course's configuration, and the autograded folder under ``autograded/`` with
  nbgrader's permissions. A failed submission is recorded as nbgrader records one (student and
  submission, no autograded folder). formgrader, ``generate_feedback`` and ``export`` therefore
  work unchanged, on sqlite or PostgreSQL (nbgrader's ``db_url``).
* **Resumable**: every applied result also records the submission's content hash in the table
  ``course_grade_all`` of the same database, so Ctrl-C or a crash loses no finished grade and a
  rerun grades only submissions that are new or changed (or whose autograded notebook is gone),
  unless ``force``.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from course.paths import CourseError

STATE_TABLE = "course_grade_all"
#: what a learner's file name may be to become an nbgrader student id
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")
#: a submission folder larger than this is not sent to a worker (it is recorded as failed)
MAX_SUBMISSION_BYTES = 200 * 2**20
DEFAULT_SUBMISSION_TIMEOUT = 1200  # above the grader's own notebook time limit (900 s)
DEFAULT_MEMORY_LIMIT_GB = 6.0


# --------------------------------------------------------------------------------------------
# worker side: plain functions, imported by reference on each Dask worker
# --------------------------------------------------------------------------------------------

def worker_info(assignment: str) -> dict:
    """What a worker has installed: checked against the client's before anything is graded."""
    import course
    import nbgrader

    rel = paths.release_notebook(assignment)
    return {
        "version": course.__version__,
        "nbgrader": nbgrader.__version__,
        "release": hashlib.sha256(rel.read_bytes()).hexdigest() if rel.exists() else None,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


class _Watchdog:
    """The last line of defence around one submission: past ``seconds`` of wall time, or once the
    processes this task started (the kernel and anything it spawned) hold more than
    ``memory_bytes`` of resident memory, they are killed, and killed again whenever the grader
    starts new ones, until the task ends; the submission is then recorded as failed with the
    reason. The grader's own limits (cell and notebook time limits, the sandbox's memory limit)
    normally act first and still grade the submission; this catches what gets past them.
    """

    def __init__(self, seconds: float | None, memory_bytes: float | None, spare: int | None = None):
        self.seconds, self.memory_bytes = seconds, memory_bytes
        self.spare = spare  # the worker's zygote: not this submission's, never killed
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self._start = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def _children(self):
        import psutil

        out = []
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if p.create_time() >= self._start - 1 and p.pid != self.spare:
                    out.append(p)
        return out

    def _watch(self):
        import psutil

        while not self._stop.wait(0.25):
            kids = self._children()
            if self.reason is None:
                rss = 0
                for p in kids:
                    with contextlib.suppress(psutil.Error):
                        if p.name() not in ("course-fork", "course-init"):  # a fork's helpers share the kernel's pages
                            rss += p.memory_info().rss
                if self.seconds and time.time() - self._start > self.seconds:
                    self.reason = f"timed out: still running after {self.seconds:g} s (its kernel was stopped)"
                elif self.memory_bytes and rss > self.memory_bytes:
                    self.reason = (f"out of memory: its kernel used {rss / 2**30:.1f} GiB, more than the limit of "
                                   f"{self.memory_bytes / 2**30:g} GiB (the kernel was stopped)")
            if self.reason:
                for p in kids:
                    with contextlib.suppress(psutil.Error):
                        p.kill()


def _warm_zygote(assignment: str):
    """This worker's zygote for ``assignment`` (:mod:`course_grader.zygote`): started by the
    first submission, kept for the next ones; None where kernels cannot be forked in the
    sandbox, or ``COURSE_ZYGOTE=0``."""
    from . import kernels, zygote
    from .grading import _prestart_enabled, _release

    if not _prestart_enabled():
        return None
    return zygote.ensure(kernels.preload_modules(_release(assignment)), kernels.kernel_environment())


def _failure_reason(log: str) -> str:
    if "DeadKernelError" in log or "Kernel died" in log:
        return "the kernel died while running the notebook (the submission crashed it, e.g. os._exit or a fatal error)"
    if "UnresponsiveKernelError" in log or "became unresponsive" in log:
        return "the kernel became unresponsive and could not be interrupted"
    lines = [ln.strip() for ln in log.strip().splitlines() if ln.strip()]
    errs = [ln for ln in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", ln)]
    return (errs or lines or ["nbgrader autograde failed"])[-1][:300]


def grade_submission(job: dict) -> dict:
    """Autograde one submission with the real nbgrader in a scratch course directory (worker side).

    ``job``: assignment, student, files ({relative path: bytes} of the submission folder),
    cell_timeout, submission_timeout, memory_limit (bytes). Returns plain data only.
    """
    from nbgrader.api import Gradebook

    from . import kernels, sandbox
    from .grading import _log_tail, _prestart_enabled, _release, _scratch_from_template, run_nbgrader_app

    started = time.perf_counter()
    assignment, student = job["assignment"], job["student"]
    out = {"student": student, "ok": False, "reason": None, "files": {}, "grades": {}, "comments": {},
           "checksums": {}, "worker": f"{socket.gethostname()}:{os.getpid()}", "log": ""}
    t = time.perf_counter()
    root = _scratch_from_template(assignment)  # grading's template: built once, cached on disk
    warm = _warm_zygote(assignment)  # kernels are forked from it, already past their imports
    out["prepare_s"] = round(time.perf_counter() - t, 2)
    workdir = root / "autograded" / student / assignment
    saved_path = os.environ.get("PATH", "")
    saved_hide = os.environ.get("COURSE_HIDE")
    # the instructor's folders (course, submissions, exchange) are hidden from the kernel where
    # this worker can see them (kernels.hidden_folders reads COURSE_HIDE)
    os.environ["COURSE_HIDE"] = os.pathsep.join([h for h in [saved_hide, *job.get("hide", [])] if h])
    try:
        dest = root / "submitted" / student / assignment
        for rel, data in job["files"].items():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        env = {"COURSE_CELL_TIMEOUT": str(job["cell_timeout"])} if job.get("cell_timeout") else {}
        t = time.perf_counter()
        sandbox.zygote = {"zygote": warm.socket, "zygote_pid": warm.process.pid} if warm else None
        with _Watchdog(job.get("submission_timeout"), job.get("memory_limit"), warm.process.pid if warm else None) as dog:
            if _prestart_enabled():  # the kernel starts while nbgrader sets up (course_grader/kernels.py)
                kernels.prestart(workdir, root, _release(assignment), env)
            ok, log = run_nbgrader_app("autograde", root, [assignment, "--student", glob.escape(student), "--create", "--force"], env)
        out["autograde_s"] = round(time.perf_counter() - t, 2)
        out["log"] = _log_tail(log, 40)
        if dog.reason:
            out["reason"] = dog.reason
            return out
        if not ok:
            out["reason"] = _failure_reason(log)
            return out
        graded = root / "autograded" / student / assignment
        for f in sorted(graded.rglob("*")):
            if f.is_file() and not re.match(r"^\.kernel-.*\.json$", f.name):  # a kernel's connection file, never a result
                out["files"][str(f.relative_to(graded))] = f.read_bytes()
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
            for nb in gb.find_submission(assignment, student).notebooks:
                out["grades"][nb.name] = {g.name: (None if g.auto_score is None else float(g.auto_score)) for g in nb.grades}
                out["comments"][nb.name] = {c.name: c.auto_comment for c in nb.comments}
                out["checksums"][nb.name] = {c.name: c.checksum for c in gb.find_notebook(nb.name, assignment).source_cells}
        if not any(n.endswith(".ipynb") for n in out["files"]):
            out["reason"] = "nbgrader produced no autograded notebook"
            return out
        out["ok"] = True
        return out
    except Exception as exc:  # anything else still costs only this submission
        out["reason"] = f"{type(exc).__name__}: {exc}"[:300]
        return out
    finally:
        kernels.discard(workdir)  # started early and never adopted (nbgrader failed before Execute)
        sandbox.zygote = None
        os.environ["PATH"] = saved_path  # run_nbgrader_app prepends to PATH on every call
        if saved_hide is None:
            os.environ.pop("COURSE_HIDE", None)
        else:
            os.environ["COURSE_HIDE"] = saved_hide
        shutil.rmtree(root, ignore_errors=True)
        out["seconds"] = round(time.perf_counter() - started, 2)


# --------------------------------------------------------------------------------------------
# client side: finding submissions, the gradebook, the one writer
# --------------------------------------------------------------------------------------------

@dataclass
class Submission:
    student: str
    folder: Path                      # the course's submitted/<student>/<assignment>/
    files: dict[str, Path] = field(default_factory=dict)   # relative path -> file (read when sent)
    digest: str = ""
    problem: str | None = None        # why it cannot be graded (recorded as a failure)


@dataclass
class Row:
    student: str
    status: str                       # graded | failed | unchanged | failed earlier
    score: float | None = None
    max_score: float | None = None
    late_penalty: float | None = None
    seconds: float | None = None
    reason: str | None = None
    worker: str | None = None
    prepare_s: float | None = None    # worker: scratch course directory (template built on first use)
    autograde_s: float | None = None  # worker: nbgrader autograde itself


@dataclass
class BatchReport:
    assignment: str
    course: str
    db_url: str
    rows: list[Row]
    workers: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    apply_s: float = 0.0              # client: time spent writing results into the gradebook

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)


def default_course_dir() -> Path:
    """The course folder: the working directory if it has an nbgrader_config.py, else the repo."""
    cwd = Path.cwd()
    return cwd if (cwd / "nbgrader_config.py").exists() else paths.ROOT


def load_config(course: Path, db_url: str | None):
    """The course's nbgrader configuration (its nbgrader_config.py), with ``db_url`` on top."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = Config()
    if (course / "nbgrader_config.py").exists():
        cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())
    cfg.CourseDirectory.root = str(course)
    if db_url:
        cfg.CourseDirectory.db_url = db_url
    return cfg


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def open_gradebook(db_url: str, course_id: str):
    """nbgrader's Gradebook, or a one-line CourseError when the database cannot be reached."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Gradebook(db_url, course_id=course_id)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
        first = next((ln.strip() for ln in detail if ln.strip()), type(exc).__name__)
        raise CourseError(f"cannot open the gradebook {shown_url(db_url)}: {first}") from None
    except ModuleNotFoundError as exc:
        raise CourseError(f"cannot open the gradebook {shown_url(db_url)}: {exc} (install the pinned requirements)") from None


def _state_table():
    from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, Text

    meta = MetaData()
    return Table(
        STATE_TABLE, meta,
        Column("course_id", String(128), primary_key=True),
        Column("assignment", String(128), primary_key=True),
        Column("student", String(128), primary_key=True),
        Column("digest", String(64), nullable=False),
        Column("status", String(16), nullable=False),
        Column("reason", Text),
        Column("seconds", Float),
        Column("worker", String(256)),
        Column("updated", DateTime),
    )


def _read_state(gb, table, course_id: str, assignment: str) -> dict[str, dict]:
    table.metadata.create_all(gb.engine)
    rows = gb.db.execute(table.select().where(table.c.course_id == course_id, table.c.assignment == assignment)).mappings()
    return {r["student"]: dict(r) for r in rows}


def _write_state(gb, table, course_id, assignment, student, digest, status, reason=None, seconds=None, worker=None):
    gb.db.execute(table.delete().where(table.c.course_id == course_id, table.c.assignment == assignment, table.c.student == student))
    gb.db.execute(table.insert().values(
        course_id=course_id, assignment=assignment, student=student, digest=digest, status=status,
        reason=reason, seconds=seconds, worker=worker, updated=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
    ))
    gb.db.commit()


def _ignored(rel: Path, patterns: list[str]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(part, pat) for part in rel.parts for pat in patterns)


def read_submission(student: str, folder: Path, release_digest: str, ignore: list[str]) -> Submission:
    sub = Submission(student, folder)
    total = 0
    h = hashlib.sha256(release_digest.encode())
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if not f.is_file() or _ignored(rel, ignore):
            continue
        total += f.stat().st_size
        if total > MAX_SUBMISSION_BYTES:
            sub.problem = f"the submission folder holds more than {MAX_SUBMISSION_BYTES // 2**20} MB"
            return sub
        sub.files[str(rel)] = f
        h.update(str(rel).encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    sub.digest = h.hexdigest()
    if not any(n.endswith(".ipynb") and os.sep not in n for n in sub.files):
        sub.problem = "no notebook in the submission folder"
    return sub


def import_flat_folder(src: Path, course: Path, assignment: str) -> None:
    """A folder of ``<learner>.ipynb`` files becomes ``submitted/<learner>/<assignment>/`` (as
    ``nbgrader collect`` would place them), so stock nbgrader tools see the same submissions."""
    if not src.is_dir():
        raise CourseError(f"--submissions {src}: no such folder")
    entries = [p for p in sorted(src.iterdir()) if not p.name.startswith(".")]
    dirs = [p.name for p in entries if p.is_dir()]
    if dirs:
        raise CourseError(
            f"--submissions {src} holds folders ({', '.join(dirs[:3])}): give a flat folder of <learner>.ipynb notebooks, "
            "or put nbgrader's submitted/<learner>/<assignment>/ layout in the course folder and omit --submissions")
    bad = [p.name for p in entries if p.suffix != ".ipynb"]
    if bad:
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise CourseError(f"--submissions {src} holds files that are not notebooks: {', '.join(bad[:3])}{more} (only <learner>.ipynb files are graded)")
    if not entries:
        raise CourseError(f"--submissions {src} holds no notebooks")
    badnames = [p.name for p in entries if not STUDENT_RE.match(p.stem)]
    if badnames:
        raise CourseError(f"--submissions {src}: {badnames[0]} is not named by a learner id (letters, digits and . _ @ + -)")
    for p in entries:
        dest = course / "submitted" / p.stem / assignment / f"{assignment}.ipynb"
        data = p.read_bytes()
        if not dest.exists() or dest.read_bytes() != data:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)


def find_submissions(course: Path, assignment: str, release_digest: str, ignore: list[str]) -> list[Submission]:
    base = course / "submitted"
    subs = []
    if base.is_dir():
        for student_dir in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
            folder = student_dir / assignment
            if folder.is_dir():
                subs.append(read_submission(student_dir.name, folder, release_digest, ignore))
    return subs


def installed_cells(assignment: str) -> dict[str, set[str]]:
    """grade_id -> the installed source and release versions of that cell's text.

    The gradebook keeps, per cell, the release text of solution cells and the source text of test
    cells (hidden tests included): a cell matches when it equals one of the two."""
    import nbformat

    out: dict[str, set[str]] = {}
    for path in (paths.source_notebook(assignment), paths.release_notebook(assignment)):
        if not path.exists():
            continue
        for c in nbformat.read(str(path), as_version=4).cells:
            meta = c.metadata.get("nbgrader")
            if isinstance(meta, dict) and "grade_id" in meta:
                out.setdefault(meta["grade_id"], set()).add(c.source)
    return out


def apply_result(gb, cfg, coursedir, assignment: str, sub: Submission, res: dict | None, late_penalties=None) -> None:
    """Write one submission's result into the course's gradebook as ``nbgrader autograde`` does.

    ``res`` None or not ok: the submission failed; like nbgrader, the student and submission are
    recorded and the autograded folder is removed.
    """
    from nbgrader.preprocessors import AssignLatePenalties

    student = sub.student
    gb.update_or_create_student(student)
    dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    try:
        timestamp = coursedir.get_existing_timestamp(str(sub.folder))
    except Exception:  # an unreadable timestamp.txt: nbgrader fails the submission right here
        if dest.exists():
            shutil.rmtree(dest)
        return
    if timestamp:
        gb.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        gb.update_or_create_submission(assignment, student)
    if not res or not res.get("ok"):
        if dest.exists():
            shutil.rmtree(dest)
        return
    # the autograded folder: written aside, then swapped in
    tmp = dest.with_name(dest.name + ".grade-all-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for rel, data in res["files"].items():
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    mode = int(str(664 if coursedir.groupshared else 444), 8)
    for f in tmp.rglob("*"):
        if f.is_file():
            os.chmod(f, mode)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, dest)
    # SaveAutoGrades, on the real gradebook: each notebook's grades and comments loaded at once,
    # and everything below committed once (a writer's time per result is mostly commits)
    notebooks = {}
    for nb_name, grades in res["grades"].items():
        notebook = notebooks[nb_name] = gb.find_submission_notebook(nb_name, assignment, student)
        by_name = {g.name: g for g in notebook.grades}
        for name, auto in grades.items():
            grade = by_name.get(name) or gb.find_grade(name, nb_name, assignment, student)
            grade.auto_score = auto
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        comments = {c.name: c for c in notebook.comments}
        for name, text in res["comments"].get(nb_name, {}).items():
            (comments.get(name) or gb.find_comment(name, nb_name, assignment, student)).auto_comment = text
    gb.db.flush()
    # AssignLatePenalties.preprocess, step by step on this session (nbgrader's preprocessor opens a
    # new database engine per call): the configured plugin and nbgrader's own clamp decide
    late = late_penalties or AssignLatePenalties(config=cfg)
    if late.plugin_inst is None:
        late.init_plugin()
    submission = gb.find_submission(assignment, student)
    for notebook in notebooks.values():
        gb.db.expire(notebook)  # its score is summed by the database from the grades just written
        notebook.late_submission_penalty = None
        if submission.total_seconds_late > 0:
            penalty = late.plugin_inst.late_submission_penalty(student, notebook.score, submission.total_seconds_late)
            if penalty is not None:
                notebook.late_submission_penalty = late._check_late_penalty(notebook, penalty)
    gb.db.commit()
    gb.db.expire_all()


@contextlib.contextmanager
def _deferred_sigint():
    """Ctrl-C while a result is being written waits until it is written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hit = []
    old = signal.signal(signal.SIGINT, lambda *a: hit.append(1))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if hit:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _course_lock(course: Path):
    import fcntl

    path = course / ".grade-all.lock"
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CourseError(f"another `course grade-all` is running on {course} ({path}); wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def open_client(scheduler: str | None, workers: int | None, connect_timeout: float = 10.0):
    """A Dask client: a local cluster of ``workers`` processes, or an existing scheduler."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        if workers:
            raise CourseError("--workers sizes a local cluster; with --scheduler the cluster's own workers grade")
        try:
            client = Client(scheduler, timeout=connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CourseError(f"no Dask scheduler answers at {scheduler} within {connect_timeout:g} s ({msg})") from None
        try:
            client.wait_for_workers(1, timeout=connect_timeout)
        except (TimeoutError, OSError):
            client.close()
            raise CourseError(f"the Dask scheduler at {scheduler} has no workers; start some with `dask worker {scheduler} --nthreads 1`") from None
        return client, None
    n = workers or max(1, os.cpu_count() or 1)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    return client, cluster


def check_workers(client, assignment: str) -> int:
    """Every worker must run one task at a time and have this course version installed."""
    import course

    infos = client.run(worker_info, assignment, on_error="return")
    if not infos:
        raise CourseError("the Dask cluster has no workers")
    mine = worker_info(assignment)
    nthreads = {a: w.get("nthreads", 1) for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
    for addr, info in sorted(infos.items()):
        if isinstance(info, BaseException):
            raise CourseError(f"Dask worker {addr} cannot run the grader ({type(info).__name__}: {info}); "
                              "install this course on every worker (pip install -e . from the same version)")
        if info["version"] != course.__version__:
            raise CourseError(f"Dask worker {addr} has course {info['version']} installed, this client has {course.__version__}; "
                              "install the same version on every worker")
        if info["release"] != mine["release"]:
            raise CourseError(f"Dask worker {addr} has a different release/{assignment} notebook than this client; "
                              "install the same course commit on every worker")
        if nthreads.get(addr, 1) > 1:
            raise CourseError(f"Dask worker {addr} runs {nthreads[addr]} threads; grading changes the working directory, "
                              "so start workers with `dask worker ADDRESS --nthreads 1` (and --nworkers N for more)")
    return len(infos)


def grade_all(
    assignment: str,
    *,
    course: str | Path | None = None,
    submissions: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    retry_failed: bool = False,
    db_url: str | None = None,
    cell_timeout: int | None = None,
    submission_timeout: float | None = DEFAULT_SUBMISSION_TIMEOUT,
    memory_limit_gb: float | None = DEFAULT_MEMORY_LIMIT_GB,
    connect_timeout: float = 10.0,
    progress: bool = True,
    on_result=None,
) -> BatchReport:
    """Grade every new or changed submission of ``assignment``; see the module docstring."""
    import warnings

    from nbgrader.coursedir import CourseDirectory
    from nbgrader.api import MissingEntry

    started = time.perf_counter()
    assignment = paths.resolve_module(assignment)
    course = Path(course).resolve() if course else default_course_dir()
    if not course.is_dir():
        raise CourseError(f"no course folder {course}")
    if not paths.release_notebook(assignment).exists():
        raise CourseError(f"module {assignment} has no release notebook in the installed course")
    cfg = load_config(course, db_url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coursedir = CourseDirectory(config=cfg)
    course_id = coursedir.course_id or paths.COURSE_ID
    url = coursedir.db_url
    release_digest = hashlib.sha256(paths.release_notebook(assignment).read_bytes()).hexdigest()

    with _course_lock(course):
        if submissions is not None and Path(submissions).resolve() != (course / "submitted").resolve():
            import_flat_folder(Path(submissions), course, assignment)
        subs = find_submissions(course, assignment, release_digest, list(coursedir.ignore))
        gb = open_gradebook(url, course_id)
        try:
            try:
                gb_assignment = gb.find_assignment(assignment)
            except MissingEntry:
                raise CourseError(f"the gradebook {shown_url(url)} has no assignment {assignment}: run "
                                  f"`nbgrader generate_assignment {assignment}` (or `make instructor`) in {course} first") from None
            ours = installed_cells(assignment)
            theirs = {c.name: c.source for nb in gb_assignment.notebooks for c in nb.source_cells}
            differ = sorted(k for k in theirs if k in ours and theirs[k] not in ours[k]) + sorted(set(theirs) ^ set(ours))
            if differ:
                raise CourseError(f"the gradebook's {assignment} was generated from another version of the notebook than the "
                                  f"installed course (cells {', '.join(differ[:4])} differ): run `nbgrader generate_assignment "
                                  f"{assignment} --force` after updating, or install the matching course")
            table = _state_table()
            state = _read_state(gb, table, course_id, assignment)
            rows: dict[str, Row] = {}
            todo: list[Submission] = []
            for sub in subs:
                prev = state.get(sub.student)
                autograded = Path(coursedir.format_path(coursedir.autograded_directory, sub.student, assignment)) / f"{assignment}.ipynb"
                same = prev is not None and prev["digest"] == sub.digest and not force
                if same and prev["status"] == "graded" and autograded.exists():
                    rows[sub.student] = Row(sub.student, "unchanged", seconds=prev["seconds"], worker=prev["worker"])
                elif same and prev["status"] == "failed" and not retry_failed:
                    rows[sub.student] = Row(sub.student, "failed earlier", reason=prev["reason"])
                else:
                    todo.append(sub)

            report = BatchReport(assignment, str(course), shown_url(url), [], 0)
            from nbgrader.preprocessors import AssignLatePenalties

            late_penalties = AssignLatePenalties(config=cfg)
            late_penalties.init_plugin()

            def record(sub: Submission, res: dict | None, reason: str | None):
                t_apply = time.perf_counter()
                ok = bool(res and res.get("ok"))
                with _deferred_sigint(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy chatter, as in stock autograde
                    if sub.problem != "no notebook in the submission folder":  # nbgrader skips those untouched
                        apply_result(gb, cfg, coursedir, assignment, sub, res, late_penalties)
                    _write_state(gb, table, course_id, assignment, sub.student, sub.digest or "-",
                                 "graded" if ok else "failed", None if ok else reason,
                                 (res or {}).get("seconds"), (res or {}).get("worker"))
                rows[sub.student] = Row(sub.student, "graded" if ok else "failed", reason=None if ok else reason,
                                        seconds=(res or {}).get("seconds"), worker=(res or {}).get("worker"),
                                        prepare_s=(res or {}).get("prepare_s"), autograde_s=(res or {}).get("autograde_s"))
                report.apply_s += time.perf_counter() - t_apply
                if on_result:
                    on_result(sub.student, rows[sub.student])

            gradable = []
            for sub in todo:
                if sub.problem:
                    record(sub, None, sub.problem)
                else:
                    gradable.append(sub)
            if gradable:
                report.workers, report.interrupted = _run_on_dask(
                    gradable, record, assignment, scheduler, workers, cell_timeout, submission_timeout,
                    memory_limit_gb, connect_timeout, progress, theirs_by_nb={nb.name: {c.name: c.checksum for c in nb.source_cells}
                                                                               for nb in gb_assignment.notebooks},
                    hide=instructor_folders(course, submissions, cfg))
            _fill_scores(gb, assignment, rows)
            report.rows = [rows[s] for s in sorted(rows)]
        finally:
            gb.close()
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def instructor_folders(course: Path, submissions, cfg) -> list[str]:
    """What a submission's kernel must not see on any worker: the instructor's course folder,
    the submissions folder and nbgrader's exchange."""
    from .kernels import exchange_root

    subs = Path(submissions).resolve() if submissions else course / "submitted"
    return sorted({str(course), str(subs), exchange_root(cfg)})


def _run_on_dask(subs, record, assignment, scheduler, workers, cell_timeout, submission_timeout,
                 memory_limit_gb, connect_timeout, progress, theirs_by_nb, hide: list[str]) -> tuple[int, bool]:
    from distributed import as_completed
    from tqdm import tqdm

    client, cluster = open_client(scheduler, workers, connect_timeout)
    interrupted = False
    try:
        n_workers = check_workers(client, assignment)
        pending = list(reversed(subs))
        window = 2 * n_workers + 2          # submissions in flight: bounds memory on the scheduler
        by_key = {}

        def submit():
            sub = pending.pop()
            files = {rel: f.read_bytes() for rel, f in sub.files.items()}
            job = {"assignment": assignment, "student": sub.student, "files": files, "cell_timeout": cell_timeout,
                   "submission_timeout": submission_timeout,
                   "memory_limit": memory_limit_gb * 2**30 if memory_limit_gb else None, "hide": hide}
            fut = client.submit(grade_submission, job, key=f"grade-{assignment}-{sub.student}-{sub.digest[:12]}", pure=False, retries=0)
            by_key[fut.key] = sub
            return fut

        queue = as_completed([submit() for _ in range(min(window, len(pending)))])
        bar = tqdm(total=len(subs), desc=f"grading {assignment[:2]}", unit="sub", disable=not progress, file=sys.stderr)
        failed = 0
        try:
            for fut in queue:
                sub = by_key.pop(fut.key)
                if fut.status == "error":
                    exc = fut.exception()
                    name = type(exc).__name__
                    if name == "KilledWorker":
                        reason = "the worker process died while grading it (out of memory, or a crash outside the kernel)"
                    else:
                        reason = f"{name}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
                    res = None
                elif fut.status == "cancelled":
                    continue
                else:
                    res = fut.result()
                    reason = res.get("reason")
                    if res.get("ok"):
                        for nb_name, sums in res["checksums"].items():
                            if theirs_by_nb.get(nb_name) != sums:
                                res["ok"] = False
                                reason = res["reason"] = f"the worker graded against another version of {nb_name} than the gradebook's"
                fut.release()
                record(sub, res, reason)
                if not (res and res.get("ok")):
                    failed += 1
                bar.set_postfix(failed=failed)
                bar.update()
                if pending:
                    queue.add(submit())
        except KeyboardInterrupt:
            interrupted = True
            for fut in list(queue.futures) if hasattr(queue, "futures") else []:
                fut.cancel()
        finally:
            bar.close()
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=10)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=20)
    return n_workers, interrupted


def _fill_scores(gb, assignment: str, rows: dict[str, Row]) -> None:
    from nbgrader.api import MissingEntry

    gb.db.expire_all()
    for student, row in rows.items():
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            continue
        row.score, row.max_score = float(sub.score), float(sub.max_score)
        penalty = sum(float(nb.late_submission_penalty or 0) for nb in sub.notebooks)
        row.late_penalty = penalty or None


def format_report(report: BatchReport) -> str:
    rows = report.rows
    lines = []
    width = max([len(r.student) for r in rows] + [7])
    head = f"  {'student':<{width}}  {'score':>11}  {'status':<14}  {'seconds':>7}  note"
    lines += [head, "  " + "-" * (len(head) - 2)]
    for r in rows:
        score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        note = r.reason or ""
        if r.late_penalty:
            note = (note + "; " if note else "") + f"late penalty {r.late_penalty:g}"
        secs = "" if r.seconds is None else f"{r.seconds:.1f}"
        lines.append(f"  {r.student:<{width}}  {score:>11}  {r.status:<14}  {secs:>7}  {note}")
    graded = [r for r in rows if r.status == "graded" and r.score is not None]
    times = [r.seconds for r in rows if r.status in ("graded", "failed") and r.seconds]
    lines.append("")
    lines.append(
        f"{report.assignment}: {len(rows)} submissions: {report.count('graded')} graded, {report.count('failed')} failed, "
        f"{report.count('unchanged')} unchanged, {report.count('failed earlier')} failed earlier (rerun with --retry-failed or --force) "
        f"in {report.seconds:.1f} s" + (f" on {report.workers} workers" if report.workers else ""))
    if graded:
        scores = [r.score for r in graded]
        lines.append(f"scores of this run: mean {statistics.mean(scores):.2f}, min {min(scores):g}, max {max(scores):g}"
                     + (f"; median {statistics.median(times):.1f} s per submission" if times else ""))
    lines.append(f"gradebook: {report.db_url}   autograded notebooks: {Path(report.course) / 'autograded'}")
    if report.interrupted:
        lines.append("interrupted: every finished grade is saved; run the same command again to grade the rest")
    return "\n".join(lines)
