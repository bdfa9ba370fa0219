"""Every known mistake loses points with feedback that names it; every alternative correct
implementation earns full marks. Run in-process on the module's own test cells (visible and
hidden), scored with nbgrader's rule; tests/test_autograde.py proves the same end to end."""

import pytest

from tests.conftest import variant_modules
from tests.nbrun import base_namespace, score_cell, score_variant, source_cells
from tests.variants import collect

CASES_WRONG = [(m, fn) for m, mod in variant_modules() for fn in collect(mod, "wrong")]
CASES_RIGHT = [(m, fn) for m, mod in variant_modules() for fn in collect(mod, "correct")]


@pytest.mark.parametrize("module,fn", CASES_WRONG, ids=[f"{m[:2]}-{fn.__name__}" for m, fn in CASES_WRONG])
def test_known_mistake_loses_points_and_names_the_misconception(module, fn):
    result = score_variant(module, fn)
    assert result.score < result.max_score, f"{fn.__name__} kept full marks:\n{result.output}"
    assert fn.feedback_fragment.lower() in result.output.lower(), (
        f"{fn.__name__}: feedback does not name the misconception ({fn.feedback_fragment!r}):\n{result.output}"
    )


@pytest.mark.parametrize("module,fn", CASES_RIGHT, ids=[f"{m[:2]}-{fn.__name__}" for m, fn in CASES_RIGHT])
def test_alternative_correct_implementation_earns_full_marks(module, fn):
    result = score_variant(module, fn)
    assert result.score == result.max_score, f"{fn.__name__} lost points:\n{result.output}"


MODULES = [m for m, _ in variant_modules()]


@pytest.mark.parametrize("module", MODULES)
def test_reference_solutions_earn_full_marks_in_process(module):
    _, _, tests = source_cells(module)
    ns = base_namespace(module)
    for test_id, (src, points) in tests.items():
        result = score_cell(src, points, ns, module)
        assert result.score == points, f"{test_id}: {result.output}"


@pytest.mark.parametrize("module", MODULES)
def test_every_graded_function_has_wrong_and_correct_variants(module):
    mod = dict(variant_modules())[module]
    _, solutions, tests = source_cells(module)
    wrong = {fn.__name__.split("__")[0] for fn in collect(mod, "wrong")}
    right = {fn.__name__.split("__")[0] for fn in collect(mod, "correct")}
    graded = {gid for gid in solutions if f"test_{gid}" in tests}
    assert graded, "no graded functions found"
    assert graded <= wrong, f"graded functions without a known-wrong variant: {graded - wrong}"
    assert graded <= right, f"graded functions without an alternative correct variant: {graded - right}"
