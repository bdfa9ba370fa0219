"""``course benchmark``: what a learner waits for, side by side in one run (medians of N).

Per module, on the solved source notebook:

* ``execute``: the notebook top to bottom in a fresh kernel (nbclient, kernel start included);
* ``stock autograde``: ``nbgrader autograde`` as a command, nbgrader's own preprocessors, in a
  prepared course folder (what an nbgrader course without this project's add-ons pays);
* ``course grade``: ``course grade <notebook>`` as a command, as a learner types it (process
  start, imports, restore, hardened autograde, feedback page);
* ``isolation``: the in-process autograde phase with the hardened executor minus the same with
  nbgrader's Execute (``COURSE_EXECUTOR=stock``), both starting their kernel inside the phase
  (``COURSE_PRESTART=0``): what the sandbox and out-of-kernel checks cost.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from tqdm import tqdm

from course import paths
from .grading import STUDENT, _template, grade_notebook
from .settings import QUIET_ENV

STOCK_CONFIG = f"c = get_config()\nc.CourseDirectory.course_id = {paths.COURSE_ID!r}\nc.Execute.timeout = 120\n"


def execute_seconds(module: str) -> float:
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    os.environ.update(QUIET_ENV)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(paths.source_notebook(module).parent)}}).execute()
    return time.perf_counter() - start


def _env() -> dict:
    env = dict(os.environ, **QUIET_ENV)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def stock_autograde_seconds(module: str) -> float:
    root = Path(tempfile.mkdtemp(prefix="course-bench-"))
    try:
        shutil.copytree(_template(module), root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("READY.json"))
        (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
        dest = root / "submitted" / STUDENT / module
        dest.mkdir(parents=True)
        shutil.copyfile(paths.source_notebook(module), dest / f"{module}.ipynb")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", module, "--student", STUDENT, "--force"],
                              cwd=root, env=_env(), capture_output=True, text=True, timeout=900)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"stock nbgrader autograde failed for {module}:\n{proc.stderr[-2000:]}")
        return seconds
    finally:
        shutil.rmtree(root, ignore_errors=True)


def course_grade_seconds(module: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "course_grader", "grade", str(paths.source_notebook(module)),
                               "--feedback-to", str(Path(tmp) / "fb.html"), "--json"],
                              env=_env(), capture_output=True, text=True, timeout=900)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"course grade failed for {module}:\n{proc.stderr[-2000:]}")
    return seconds


def autograde_phase(module: str, executor: str) -> float:
    """The in-process autograde phase with one executor; the kernel is started inside the phase
    for both (no early start), so the difference is what the hardening costs."""
    saved = {k: os.environ.get(k) for k in ("COURSE_EXECUTOR", "COURSE_PRESTART")}
    os.environ.update(COURSE_EXECUTOR=executor, COURSE_PRESTART="0")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            r = grade_notebook(paths.source_notebook(module), module, feedback_to=Path(tmp) / "feedback.html")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if r.score < r.auto_max_score:
        raise RuntimeError(f"{module}: the solved notebook scored {r.score}/{r.auto_max_score} while benchmarking")
    return r.phases["autograde"]


def run(modules: list[str] | None = None, repeats: int = 3) -> list[dict]:
    modules = modules or paths.available_modules()
    for m in modules:
        _template(m)  # prepared once, as after a learner's first grading
    rows = []
    bar = tqdm(total=len(modules) * repeats * 5, desc="benchmark", unit="run")
    for m in modules:
        t = {k: [] for k in ("execute", "stock", "course", "secure", "plain")}
        for _ in range(repeats):  # interleaved, so load changes hit every column alike
            for key, fn in (("execute", lambda: execute_seconds(m)), ("stock", lambda: stock_autograde_seconds(m)),
                            ("course", lambda: course_grade_seconds(m)), ("secure", lambda: autograde_phase(m, "secure")),
                            ("plain", lambda: autograde_phase(m, "stock"))):
                t[key].append(fn())
                bar.update()
        med = {k: statistics.median(v) for k, v in t.items()}
        rows.append({
            "module": m,
            "execute_s": round(med["execute"], 2),
            "stock_autograde_s": round(med["stock"], 2),
            "course_grade_s": round(med["course"], 2),
            "stock_ratio": round(med["stock"] / med["execute"], 2),
            "course_ratio": round(med["course"] / med["execute"], 2),
            "course_minus_execute_s": round(med["course"] - med["execute"], 2),
            "autograde_secure_s": round(med["secure"], 2),
            "autograde_plain_s": round(med["plain"], 2),
            "isolation_cost_s": round(med["secure"] - med["plain"], 2),
        })
    bar.close()
    return rows


def format_rows(rows: list[dict]) -> str:
    head = (f"{'module':<34} {'execute':>8} {'stock autograde':>16} {'course grade':>13} "
            f"{'course-execute':>15} {'isolation':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['module']:<34} {r['execute_s']:>7.2f}s {r['stock_autograde_s']:>7.2f}s ({r['stock_ratio']:.2f}x)"
                     f" {r['course_grade_s']:>6.2f}s ({r['course_ratio']:.2f}x) {r['course_minus_execute_s']:>+14.2f}s"
                     f" {r['isolation_cost_s']:>+9.2f}s")
    lines.append("Medians, commands timed as a learner runs them. execute: the solved notebook in a fresh kernel; "
                 "stock autograde: `nbgrader autograde` with nbgrader's own preprocessors; course grade: `course grade` "
                 "(restore, hardened autograde, feedback page); isolation: hardened minus plain autograde phase, in-process.")
    return "\n".join(lines)
