"""Structured check results: one JSON file beside each autograded notebook.

``autograded/<student>/<assignment>/<notebook>.checks.json`` is written by
:class:`~course_grader.secure_execute.SecureExecute` on every grading path (``course grade``,
``nbgrader autograde`` with the course's config, batch grading) and survives nbgrader's later
commands (they never delete files they did not make). :func:`read_results` is the one reader.

Format 1 (still read)::

    {"format": 1, "course_version": "0.2.0", "graded_at": "2026-11-30T11:00:00+00:00",
     "assignment": ..., "notebook": ..., "student": ...,
     "isolation": "namespaces" | "limits-only", "restarts": 0, "seconds": 8.1,
     "faults": [{"cell": grade id or null, "kind": "kernel-died" | "timeout" | ..., "message": ...}],
     "cells": {"test_precision": {"error": null | "CheckFailed: ...", "value": partial points or null,
               "exercises": [{"name": "precision", "points": 2.0,
                              "checks": [{"label": ..., "weight": 1.0, "passed": true, "message": null}]}]}}}

Format 2 (written now) adds, and :func:`read_results` fills in the same fields when it reads a
format-1 file (so every reader sees format 2):

* ``cells.<id>.output``: the test cell's printed text (null when unknown: a format-1 file whose
  graded notebook is not beside it);
* ``cells.<id>.exam``: for an exam-lens cell, one entry per question parsed from its printed
  lines (``q1: wrong (you answered B). The answer is C: ...``):
  ``[{"question": "q1", "answered": "B", "answer": "C", "correct": false}, ...]``; else ``[]``;
* ``cells.<id>.exercises[].checks[].misconceptions``: for a failed check, the misconceptions
  its message names, in order:
  ``[{"id": "precision.is_recall", "function": "precision", "sentence": "..."}]`` (stable ids
  from :mod:`course_grader.analytics.misconceptions`; several when the feedback says two known
  mistakes give this value; ``[{"id": "<function>.other", ...}]`` when none matches); ``[]``
  for a passed check.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

FORMAT = 2
READABLE = (1, 2)


def write_results(path: Path, record: dict) -> None:
    import course

    full = {"format": FORMAT, "course_version": getattr(course, "__version__", "unknown"),
            "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
    try:
        full = annotate(full)
    except Exception:  # never lose a grading record over analytics: read_results fills the fields in
        pass
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".checks-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(full, f, indent=1, default=str)
    os.replace(tmp, path)


def read_results(path: Path) -> dict | None:
    """The record beside an autograded notebook (``path`` is the notebook or the JSON file)."""
    path = Path(path)
    if path.suffix == ".ipynb":
        path = path.with_name(path.stem + ".checks.json")
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") not in READABLE:
        return None
    notebook = path.with_name(path.name[: -len(".checks.json")] + ".ipynb") if path.name.endswith(".checks.json") else None
    return annotate(data, notebook)


def _outputs_from_notebook(notebook: Path | None) -> dict:
    """{grade id: printed text} of the test cells of an autograded notebook (format-1 files)."""
    if notebook is None or not notebook.exists():
        return {}
    try:
        nb = json.loads(notebook.read_text())
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in nb.get("cells", []):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and nbg.get("grade") and nbg.get("grade_id"):
            text = "".join("".join(o.get("text", "")) if isinstance(o.get("text"), list) else o.get("text", "")
                           for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            found[nbg["grade_id"]] = text
    return found


def annotate(record: dict, notebook: Path | None = None) -> dict:
    """Bring a record to format 2: misconception ids, printed output, exam answers."""
    from .analytics.misconceptions import classify_all, parse_exam_lines

    module = record.get("assignment") or ""
    cells = record.get("cells") or {}
    outputs = None
    for gid, cell in cells.items():
        if not isinstance(cell, dict):
            continue
        if "output" not in cell:
            if outputs is None:
                outputs = _outputs_from_notebook(notebook)
            cell["output"] = outputs.get(gid)
        if "exam" not in cell:
            cell["exam"] = parse_exam_lines(cell.get("output"))
        for ex in cell.get("exercises") or []:
            for chk in ex.get("checks") or []:
                if "misconceptions" not in chk:
                    chk["misconceptions"] = [] if chk.get("passed") else classify_all(module, ex.get("name", ""), chk.get("message") or "")
    record["format"] = FORMAT
    return record
