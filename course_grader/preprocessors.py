"""nbgrader add-ons shared by the local grader and the instructor's configuration.

* :func:`restore_structure` (and its preprocessor :class:`RestoreStructure`) puts a damaged
  submission back into the release notebook's shape before nbgrader sees it: deleted test and
  locked cells come back in place, edited nbgrader metadata is restored, and a solution cell
  whose metadata was deleted is found again by the function it defines.
* :class:`StderrToStdout` moves text a cell wrote to stderr into stdout after execution. Stock
  nbgrader scores a test cell 0 when anything reaches stderr, and TensorFlow and library
  warnings write there: noise must never cost a correct answer points. Errors are ``error``
  outputs, not stderr text, so failing checks still score 0.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

from course import paths

from .checker import COMMON_IDS, _meta, grade_ids  # noqa: F401 (re-exported)

DEF_RE = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.M)
def defined_functions(source: str) -> set[str]:
    return set(DEF_RE.findall(source or ""))


def restore_structure(submitted: NotebookNode, release: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """Return a copy of ``submitted`` with the release notebook's graded structure, and notes.

    The learner's own work (solution cells and any extra cells) is kept as written; everything
    the learner was not meant to change (locked cells, test cells, their metadata) comes from
    the release notebook.
    """
    nb = copy.deepcopy(submitted)
    notes: list[str] = []
    rel_cells = [c for c in release.cells if _meta(c)]
    rel_by_id = {_meta(c)["grade_id"]: c for c in rel_cells}
    order = [_meta(c)["grade_id"] for c in rel_cells]

    # 1. metadata and cell type of known cells come from the release; duplicates and foreign
    #    ids lose their nbgrader metadata (their code still runs, but is not graded)
    seen: set[str] = set()
    for cell in nb.cells:
        m = _meta(cell)
        if m is None:
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
                notes.append("removed malformed nbgrader metadata from a cell")
            continue
        gid = m["grade_id"]
        if gid not in rel_by_id or gid in seen:
            del cell.metadata["nbgrader"]
            notes.append(f"ignored a cell claiming grade id '{gid}' ({'duplicate' if gid in seen else 'not in this assignment'})")
            continue
        seen.add(gid)
        ref = rel_by_id[gid]
        if _comparable(m) != _comparable(_meta(ref)):
            notes.append(f"restored the nbgrader metadata of cell '{gid}'")
        cell.metadata["nbgrader"] = copy.deepcopy(_meta(ref))
        if not _meta(ref).get("solution", False) and cell.cell_type != ref.cell_type:
            # nbgrader then overwrites the content of every locked and test cell itself
            notes.append(f"restored the cell type of locked cell '{gid}'")
            _become(cell, ref)

    # 2. solution cells whose metadata was deleted: find them by the function they define
    for gid in order:
        ref = rel_by_id[gid]
        if gid in seen or not _meta(ref).get("solution", False) or ref.cell_type != "code":
            continue
        wanted = defined_functions(ref.source)
        if not wanted:
            continue
        for cell in nb.cells:
            if cell.cell_type == "code" and _meta(cell) is None and wanted <= defined_functions(cell.source):
                cell.setdefault("metadata", {})["nbgrader"] = copy.deepcopy(_meta(ref))
                seen.add(gid)
                notes.append(f"found your answer cell '{gid}' by the function it defines and restored its metadata")
                break

    # 3. anything still missing comes back from the release, after its predecessor
    for idx, gid in enumerate(order):
        if gid in seen:
            continue
        ref = rel_by_id[gid]
        position = 0
        for prev in reversed(order[:idx]):
            j = next((k for k, c in enumerate(nb.cells) if _meta(c) and _meta(c)["grade_id"] == prev), None)
            if j is not None:
                position = j + 1
                break
        nb.cells.insert(position, copy.deepcopy(ref))
        seen.add(gid)
        kind = "answer" if _meta(ref).get("solution") else "test" if _meta(ref).get("grade") else "locked"
        notes.append(f"restored deleted {kind} cell '{gid}'")
    for key in ("kernelspec", "language_info"):
        if key in release.metadata:
            nb.metadata[key] = copy.deepcopy(release.metadata[key])
    return nb, notes


def _comparable(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k not in ("checksum", "cell_type")}


def _become(cell, ref) -> None:
    cell.cell_type = ref.cell_type
    cell.source = ref.source
    if ref.cell_type == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def release_for(assignment_id: str, notebook_id: str) -> Path:
    return paths.RELEASE / assignment_id / f"{notebook_id}.ipynb"


class RestoreStructure(Preprocessor):
    """nbgrader sanitize step: :func:`restore_structure` against ``release/<assignment>/``."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        nbg = resources.get("nbgrader", {})
        assignment = nbg.get("assignment")
        notebook = nbg.get("notebook")
        path = release_for(assignment, notebook) if assignment and notebook else None
        if path is None or not path.exists():
            self.log.warning("RestoreStructure: no release notebook for %s/%s; skipped", assignment, notebook)
            return nb, resources
        release = nbformat.read(str(path), as_version=4)
        nb, notes = restore_structure(nb, release)
        for note in notes:
            self.log.warning("RestoreStructure: %s", note)
        resources.setdefault("course", {})["restore_notes"] = notes
        return nb, resources


class StderrToStdout(Preprocessor):
    """Relabel stderr stream outputs as stdout (prefixed) so noise does not zero a test cell."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
                    text = out.get("text", "")
                    out["text"] = "".join("[stderr] " + line for line in text.splitlines(keepends=True))
        return cell, resources


RUBRIC_CELL = "course_rubric"  # metadata key of the rubric cell added beside a written answer


class RubricForGrader(Preprocessor):
    """nbgrader autograde step: put each written answer's rubric and model answer in a markdown
    cell right after the learner's answer, so an instructor grading in formgrader reads them
    beside the answer. The cell carries no nbgrader metadata (it is not graded) and
    :class:`~course_grader.feedback.FeedbackPolish` removes it from the feedback a learner gets
    (assignments are reused across terms)."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        from .rubrics import rubric_for, rubric_markdown

        assignment = resources.get("nbgrader", {}).get("assignment")
        if assignment not in paths.MODULES:
            return nb, resources
        entries = {r["grade_id"]: r for r in rubric_for(assignment)}
        if not entries:
            return nb, resources
        cells = []
        for cell in nb.cells:
            if cell.get("metadata", {}).get(RUBRIC_CELL):
                continue  # never twice (a re-run of autograde)
            cells.append(cell)
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "markdown" and gid in entries:
                text = ("**For the grader: rubric and model answer** (from the course; removed from the "
                        "learner's feedback).\n\n" + rubric_markdown(entries[gid]))
                cells.append(nbformat.v4.new_markdown_cell(text, metadata={RUBRIC_CELL: True}))
        nb.cells = cells
        return nb, resources
