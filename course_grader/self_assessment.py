"""Self-assessment of written answers for a self-paced learner (no instructor).

After a notebook has been graded once, ``course grade NN --rubric`` shows each written answer's
rubric and model answer in the terminal and in the feedback page, and ``course grade NN
--self-assess 1,0.5,1`` records the points the learner gives themselves per criterion. Those
points are kept apart from the automatic score (a separate file, never added to it). A cohort
learner never sees this: rubrics and model answers live in the grading package, which a cohort
learner does not install, and in the solution region of the source notebook that instructors
see in formgrader.
"""

from __future__ import annotations

import html
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from course.paths import CourseError


def data_dir() -> Path:
    base = os.environ.get("COURSE_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "ml-engineer-course")
    return Path(base)


def store() -> Path:
    return data_dir() / "self_assessment.json"


def rubrics(module: str) -> list[dict]:
    try:
        from .rubrics import rubric_for
    except ImportError:  # pragma: no cover - the rubrics ship with the grading package
        return []
    return rubric_for(module) or []


def example_points(module: str) -> str:
    """A valid ``--self-assess`` argument for the module, to show its shape: one number per
    criterion, each within that criterion's points (the maximum, and 0 for the last)."""
    points = [p for r in rubrics(module) for _, p in r["criteria"]]
    return ",".join(f"{p:g}" for p in points[:-1] + [0] * bool(points))


def graded_before(notebook: Path) -> bool:
    """The learner has graded this notebook at least once (its feedback page exists)."""
    return notebook.with_name(f"{notebook.stem}.feedback.html").exists()


def as_text(module: str) -> str:
    lines = []
    for r in rubrics(module):
        lines.append(f"Written answer '{r['grade_id']}' ({r['points']:g} points): rubric")
        for i, (text, pts) in enumerate(r["criteria"], start=1):
            lines.append(f"  {i}. [{pts:g}] {text}")
        lines.append("  Model answer: " + r["model_answer"])
        lines.append(f"  Score yourself: course grade {module[:2]} --self-assess " + ",".join("0" for _ in r["criteria"]))
    return "\n".join(lines)


def as_html(module: str, recorded: dict | None = None) -> str:
    parts = ['<section id="self-assessment" style="border:2px solid #888;padding:1em;margin:2em 0">',
             "<h2>Self-assessment of your written answer</h2>",
             "<p>Compare your answer with the rubric and the model answer, then score yourself with "
             f"<code>course grade {module[:2]} --self-assess ...</code>. These points are recorded apart from "
             "the automatic score above and never added to it.</p>"]
    for r in rubrics(module):
        mine = (recorded or {}).get(r["grade_id"])
        parts.append(f"<h3>{html.escape(r['grade_id'])} ({r['points']:g} points)</h3>")
        parts.append('<table style="border-collapse:collapse"><tr><th style="border:1px solid #999;padding:4px">criterion</th>'
                     '<th style="border:1px solid #999;padding:4px">points</th><th style="border:1px solid #999;padding:4px">yours</th></tr>')
        for i, (text, pts) in enumerate(r["criteria"]):
            given = "" if mine is None else f"{mine['criteria'][i]:g}"
            parts.append(f'<tr><td style="border:1px solid #999;padding:4px">{html.escape(text)}</td>'
                         f'<td style="border:1px solid #999;padding:4px">{pts:g}</td><td style="border:1px solid #999;padding:4px">{given}</td></tr>')
        parts.append("</table>")
        if mine is not None:
            parts.append(f"<p><b>Your self-assessed points: {mine['points']:g} / {r['points']:g}</b> (recorded {html.escape(mine['at'])}).</p>")
        parts.append(f"<p><b>Model answer.</b> {html.escape(r['model_answer'])}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def add_to_feedback(feedback_html: Path, module: str) -> None:
    text = feedback_html.read_text(encoding="utf-8")
    block = as_html(module, recorded_for(module))
    marker = "</body>"
    text = text.replace(marker, block + "\n" + marker, 1) if marker in text else text + block
    feedback_html.write_text(text, encoding="utf-8")


def _load() -> dict:
    path = store()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (OSError, ValueError) as exc:
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        path.rename(aside)
        raise CourseError(f"Your self-assessment file was damaged ({exc}); it was kept as {aside} and a new one will be started.") from None


def recorded_for(module: str) -> dict:
    try:
        return _load().get(module, {})
    except CourseError:
        return {}


def record(module: str, points: list[float]) -> dict:
    """Record per-criterion points for the module's written answers (in rubric order)."""
    rubs = rubrics(module)
    if not rubs:
        raise CourseError(f"Module {module} has no rubric to assess yourself against.")
    wanted = sum(len(r["criteria"]) for r in rubs)
    if len(points) != wanted:
        raise CourseError(f"Give one number per rubric criterion: {wanted} for {module}, got {len(points)}.")
    data = _load()
    out = data.setdefault(module, {})
    i = 0
    for r in rubs:
        given = []
        for text, pts in r["criteria"]:
            p = float(points[i])
            i += 1
            if not 0 <= p <= pts:
                raise CourseError(f"'{text[:50]}...' is worth 0 to {pts:g} points, not {p:g}.")
            given.append(p)
        out[r["grade_id"]] = {"points": round(sum(given), 4), "criteria": given,
                              "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path = store()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)
    return out
