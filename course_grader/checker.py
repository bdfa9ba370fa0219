"""Run a test cell's source the way IPython would, in a trusted namespace of the grader.

:func:`run_code` is shared by the secure executor (test cells at grading time) and the test
suite's in-process runner; :func:`checker_namespace` builds the namespace a test cell sees while
a submission is graded: the setup cell's imports, and a stand-in for every graded function.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any, Callable

def run_code(src: str, ns: dict, filename: str = "<test cell>") -> Any:
    """exec a cell like IPython: the value of a final expression is returned."""
    tree = ast.parse(src, filename=filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), ns)
    if last is not None:
        return eval(compile(last, filename, "eval"), ns)
    return None


COMMON_IDS = {"setup", "exam_answers", "test_exam_answers"}


def _meta(cell) -> dict | None:
    nbg = cell.get("metadata", {}).get("nbgrader")
    if isinstance(nbg, dict) and isinstance(nbg.get("grade_id"), str):
        return nbg
    return None


def grade_ids(nb) -> list[str]:
    return [m["grade_id"] for m in (_meta(c) for c in nb.cells) if m]



def import_statements(src: str) -> str:
    """Only the import statements of a (setup) cell, as source."""
    tree = ast.parse(src)
    return "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)))


def defined_functions(src: str) -> list[str]:
    """Names of the functions a cell defines at top level."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def graded_names(release_nb) -> list[str]:
    """Every function defined in a solution cell of the (trusted) release notebook."""
    names: list[str] = []
    for cell in release_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            names += [n for n in defined_functions(cell.source) if n not in names]
    return names


def setup_source(release_nb) -> str:
    for cell in release_nb.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup":
            return cell.source
    return ""


def checker_namespace(release_nb, stand_in: Callable[[str], Any]) -> dict:
    """The setup cell's imports (trusted: from the release) plus ``stand_in(name)`` for every
    graded function."""
    ns: dict = {"__name__": "__course_checker__", "__builtins__": builtins}
    exec(compile(import_statements(setup_source(release_nb)), "<setup imports>", "exec"), ns)
    for name in graded_names(release_nb):
        ns[name] = stand_in(name)
    return ns
