"""Run a module's VISIBLE test cells the way a learner's kernel does, optionally with the grading
package hidden (a learner-only install). Used by tests/test_learner_package.py in a subprocess:

    python tests/learner_only.py MODULE [--block] [--variants] [--release]

``--block`` installs a meta-path finder that makes ``import course_grader`` fail, so
``course.checks.<topic>`` falls back to replaying the recorded transcripts. Prints one JSON
object: ``{implementation: {test_id: [score, max_score, output]}}`` where the implementations are
``reference`` (the source's solutions), ``release`` (the untouched release notebook, with
``--release``) and every variant (``--variants``).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import io
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = "### BEGIN HIDDEN TESTS"


class BlockGrader(importlib.abc.MetaPathFinder):
    """``import course_grader`` fails as it would where only the learner package is installed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "course_grader" or fullname.startswith("course_grader."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main(argv: list[str]) -> int:
    module = argv[0]
    if "--block" in argv:
        sys.meta_path.insert(0, BlockGrader())
    os.environ.pop("NBGRADER_EXECUTION", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))
    import ast
    import inspect
    import re
    import textwrap

    import nbformat

    from course import paths

    def nbg(c):
        return c.metadata.get("nbgrader", {})

    def run(src, ns):
        tree = ast.parse(src)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<cell>", "exec"), ns)
        return eval(compile(last, "<cell>", "eval"), ns) if last is not None else None

    source = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    release = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    setup = [c.source for c in source.cells if c.cell_type == "code" and nbg(c).get("locked") and not nbg(c).get("grade")]
    tests = {nbg(c)["grade_id"]: (c.source.split(HIDDEN)[0], float(nbg(c)["points"])) for c in release.cells
             if c.cell_type == "code" and nbg(c).get("grade") and not nbg(c).get("solution")}

    def solutions(nb):
        return [c.source for c in nb.cells if c.cell_type == "code" and nbg(c).get("solution")]

    base: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for src in setup:
            run(src, base)

    def namespace(sol_cells, override=None):
        ns = dict(base)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for src in sol_cells:
                run(src, ns)
            if override:
                run(override, ns)
        return ns

    def score(src, points, ns):
        import numpy as np

        random.seed(0)
        np.random.seed(0)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            try:
                value = run(src, ns)
            except Exception as exc:
                return [0.0, points, buf.getvalue() + f"\n{type(exc).__name__}: {exc}"]
        if value is not None:
            try:
                return [float(value), points, buf.getvalue()]
            except (TypeError, ValueError):
                pass
        return [points, points, buf.getvalue()]

    out: dict = {}
    ref = namespace(solutions(source))
    out["reference"] = {tid: score(src, pts, dict(ref)) for tid, (src, pts) in tests.items()}
    if "--release" in argv:
        rel = namespace(solutions(release))
        out["release"] = {tid: score(src, pts, dict(rel)) for tid, (src, pts) in tests.items()}
    if "--variants" in argv:
        from tests.conftest import variant_modules
        from tests.variants import collect

        mod = dict(variant_modules())[module]
        for fn in collect(mod, "wrong") + collect(mod, "correct"):
            src = textwrap.dedent(inspect.getsource(fn))
            src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith("@"))
            graded = fn.__name__.split("__")[0]
            src = re.sub(rf"def\s+{re.escape(fn.__name__)}\s*\(", f"def {graded}(", src, count=1)
            ns = dict(ref)
            with contextlib.redirect_stdout(io.StringIO()):
                run(src, ns)
            tid = f"test_{graded}"
            if tid in tests:
                out[fn.__name__] = {tid: score(tests[tid][0], tests[tid][1], ns)}
    checks_mod = sys.modules.get(f"course.checks.{_topic(tests)}")
    out["_replay"] = bool(getattr(checks_mod, "REPLAY", False))
    out["_grader_loaded"] = any(m == "course_grader" or m.startswith("course_grader.") for m in sys.modules)
    print("@@JSON@@" + json.dumps(out))
    return 0


def _topic(tests: dict) -> str:
    import re

    for src, _ in tests.values():
        m = re.search(r"from course\.checks import [^\n]*?\b(\w+) as checks", src)
        if m:
            return m.group(1)
    return ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
