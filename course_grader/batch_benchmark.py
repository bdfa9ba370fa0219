"""`course benchmark-batch`: serial stock `nbgrader autograde` vs `course grade-all` (not a test).

For each module: N mixed submissions (fully solved, half solved, untouched release, in turn) in
a fresh nbgrader course folder; each side is timed as the command an instructor would type
(a subprocess, interpreter start-up included) on a fresh copy of the folder, median of R runs.
It also measures what one submission costs against plain execution of the notebook, where that
time goes (a fresh kernel plus the setup cell's imports), the Dask scheduler's overhead per task
with 2 local workers on loopback, and the client's cost to write one result; from these it
projects the wall time of a large class on a bigger cluster.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course import paths
from .build import make_course_dir, nbgrader
from .settings import QUIET_ENV

SOLUTION_RE = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n|^[ \t]*### END SOLUTION[^\n]*\n?", re.M)


def _nbg(cell) -> dict:
    meta = cell.metadata.get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def mixed_submissions(module: str, n: int) -> list:
    """n learner notebooks: fully solved, half solved, untouched release, in turn."""
    src = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    answers = {_nbg(c)["grade_id"]: SOLUTION_RE.sub("", c.source) for c in src.cells
               if _nbg(c).get("solution") and c.cell_type == "code"}
    release = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    ids = [g for g in answers]
    out = []
    for i in range(n):
        nb = copy.deepcopy(release)
        kind = i % 3
        chosen = ids if kind == 0 else ids[: len(ids) // 2] if kind == 1 else []
        for c in nb.cells:
            if c.cell_type == "code" and _nbg(c).get("grade_id") in chosen:
                c.source = answers[_nbg(c)["grade_id"]]
        out.append(nb)
    return out


def _env() -> dict:
    env = dict(os.environ, **QUIET_ENV)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def make_course(module: str, n: int) -> Path:
    root = make_course_dir([module])
    proc = nbgrader(root, "generate_assignment", module, "--force")
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    for i, nb in enumerate(mixed_submissions(module, n)):
        folder = root / "submitted" / f"s{i:04d}" / module
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{module}.ipynb"))
        (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")
    return root


def _fresh_copy(course: Path) -> Path:
    dest = Path(tempfile.mkdtemp(prefix="course-bench-")) / "course"
    shutil.copytree(course, dest)
    return dest


def time_stock(course: Path, module: str) -> float:
    work = _fresh_copy(course)
    try:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", module], cwd=work, env=_env(),
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        if "error" in proc.stderr.lower() and proc.returncode:
            raise RuntimeError(f"stock nbgrader autograde failed:\n{proc.stderr[-2000:]}")
        return wall
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)


def time_batch(course: Path, module: str, workers: int | None, warm: bool = True) -> tuple[float, dict]:
    """``course grade-all`` on a fresh copy; ``warm=False`` starts every kernel cold (no zygote:
    ``COURSE_ZYGOTE=0``), as before course_grader/zygote.py."""
    work = _fresh_copy(course)
    try:
        argv = [sys.executable, "-m", "course_grader", "grade-all", module, "--course", str(work), "--json"]
        if workers:
            argv += ["--workers", str(workers)]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=dict(_env(), COURSE_ZYGOTE="1" if warm else "0"), capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"course grade-all failed:\n{proc.stderr[-2000:]}")
        report = json.loads(proc.stdout)
        if any(r["status"] != "graded" for r in report["rows"]):
            raise RuntimeError(f"course grade-all did not grade every submission: {report['rows']}")
        return wall, report
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)


def execute_seconds(module: str, setup_only: bool = False) -> float:
    """A fresh kernel runs the solved notebook (or only its setup cells: kernel start + imports)."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    if setup_only:
        first = next(i for i, c in enumerate(nb.cells) if _nbg(c).get("solution") or _nbg(c).get("grade"))
        nb.cells = [c for c in nb.cells[:first]]
    os.environ.update(QUIET_ENV)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(paths.source_notebook(module).parent)}}).execute()
    return time.perf_counter() - start


def _noop(payload: bytes) -> int:
    return len(payload)


def scheduler_overhead(tasks: int = 200, payload_kb: int = 100) -> float:
    """Seconds of scheduling per task: no-op tasks carrying a notebook-sized payload, 2 local
    worker processes (one thread each) on loopback, submitted through the same bounded window."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    payload = os.urandom(payload_kb * 1024)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.submit(_noop, b"", pure=False).result()  # connections up
        start = time.perf_counter()
        pending = tasks
        window = 6
        queue = as_completed([client.submit(_noop, payload, pure=False) for _ in range(window)])
        pending -= window
        for fut in queue:
            fut.result()
            if pending > 0:
                queue.add(client.submit(_noop, payload, pure=False))
                pending -= 1
        wall = time.perf_counter() - start
    return wall / tasks * 2  # per task per worker (2 workers ran them side by side)


def run(modules: list[str], n: int = 50, repeats: int = 3, workers: int | None = None, progress=print) -> dict:
    out = {"n": n, "repeats": repeats, "cpus": os.cpu_count(), "modules": []}
    for m in modules:
        progress(f"[{m}] preparing {n} mixed submissions")
        course = make_course(m, n)
        try:
            stock, batch, cold, reports, cold_reports = [], [], [], [], []
            for r in range(repeats):
                progress(f"[{m}] run {r + 1}/{repeats}: serial nbgrader autograde")
                stock.append(time_stock(course, m))
                progress(f"[{m}] run {r + 1}/{repeats}: course grade-all, cold kernels   (stock took {stock[-1]:.1f} s)")
                wall, rep = time_batch(course, m, workers, warm=False)
                cold.append(wall)
                cold_reports.append(rep)
                progress(f"[{m}] run {r + 1}/{repeats}: course grade-all, forked kernels   (cold took {wall:.1f} s)")
                wall, rep = time_batch(course, m, workers)
                batch.append(wall)
                reports.append(rep)
                progress(f"[{m}] run {r + 1}/{repeats}: grade-all took {wall:.1f} s")
            if [_scores(x) for x in reports + cold_reports] != [_scores(reports[0])] * (2 * repeats):
                raise RuntimeError(f"[{m}] grade-all gave different scores between runs or between cold and forked kernels")
            execute = statistics.median(execute_seconds(m) for _ in range(repeats))
            setup = statistics.median(execute_seconds(m, setup_only=True) for _ in range(repeats))
            rows = [row for rep in reports for row in rep["rows"]]
            out["modules"].append({
                "module": m,
                "stock_s": round(statistics.median(stock), 1),
                "batch_s": round(statistics.median(batch), 1),
                "ratio": round(statistics.median(stock) / statistics.median(batch), 2),
                "cold_s": round(statistics.median(cold), 1),
                "cold_ratio": round(statistics.median(stock) / statistics.median(cold), 2),
                "cold_worker_sub_s": round(statistics.median(r["seconds"] - (r["prepare_s"] or 0)
                                                             for rep in cold_reports for r in rep["rows"]), 2),
                "stock_per_sub_s": round(statistics.median(stock) / n, 2),
                "batch_per_sub_s": round(statistics.median(batch) / n, 2),
                # a submission's cost on a worker once it is warm (the first one also builds the template)
                "worker_sub_s": round(statistics.median(r["seconds"] - (r["prepare_s"] or 0) for r in rows), 2),
                "worker_autograde_s": round(statistics.median(r["autograde_s"] for r in rows), 2),
                # what the first submission on a worker pays on top: its grading template and
                # the zygote's imports (the first kernel waits for them)
                "first_extra_s": round(max(r["seconds"] for r in rows)
                                       - statistics.median(r["seconds"] - (r["prepare_s"] or 0) for r in rows), 2),
                "apply_per_sub_s": round(statistics.median(rep["apply_s"] for rep in reports) / n, 3),
                "workers": reports[0]["workers"],
                "execute_s": round(execute, 2),
                "kernel_and_imports_s": round(setup, 2),
            })
        finally:
            shutil.rmtree(course, ignore_errors=True)
    progress("measuring the Dask scheduler's overhead (2 local workers, loopback)")
    out["scheduler_overhead_s"] = round(scheduler_overhead(), 4)
    return out


def _scores(report: dict) -> dict:
    return {r["student"]: r["score"] for r in report["rows"]}


def project(row: dict, sched: float, n: int = 5000, machines: int = 20, cores: int = 2) -> dict:
    """Wall time for n submissions on `machines` workers of `cores` cores (one process per core).

    Model: each of P = machines x cores processes grades its share one at a time, costing what a
    submission cost a worker here with every core busy (worker_sub_s) plus the scheduler's
    per-task overhead; one client writes results as they arrive, so it must keep up
    (n x apply time is a floor); plus start-up (the first submission on each worker also builds
    its grading template and starts its zygote, first_extra_s).
    """
    procs = machines * cores
    per_proc = math.ceil(n / procs) * (row["worker_sub_s"] + sched)
    writer = n * row["apply_per_sub_s"]
    total = max(per_proc, writer) + row["first_extra_s"]
    return {"submissions": n, "processes": procs, "grading_s": round(per_proc), "writer_floor_s": round(writer),
            "total_s": round(total), "total_min": round(total / 60, 1)}


def format_results(res: dict) -> str:
    lines = [f"benchmark-batch: {res['n']} mixed submissions per module, median of {res['repeats']}, "
             f"{res['cpus']} CPUs, grade-all on {res['modules'][0]['workers'] if res['modules'] else '?'} local workers", ""]
    head = f"{'module':<34} {'stock (s)':>9} {'grade-all (s)':>13} {'ratio':>6} {'per sub stock/batch (s)':>24}"
    lines += [head, "-" * len(head)]
    for r in res["modules"]:
        lines.append(f"{r['module']:<34} {r['stock_s']:>9.1f} {r['batch_s']:>13.1f} {r['ratio']:>6.2f} "
                     f"{r['stock_per_sub_s']:>11.2f} / {r['batch_per_sub_s']:<10.2f}")
    lines += ["", "what forking kernels from a warm zygote gains (the same grade-all with every kernel started cold, COURSE_ZYGOTE=0):"]
    for r in res["modules"]:
        lines.append(f"  {r['module'][:2]}: cold {r['cold_s']:.1f} s (ratio {r['cold_ratio']:.2f}x, {r['cold_worker_sub_s']:.2f} s per submission on a worker) "
                     f"-> forked {r['batch_s']:.1f} s (ratio {r['ratio']:.2f}x, {r['worker_sub_s']:.2f} s); same scores in every run")
    lines += ["", "per submission on a worker (both cores busy) vs plain execution of the solved notebook (idle kernel start):"]
    for r in res["modules"]:
        lines.append(f"  {r['module'][:2]}: worker total {r['worker_sub_s']:.2f} s (nbgrader autograde {r['worker_autograde_s']:.2f} s); "
                     f"plain execution {r['execute_s']:.2f} s, of which fresh kernel + setup-cell imports {r['kernel_and_imports_s']:.2f} s; "
                     f"client write {r['apply_per_sub_s'] * 1000:.0f} ms; first submission on a worker +{r['first_extra_s']:.1f} s (template, zygote)")
    lines.append(f"Dask scheduler overhead per task (2 local workers, loopback, 100 KB payload): {res['scheduler_overhead_s'] * 1000:.1f} ms")
    lines += ["", "projection: 5,000 submissions on 20 two-core workers (40 grading processes):"]
    for r in res["modules"]:
        p = project(r, res["scheduler_overhead_s"])
        lines.append(f"  {r['module'][:2]}: ceil(5000/40) x ({r['worker_sub_s']:.2f} + {res['scheduler_overhead_s']:.3f}) s = {p['grading_s']} s; "
                     f"writer floor 5000 x {r['apply_per_sub_s']:.3f} s = {p['writer_floor_s']} s; "
                     f"total ~ {p['total_s']} s ({p['total_min']} min)")
    lines.append("model: wall = max(ceil(N/P) x (t_sub + t_sched), N x t_write) + t_first; t_sub measured with every core busy, "
                 "so it already includes the contention of a two-core machine; the gradebook (one writer) must absorb N x t_write.")
    return "\n".join(lines)
