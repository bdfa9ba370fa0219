"""The learner package ships no answers, and its visible checks still work without them.

* the transcripts in ``course/checks/visible/`` are what ``course record-visible`` records now;
* with ``course_grader`` impossible to import (a learner-only install), the visible checks of
  every module pass for the reference solutions, fail for the untouched release, and give each
  known implementation the same verdict and the same named misconception as the full checks;
* no distinctive line of a reference solution appears anywhere under ``course/``;
* nothing the checks send into the learner's kernel needs the grading package;
* a wheel of the learner package alone can be built and holds no ``course_grader``.
"""

from __future__ import annotations

import ast
import json
import os
import pickle
import re
import subprocess
import sys
import zipfile
from functools import lru_cache

import nbformat
import pytest

from course import paths
from course.checks import replay as R
from tests.conftest import variant_modules
from tests.variants import collect

MODULES = [m for m, _ in variant_modules()]
VARIANTS = dict(variant_modules())
HELPER = paths.ROOT / "tests" / "learner_only.py"


@lru_cache(maxsize=None)
def visible_run(module: str, block: bool, visible_dir: str | None = None) -> dict:
    """Every implementation's visible test cells, learner-side, in a fresh process (transcripts
    from ``visible_dir`` when given)."""
    args = [sys.executable, str(HELPER), module, "--variants", "--release"] + (["--block"] if block else [])
    env = dict(os.environ, PYTHONPATH=str(paths.ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("NBGRADER_EXECUTION", None)
    env.pop("COURSE_VISIBLE_DIR", None)
    if visible_dir:
        env["COURSE_VISIBLE_DIR"] = visible_dir
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=1500, cwd=str(paths.ROOT))
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("@@JSON@@")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line[-1][len("@@JSON@@"):])


# ----------------------------------------------------------------------------- in sync


@pytest.mark.parametrize("module", MODULES)
def test_transcripts_are_in_sync(module):
    from course_grader.visible import record_module

    fresh = record_module(module)
    stored = R.load_transcripts(fresh["topic"])
    assert stored["names"] == fresh["names"], "the checks module's check_* names changed: run `course record-visible`"
    assert set(stored["checks"]) == set(fresh["checks"]), "run `course record-visible`"
    for name, cases in fresh["checks"].items():
        assert set(stored["checks"][name]) == set(cases), f"{name}: the visible cases changed: run `course record-visible`"
        for key, case in cases.items():
            old = stored["checks"][name][key]
            assert [ck for ck, _ in old["reference"]] == [ck for ck, _ in case["reference"]], f"{name}: calls changed"
            for (_, a), (_, b) in zip(old["reference"], case["reference"]):
                assert R.same(a, b, 1e-6, 1e-9), f"{name}: reference output changed: run `course record-visible`"
            assert [(v["variant"], v["message"]) for v in old["variants"]] == [(v["variant"], v["message"]) for v in case["variants"]], (
                f"{name}: a variant's verdict changed: run `course record-visible`")


# ----------------------------------------------------------------------------- replay


@pytest.mark.parametrize("module", MODULES)
def test_visible_checks_run_without_the_grading_package(module):
    replay = visible_run(module, block=True)
    assert replay["_replay"] and not replay["_grader_loaded"], "the learner-only run imported course_grader"
    for tid, (score, points, out) in replay["reference"].items():
        assert score == points, f"reference {tid}: {out}"
    for tid, (score, points, out) in replay["release"].items():
        assert score == 0, f"untouched release {tid} scored {score}: {out}"
        assert "not implemented yet" in out, out


@pytest.mark.parametrize("module", MODULES)
def test_replayed_verdicts_match_the_full_checks(module):
    replay = visible_run(module, block=True)
    full = visible_run(module, block=False)
    assert not full["_replay"]
    fragments = {fn.__name__: fn.feedback_fragment for fn in collect(VARIANTS[module], "wrong")}
    wrong_tried = 0
    for impl, cells in full.items():
        if impl.startswith("_"):
            continue
        for tid, (score, points, out) in cells.items():
            r_score, _, r_out = replay[impl][tid]
            assert r_score == score, f"{impl} {tid}: full checks {score}, replay {r_score}\nfull:\n{out}\nreplay:\n{r_out}"
            frag = fragments.get(impl)
            if frag and frag.lower() in out.lower():
                wrong_tried += 1
                assert frag.lower() in r_out.lower(), f"{impl}: the replay does not name {frag!r}:\n{r_out}"
    assert wrong_tried, "no known mistake is named by the visible checks"


#: graded functions whose correct answers differ between correct implementations on the same
#: inputs (how the random generator is used, the quadrature rule): the replay can only accept the
#: ones it recorded; any other is judged by the full checks at grading (README: limits)
NOT_REPLAYABLE = {"dropout_forward", "integrated_gradients", "completeness_gap", "sampled_shapley",
                  # structure or text, not numbers: equivalent models describe differently, messages vary
                  "build_regularized_model", "validate_schema"}


@pytest.mark.parametrize("module", MODULES)
def test_alternative_answers_pass_without_being_recorded(module, tmp_path):
    """Hold-out: with transcripts recorded WITHOUT the @correct variants, the replay still accepts
    them; it judges values within tolerance, it does not only recognise recorded implementations."""
    from course_grader.visible import record_module, write

    write(record_module(module, kinds=("wrong",)), tmp_path)
    run = visible_run(module, True, str(tmp_path))
    tried = 0
    for fn in collect(VARIANTS[module], "correct"):
        graded = fn.__name__.split("__")[0]
        if graded in NOT_REPLAYABLE or fn.__name__ not in run:
            continue
        tried += 1
        score, points, out = run[fn.__name__][f"test_{graded}"]
        assert score == points, f"{fn.__name__} (not recorded) fails the replayed visible checks:\n{out}"
    assert tried


# ----------------------------------------------------------------------------- no answers


#: statements so common that they identify no solution (every model, lesson and check has them)
IDIOMS = [
    r"with tf\.GradientTape\(\) as \w+:",
    r"\w+ = np\.asarray\(\w+, dtype=float\)(\.ravel\(\))?",
    r"layers = \[keras\.Input\(\(n_features,\)\)\]",
    r"return tape\.gradient\(\w+, model\.trainable_variables\)",
]


def _solution_lines(module: str) -> dict[str, set[str]]:
    """Distinctive lines of each graded function's reference solution (source/ solution regions)."""
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    out: dict[str, set[str]] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        src = cell.source
        regions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, flags=re.S) or [src]
        try:
            tree = ast.parse(src)
            docs = {ast.get_docstring(n, clean=False) for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))}
        except SyntaxError:
            docs = set()
        doc_lines = {line.strip() for d in docs if d for line in d.splitlines()}
        for region in regions:
            for line in region.splitlines():
                s = line.strip()
                if s.startswith("#") or s in doc_lines or s.startswith(('"""', "'''")):
                    continue
                s = s.split("  #")[0].strip()
                if any(re.fullmatch(idiom, s) for idiom in IDIOMS):
                    continue
                if len(re.sub(r"\s", "", s)) >= 25:
                    out.setdefault(meta.get("grade_id", "?"), set()).add(s)
    return out


def _transcript_without_feedback(path) -> bytes:
    """A transcript's bytes without the full checks' failure messages: those are the feedback a
    learner reads when they make that mistake (some quote the line to write instead); the
    recorded arguments and outputs are all scanned."""
    import lzma

    with lzma.open(path, "rb") as fh:
        data = pickle.load(fh)
    for cases in data["checks"].values():
        for case in cases.values():
            for v in case["variants"]:
                v["message"] = None
    return pickle.dumps(data, protocol=4)


def _learner_files() -> list:
    root = paths.ROOT / "course"
    return [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


@pytest.mark.parametrize("module", MODULES)
def test_no_reference_solution_in_the_learner_package(module):
    lines = _solution_lines(module)
    assert lines, "no solution lines found"
    texts = {}
    for p in _learner_files():
        data = p.read_bytes()
        if p.suffix == ".xz":
            data = _transcript_without_feedback(p)
        texts[p] = re.sub(rb"\s", b"", data)
    leaks = []
    for gid, found in lines.items():
        for line in found:
            needle = re.sub(r"\s", "", line).encode()
            for p, text in texts.items():
                if needle in text:
                    leaks.append(f"{gid}: {line!r} in {p.relative_to(paths.ROOT)}")
    assert not leaks, "reference solutions in the learner package:\n" + "\n".join(leaks)


def test_learner_package_does_not_import_the_grading_package():
    """No module of the learner package imports the grading package (``replay`` looks for it by
    name and falls back when it is missing)."""
    offenders = []
    for p in _learner_files():
        if p.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n == "course_grader" or n.startswith("course_grader.") for n in names):
                offenders.append(f"{p.relative_to(paths.ROOT)}:{node.lineno}")
    assert not offenders, offenders


@pytest.mark.parametrize("module", MODULES)
def test_nothing_sent_to_the_kernel_needs_the_grading_package(module, monkeypatch):
    """At grading, the kernel cannot import course_grader: every probe, model builder or loss
    the checks pass to the learner's function (hidden checks too) must come from ``course``."""
    import cloudpickle

    from course_grader.kernel_agent import LocalExecutor
    from course_grader.visible import imported_modules
    from tests.nbrun import base_namespace, score_cell, source_cells

    seen: list = []
    real = LocalExecutor.remote_call

    def spy(self, name, args, kwargs, probe):
        data = cloudpickle.dumps((args, kwargs, probe))
        bad = sorted(m for m in imported_modules(data) if m.split(".")[0] in ("course_grader", "tests"))
        if bad:
            seen.append((name, bad))
        return real(self, name, args, kwargs, probe)

    monkeypatch.setattr(LocalExecutor, "remote_call", spy)
    _, _, tests = source_cells(module)
    ns = base_namespace(module)
    for test_id, (src, points) in tests.items():
        result = score_cell(src, points, ns, module)
        assert result.score == points, f"{test_id}: {result.output}"
    assert not seen, f"calls into the kernel that need the grading package: {seen}"


# ----------------------------------------------------------------------------- wheel


def test_learner_only_wheel(tmp_path):
    from course_grader.wheel import build_learner_wheel

    wheel = build_learner_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert any(n.startswith("course/checks/visible/") and n.endswith(".pkl.xz") for n in names), names
    assert any(n == "course/checks/replay.py" for n in names)
    assert not [n for n in names if n.startswith("course_grader/") or "/course_grader/" in n]
    assert not [n for n in names if n.startswith(("tests/", "source/"))]
