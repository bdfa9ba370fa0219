"""Structured check results: one JSON file beside each autograded notebook.

``autograded/<student>/<assignment>/<notebook>.checks.json`` is written by
:class:`~course_grader.secure_execute.SecureExecute` on every grading path (``course grade``,
``nbgrader autograde`` with the course's config, batch grading) and survives nbgrader's later
commands (they never delete files they did not make). :func:`read_results` is the one reader.

Format (``format`` 1)::

    {"format": 1, "course_version": "0.2.0", "graded_at": "2026-11-30T11:00:00+00:00",
     "assignment": ..., "notebook": ..., "student": ...,
     "isolation": "namespaces" | "limits-only", "restarts": 0, "seconds": 8.1,
     "faults": [{"cell": grade id or null, "kind": "kernel-died" | "timeout" | ..., "message": ...}],
     "cells": {"test_precision": {"error": null | "CheckFailed: ...", "value": partial points or null,
               "exercises": [{"name": "precision", "points": 2.0,
                              "checks": [{"label": ..., "weight": 1.0, "passed": true, "message": null}]}]}}}
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

FORMAT = 1


def write_results(path: Path, record: dict) -> None:
    import course

    full = {"format": FORMAT, "course_version": getattr(course, "__version__", "unknown"),
            "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
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
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data
