"""Grade one submission with the real nbgrader, in a scratch course directory of its own.

:func:`grade_notebook` is the one entry point: the CLI, the tests and the benchmark call it,
and a batch grader can call it once per submission in parallel, since nothing is shared
between calls but the read-only source/ and release/ folders.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from course import paths
from .build import make_course_dir, nbgrader
from .checker import COMMON_IDS, grade_ids
from .results import read_results
from course.paths import CourseError

STUDENT = "learner"


@dataclass
class ExerciseScore:
    id: str
    score: float | None
    max_score: float
    kind: str  # "auto" (a test cell) or "manual" (a written answer for the instructor)


@dataclass
class GradeResult:
    module: str
    notebook: str
    score: float
    max_score: float
    auto_max_score: float
    exercises: list[ExerciseScore]
    notes: list[str] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    isolation: str | None = None
    feedback_html: str | None = None
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook or raise a CourseError that says what is wrong with the file."""
    if not path.exists():
        raise CourseError(f"No such file: {path}")
    if path.is_dir():
        raise CourseError(f"{path} is a folder; give the path of a .ipynb notebook or a module number such as 01.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CourseError(f"{path} is not a text file, so it cannot be a notebook.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CourseError(
            f"{path} is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "If you edited it by hand, restore it from JupyterLab's File > Revert, or start again from release/."
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw:
        raise CourseError(f"{path} is JSON but not a Jupyter notebook (it has no 'cells').")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:
        raise CourseError(f"{path} is not a readable notebook: {exc}") from None
    return nb


def detect_module(nb) -> str | None:
    """Which course module a notebook belongs to, from its metadata and its grade ids."""
    declared = nb.metadata.get("course", {}).get("module") if isinstance(nb.metadata.get("course"), dict) else None
    ids = set(grade_ids(nb)) - COMMON_IDS
    best, best_hits = None, 0
    for m in paths.available_modules():
        rel = paths.release_notebook(m)
        if not rel.exists():
            continue
        hits = len(ids & (_release_ids(str(rel), rel.stat().st_mtime_ns) - COMMON_IDS))
        if hits > best_hits:
            best, best_hits = m, hits
    if best is not None:
        return best
    return declared if declared in paths.MODULES else None


@functools.lru_cache(maxsize=None)
def _release_ids(path: str, mtime_ns: int) -> set[str]:
    """Grade ids of a release notebook (plain JSON read: no schema validation needed here)."""
    with open(path, encoding="utf-8") as f:
        cells = json.load(f).get("cells", [])
    ids = set()
    for c in cells:
        gid = (c.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
        if isinstance(gid, str):
            ids.add(gid)
    return ids


def default_notebook(module: str) -> Path:
    return paths.WORK / module / f"{module}.ipynb"


def resolve_target(target: str, module: str | None = None) -> tuple[Path, str]:
    """``target`` is a notebook path or a module name (then the learner's working copy)."""
    as_path = Path(target)
    if as_path.suffix == ".ipynb" or as_path.exists() or os.sep in target:
        nb = read_notebook(as_path)
        found = detect_module(nb)
        if module is not None:
            module = paths.resolve_module(module)
            if found is not None and found != module:
                raise CourseError(f"{as_path} is the notebook of module {found}, not {module}. Grade it as {found}, or pick the right file.")
            if found is None:
                raise CourseError(f"{as_path} is not a notebook of module {module}: none of its graded cells belong to it.")
            return as_path, module
        if found is None:
            raise CourseError(
                f"{as_path} is not one of this course's notebooks: none of its cells carry the course's grading "
                "metadata. Start from your copy in work/ (made by `make start`) or from release/."
            )
        return as_path, found
    module = paths.resolve_module(target)
    path = default_notebook(module)
    if not path.exists():
        raise CourseError(f"You have no working copy of {module} yet ({path}). Run `make start` (or `course start`) to create it.")
    read_notebook(path)
    return path, module


def grade_notebook(
    notebook: str | Path,
    module: str | None = None,
    *,
    timeout: int | None = None,
    feedback_to: str | Path | None = None,
    feedback: bool = True,
    keep_scratch: bool = False,
) -> GradeResult:
    """Autograde one notebook and generate its feedback; the learner's file is only read."""
    started = time.perf_counter()
    path, module = resolve_target(str(notebook), module)
    if not paths.source_notebook(module).exists():
        raise CourseError(f"Module {module} is not written yet, so it cannot be graded.")
    submitted = read_notebook(path)
    release = _release(module)

    root = _scratch_from_template(module)
    dest = root / "submitted" / STUDENT / module
    env = {"COURSE_CELL_TIMEOUT": str(timeout)} if timeout else {}
    try:
        phases = {}
        dest.mkdir(parents=True)
        if _prestart_enabled():
            from . import kernels

            # the kernel starts while nbgrader is imported and set up; it will run in the folder
            # nbgrader makes for the autograded notebook
            kernels.prestart(root / "autograded" / STUDENT / module, root, release, env)
        from .preprocessors import restore_structure

        restored, notes = restore_structure(submitted, release)
        nbformat.write(restored, str(dest / f"{module}.ipynb"))
        if feedback:
            _warm_up_feedback()
        t = time.perf_counter()
        ok, log = run_nbgrader_app("autograde", root, [module, "--student", STUDENT, "--create", "--force"], env)
        phases["autograde"] = round(time.perf_counter() - t, 2)
        if not ok:
            raise CourseError(f"nbgrader could not autograde {path}:\n{_log_tail(log)}")
        if feedback:
            t = time.perf_counter()
            ok, log = run_nbgrader_app("generate_feedback", root, [module, "--student", STUDENT, "--force"], env)
            phases["generate_feedback"] = round(time.perf_counter() - t, 2)
            if not ok:
                raise CourseError(f"nbgrader could not generate feedback for {path}:\n{_log_tail(log)}")
        result = _read_scores(root, module, path)
        result.notes = notes
        record = read_results(root / "autograded" / STUDENT / module / f"{module}.ipynb") or {}
        result.faults = record.get("faults", [])
        result.checks = record.get("cells", {})
        result.isolation = record.get("isolation")
        result.phases = phases
        html = root / "feedback" / STUDENT / module / f"{module}.html"
        if html.exists():
            out = Path(feedback_to) if feedback_to else path.parent / f"{path.stem}.feedback.html"
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, out)
            result.feedback_html = str(out)
    finally:
        if _prestart_enabled():
            from . import kernels

            kernels.discard(root / "autograded" / STUDENT / module)  # a kernel started early that nbgrader never adopted
        if keep_scratch:
            print(f"scratch course directory kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _release(module: str) -> nbformat.NotebookNode:
    """The module's release notebook (a fresh copy: callers may change it)."""
    import copy

    rel = paths.release_notebook(module)
    return copy.deepcopy(_read_release(str(rel), rel.stat().st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _read_release(path: str, mtime_ns: int) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _warm_up_feedback() -> None:
    """Prepare the feedback page's rendering in a thread while the notebook executes (the
    grader mostly waits for the kernel then); once per process."""
    import threading

    from .feedback import warm_up

    if not getattr(_warm_up_feedback, "started", False):
        _warm_up_feedback.started = True  # type: ignore[attr-defined]
        threading.Thread(target=_quietly, args=(warm_up,), name="feedback-warm-up", daemon=True).start()


def _quietly(fn) -> None:
    from .startup import lower_priority

    lower_priority()
    try:
        fn()
    except Exception:  # only a head start: the feedback step does the real work either way
        pass


def _prestart_enabled() -> bool:
    """Start the kernel early (see :mod:`course_grader.kernels`) unless the stock executor
    grades, or ``COURSE_PRESTART=0``."""
    return os.environ.get("COURSE_EXECUTOR", "secure") != "stock" and os.environ.get("COURSE_PRESTART", "1") != "0"


def run_nbgrader_app(command: str, root: Path, argv: list[str], env: dict | None = None) -> tuple[bool, str]:
    """Run one nbgrader command in this process, in the course directory ``root``.

    In-process, nbgrader's 2-3 s of imports are paid once per process instead of once per
    command, so autograding costs little more than executing the notebook. The command works in
    ``root`` (the process's working directory, restored afterwards): grade submissions in
    parallel with processes, not threads. Returns (success, nbgrader's log).
    """
    import logging
    import warnings
    from io import StringIO

    from nbgrader.apps import AutogradeApp, GenerateFeedbackApp

    app_cls = {"autograde": AutogradeApp, "generate_feedback": GenerateFeedbackApp}[command]
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("[%(name)s | %(levelname)s] %(message)s"))
    saved_env = {k: os.environ.get(k) for k in [*(env or {}), "PATH"]}
    cwd = os.getcwd()
    ok = True
    os.environ.update(env or {})
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        os.chdir(root)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy chatter from nbgrader's gradebook
            app = app_cls.instance()
            app.log.handlers = [handler]
            app.log.propagate = False
            app.initialize(argv)
            app.log.handlers = [handler]
            try:
                app.start()
            except SystemExit as exc:  # nbgrader exits 1 when a notebook failed
                ok = not exc.code
    except Exception as exc:
        ok = False
        buffer.write(f"\n{type(exc).__name__}: {exc}\n")
    finally:
        os.chdir(cwd)
        app_cls.clear_instance()
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return ok, buffer.getvalue()


_TEMPLATES: dict[str, Path] = {}


def template_key(module: str) -> str:
    """What a module's prepared gradebook depends on: its source notebook, the nbgrader
    configuration code, and the versions of this package and of nbgrader."""
    from importlib.metadata import version

    import course

    h = hashlib.sha256()
    h.update(paths.source_notebook(module).read_bytes())
    for f in (Path(__file__).with_name("settings.py"), Path(__file__).with_name("preprocessors.py"), Path(__file__).with_name("build.py")):
        h.update(f.read_bytes())
    h.update(f"{course.__version__}|{version('nbgrader')}|{module}".encode())
    return h.hexdigest()[:24]


def cache_dir() -> Path:
    base = os.environ.get("COURSE_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ml-engineer-course")
    return Path(base) / "templates"


def _template_ok(template: Path, key: str) -> bool:
    """A finished template: its marker names the key and the gradebook it was made with."""
    marker = template / "READY.json"
    try:
        info = json.loads(marker.read_text())
        db = template / "gradebook.db"
        return info.get("key") == key and db.stat().st_size == info.get("gradebook_bytes") and \
            hashlib.sha256(db.read_bytes()).hexdigest() == info.get("gradebook_sha256")
    except (OSError, ValueError, AttributeError):
        return False


def _template(module: str) -> Path:
    """A course directory whose gradebook knows ``module`` (``nbgrader generate_assignment`` once
    per key, kept across runs in the user's cache; a damaged or half-written one is rebuilt)."""
    key = template_key(module)
    template = _TEMPLATES.get(key)
    if template is not None and _template_ok(template, key):
        return template
    template = cache_dir() / f"{module}-{key}"
    if _template_ok(template, key):
        _TEMPLATES[key] = template
        return template
    fresh = make_course_dir([module])
    proc = nbgrader(fresh, "generate_assignment", module, "--force")
    if proc.returncode != 0:
        shutil.rmtree(fresh, ignore_errors=True)
        raise CourseError(f"Could not prepare module {module} for grading:\n{proc.stderr[-2000:]}")
    db = fresh / "gradebook.db"
    (fresh / "READY.json").write_text(json.dumps({"key": key, "gradebook_bytes": db.stat().st_size,
                                                  "gradebook_sha256": hashlib.sha256(db.read_bytes()).hexdigest()}))
    try:  # publish atomically; another process may have published the same key meanwhile
        template.parent.mkdir(parents=True, exist_ok=True)
        if _template_ok(template, key):
            shutil.rmtree(fresh, ignore_errors=True)
        else:
            shutil.rmtree(template, ignore_errors=True)
            os.replace(fresh, template)
    except OSError:
        atexit.register(shutil.rmtree, fresh, True)
        template = fresh
    _TEMPLATES[key] = template
    return template


def _scratch_from_template(module: str) -> Path:
    """A fresh scratch course directory copied from the module's template: submissions never
    share a folder or a gradebook."""
    template = _template(module)
    root = Path(tempfile.mkdtemp(prefix="course-grade-"))
    shutil.copytree(template, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("READY.json"))
    return root


def _log_tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _read_scores(root: Path, module: str, path: Path) -> GradeResult:
    from nbgrader.api import Gradebook

    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db, course_id=paths.COURSE_ID) as gb:
        nb = gb.find_submission_notebook(module, module, STUDENT)
        order = {c.name: i for i, c in enumerate(gb.find_notebook(module, module).source_cells)}
        exercises = []
        for g in sorted(nb.grades, key=lambda g: order.get(g.name, 1_000)):
            manual = g.cell.cell_type == "markdown"
            score = None if manual and g.needs_manual_grade else float(g.score)
            exercises.append(ExerciseScore(g.name, score, float(g.max_score), "manual" if manual else "auto"))
    auto = [e for e in exercises if e.kind == "auto"]
    return GradeResult(
        module=module,
        notebook=str(path),
        score=round(sum(e.score or 0.0 for e in exercises), 4),
        max_score=sum(e.max_score for e in exercises),
        auto_max_score=sum(e.max_score for e in auto),
        exercises=exercises,
    )


def format_table(result: GradeResult) -> str:
    width = max(len(e.id) for e in result.exercises) if result.exercises else 10
    lines = [f"{result.module}: {Path(result.notebook).name}", ""]
    lines.append(f"  {'exercise':<{width}}  {'score':>7}")
    lines.append(f"  {'-' * width}  {'-' * 7}")
    for e in result.exercises:
        if e.score is None:
            shown = f"  -/{e.max_score:g}  (written answer: graded by an instructor)"
        else:
            mark = "" if e.score >= e.max_score else "  <-"
            shown = f"{e.score:>3g}/{e.max_score:g}{mark}"
        lines.append(f"  {e.id:<{width}}  {shown}")
    auto_score = sum(e.score or 0 for e in result.exercises if e.kind == "auto")
    lines += ["", f"  automatic points: {auto_score:g} of {result.auto_max_score:g}"]
    manual = result.max_score - result.auto_max_score
    if manual:
        lines.append(f"  written answers:  {manual:g} more points, graded by an instructor")
    for n in result.notes:
        lines.append(f"  note: {n}")
    for f in result.faults:
        where = f" in cell '{f['cell']}'" if f.get("cell") else ""
        lines.append(f"  fault{where}: {f['message']}")
    if result.feedback_html:
        lines += ["", f"  feedback (open in a browser): {result.feedback_html}"]
    return "\n".join(lines)
