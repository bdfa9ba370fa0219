"""`course` command line: start, build, grade, benchmark, check-env."""

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
    return 0


def _cmd_benchmark(args) -> int:
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
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("benchmark", help="time executing and autograding each solved notebook")
    p.add_argument("modules", nargs="*")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", action="store_true")
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
