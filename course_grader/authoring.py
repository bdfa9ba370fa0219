"""Small helpers for writing nbgrader notebooks from Python (authors and tests use them).

    from course_grader.authoring import md, code, locked, solution, tests, manual, write_notebook
    write_notebook("01_overfitting_regularization", [md("# Title"), locked("setup", "import numpy as np"), ...])

Cell ids are derived from position and grade id, so writing the same cells twice gives the
same file byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course import paths


def _clean(src: str) -> str:
    return dedent(src).strip("\n")


def _nbg(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(src: str):
    return new_markdown_cell(_clean(src))


def code(src: str):
    """An ordinary (unlocked, ungraded) code cell: demonstrations the learner may edit."""
    return new_code_cell(_clean(src))


def locked(grade_id: str, src: str, markdown: bool = False):
    """A read-only cell (setup code, or instructions) restored from the release when graded."""
    cell = new_markdown_cell(_clean(src)) if markdown else new_code_cell(_clean(src))
    cell.metadata.update(_nbg(grade_id, grade=False, solution=False, locked=True))
    return cell


def solution(grade_id: str, src: str):
    """The learner's answer cell: code between ### BEGIN SOLUTION / ### END SOLUTION is removed."""
    cell = new_code_cell(_clean(src))
    cell.metadata.update(_nbg(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id: str, points: float, src: str):
    """An autograded test cell (visible checks, then ### BEGIN HIDDEN TESTS ...)."""
    cell = new_code_cell(_clean(src))
    cell.metadata.update(_nbg(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def manual(grade_id: str, points: float, prompt_solution: str):
    """A manually graded written answer (markdown); the text is the model answer."""
    cell = new_markdown_cell(_clean(prompt_solution))
    cell.metadata.update(_nbg(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def write_notebook(module: str, cells: list, path: Path | None = None) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        "course": {"module": module},
    }
    for i, cell in enumerate(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = f"{gid}" if gid else f"cell-{i:03d}"
        cell.id = cell.id.replace("_", "-")[:64]
    path = path or paths.source_notebook(module)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path
