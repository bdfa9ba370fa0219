"""Wall time per module: executing the solved notebook, and autograding it (median of N)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from tqdm import tqdm

from course import paths
from .grading import grade_notebook
from .settings import QUIET_ENV


def execute_seconds(module: str) -> float:
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    os.environ.update(QUIET_ENV)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(paths.source_notebook(module).parent)}}).execute()
    return time.perf_counter() - start


def run(modules: list[str] | None = None, repeats: int = 3) -> list[dict]:
    modules = modules or paths.available_modules()
    rows = []
    bar = tqdm(total=len(modules) * repeats * 2, desc="benchmark", unit="run")
    for m in modules:
        ex, ag, total = [], [], []
        for _ in range(repeats):
            ex.append(execute_seconds(m))
            bar.update()
            with tempfile.TemporaryDirectory() as tmp:
                r = grade_notebook(paths.source_notebook(m), m, feedback_to=Path(tmp) / "feedback.html")
            ag.append(r.phases["autograde"])
            total.append(r.seconds)
            bar.update()
            if r.score < r.auto_max_score:
                raise RuntimeError(f"{m}: the solved notebook scored {r.score}/{r.auto_max_score} while benchmarking")
        rows.append({
            "module": m,
            "execute_s": round(statistics.median(ex), 2),
            "autograde_s": round(statistics.median(ag), 2),
            "grade_total_s": round(statistics.median(total), 2),
            "ratio": round(statistics.median(ag) / statistics.median(ex), 2),
        })
    bar.close()
    return rows


def format_rows(rows: list[dict]) -> str:
    head = f"{'module':<36} {'execute (s)':>11} {'autograde (s)':>13} {'ratio':>6} {'course grade (s)':>16}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['module']:<36} {r['execute_s']:>11.2f} {r['autograde_s']:>13.2f} {r['ratio']:>6.2f} {r['grade_total_s']:>16.2f}")
    lines.append("execute: the solved source notebook top to bottom in a fresh kernel (nbclient, kernel start included); "
                 "autograde: nbgrader's autograde of the same notebook (NBGRADER_EXECUTION set, fresh kernel); "
                 "course grade: the whole grade_notebook call (restore, autograde, feedback HTML, scores). Medians.")
    return "\n".join(lines)
