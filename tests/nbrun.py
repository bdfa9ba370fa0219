"""Run a module's test cells in this process, the fast way to try many implementations.

As at grading time, the learner's functions live in their own namespace and the test cell runs
in a checker namespace where each graded function is a stand-in: every value travels through
the grading agent's plain-data encoding and the checker's decoding
(``course_grader.kernel_agent.LocalExecutor``). nbgrader's own rule decides the score of a test
cell: an exception scores 0, a number as the cell's last value is partial credit, anything else
is full marks. ``score_cell`` applies the same rule.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import nbformat

from course import paths
from course_grader.checker import checker_namespace
from course_grader.checker import run_code as _run_code
from course_grader.kernel_agent import LocalExecutor
from course_grader.rpc import RemoteFunction


@dataclass
class CellScore:
    score: float
    max_score: float
    output: str


def _nbg(cell):
    return cell.metadata.get("nbgrader", {})


@lru_cache(maxsize=None)
def source_cells(module: str):
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    setup = [c.source for c in nb.cells if _nbg(c).get("locked") and not _nbg(c).get("grade") and c.cell_type == "code"]
    solutions = {_nbg(c)["grade_id"]: c.source for c in nb.cells if _nbg(c).get("solution") and c.cell_type == "code"}
    tests = {_nbg(c)["grade_id"]: (c.source, float(_nbg(c)["points"])) for c in nb.cells if _nbg(c).get("grade") and c.cell_type == "code"}
    return setup, solutions, tests


def run_code(src: str, ns: dict):
    return _run_code(src, ns, filename="<cell>")


def checker_for(module: str, learner_ns: dict) -> dict:
    """The namespace a test cell sees at grading time, calling into ``learner_ns``."""
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    executor = LocalExecutor(learner_ns)
    return checker_namespace(nb, lambda name: RemoteFunction(executor, name))


def score_cell(src: str, points: float, ns: dict, module: str | None = None) -> CellScore:
    """Score a test cell against the learner namespace ``ns`` (through stand-ins when
    ``module`` is given, as at grading time; directly in ``ns`` otherwise)."""
    target = checker_for(module, ns) if module else ns
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        try:
            value = run_code(src, target)
        except Exception as exc:  # nbgrader: an error output scores 0
            return CellScore(0.0, points, buf.getvalue() + f"\n{type(exc).__name__}: {exc}")
    if value is not None:
        try:
            return CellScore(float(value), points, buf.getvalue())
        except (TypeError, ValueError):
            pass
    return CellScore(points, points, buf.getvalue())


_namespaces: dict = {}


def base_namespace(module: str, grading: bool = True) -> dict:
    """Setup cells and every reference solution, executed once per module (then copied)."""
    import os

    if grading:
        os.environ["NBGRADER_EXECUTION"] = "autograde"
    if module not in _namespaces:
        setup, solutions, _ = source_cells(module)
        ns: dict = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()):
            for src in setup:
                run_code(src, ns)
            for src in solutions.values():
                run_code(src, ns)
        _namespaces[module] = ns
    return dict(_namespaces[module])


def variant_source(fn) -> str:
    """The source of a variant function ``name__variant``, renamed to the graded ``name``."""
    src = textwrap.dedent(inspect.getsource(fn))
    src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith("@"))
    graded = fn.__name__.split("__")[0]
    return re.sub(rf"def\s+{re.escape(fn.__name__)}\s*\(", f"def {graded}(", src, count=1)


def score_variant(module: str, fn, test_id: str | None = None) -> CellScore:
    graded = fn.__name__.split("__")[0]
    test_id = test_id or f"test_{graded}"
    _, _, tests = source_cells(module)
    src, points = tests[test_id]
    ns = base_namespace(module)
    run_code(variant_source(fn), ns)
    return score_cell(src, points, ns, module)
