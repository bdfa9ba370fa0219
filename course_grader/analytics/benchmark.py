"""Time ``course report`` on a synthetic cohort (``course benchmark --report``).

Builds the cohort of tests/cohort.py (needs the repository's tests/ folder): ``learners`` per
module, each a seeded mix of reference solutions and known mistakes, scored in-process once per
variant; writes a course folder (gradebook + checks files) and times the report on it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path


def run(modules: list[str] | None = None, learners: int = 300, per_function: int | None = 2, keep: str | None = None) -> dict:
    from course import paths

    if not (paths.ROOT / "tests" / "cohort.py").exists():
        raise paths.CourseError("course benchmark --report needs the repository's tests/ (its synthetic cohort generator): run it from a clone")
    if str(paths.ROOT) not in sys.path:  # the console script's path holds the packages, not the repository
        sys.path.insert(0, str(paths.ROOT))
    from tests.cohort import generate, write_course

    from .report import run as report

    row = {"learners": learners}
    t = time.perf_counter()
    cohort = generate(modules, n=learners, per_function=per_function)
    row["modules"] = len(cohort.modules)
    row["submissions"] = len(cohort.submissions)
    row["cohort_s"] = round(time.perf_counter() - t, 1)
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="course-report-bench-"))
    try:
        t = time.perf_counter()
        write_course(cohort, root)
        row["write_gradebook_s"] = round(time.perf_counter() - t, 1)
        times = []
        for _ in range(2):
            t = time.perf_counter()
            out = report(course_dir=root)
            times.append(time.perf_counter() - t)
        row["report_s"] = round(min(times), 2)
        row["report_html_kb"] = round((out / "report.html").stat().st_size / 1024)
        row["course_dir"] = str(root) if keep else None
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return row


def format_row(row: dict) -> str:
    return (f"course report on {row['learners']} learners x {row['modules']} modules ({row['submissions']} submissions): "
            f"{row['report_s']:.2f} s (best of 2; {row['report_html_kb']} kB HTML + CSVs). Setup, not timed in the report: "
            f"cohort scored in-process in {row['cohort_s']} s, gradebook + checks files written in {row['write_gradebook_s']} s.")
