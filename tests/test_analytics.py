"""Learning analytics: misconception catalog, structured records (format 2), the learner's
progress view and the instructor's cohort report, checked against a generated cohort whose
mistakes are known (tests/cohort.py). In-process except one real-grader submission."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from course import paths
from course.paths import CourseError
from course_grader.analytics import history, misconceptions, progress, report
from course_grader.results import annotate, read_results
from tests.cohort import NOT_STARTED, cell_record, generate, synthetic_attempt, write_course
from tests.conftest import variant_modules
from tests.variants import collect

M03, M07 = "03_classification_metrics", "07_monitoring_skew_drift"
COHORT_MODULES = list(paths.MODULES)
VARIANTS = dict(variant_modules())


@pytest.fixture(autouse=True)
def _private_history(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "home"))


# ----------------------------------------------------------------------------- catalog
def test_catalog_is_in_sync_with_the_variants():
    stored = json.loads(misconceptions.CATALOG_PATH.read_text())["modules"]
    assert stored == misconceptions.build_catalog(), (
        "misconceptions.json is out of date: run python -m course_grader.analytics.misconceptions --write")


def test_every_known_wrong_variant_has_a_stable_id():
    for module, mod in variant_modules():
        for fn in collect(mod, "wrong"):
            function = fn.__name__.split("__")[0]
            if function == misconceptions.EXAM_FUNCTION:
                continue
            mid = misconceptions.variant_id(module, fn.__name__)
            assert mid and mid.startswith(function + "."), fn.__name__
            assert misconceptions.catalog()[module][mid]["fragment"] == fn.feedback_fragment


@pytest.mark.parametrize("module", [M03, M07])
def test_feedback_of_each_known_mistake_names_its_id(module):
    """Scored in-process, every wrong variant's failed checks name the variant's own id."""
    for fn in collect(VARIANTS[module], "wrong"):
        function = fn.__name__.split("__")[0]
        if function == misconceptions.EXAM_FUNCTION:
            continue
        record, score = cell_record(module, f"test_{function}", fn)
        rec = annotate({"assignment": module, "cells": {"c": json.loads(json.dumps(record))}})
        ids = {m["id"] for ex in rec["cells"]["c"]["exercises"] for c in ex["checks"] for m in c["misconceptions"]}
        assert misconceptions.variant_id(module, fn.__name__) in ids, (fn.__name__, ids)


def test_classify_keeps_message_order_and_the_longer_of_nested_fragments(monkeypatch):
    fake = {"m": {"f.short": {"function": "f", "fragment": "JS DISTANCE", "variants": []},
                  "f.long": {"function": "f", "fragment": "JS DISTANCEs", "variants": []},
                  "f.first": {"function": "f", "fragment": "natural log", "variants": []},
                  "g.elsewhere": {"function": "g", "fragment": "natural log", "variants": []}}}
    monkeypatch.setattr(misconceptions, "catalog", lambda: fake)
    found = misconceptions.classify_all("m", "f", "Either: you used the natural log. / You summed JS distances here.")
    assert [m["id"] for m in found] == ["f.first", "f.long"]
    assert found[1]["sentence"] == "You summed JS distances here."
    assert misconceptions.classify("m", "f", "Only a JS DISTANCE.")["id"] == "f.short"
    assert misconceptions.classify("m", "f", "something nobody predicted")["id"] == "f.other"
    assert misconceptions.classify("m", "f", None) is None


def test_sections_point_at_the_teaching_heading():
    assert misconceptions.section_for(M03, "precision").startswith("2. Precision, recall")
    assert misconceptions.section_for(M03, "roc_auc").startswith("4. ROC curve")


def test_format_1_records_are_read_as_format_2(tmp_path):
    record, _ = cell_record(M03, "test_precision", VARIANTS[M03].precision__is_recall)
    exam, _ = cell_record(M03, "test_exam_answers", VARIANTS[M03].exam_answers__metric_confusion)
    old = {"format": 1, "assignment": M03, "notebook": M03, "student": "s", "faults": [],
           "cells": {"test_precision": {k: v for k, v in record.items() if k != "output"},
                     "test_exam_answers": {k: v for k, v in exam.items() if k != "output"}}}
    for cell in old["cells"].values():
        for ex in cell["exercises"]:
            for c in ex["checks"]:
                c.pop("misconceptions", None)
    (tmp_path / f"{M03}.checks.json").write_text(json.dumps(old))
    nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "test_exam_answers"}},
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": exam["output"]}], "source": ""}]}
    (tmp_path / f"{M03}.ipynb").write_text(json.dumps(nb))
    got = read_results(tmp_path / f"{M03}.ipynb")
    assert got["format"] == 2
    ids = {m["id"] for ex in got["cells"]["test_precision"]["exercises"] for c in ex["checks"] for m in c["misconceptions"]}
    assert "precision.is_recall" in ids
    answers = {q["question"]: q["answered"] for q in got["cells"]["test_exam_answers"]["exam"]}
    assert answers == VARIANTS[M03].exam_answers__metric_confusion()


# ----------------------------------------------------------------------------- progress
def test_progress_best_latest_and_open_misconceptions(tmp_path):
    V = VARIANTS[M03]
    runs = [
        synthetic_attempt(M03, {"precision": V.precision__is_recall, "recall": NOT_STARTED, "exam_answers": V.exam_answers__metric_confusion}),
        synthetic_attempt(M03, {"recall": V.recall__is_precision, "exam_answers": None}),
        synthetic_attempt(M03, {"recall": V.recall__is_precision, "roc_auc": V.roc_auc__hard_labels, "exam_answers": None}),
    ]
    for r in runs:
        history.record_result(r)
    entries = history.read_history()
    assert len(entries) == 3 and history.history_path().parent == tmp_path / "home"
    views = {v.module: v for v in progress.build(entries)}
    v = views[M03]
    pct = [100 * r.score / r.auto_max_score for r in runs]
    assert v.best == pytest.approx(max(pct)) and v.latest == pytest.approx(pct[-1])
    ex = {e.id: e for e in v.exercises}
    assert ex["test_recall"].best == pytest.approx(max(r.exercises[2].score for r in runs))
    assert ex["test_recall"].latest == pytest.approx(runs[-1].exercises[2].score)
    assert ex["test_recall"].latest < ex["test_recall"].max_score
    assert ex["test_precision"].best == ex["test_precision"].max_score == ex["test_precision"].latest
    assert not ex["test_recall"].not_started
    open_ids = {m["id"] for m in v.open_misconceptions}
    assert {"recall.is_precision", "roc_auc.hard_labels"} <= open_ids
    assert "precision.is_recall" not in open_ids, "fixed in a later attempt: not open any more"
    sections = {m["id"]: m["section"] for m in v.open_misconceptions}
    assert sections["roc_auc.hard_labels"].startswith("4. ROC curve")
    # exam: first attempt all wrong except where the variant agrees with the key, then all right
    key = {q: a for q, a in VARIANTS[M03].exam_answers__metric_confusion().items()}
    assert set(v.exam) == set(key)
    assert all(r[1:] == [True, True] for r in v.exam.values())
    right_first = [q for q, r in v.exam.items() if r[0]]
    assert len(right_first) < len(key)
    # readiness: 0.6 coding share + 0.4 exam share, latest attempt
    coding = [e for e in runs[-1].exercises if e.kind == "auto" and e.id != "test_exam_answers"]
    expect = 100 * (0.6 * sum(e.score for e in coding) / sum(e.max_score for e in coding) + 0.4 * 1.0)
    assert v.readiness == pytest.approx(expect)
    # never-graded modules are listed as not started
    assert not views[M07].attempts
    text, html_path = progress.run(html_to=tmp_path / "progress.html")
    assert "recall.is_precision" in text and "not started" in text
    page = html_path.read_text()
    assert "data:image/png;base64," in page and "recall.is_precision" in page
    assert not re.search(r"(src|href)=[\"']https?://", page), "the page must work offline"


def test_progress_marks_not_started_exercises(tmp_path):
    history.record_result(synthetic_attempt(M03, {"recall": NOT_STARTED}))
    v = {v.module: v for v in progress.build(history.read_history())}[M03]
    ex = {e.id: e for e in v.exercises}
    assert ex["test_recall"].not_started and ex["test_recall"].latest == 0
    assert not ex["test_precision"].not_started
    assert not any(m["id"].startswith("recall.") for m in v.open_misconceptions)


def test_damaged_history_is_kept_aside_with_a_one_line_message(tmp_path, capsys):
    from course_grader.cli import main

    path = history.history_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 1, "module": "x"\nnot json\n')
    before = path.read_bytes()
    assert main(["progress", "--html", str(tmp_path / "p.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "damaged" in err and "kept as" in err
    aside = list(path.parent.glob("history.jsonl.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == before and not path.exists()
    assert not (tmp_path / "p.html").exists()
    # the next grade starts a new history and never touches the damaged copy
    path.write_text("garbage\n")
    where, warning = history.record_result(synthetic_attempt(M03, {}))
    assert warning and "damaged" in warning
    assert len(history.read_history()) == 1
    assert len(list(path.parent.glob("history.jsonl.damaged-*"))) == 2 and aside[0].read_bytes() == before


# ----------------------------------------------------------------------------- report
@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """300 synthetic learners x every module (in-process), plus one learner graded for real."""
    from tests.nbrun import variant_source
    from tests.submissions import make_submission, write
    from course_grader.grading import grade_notebook

    c = generate(COHORT_MODULES, n=300, per_function=3, seed=7)
    root = tmp_path_factory.mktemp("course")
    # one submission through the real grader: its checks.json and scores replace the in-process ones
    # a learner with a known mistake in a helper and a right feature_alerts (which calls the
    # helpers: a wrong helper AND a wrong feature_alerts give a failure no single variant predicts)
    student = next(s for s in c.students if (s, M07) in c.submissions
                   and c.submissions[(s, M07)].choices.get("feature_alerts") is None
                   and any(v is not None for f, v in c.submissions[(s, M07)].choices.items()))
    sub = c.submissions[(student, M07)]
    overrides = {f: variant_source(v) for f, v in sub.choices.items() if v is not None}
    nb = write(make_submission(M07, overrides), root / "submitted" / f"{M07}.ipynb")
    real = grade_notebook(nb, M07, feedback=False)
    write_course(c, root, real={(student, M07): real})
    return c, root, student, real


def _real_ids(real) -> set[str]:
    """The misconception ids the real grader's record names."""
    return {mm["id"] for cell in real.checks.values() for ex in cell["exercises"] for chk in ex["checks"] for mm in chk["misconceptions"]}


def _expected_counts(c, student, real):
    """Learners per misconception id, from the generator's choices (truth) and from the named ids
    of the records it generated (what the feedback says, one learner may be named two ids); for
    the learner graded for real, the ids its real record names."""
    put_in, named = {}, {}
    for (s, m), sub in c.submissions.items():
        for mid in sub.misconceptions:
            put_in.setdefault((m, mid), set()).add(s)
        if (s, m) == (student, M07):
            for mid in _real_ids(real):
                named.setdefault((m, mid), set()).add(s)
            continue
        for gid, cell in sub.cells.items():
            rec = annotate({"assignment": m, "cells": {"x": json.loads(json.dumps(cell))}})["cells"]["x"]
            for ex in rec["exercises"]:
                for chk in ex["checks"]:
                    for mm in chk["misconceptions"]:
                        named.setdefault((m, mm["id"]), set()).add(s)
    return put_in, named


def test_report_counts_equal_what_the_generator_put_in(cohort, tmp_path):
    c, root, student, real = cohort
    out = report.run(course_dir=root, out=tmp_path / "out")
    data = report.load(f"sqlite:///{root / 'gradebook.db'}", root)
    ms = report.misconception_stats(data)
    got = {(a, i): n for a, i, n in zip(ms.assignment, ms.id, ms.learners)}
    put_in, named = _expected_counts(c, student, real)
    # the real-graded learner's record comes from nbgrader; it names at least the ids put in
    # (more where a wrong helper it calls gives another exercise a mistake of its own)
    real_ids = _real_ids(real)
    assert c.submissions[(student, M07)].misconceptions <= real_ids
    assert got == {k: len(v) for k, v in named.items()}
    # and every misconception the generator put in is counted for exactly those learners
    # (more only where the feedback of another known mistake names it too)
    for (m, mid), learners in put_in.items():
        also = {s for (mm, i), ss in named.items() if (mm, i) == (m, mid) for s in ss}
        assert learners <= also, (m, mid)
        explained = {s for (s2, m2), sub in c.submissions.items() if m2 == m for s in [s2]
                     if (s, m) != (student, M07) and any(mid in _ids_of(m, v) for v in sub.choices.values() if v is not None)}
        if m == M07 and mid in real_ids:
            explained.add(student)
        assert also == explained, (m, mid)
    # pass rate per exercise = share of learners whose chosen function scored full marks
    ex = report.exercise_stats(data)
    for a, cell, rate, n in zip(ex.assignment, ex.exercise, ex.pass_rate, ex.learners):
        subs = [sub for (s, m), sub in c.submissions.items() if m == a]
        full = [sub.scores[cell] >= c.points[a][cell] - 1e-9 for sub in subs]
        if a == M07:
            real_scores = {e.id: e.score for e in real.exercises}
            i = [sub.student for sub in subs].index(student)
            full[i] = real_scores[cell] >= c.points[a][cell] - 1e-9
        assert n == len(subs) and rate == pytest.approx(sum(full) / len(full)), (a, cell)
    # exam answer distribution: each learner's letters are the chosen exam function's answers
    es = report.exam_stats(data, report.totals(data))
    for a in COHORT_MODULES:
        exp = {}
        for (s, m), sub in c.submissions.items():
            if m != a:
                continue
            v = sub.choices.get("exam_answers")
            answers = v() if v is not None else _reference_exam(a)
            for q, letter in answers.items():
                exp[(q.strip().lower(), letter.strip().upper())] = exp.get((q.strip().lower(), letter.strip().upper()), 0) + 1
        got_e = {(q, L): n for m, q, L, n in zip(es.assignment, es.question, es.answered, es.learners) if m == a}
        assert got_e == exp, a
    # at risk: every learner with a missing module is listed
    risk = report.at_risk(data, report.totals(data))
    missing = {s for s in c.students if any((s, m) not in c.submissions for m in COHORT_MODULES)}
    assert missing <= set(risk.student)
    # files: self-contained page, one CSV per exercise with every submission
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 5 and not re.search(r"(src|href)=[\"']https?://", page)
    csv = pd.read_csv(out / "exercises" / f"{M03}__test_precision.csv")
    assert list(csv.columns) == ["student_id", "score", "max_score"]
    assert len(csv) == sum(1 for (s, m) in c.submissions if m == M03)


_ID_CACHE = {}


def _ids_of(module, variant):
    key = (module, variant.__name__)
    if key not in _ID_CACHE:
        f = variant.__name__.split("__")[0]
        rec, _ = cell_record(module, f"test_{f}", variant)
        rec = annotate({"assignment": module, "cells": {"x": json.loads(json.dumps(rec))}})["cells"]["x"]
        _ID_CACHE[key] = {mm["id"] for ex in rec["exercises"] for chk in ex["checks"] for mm in chk["misconceptions"]}
    return _ID_CACHE[key]


def _reference_exam(module):
    from tests.nbrun import base_namespace

    return base_namespace(module)["exam_answers"]()


def test_item_analysis_flags_exercises_that_do_not_discriminate(cohort):
    c, root, *_ = cohort
    data = report.load(f"sqlite:///{root / 'gradebook.db'}", root)
    ex = report.exercise_stats(data)
    g = data["grades"][data["grades"].kind == "auto"].copy()
    a, cell = ex.assignment.iloc[0], ex.exercise.iloc[0]
    sub = g[g.assignment == a]
    tot = sub.groupby("student").score.sum()
    mine = sub[sub.cell == cell].set_index("student").score
    passed = (mine >= c.points[a][cell] - 1e-9).astype(float)
    r = pd.Series(passed).corr(tot[passed.index] - mine)
    assert ex.discrimination.iloc[0] == pytest.approx(r)
    assert ((ex.discrimination < report.DISCRIMINATION_MIN) | ex.discrimination.isna()).sum() == (ex.flag != "").sum()


def _snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_report_bad_inputs_give_one_line_and_change_nothing(tmp_path, cohort, capsys):
    from course_grader.cli import main

    # no gradebook / not a database / empty / another course
    cases = {}
    cases["missing"] = tmp_path / "missing"
    cases["missing"].mkdir()
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "gradebook.db").write_text("this is not sqlite")
    cases["garbage"] = garbage
    from nbgrader.api import Gradebook

    empty = tmp_path / "empty"
    empty.mkdir()
    Gradebook(f"sqlite:///{empty / 'gradebook.db'}", course_id=paths.COURSE_ID).close()
    cases["empty"] = empty
    other = tmp_path / "other"
    other.mkdir()
    with Gradebook(f"sqlite:///{other / 'gradebook.db'}", course_id="intro_to_cooking") as gb:
        gb.add_assignment("ps1")
        gb.add_student("bob")
        gb.add_submission("ps1", "bob")
    cases["other"] = other
    unrelated = tmp_path / "unrelated"
    unrelated.mkdir()
    sqlite3.connect(unrelated / "gradebook.db").execute("CREATE TABLE t (x)").connection.commit()
    cases["unrelated"] = unrelated
    expect = {"missing": "no gradebook", "garbage": "cannot open", "empty": "empty", "other": "another course",
              "unrelated": "not an nbgrader gradebook"}
    for name, folder in cases.items():
        before = _snapshot(folder)
        code = main(["report", "--course-dir", str(folder)])
        err = capsys.readouterr().err.strip()
        assert code == 2, name
        assert len(err.splitlines()) == 1 and expect[name] in err, (name, err)
        assert _snapshot(folder) == before, f"{name}: the folder changed"
    code = main(["report", "--db-url", "postgresql://nobody:secret@127.0.0.1:1/none", "--course-dir", str(tmp_path / "missing")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "cannot open" in err and "secret" not in err


def test_course_grade_appends_to_the_history(monkeypatch, capsys, tmp_path):
    """The CLI wiring: each `course grade` run adds one line (grading itself is replaced here by
    an in-process result; tests/test_autograde.py covers the real grader)."""
    import course_grader.grading as grading
    from course_grader.cli import main

    V = VARIANTS[M03]
    result = synthetic_attempt(M03, {"precision": V.precision__is_recall})
    monkeypatch.setattr(grading, "grade_notebook", lambda *a, **k: result)
    assert main(["grade", "03"]) == 0
    assert main(["grade", "03", "--no-history"]) == 0
    assert main(["grade", "03", "--json"]) == 0
    entries = history.read_history()
    assert len(entries) == 2 and all(e["module"] == M03 for e in entries)
    ids = {m["id"] for c in entries[0]["cells"].values() for ex in c["exercises"] for chk in ex["checks"] for m in chk["misconceptions"]}
    assert "precision.is_recall" in ids
    assert all("output" not in c for c in entries[0]["cells"].values())
    assert main(["progress", "--html", str(tmp_path / "p.html")]) == 0
    out = capsys.readouterr().out
    assert "precision.is_recall" in out and (tmp_path / "p.html").exists()


def test_readiness_is_not_ready_while_an_exercise_is_not_started():
    V = VARIANTS[M03]
    done = progress.module_view(M03, [history.entry_from_result(synthetic_attempt(M03, {}))])
    assert done.readiness == pytest.approx(100.0) and done.ready
    partial = progress.module_view(M03, [history.entry_from_result(synthetic_attempt(M03, {"average_precision": NOT_STARTED}))])
    assert partial.readiness >= progress.READY_AT and not partial.ready
    wrong = progress.module_view(M03, [history.entry_from_result(synthetic_attempt(M03, {"exam_answers": V.exam_answers__metric_confusion}))])
    right = sum(a == b for a, b in zip(V.exam_answers__metric_confusion().values(), _reference_exam(M03).values()))
    assert wrong.readiness == pytest.approx(100 * (0.6 + 0.4 * right / 5))
