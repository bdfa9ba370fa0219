"""`course` command line: start, build, grade, progress, report, benchmark, check-env."""

from __future__ import annotations

import argparse
import json
import sys

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
    for m in build(mods):
        print(f"built release/{m}/{m}.ipynb")
    return 0


def _cmd_grade(args) -> int:
    from .grading import format_table, grade_notebook

    if not args.json:
        print("Grading with nbgrader in a scratch folder (your notebook is only read)...", file=sys.stderr)
    result = grade_notebook(args.target, args.module, timeout=args.timeout, feedback_to=args.feedback_to)
    print(result.to_json() if args.json else format_table(result))
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

    p = sub.add_parser("build", help="generate release/ from source/ with nbgrader")
    p.add_argument("modules", nargs="*")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("grade", help="grade a notebook locally with nbgrader, offline")
    p.add_argument("target", help="a module (01, 02, ...) for your copy in work/, or the path of a notebook")
    p.add_argument("--module", help="the module the notebook must belong to")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--timeout", type=int, default=None, help="seconds a cell may run (default 60)")
    p.add_argument("--feedback-to", default=None, help="where to write the feedback HTML")
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


if __name__ == "__main__":
    sys.exit(main())
