"""`course` command line: start, build, grade, progress, report, benchmark, check-env."""

from __future__ import annotations

import argparse
import json
import sys

# jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which builds a
# grammar at import time: 1-4 s on a 2-core machine, for an "iri" string format that notebook
# validation never uses. Marking it absent makes jsonschema skip that one format checker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from course import paths
from course.paths import CourseError


def _cmd_start(args) -> int:
    from course.start import ensure_work_copies

    for line in ensure_work_copies():
        print(line)
    print(f"Your notebooks are in {paths.WORK}. Grade one with: course grade 01")
    return 0


def _cmd_build(args) -> int:
    from .build import build

    mods = [paths.resolve_module(m) for m in args.modules] if args.modules else None
    built = build(mods)
    for m in built:
        print(f"built release/{m}/{m}.ipynb")
    if not args.no_record:  # the learner package's visible checks follow the release
        from .visible import record

        for path in record(built):
            print(f"recorded {path.relative_to(paths.ROOT)}")
    return 0


def _cmd_record_visible(args) -> int:
    from .visible import record

    mods = [paths.resolve_module(m) for m in args.modules] if args.modules else None
    for path in record(mods, log=(lambda line: print(line, file=sys.stderr)) if args.verbose else None):
        print(f"recorded {path.relative_to(paths.ROOT)}")
    return 0


def _cmd_learner_wheel(args) -> int:
    from .wheel import build_learner_wheel

    print(f"built {build_learner_wheel(args.out_dir)}")
    return 0


_FAST_EXIT = False


def _cmd_grade(args) -> int:
    from pathlib import Path

    global _FAST_EXIT
    _FAST_EXIT = True

    from . import self_assessment as sa
    from .grading import format_table, grade_notebook, resolve_target

    wants_rubric = args.rubric or args.self_assess is not None
    if wants_rubric:
        path, module = resolve_target(args.target, args.module)
        if not sa.graded_before(Path(path)):
            raise CourseError("Grade your notebook once first (course grade without --rubric); "
                              "the rubric and model answer are shown after that.")
        if args.self_assess is not None:
            try:
                points = [float(p) for p in args.self_assess.split(",") if p.strip()]
            except ValueError:
                raise CourseError("--self-assess takes numbers separated by commas, one per rubric criterion, e.g. 1,0.5,1") from None
            mine = sa.record(module, points)
            for gid, r in mine.items():
                print(f"self-assessed {gid}: {r['points']:g} points (kept apart from the automatic score)")
    if not args.json:
        print("Grading with nbgrader in a scratch folder (your notebook is only read)...", file=sys.stderr)
    result = grade_notebook(args.target, args.module, timeout=args.timeout, feedback_to=args.feedback_to)
    if wants_rubric and result.feedback_html:
        sa.add_to_feedback(Path(result.feedback_html), result.module)
    print(result.to_json() if args.json else format_table(result))
    if wants_rubric and not args.json:
        print()
        print(sa.as_text(result.module))
    elif not args.json and sa.rubrics(result.module):
        print(f"  written answer: not scored automatically. Compare it with the rubric and model answer: "
              f"`course grade {result.module[:2]} --rubric`, then record your points per criterion: "
              f"`course grade {result.module[:2]} --self-assess {sa.example_points(result.module)}` (kept apart from this score)")
    if not args.no_history:
        from .analytics.history import record_result

        try:
            where, warning = record_result(result)
        except OSError as exc:
            print(f"note: this run was not added to your progress history ({exc})", file=sys.stderr)
        else:
            if warning:
                print(f"warning: {warning}", file=sys.stderr)
            if not args.json:
                print(f"  progress: run `course progress` (history: {where})")
    return 0


def _cmd_progress(args) -> int:
    from .analytics.progress import run

    text, html = run(args.history, args.html)
    print(text)
    print(f"\nThe same view as a page (open it in JupyterLab): {html}")
    return 0


def _cmd_report(args) -> int:
    from .analytics.report import run

    out = run(db_url=args.db_url, course_dir=args.course_dir, out=args.out)
    print(f"report: {out / 'report.html'}")
    print(f"per-exercise CSV for an LMS: {out / 'exercises'}/")
    return 0


def _cmd_benchmark(args) -> int:
    if args.report:
        from .analytics.benchmark import format_row, run as run_report

        mods = [paths.resolve_module(m) for m in args.modules] if args.modules else None
        row = run_report(mods, learners=args.learners, per_function=args.per_function or None, keep=args.keep)
        print(json.dumps(row, indent=2) if args.json else format_row(row))
        return 0
    from .benchmark import format_rows, run

    mods = [paths.resolve_module(m) for m in args.modules] if args.modules else None
    rows = run(mods, repeats=args.repeats)
    print(json.dumps(rows, indent=2) if args.json else format_rows(rows))
    return 0


def _cmd_grade_all(args) -> int:
    from .batch import format_report, grade_all

    report = grade_all(
        args.assignment, course=args.course, submissions=args.submissions, scheduler=args.scheduler,
        workers=args.workers, force=args.force, retry_failed=args.retry_failed, db_url=args.db_url,
        cell_timeout=args.timeout, submission_timeout=args.submission_timeout, memory_limit_gb=args.memory_limit,
        connect_timeout=args.connect_timeout, progress=not args.json,
    )
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2, default=str))
    else:
        print(format_report(report))
    if report.interrupted:
        return 130
    return 1 if report.count("failed") else 0


def _cmd_benchmark_batch(args) -> int:
    from .batch_benchmark import format_results, run

    mods = [paths.resolve_module(m) for m in (args.modules or ["01", "03"])]
    res = run(mods, n=args.n, repeats=args.repeats, workers=args.workers,
              progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps(res, indent=2) if args.json else format_results(res))
    return 0


def _cmd_check_env(args) -> int:
    from course.env import check_environment, pinned

    found = check_environment()
    pins = pinned()
    return 0 if all(found[k] == pins.get(k, found[k]) for k in found) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description="ML engineer certification course tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start", help="create your working copies in work/ (never overwrites yours)")
    p.set_defaults(func=_cmd_start)

    p = sub.add_parser("build", help="generate release/ from source/ with nbgrader, then record the visible checks")
    p.add_argument("modules", nargs="*")
    p.add_argument("--no-record", action="store_true", help="skip `course record-visible`")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("record-visible", help="record the visible checks' transcripts for learner-only installs")
    p.add_argument("modules", nargs="*")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=_cmd_record_visible)

    p = sub.add_parser("build-learner-wheel", help="build a wheel of the learner package alone (no grading, no answers)")
    p.add_argument("out_dir", nargs="?", default=None)
    p.set_defaults(func=_cmd_learner_wheel)

    p = sub.add_parser("grade", help="grade a notebook locally with nbgrader, offline")
    p.add_argument("target", help="a module (01, 02, ...) for your copy in work/, or the path of a notebook")
    p.add_argument("--module", help="the module the notebook must belong to")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--timeout", type=int, default=None, help="seconds a cell may run (default 60)")
    p.add_argument("--feedback-to", default=None, help="where to write the feedback HTML")
    p.add_argument("--rubric", action="store_true", help="after a first grading: show the written answers' rubric and model answer")
    p.add_argument("--self-assess", metavar="POINTS", default=None,
                   help="record your own points per rubric criterion, e.g. 1,0.5,1 (kept apart from the automatic score)")
    p.add_argument("--no-history", action="store_true", help="do not add this run to your progress history")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("progress", help="your progress over all modules, from your `course grade` history")
    p.add_argument("--history", default=None, help="the history file (default: $COURSE_HOME or ~/.local/share/ml-engineer-course)")
    p.add_argument("--html", default=None, help="where to write the page (default: work/progress.html)")
    p.set_defaults(func=_cmd_progress)

    p = sub.add_parser("report", help="instructor: cohort report (HTML + per-exercise CSV) from the gradebook")
    p.add_argument("--db-url", default=None, help="nbgrader gradebook URL (default: sqlite gradebook.db in the course folder)")
    p.add_argument("--course-dir", default=".", help="the nbgrader course folder holding autograded/ (default: .)")
    p.add_argument("--out", default=None, help="output folder (default: <course-dir>/reports)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("benchmark", help="time executing and autograding each solved notebook")
    p.add_argument("modules", nargs="*")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.add_argument("--report", action="store_true", help="time `course report` on a synthetic cohort instead")
    p.add_argument("--learners", type=int, default=300, help="with --report: learners per module")
    p.add_argument("--per-function", type=int, default=2, help="with --report: wrong variants per function in the pool (0: all)")
    p.add_argument("--keep", default=None, help="with --report: write the synthetic course folder here and keep it")
    p.set_defaults(func=_cmd_benchmark)

    p = sub.add_parser("grade-all", help="grade every submission of an assignment in parallel (Dask), into the gradebook")
    p.add_argument("assignment", help="the module (01, 03, ... or its full name)")
    p.add_argument("--submissions", default=None, help="a flat folder of <learner>.ipynb notebooks (default: the course's submitted/)")
    p.add_argument("--course", default=None, help="the nbgrader course folder (default: here if it has nbgrader_config.py, else the repository)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (default: start a local cluster)")
    p.add_argument("--workers", type=int, default=None, help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--force", action="store_true", help="grade every submission again, changed or not")
    p.add_argument("--retry-failed", action="store_true", help="grade again the unchanged submissions that failed before")
    p.add_argument("--db-url", default=None, help="gradebook database URL (nbgrader's db_url), e.g. postgresql://user@host/db")
    p.add_argument("--timeout", type=int, default=None, help="seconds a cell may run (default 60)")
    p.add_argument("--submission-timeout", type=float, default=1200, help="seconds one submission may take before it is stopped and failed")
    p.add_argument("--memory-limit", type=float, default=6.0, help="GiB one submission's kernel may use before it is stopped and failed")
    p.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to wait for the Dask scheduler and its workers")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_cmd_grade_all)

    p = sub.add_parser("benchmark-batch", help="serial nbgrader autograde vs grade-all on N mixed submissions (slow)")
    p.add_argument("modules", nargs="*", help="modules to use (default: 01 03)")
    p.add_argument("--n", type=int, default=50, help="submissions per module (default 50)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=None, help="grade-all's local workers (default: one per core)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_benchmark_batch)

    p = sub.add_parser("check-env", help="compare installed versions with the pins")
    p.set_defaults(func=_cmd_check_env)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The ``course`` command. After ``course grade`` it ends the process without tearing the
    interpreter down module by module (0.7 s with nbgrader, ZeroMQ and scikit-learn loaded):
    exit handlers run and output is flushed first, and the command leaves no thread or
    kernel behind."""
    import threading

    code = main()
    waiting = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if _FAST_EXIT and not waiting:  # a normal exit would wait for non-daemon threads: then exit normally
        import atexit
        import os

        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
