"""A synthetic cohort for the analytics tests and the report benchmark.

Each learner of each module is a random (seeded) mix of the reference solution and the known
mistakes of ``tests/variants``: a learner's ability ``a`` is drawn once, and each graded function
is wrong with probability ``1 - a`` (then one of its wrong variants, uniformly). Exam answers
are the reference dict or one of the exam variants. A few learners skip modules (at-risk).

Every test cell is scored in-process, ``score_variant``-style (tests/nbrun.py): the learner's
namespace is the reference one with the ONE variant swapped in, and the cell runs in the checker
namespace through the plain-data stand-ins, as at grading time. So a learner's record is the
combination of per-function cell records, each computed once per variant and cached (functions
that call another graded function, e.g. ``precision`` -> ``confusion_counts``, are judged with
the reference version of the other: each mistake is counted where it was made). The record of a
cell has exactly the fields SecureExecute writes (error, value, output, exercises).
"""

from __future__ import annotations

import contextlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course import paths
from course.checks import Exercise
from course_grader.analytics.misconceptions import EXAM_FUNCTION, variant_id
from course_grader.results import write_results
from tests.conftest import variant_modules
from tests.nbrun import base_namespace, checker_for, run_code, source_cells, variant_source
from tests.variants import collect

STUDENT_FMT = "learner{:03d}"


def _seed_all():
    import numpy as np

    random.seed(0)
    np.random.seed(0)
    try:
        import keras

        keras.utils.set_random_seed(0)
    except Exception:
        pass


_CELLS: dict = {}


def cell_record(module: str, test_id: str, variant=None) -> tuple[dict, float]:
    """(the cell's structured record, its nbgrader score) with ``variant`` swapped in."""
    key = (module, test_id, variant.__name__ if variant else None)
    if key in _CELLS:
        return _CELLS[key]
    _, _, tests = source_cells(module)
    src, points = tests[test_id]
    ns = base_namespace(module)
    if variant is not None:
        run_code(variant_source(variant), ns)
    target = checker_for(module, ns)
    Exercise.created.clear()
    buf = io.StringIO()
    value, err = None, None
    _seed_all()
    with contextlib.redirect_stdout(buf):
        try:
            value = run_code(src, target)
        except Exception as exc:  # nbgrader: an error output scores 0
            err = exc
    if err is not None:
        score = 0.0
    elif value is not None:
        try:
            score = float(value)
        except (TypeError, ValueError):
            score = points
    else:
        score = points
    record = {
        "error": None if err is None else f"{type(err).__name__}: {err}"[:2000],
        "output": buf.getvalue(),
        "value": value if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
        "exercises": [
            {"name": ex.name, "points": ex.points, "checks": [
                {"label": label, "weight": weight, "passed": msg is None, "message": msg} for label, weight, msg in ex.results]}
            for ex in Exercise.created
        ],
    }
    Exercise.created.clear()
    _CELLS[key] = (record, score)
    return record, score


@dataclass
class Submission:
    student: str
    module: str
    choices: dict  # graded function -> variant function or None (reference)
    cells: dict = field(default_factory=dict)   # test id -> record
    scores: dict = field(default_factory=dict)  # test id -> score

    @property
    def misconceptions(self) -> set[str]:
        """The ids the generator put in (from the variants chosen, not from the feedback)."""
        return {variant_id(self.module, v.__name__) for f, v in self.choices.items()
                if v is not None and f != EXAM_FUNCTION}


@dataclass
class Cohort:
    modules: list[str]
    students: list[str]
    submissions: dict  # (student, module) -> Submission
    points: dict       # module -> {test id: points}
    manual: dict       # module -> {cell id: points} of written answers


def graded_functions(module: str) -> list[str]:
    _, solutions, tests = source_cells(module)
    return [g for g in solutions if f"test_{g}" in tests]


def generate(modules: list[str] | None = None, n: int = 300, seed: int = 12, per_function: int | None = None,
             missing: float = 0.04) -> Cohort:
    """``n`` learners per module; ``per_function`` limits each function's pool of wrong variants
    (seeded choice) to keep the in-process scoring short."""
    rng = random.Random(seed)
    variants = dict(variant_modules())
    modules = modules or list(variants)
    students = [STUDENT_FMT.format(i) for i in range(n)]
    ability = {s: rng.betavariate(4, 2) for s in students}
    subs, points, manual = {}, {}, {}
    for module in modules:
        _, _, tests = source_cells(module)
        points[module] = {t: p for t, (_, p) in tests.items()}
        manual[module] = _manual_cells(module)
        pools = {}
        for f in graded_functions(module):
            wrong = [v for v in collect(variants[module], "wrong") if v.__name__.split("__")[0] == f]
            wrong.sort(key=lambda v: v.__name__)
            if per_function is not None and len(wrong) > per_function:
                wrong = rng.sample(wrong, per_function)
            pools[f] = wrong
        for s in students:
            if rng.random() < missing * (2 - 2 * ability[s]) * 2:
                continue  # no submission for this module
            choices = {f: (rng.choice(pool) if pool and rng.random() > ability[s] else None) for f, pool in pools.items()}
            sub = Submission(s, module, choices)
            for f, v in choices.items():
                sub.cells[f"test_{f}"], sub.scores[f"test_{f}"] = cell_record(module, f"test_{f}", v)
            subs[(s, module)] = sub
    return Cohort(modules, students, subs, points, manual)


def _manual_cells(module: str) -> dict:
    nb = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown"}


def write_course(cohort: Cohort, root: Path, real: dict | None = None) -> Path:
    """A course folder: ``gradebook.db`` (nbgrader's Gradebook API) and
    ``autograded/<student>/<module>/<module>.checks.json`` for every submission. ``real`` maps
    (student, module) to a GradeResult from the real grader, used instead of the in-process record."""
    from nbgrader.api import Grade, Gradebook, SubmittedAssignment, SubmittedNotebook

    root.mkdir(parents=True, exist_ok=True)
    real = real or {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=paths.COURSE_ID) as gb:
        for module in cohort.modules:
            gb.add_assignment(module)
            gb.add_notebook(module, module)
            for t, p in cohort.points[module].items():
                gb.add_grade_cell(t, module, module, max_score=p, cell_type="code")
            for t, p in cohort.manual[module].items():
                gb.add_grade_cell(t, module, module, max_score=p, cell_type="markdown")
        for s in cohort.students:
            gb.add_student(s)
        # nbgrader's add_submission commits once per submission (minutes for a cohort): add the
        # same ORM rows in bulk, as autograde leaves them (auto scores set, written answers pending)
        assignments = {m: gb.find_assignment(m) for m in cohort.modules}
        students = {s.id: s for s in gb.students}
        with gb.db.no_autoflush:
            for (s, module), sub in sorted(cohort.submissions.items()):
                scores = sub.scores
                cells = sub.cells
                if (s, module) in real:
                    result = real[(s, module)]
                    cells = result.checks
                    scores = {e.id: e.score for e in result.exercises if e.kind == "auto"}
                a = assignments[module]
                sa = SubmittedAssignment(assignment=a, student=students[s])
                for nb in a.notebooks:
                    sn = SubmittedNotebook(assignment=sa, notebook=nb)
                    for gc in nb.grade_cells:
                        auto = gc.cell_type == "code"
                        Grade(notebook=sn, cell=gc, auto_score=float(scores.get(gc.name, 0.0)) if auto else None,
                              needs_manual_grade=not auto)
                gb.db.add(sa)
                out = root / "autograded" / s / module
                out.mkdir(parents=True, exist_ok=True)
                write_results(out / f"{module}.checks.json", {"assignment": module, "notebook": module, "student": s,
                                                              "faults": [], "cells": cells})
        gb.db.commit()
    return root


# ----------------------------------------------------------------------------- one learner's runs
NOT_STARTED = "not started"
_STUBS: dict = {}


def _stub(function: str):
    """``<function>__stub`` raising NotImplementedError, as the release's answer cell does."""
    if function not in _STUBS:
        import importlib.util
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="course-stub-")) / f"stub_{function}.py"
        path.write_text(f"def {function}__stub(*args, **kwargs):\n    raise NotImplementedError\n")
        spec = importlib.util.spec_from_file_location(f"stub_{function}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _STUBS[function] = getattr(mod, f"{function}__stub")
    return _STUBS[function]


def synthetic_attempt(module: str, choices: dict):
    """A GradeResult as ``grade_notebook`` returns it, scored in-process: ``choices`` maps a graded
    function to a variant, ``None`` (reference) or ``NOT_STARTED``; unnamed functions are the reference."""
    import json

    from course_grader.grading import ExerciseScore, GradeResult
    from course_grader.results import annotate

    cells, exercises = {}, []
    for f in graded_functions(module):
        v = choices.get(f)
        if v is NOT_STARTED:
            v = _stub(f)
        rec, score = cell_record(module, f"test_{f}", v)
        cells[f"test_{f}"] = annotate({"assignment": module, "cells": {"x": json.loads(json.dumps(rec))}})["cells"]["x"]
        exercises.append(ExerciseScore(f"test_{f}", score, source_cells(module)[2][f"test_{f}"][1], "auto"))
    manual = sum(_manual_cells(module).values())
    auto_max = sum(e.max_score for e in exercises)
    exercises += [ExerciseScore(t, None, p, "manual") for t, p in _manual_cells(module).items()]
    return GradeResult(module, f"work/{module}/{module}.ipynb", sum(e.score or 0 for e in exercises), auto_max + manual,
                       auto_max, exercises, checks=cells)
