"""``course progress``: every module at a glance, from the learner's history of ``course grade``.

Per module: the best and latest automatic score (percent of the module's automatic points) and
the same per exercise; exercises not started in the latest attempt (every check says "not
implemented yet"); misconceptions still open in the latest attempt, each with the notebook
section to reread; exam-lens questions right/wrong over the attempts; and an exam readiness
figure:

    readiness = 100 * (0.6 * C + 0.4 * E), from the LATEST attempt, where
    C = points earned on the coding exercises / their points (the exam-lens cell excluded),
    E = exam-lens questions answered right / questions in the module.

It is shown for modules with at least one attempt; "ready" means 80 or more with every exercise
at least started (most code right and most exam reasoning right). The same view is written as a self-contained HTML page (figures
embedded) to ``work/progress.html`` so it opens from JupyterLab.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from .figures import esc, img, page
from .history import history_path, read_history
from .misconceptions import EXAM_FUNCTION, section_for

EXAM_CELL = f"test_{EXAM_FUNCTION}"
READY_AT = 80.0


def _not_started(cell: dict | None) -> bool:
    if not cell:
        return False
    if "not implemented yet" in (cell.get("error") or ""):
        return True
    checks = [c for ex in cell.get("exercises") or [] for c in ex.get("checks") or []]
    return bool(checks) and all((not c.get("passed")) and "not implemented yet" in (c.get("message") or "") for c in checks)


@dataclass
class ExerciseView:
    id: str
    max_score: float
    best: float | None = None
    latest: float | None = None
    not_started: bool = False


@dataclass
class ModuleView:
    module: str
    attempts: list[dict] = field(default_factory=list)
    exercises: list[ExerciseView] = field(default_factory=list)
    percents: list[float] = field(default_factory=list)
    open_misconceptions: list[dict] = field(default_factory=list)  # id, sentence, section, check
    exam: dict = field(default_factory=dict)  # question -> [True/False per attempt that answered]
    readiness: float | None = None

    @property
    def ready(self) -> bool:
        """Readiness at READY_AT or more and every exercise at least started."""
        return self.readiness is not None and self.readiness >= READY_AT and not any(e.not_started for e in self.exercises)

    @property
    def best(self) -> float | None:
        return max(self.percents) if self.percents else None

    @property
    def latest(self) -> float | None:
        return self.percents[-1] if self.percents else None


def _auto(entry: dict) -> list[dict]:
    return [e for e in entry.get("exercises", []) if e.get("kind") == "auto"]


def _open(module: str, latest: dict) -> list[dict]:
    """Misconceptions named by the failed checks of the latest attempt, once each; a function's
    ``.other`` (a failure no known mistake explains) only when nothing more specific is open."""
    found: dict[str, dict] = {}
    for cell in (latest.get("cells") or {}).values():
        for ex in cell.get("exercises") or []:
            for chk in ex.get("checks") or []:
                if chk.get("passed") or "not implemented yet" in (chk.get("message") or ""):
                    continue
                for m in chk.get("misconceptions") or []:
                    function = m.get("function") or ex.get("name", "")
                    found.setdefault(m["id"], {"id": m["id"], "sentence": m.get("sentence", ""), "check": chk.get("label"),
                                               "function": function, "section": section_for(module, function)})
    specific = {m["function"] for m in found.values() if not m["id"].endswith(".other")}
    return [m for m in found.values() if not (m["id"].endswith(".other") and m["function"] in specific)]


def module_view(module: str, attempts: list[dict]) -> ModuleView:
    view = ModuleView(module, attempts)
    if not attempts:
        return view
    order: dict[str, ExerciseView] = {}
    for entry in attempts:
        auto = _auto(entry)
        total = sum(float(e["max_score"]) for e in auto) or 1.0
        view.percents.append(100.0 * sum(float(e["score"] or 0) for e in auto) / total)
        for e in auto:
            ev = order.setdefault(e["id"], ExerciseView(e["id"], float(e["max_score"])))
            s = float(e["score"] or 0)
            ev.best = s if ev.best is None else max(ev.best, s)
        for q in (entry.get("cells", {}).get(EXAM_CELL) or {}).get("exam") or []:
            view.exam.setdefault(q["question"], []).append(bool(q["correct"]))
    latest = attempts[-1]
    for e in _auto(latest):
        ev = order[e["id"]]
        ev.latest = float(e["score"] or 0)
        ev.not_started = _not_started(latest.get("cells", {}).get(e["id"]))
    view.exercises = list(order.values())
    view.open_misconceptions = _open(module, latest)
    coding = [e for e in _auto(latest) if e["id"] != EXAM_CELL]
    c = sum(float(e["score"] or 0) for e in coding) / (sum(float(e["max_score"]) for e in coding) or 1.0)
    exam_now = (latest.get("cells", {}).get(EXAM_CELL) or {}).get("exam") or []
    n_questions = len(exam_now) or len(view.exam)
    e_frac = (sum(1 for q in exam_now if q["correct"]) / n_questions) if n_questions else 0.0
    view.readiness = 100.0 * (0.6 * c + 0.4 * e_frac)
    return view


def build(entries: list[dict], modules: list[str] | None = None) -> list[ModuleView]:
    modules = modules or paths.available_modules()
    extra = sorted({e["module"] for e in entries} - set(modules))
    return [module_view(m, [e for e in entries if e["module"] == m]) for m in list(modules) + extra]


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}%"


def _pts(v: float | None, mx: float) -> str:
    return "-" if v is None else f"{v:g}/{mx:g}"


def _marks(results: list[bool]) -> str:
    return "".join("✓" if r else "✗" for r in results)


def written_line(module: str) -> str:
    """The written answer's self-assessed points (course grade --self-assess), kept apart from
    the automatic score; empty when the module has no rubric here."""
    from .. import self_assessment as sa

    rubs = sa.rubrics(module)
    if not rubs:
        return ""
    mine = sa.recorded_for(module)
    total = sum(r["points"] for r in rubs)
    if not mine:
        return f"written answer ({total:g} points): not self-assessed yet: course grade {module[:2]} --rubric"
    got = sum(mine[r["grade_id"]]["points"] for r in rubs if r["grade_id"] in mine)
    return f"written answer, self-assessed: {got:g} / {total:g} (not part of the automatic score)"


def format_text(views: list[ModuleView], source: Path | None = None) -> str:
    runs = sum(len(v.attempts) for v in views)
    lines = [f"Your progress: {sum(1 for v in views if v.attempts)} of {len(views)} modules graded, {runs} runs"
             + (f" (history: {source})" if source else ""), ""]
    w = max(len(v.module) for v in views) if views else 10
    lines.append(f"  {'module':<{w}}  {'attempts':>8}  {'best':>5}  {'latest':>6}  {'exam-lens':>9}  {'readiness':>9}")
    for v in views:
        if not v.attempts:
            lines.append(f"  {v.module:<{w}}  {'-':>8}  not started")
            continue
        latest_exam = [q for q, r in v.exam.items()]
        right = sum(1 for q in latest_exam if v.exam[q] and v.exam[q][-1])
        exam = f"{right}/{len(latest_exam)}" if latest_exam else "-"
        ready = f"{v.readiness:.0f}%" + (" ready" if v.ready else "")
        lines.append(f"  {v.module:<{w}}  {len(v.attempts):>8}  {_pct(v.best):>5}  {_pct(v.latest):>6}  {exam:>9}  {ready:>9}")
    for v in views:
        if not v.attempts:
            continue
        lines += ["", f"{v.module}: {len(v.attempts)} attempt(s), latest {v.attempts[-1].get('graded_at', '?')}"]
        ew = max(len(e.id) for e in v.exercises) if v.exercises else 10
        for e in v.exercises:
            flag = "  not started" if e.not_started else ("  <-" if (e.latest or 0) < e.max_score else "")
            lines.append(f"  {e.id:<{ew}}  best {_pts(e.best, e.max_score):>7}  latest {_pts(e.latest, e.max_score):>7}{flag}")
        written = written_line(v.module)
        if written:
            lines.append("  " + written)
        if v.exam:
            lines.append("  exam-lens over attempts: " + "  ".join(f"{q} {_marks(r)}" for q, r in v.exam.items()))
        if v.open_misconceptions:
            lines.append("  still open in your latest attempt:")
            for m in v.open_misconceptions:
                where = f' -> reread "{m["section"]}"' if m["section"] else ""
                lines.append(f"    {m['id']}: {m['sentence'][:160]}{where}")
    lines += ["", f"readiness = 0.6 x coding points + 0.4 x exam-lens questions right, latest attempt; "
              f"ready from {READY_AT:.0f}% with every exercise started."]
    return "\n".join(lines)


def figure(views: list[ModuleView]):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    for v in views:
        if v.percents:
            ax.plot(range(1, len(v.percents) + 1), v.percents, marker="o", label=v.module[:2] + " " + v.module[3:].replace("_", " "))
    ax.set_title("Automatic score over your attempts, per module")
    ax.set_xlabel("attempt (course grade run)")
    ax.set_ylabel("score (% of automatic points)")
    ax.set_ylim(-5, 105)
    ax.grid(alpha=0.3)
    if any(v.percents for v in views):
        ax.legend(fontsize=8, loc="lower right")
        ax.xaxis.get_major_locator().set_params(integer=True)
    return fig


def format_html(views: list[ModuleView], source: Path | None = None) -> str:
    parts = ["<h1>Your progress</h1>",
             f'<p class="muted">From your history of <code>course grade</code> runs{" (" + esc(source) + ")" if source else ""}. '
             "Re-run <code>course progress</code> after grading to refresh this page.</p>",
             "<table><tr><th>module</th><th class=num>attempts</th><th class=num>best</th><th class=num>latest</th>"
             "<th class=num>exam-lens (latest)</th><th class=num>exam readiness</th></tr>"]
    for v in views:
        if not v.attempts:
            parts.append(f'<tr><td>{esc(v.module)}</td><td class=num>-</td><td colspan=4 class="muted">not started</td></tr>')
            continue
        right = sum(1 for r in v.exam.values() if r and r[-1])
        cls = "ok" if v.ready else "warn"
        parts.append(f"<tr><td><a href='#{esc(v.module)}'>{esc(v.module)}</a></td><td class=num>{len(v.attempts)}</td>"
                     f"<td class=num>{_pct(v.best)}</td><td class=num>{_pct(v.latest)}</td>"
                     f"<td class=num>{right}/{len(v.exam) if v.exam else '-'}</td><td class='num {cls}'>{v.readiness:.0f}%</td></tr>")
    parts.append("</table>")
    parts.append(f'<p class="muted">Exam readiness = 0.6 &times; share of the coding points + 0.4 &times; share of exam-lens '
                 f"questions right, both from the latest attempt; green (ready) from {READY_AT:.0f}% with every exercise started.</p>")
    parts.append(img(figure(views), "score over attempts per module"))
    for v in views:
        if not v.attempts:
            continue
        parts.append(f"<h2 id='{esc(v.module)}'>{esc(v.module)}</h2><p class=muted>{len(v.attempts)} attempt(s); latest "
                     f"{esc(v.attempts[-1].get('graded_at', '?'))}</p>")
        parts.append("<table><tr><th>exercise</th><th class=num>best</th><th class=num>latest</th><th></th></tr>")
        for e in v.exercises:
            state = "<span class=warn>not started</span>" if e.not_started else ("" if (e.latest or 0) >= e.max_score else "<span class=warn>points lost</span>")
            parts.append(f"<tr><td>{esc(e.id)}</td><td class=num>{_pts(e.best, e.max_score)}</td><td class=num>{_pts(e.latest, e.max_score)}</td><td>{state}</td></tr>")
        parts.append("</table>")
        written = written_line(v.module)
        if written:
            parts.append(f"<p>{esc(written)}</p>")
        if v.exam:
            parts.append("<p>Exam-lens questions over attempts (oldest first): " +
                         ", ".join(f"<b>{esc(q)}</b> {_marks(r)}" for q, r in v.exam.items()) + "</p>")
        if v.open_misconceptions:
            parts.append("<div class=box><b>Still open in your latest attempt</b><ul>")
            for m in v.open_misconceptions:
                where = f" &mdash; reread <i>{esc(m['section'])}</i>" if m["section"] else ""
                parts.append(f"<li><code>{esc(m['id'])}</code>: {esc(m['sentence'])}{where}</li>")
            parts.append("</ul></div>")
    return page("Course progress", "\n".join(parts))


def run(history: Path | None = None, html_to: Path | None = None, modules: list[str] | None = None) -> tuple[str, Path]:
    """(the text view, the HTML file written). Raises DamagedHistory for a damaged history."""
    source = Path(history) if history else history_path()
    views = build(read_history(source), modules)
    out = Path(html_to) if html_to else paths.WORK / "progress.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format_html(views, source), encoding="utf-8")
    return format_text(views, source), out
