"""The self-paced learner's local history of ``course grade`` runs (JSON lines).

Where: ``$COURSE_HOME/history.jsonl`` when ``COURSE_HOME`` is set, else
``$XDG_DATA_HOME/ml-engineer-course/history.jsonl`` (``~/.local/share/ml-engineer-course/``):
outside the repository, so ``make start`` and course updates never touch it.

One line per graded run (``format`` 1)::

    {"format": 1, "module": "03_classification_metrics", "graded_at": "2026-11-30T11:00:00+00:00",
     "course_version": "0.2.0", "notebook": ".../work/03.../03....ipynb",
     "score": 14.0, "auto_max_score": 22.0, "max_score": 25.0,
     "exercises": [{"id": "test_precision", "score": 2.0, "max_score": 2.0, "kind": "auto"}, ...],
     "cells": {<the checks.json "cells" of that run, format 2, without "output">},
     "faults": [...]}

A file that cannot be read back (a line that is not such a record) is never overwritten: it is
renamed ``history.jsonl.damaged-<UTC timestamp>`` and a one-line message says so.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from course.paths import CourseError

FORMAT = 1
FILENAME = "history.jsonl"


class DamagedHistory(CourseError):
    """The history file could not be read; it was moved aside (``moved_to``)."""

    def __init__(self, message: str, moved_to: Path):
        super().__init__(message)
        self.moved_to = moved_to


def data_dir() -> Path:
    if os.environ.get("COURSE_HOME"):
        return Path(os.environ["COURSE_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "ml-engineer-course"


def history_path() -> Path:
    return data_dir() / FILENAME


def entry_from_result(result) -> dict:
    """A history line from a :class:`~course_grader.grading.GradeResult`."""
    import course

    cells = {}
    for gid, cell in (result.checks or {}).items():
        cells[gid] = {k: v for k, v in cell.items() if k != "output"}
    return {
        "format": FORMAT,
        "module": result.module,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "course_version": getattr(course, "__version__", "unknown"),
        "notebook": result.notebook,
        "score": result.score,
        "auto_max_score": result.auto_max_score,
        "max_score": result.max_score,
        "exercises": [{"id": e.id, "score": e.score, "max_score": e.max_score, "kind": e.kind} for e in result.exercises],
        "cells": cells,
        "faults": list(result.faults or []),
    }


def _valid(entry) -> bool:
    return (isinstance(entry, dict) and entry.get("format") == FORMAT and isinstance(entry.get("module"), str)
            and isinstance(entry.get("exercises"), list) and isinstance(entry.get("cells", {}), dict)
            and isinstance(entry.get("score"), (int, float)))


def _move_aside(path: Path, why: str) -> DamagedHistory:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    return DamagedHistory(f"your grading history {path} was damaged ({why}); it was kept as {target} "
                          "and a new history starts with the next `course grade`.", target)


def read_history(path: Path | None = None) -> list[dict]:
    """Every recorded run, oldest first. A damaged file is moved aside and DamagedHistory raised."""
    path = Path(path) if path else history_path()
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _move_aside(path, "it is not text") from None
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise _move_aside(path, f"line {n} is not JSON") from None
        if not _valid(entry):
            raise _move_aside(path, f"line {n} is not a grading record") from None
        entries.append(entry)
    return entries


def append(entry: dict, path: Path | None = None) -> tuple[Path, str | None]:
    """Add one run. Returns (the history file, a one-line warning if a damaged file was moved aside)."""
    path = Path(path) if path else history_path()
    warning = None
    try:
        read_history(path)
    except DamagedHistory as exc:
        warning = str(exc)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, default=str) + "\n")
    return path, warning


def record_result(result, path: Path | None = None) -> tuple[Path, str | None]:
    return append(entry_from_result(result), path)
