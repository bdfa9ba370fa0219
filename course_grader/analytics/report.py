"""``course report``: the instructor's cohort report from the gradebook and the checks files.

Reads nbgrader's gradebook (``sqlite:///<course-dir>/gradebook.db`` by default, or any
``--db-url`` nbgrader's Gradebook accepts, e.g. PostgreSQL) and every
``autograded/<student>/<assignment>/<notebook>.checks.json`` through
:func:`course_grader.results.read_results`, and writes into ``--out`` (default
``<course-dir>/reports``):

* ``report.html``: one self-contained page (figures are base64 PNG, no network): score
  distribution per assignment; pass rate per exercise and per check; the most frequent
  misconceptions with counts and learners affected; item difficulty and discrimination;
  exam-lens answer distributions; learners at risk;
* ``exercises/<assignment>__<exercise>.csv``: ``student_id,score,max_score`` per exercise
  (manual cells too) for an LMS gradebook import.

Definitions: an exercise is PASSED by a learner with full marks on it. Difficulty is the mean
share of the exercise's points earned (high = easy). Discrimination is the point-biserial
correlation between passing the exercise (0/1) and the rest of the learner's automatic score in
that assignment (total minus this exercise); an exercise is flagged when it is below
``DISCRIMINATION_MIN`` or undefined (everyone passed or everyone failed). A learner is at risk
when a released assignment has no submission, or when a submitted assignment scored below
``LOW_SCORE`` percent of its automatic points.

Bad input raises a CourseError (one line, nothing written): a database that cannot be opened,
one that is not an nbgrader gradebook, one from another course, an empty one.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from course import paths
from course.paths import CourseError
from ..results import read_results
from .figures import esc, img, page, table
from .misconceptions import EXAM_FUNCTION, section_for

DISCRIMINATION_MIN = 0.2
LOW_SCORE = 50.0
EXAM_CELL = f"test_{EXAM_FUNCTION}"


# ----------------------------------------------------------------------------- reading
def _preflight(db_url: str) -> str:
    """Check the database without changing it; returns the course id to open it with."""
    import sqlalchemy as sa

    if db_url.startswith("sqlite:///"):
        file = Path(db_url[len("sqlite:///"):])
        if not file.is_file():
            raise CourseError(f"no gradebook at {file}: give the course folder (--course-dir) or --db-url.")
    try:
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if not {"assignment", "course", "submitted_assignment", "grade_cells"} <= tables:
                raise CourseError(f"{_safe(db_url)} is not an nbgrader gradebook (no assignment/submission tables).")
            rows = conn.execute(sa.text("SELECT name, course_id FROM assignment")).fetchall()
            n_sub = conn.execute(sa.text("SELECT COUNT(*) FROM submitted_assignment")).scalar()
    except CourseError:
        raise
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CourseError(f"cannot open the gradebook {_safe(db_url)}: {first}") from None
    finally:
        try:
            engine.dispose()
        except Exception:
            pass
    if not rows:
        raise CourseError(f"the gradebook {_safe(db_url)} is empty: it has no assignments yet (run nbgrader generate_assignment and autograde first).")
    ours = [(name, cid) for name, cid in rows if name in paths.MODULES]
    if not ours:
        names = ", ".join(sorted({r[0] for r in rows})[:5])
        raise CourseError(f"the gradebook {_safe(db_url)} belongs to another course (course {rows[0][1]!r}, assignments {names}); "
                          f"this course's assignments are {paths.MODULES[0]}, ...")
    if not n_sub:
        raise CourseError(f"the gradebook {_safe(db_url)} is empty: no submissions have been autograded yet.")
    return ours[0][1]


def _safe(db_url: str) -> str:
    """The URL without a password."""
    import re

    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", db_url)


def load(db_url: str, course_dir: Path) -> dict:
    """DataFrames: grades, checks, misconceptions, exam, plus the assignment/student lists."""
    from nbgrader.api import (Assignment, Grade, GradeCell, Gradebook, Notebook, SubmittedAssignment,
                              SubmittedNotebook)

    course_id = _preflight(db_url)
    checks, mis, exam = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(db_url, course_id=course_id) as gb:
            assignments = sorted((a.name for a in gb.assignments if a.name in paths.MODULES), key=paths.MODULES.index)
            students = sorted(s.id for s in gb.students)
            # one query for every grade (the ORM's per-object loading takes minutes on a cohort)
            rows = (gb.db.query(SubmittedAssignment.student_id, Assignment.name, Notebook.name, GradeCell.name,
                                GradeCell.cell_type, Grade.auto_score, Grade.manual_score, Grade.extra_credit, GradeCell.max_score)
                    .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                    .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
                    .join(GradeCell, Grade.cell_id == GradeCell.id)
                    .join(Notebook, GradeCell.notebook_id == Notebook.id)
                    .join(Assignment, Notebook.assignment_id == Assignment.id)
                    .filter(Assignment.course_id == course_id).all())
    grades = []
    for student, a, nb, cell, ctype, auto, manual, extra, mx in rows:
        if a not in paths.MODULES:
            continue
        base = manual if manual is not None else auto
        score = None if base is None else float(base) + float(extra or 0)
        grades.append((student, a, nb, cell, "manual" if ctype == "markdown" else "auto", score, float(mx)))
    for student, a, nb in sorted({(g[0], g[1], g[2]) for g in grades}):
        record = read_results(Path(course_dir) / "autograded" / student / a / f"{nb}.checks.json")
        if record is None:
            continue
        for gid, cell in (record.get("cells") or {}).items():
            for q in cell.get("exam") or []:
                exam.append((student, a, q["question"], q["answered"], q["answer"], bool(q["correct"])))
            for ex in cell.get("exercises") or []:
                for chk in ex.get("checks") or []:
                    checks.append((student, a, gid, ex.get("name"), chk.get("label"), bool(chk.get("passed")), float(chk.get("weight") or 1)))
                    for m in chk.get("misconceptions") or []:
                        mis.append((student, a, ex.get("name"), m["id"], m.get("sentence", "")))
    if not grades:
        raise CourseError(f"the gradebook {_safe(db_url)} is empty: no graded submissions of this course's assignments.")
    return {
        "assignments": assignments,
        "students": students,
        "grades": pd.DataFrame(grades, columns=["student", "assignment", "notebook", "cell", "kind", "score", "max_score"]),
        "checks": pd.DataFrame(checks, columns=["student", "assignment", "cell", "exercise", "check", "passed", "weight"]),
        "misconceptions": pd.DataFrame(mis, columns=["student", "assignment", "function", "id", "sentence"]),
        "exam": pd.DataFrame(exam, columns=["student", "assignment", "question", "answered", "answer", "correct"]),
    }


# ----------------------------------------------------------------------------- analysis
def totals(data: dict) -> pd.DataFrame:
    """Automatic score per (student, assignment), in points and percent."""
    g = data["grades"]
    auto = g[g.kind == "auto"]
    t = auto.groupby(["student", "assignment"]).agg(score=("score", lambda s: s.fillna(0).sum()), max_score=("max_score", "sum")).reset_index()
    t["percent"] = 100.0 * t.score / t.max_score.where(t.max_score > 0, 1)
    return t


def exercise_stats(data: dict) -> pd.DataFrame:
    """Per auto exercise: learners, pass rate, difficulty, point-biserial discrimination, flag."""
    g = data["grades"]
    auto = g[g.kind == "auto"].copy()
    auto["score"] = auto.score.fillna(0)
    auto["passed"] = auto.score >= auto.max_score - 1e-9
    total = auto.groupby(["student", "assignment"]).score.sum().rename("total")
    auto = auto.join(total, on=["student", "assignment"])
    auto["rest"] = auto.total - auto.score
    rows = []
    for (a, cell), grp in auto.groupby(["assignment", "cell"], sort=False):
        x, y = grp.passed.astype(float).to_numpy(), grp.rest.to_numpy()
        r = float(np.corrcoef(x, y)[0, 1]) if len(grp) > 2 and x.std() > 0 and y.std() > 0 else float("nan")
        rows.append({"assignment": a, "exercise": cell, "learners": len(grp), "pass_rate": float(grp.passed.mean()),
                     "difficulty": float((grp.score / grp.max_score).mean()), "discrimination": r,
                     "flag": "does not separate" if not (r >= DISCRIMINATION_MIN) else ""})
    out = pd.DataFrame(rows)
    if len(out):
        out["order"] = out.assignment.map(paths.MODULES.index)
        out = out.sort_values(["order"], kind="stable").drop(columns="order")
    return out


def check_stats(data: dict) -> pd.DataFrame:
    c = data["checks"]
    if c.empty:
        return pd.DataFrame(columns=["assignment", "exercise", "check", "learners", "pass_rate"])
    out = c.groupby(["assignment", "exercise", "check"], sort=False).agg(learners=("student", "nunique"), pass_rate=("passed", "mean")).reset_index()
    return out


def misconception_stats(data: dict) -> pd.DataFrame:
    m = data["misconceptions"]
    if m.empty:
        return pd.DataFrame(columns=["id", "assignment", "learners", "checks_failed", "sentence", "section"])
    out = m.groupby(["assignment", "function", "id"], sort=False).agg(
        learners=("student", "nunique"), checks_failed=("student", "size"), sentence=("sentence", "first")).reset_index()
    out["section"] = [section_for(a, f) or "" for a, f in zip(out.assignment, out.function)]
    out = out.sort_values(["learners", "checks_failed", "id"], ascending=[False, False, True]).drop(columns="function")
    return out[["id", "assignment", "learners", "checks_failed", "sentence", "section"]].reset_index(drop=True)


def exam_stats(data: dict, tot: pd.DataFrame) -> pd.DataFrame:
    """Per question and letter: learners who chose it, whether it is the key, and their mean
    percent on the assignment (do strong or weak learners pick this distractor?)."""
    e = data["exam"]
    if e.empty:
        return pd.DataFrame(columns=["assignment", "question", "answered", "key", "learners", "share", "mean_percent"])
    e = e.merge(tot[["student", "assignment", "percent"]], on=["student", "assignment"], how="left")
    out = e.groupby(["assignment", "question", "answered"], sort=False).agg(
        learners=("student", "nunique"), key=("answer", "first"), mean_percent=("percent", "mean")).reset_index()
    n = e.groupby(["assignment", "question"]).student.nunique().rename("n")
    out = out.join(n, on=["assignment", "question"])
    out["share"] = out.learners / out.n
    out["key"] = np.where(out.answered == out.key, "correct", "distractor")
    out = out.sort_values(["assignment", "question", "answered"])
    return out[["assignment", "question", "answered", "key", "learners", "share", "mean_percent"]].reset_index(drop=True)


def at_risk(data: dict, tot: pd.DataFrame) -> pd.DataFrame:
    rows = []
    submitted = {(s, a) for s, a in zip(tot.student, tot.assignment)}
    pct = {(s, a): p for s, a, p in zip(tot.student, tot.assignment, tot.percent)}
    for s in data["students"]:
        missing = [a for a in data["assignments"] if (s, a) not in submitted]
        low = [a for a in data["assignments"] if (s, a) in pct and pct[(s, a)] < LOW_SCORE]
        if missing or low:
            mine = [pct[(s, a)] for a in data["assignments"] if (s, a) in pct]
            rows.append({"student": s, "submitted": f"{len(mine)}/{len(data['assignments'])}",
                         "missing": ", ".join(a[:2] for a in missing), "low (<%g%%)" % LOW_SCORE: ", ".join(f"{a[:2]} ({pct[(s, a)]:.0f}%)" for a in low),
                         "mean_percent": float(np.mean(mine)) if mine else float("nan")})
    out = pd.DataFrame(rows)
    if len(out):
        out = out.sort_values(["mean_percent", "student"], na_position="first").reset_index(drop=True)
    return out


# ----------------------------------------------------------------------------- figures
def _short(a: str) -> str:
    return a[:2] + " " + a[3:].replace("_", " ")


def fig_scores(tot: pd.DataFrame, assignments: list[str]):
    import matplotlib.pyplot as plt

    n = len(assignments)
    cols = min(4, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.5 * rows), squeeze=False, sharey=True)
    for ax, a in zip(axes.flat, assignments):
        ax.hist(tot[tot.assignment == a].percent, bins=np.linspace(0, 100, 11), color="#4a78c2", edgecolor="white")
        ax.set_title(_short(a)[:30], fontsize=9)
        ax.set_xlabel("automatic score (%)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("learners", fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Score distribution per assignment")
    fig.tight_layout()
    return fig


def fig_pass_rates(ex: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, max(3, 0.22 * len(ex))))
    labels = [f"{a[:2]} {e.removeprefix('test_')}" for a, e in zip(ex.assignment, ex.exercise)]
    colors = ["#c0392b" if f else "#4a78c2" for f in ex.flag]
    ax.barh(range(len(ex)), 100 * ex.pass_rate, color=colors)
    ax.set_yticks(range(len(ex)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("learners with full marks (%)")
    ax.set_xlim(0, 100)
    ax.set_title("Pass rate per exercise (red: flagged for low discrimination)")
    fig.tight_layout()
    return fig


def fig_misconceptions(ms: pd.DataFrame, top: int = 15):
    import matplotlib.pyplot as plt

    head = ms.head(top)
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.3 * len(head))))
    ax.barh(range(len(head)), head.learners, color="#d35400")
    ax.set_yticks(range(len(head)), [f"{a[:2]} {i}" for a, i in zip(head.assignment, head.id)], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("learners whose feedback named it")
    ax.set_title(f"The {len(head)} most frequent misconceptions")
    fig.tight_layout()
    return fig


def fig_items(ex: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    d = ex.dropna(subset=["discrimination"])
    ax.scatter(d.difficulty, d.discrimination, c=["#c0392b" if f else "#4a78c2" for f in d.flag], s=25)
    for _, r in d[d.flag != ""].iterrows():
        ax.annotate(f"{r.assignment[:2]} {r.exercise.removeprefix('test_')}", (r.difficulty, r.discrimination), fontsize=6)
    ax.axhline(DISCRIMINATION_MIN, color="grey", ls="--", lw=1)
    ax.set_xlabel("difficulty (mean share of points earned; 1 = everyone right)")
    ax.set_ylabel("discrimination (point-biserial r with rest of score)")
    ax.set_title("Item analysis: exercises below the dashed line do not separate strong from weak learners")
    fig.tight_layout()
    return fig


def fig_exam(es: pd.DataFrame, assignment: str):
    import matplotlib.pyplot as plt

    e = es[es.assignment == assignment]
    qs = list(dict.fromkeys(e.question))
    letters = sorted(set(e.answered))
    fig, ax = plt.subplots(figsize=(max(4, 0.9 * len(qs) + 2), 2.8))
    bottom = np.zeros(len(qs))
    palette = {"A": "#4a78c2", "B": "#e67e22", "C": "#27ae60", "D": "#8e44ad", "E": "#7f8c8d"}
    for L in letters:
        vals = np.array([float(e[(e.question == q) & (e.answered == L)].share.sum()) for q in qs])
        ax.bar(qs, 100 * vals, bottom=100 * bottom, label=L, color=palette.get(L, "#95a5a6"))
        bottom += vals
    for i, q in enumerate(qs):
        key = e[(e.question == q) & (e.key == "correct")].answered
        if len(key):
            ax.text(i, 101, f"key {key.iloc[0]}", ha="center", fontsize=7)
    ax.set_ylim(0, 110)
    ax.set_ylabel("learners (%)")
    ax.set_title(f"Exam-lens answers: {_short(assignment)}", fontsize=9)
    ax.legend(fontsize=7, ncol=len(letters), loc="lower right")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- output
def write_csvs(data: dict, out: Path) -> list[Path]:
    folder = out / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    g = data["grades"]
    for (a, cell), grp in g.groupby(["assignment", "cell"], sort=False):
        path = folder / f"{a}__{cell}.csv"
        grp[["student", "score", "max_score"]].rename(columns={"student": "student_id"}).sort_values("student_id").to_csv(path, index=False)
        written.append(path)
    return written


def render(data: dict, tot, ex, cs, ms, es, risk, seconds_loading: float) -> str:
    a_list = data["assignments"]
    n_sub = len(tot)
    parts = [f"<h1>Cohort report</h1><p class=muted>{len(data['students'])} learners, {len(a_list)} assignments, {n_sub} "
             f"autograded submissions; generated {time.strftime('%Y-%m-%d %H:%M')}. Definitions at the end.</p>"]
    summary = tot.groupby("assignment", sort=False).percent.agg(["count", "mean", "median", "std", "min", "max"]).reindex(a_list).reset_index()
    summary.columns = ["assignment", "submissions", "mean %", "median %", "std", "min %", "max %"]
    parts += ["<h2>Score distribution per assignment</h2>", img(fig_scores(tot, a_list), "score histograms"), table(summary)]
    parts += ["<h2>Pass rate per exercise</h2>", img(fig_pass_rates(ex), "pass rate per exercise"),
              table(ex.rename(columns={"pass_rate": "pass rate"}))]
    worst = cs.sort_values("pass_rate").head(25)
    parts += ["<h2>Pass rate per check</h2><p>The 25 checks passed least often (all checks below).</p>", table(worst),
              f"<details><summary>All {len(cs)} checks</summary>{table(cs)}</details>"]
    parts += ["<h2>Most frequent misconceptions</h2><p>Counted from the failed checks' feedback: <i>learners</i> whose feedback named "
              "the misconception, <i>checks_failed</i> in total. One failed check may name two misconceptions that give the same "
              "wrong value; <code>.other</code> is a failure no known mistake explains.</p>"]
    if len(ms):
        parts += [img(fig_misconceptions(ms[~ms.id.str.endswith(".other")]), "misconceptions"), table(ms.head(40)),
                  f"<details><summary>All {len(ms)}</summary>{table(ms)}</details>"]
    flagged = ex[ex.flag != ""]
    parts += ["<h2>Item difficulty and discrimination</h2>", img(fig_items(ex), "item analysis"),
              f"<p>{len(flagged)} exercise(s) flagged (discrimination below {DISCRIMINATION_MIN} or undefined):</p>", table(flagged)]
    parts.append("<h2>Exam-lens answers</h2><p><i>mean_percent</i>: the mean assignment score of the learners who chose that letter; "
                 "a distractor chosen by learners with high scores points at a question (or a lesson) to revisit.</p>")
    for a in a_list:
        if (es.assignment == a).any():
            parts += [f"<h3>{esc(a)}</h3>", img(fig_exam(es, a), f"exam answers {a}"), table(es[es.assignment == a])]
    parts += [f"<h2>Learners at risk ({len(risk)})</h2><p>A missing submission, or an automatic score below {LOW_SCORE:g}% on a submitted assignment.</p>",
              table(risk) if len(risk) else "<p>None.</p>"]
    parts.append("<h2>Definitions</h2><ul><li><b>pass</b>: full marks on the exercise.</li><li><b>difficulty</b>: mean share of the "
                 "exercise's points earned (1 = everyone right).</li><li><b>discrimination</b>: point-biserial correlation between "
                 "passing the exercise and the rest of the learner's automatic score in the assignment; flagged below "
                 f"{DISCRIMINATION_MIN}.</li><li>Per-exercise CSV files for an LMS are in <code>exercises/</code> beside this page.</li></ul>")
    parts.append(f"<p class=muted>Read the gradebook and checks files in {seconds_loading:.1f} s.</p>")
    return page("Cohort report", "\n".join(parts))


def run(db_url: str | None = None, course_dir: str | Path = ".", out: str | Path | None = None) -> Path:
    """Write report.html and exercises/*.csv; returns the output folder."""
    course_dir = Path(course_dir)
    db_url = db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    t = time.perf_counter()
    data = load(db_url, course_dir)
    loading = time.perf_counter() - t
    tot = totals(data)
    ex, cs, ms = exercise_stats(data), check_stats(data), misconception_stats(data)
    es, risk = exam_stats(data, tot), at_risk(data, tot)
    out = Path(out) if out else course_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    write_csvs(data, out)
    html = render(data, tot, ex, cs, ms, es, risk, loading)
    (out / "report.html").write_text(html, encoding="utf-8")
    return out
