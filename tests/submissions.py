"""Build learner submissions from the release notebook, as a learner would fill it in."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from course import paths

SOLUTION_RE = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n|^[ \t]*### END SOLUTION[^\n]*\n?", re.M)


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def reference_answers(module: str) -> dict[str, str]:
    """grade_id -> the solution cell's code with the solution markers removed."""
    src = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    return {
        _gid(c): SOLUTION_RE.sub("", c.source)
        for c in src.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }


def make_submission(module: str, overrides: dict[str, str] | None = None, solved: bool = True):
    """The release notebook with every answer cell filled in (reference or override)."""
    nb = copy.deepcopy(nbformat.read(str(paths.release_notebook(module)), as_version=4))
    answers = reference_answers(module) if solved else {}
    answers.update(overrides or {})
    for cell in nb.cells:
        gid = _gid(cell)
        if gid in answers and cell.cell_type == "code":
            cell.source = answers[gid]
    return nb


def insert_after(nb, grade_id: str, src: str):
    """Insert a code cell with ``src`` right after the cell ``grade_id`` (in place)."""
    import textwrap

    i = next(i for i, c in enumerate(nb.cells) if _gid(c) == grade_id)
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(textwrap.dedent(src)))
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
