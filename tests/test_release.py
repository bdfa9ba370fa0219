"""release/ is exactly what `course build` makes from source/, and leaks nothing."""

import builtins
import filecmp
import re

import nbformat
import pytest

from course import paths
from course_grader.build import generate

MODULES = paths.available_modules()
HIDDEN_RE = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
SOLUTION_RE = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    generate(MODULES, out)
    return out


def test_every_module_written_so_far_has_a_release():
    assert MODULES, "no source notebooks"
    for m in MODULES:
        assert paths.release_notebook(m).exists(), f"release/{m} missing: run `course build`"


@pytest.mark.parametrize("module", MODULES)
def test_release_is_in_sync_with_a_fresh_build_of_source(module, fresh_build):
    cmp = filecmp.dircmp(fresh_build / module, paths.RELEASE / module)
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    differing = [f for f in cmp.common_files if not filecmp.cmp(fresh_build / module / f, paths.RELEASE / module / f, shallow=False)]
    assert not differing, f"release/{module} is stale: run `course build {module[:2]}` ({differing})"


def _chunks(text):
    """Distinctive lines of a hidden block (long enough not to occur by chance)."""
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 25]


@pytest.mark.parametrize("module", MODULES)
def test_no_solution_or_hidden_test_leaks_into_release(module):
    release_text = paths.release_notebook(module).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release_text
    src = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    outside = "\n".join(SOLUTION_RE.sub("", HIDDEN_RE.sub("", c.source)) for c in src.cells)
    rel = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    rel_sources = "\n".join(c.source for c in rel.cells)
    for cell in src.cells:
        for block in HIDDEN_RE.findall(cell.source) + SOLUTION_RE.findall(cell.source):
            for line in _chunks(block):
                if line in outside:  # the same line also stands in visible text: not a leak
                    continue
                assert line not in rel_sources, f"leaked into release/{module}: {line!r}"


@pytest.mark.parametrize("module", MODULES)
def test_release_answer_cells_are_stubs(module):
    rel = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    answers = [c for c in rel.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers
    for c in answers:
        stub = "raise NotImplementedError()" if c.cell_type == "code" else "YOUR ANSWER HERE"
        assert stub in c.source, c.source
    assert all(not c.get("outputs") for c in rel.cells if c.cell_type == "code"), "release must have no outputs"


def _contract_functions(module):
    curriculum = paths.ROOT.parent / "shared" / "curriculum.md"
    if not curriculum.exists():
        pytest.skip("../shared/curriculum.md is not beside this checkout")
    text = curriculum.read_text()
    section = text.split(f"## {module}", 1)[1].split("\n## ", 1)[0]
    # a graded function is written `name(arg, arg=default)`: plain identifiers as arguments;
    # calls of a graded function's arguments (`build_model()`, `loss_fn(y_true, y_pred)`) and
    # of Python builtins (`len(x)`) in the prose are not graded functions
    calls = re.findall(r"`([a-z][a-z_0-9]*)\(([A-Za-z_0-9, =.\-]*)\)`", section)
    params = {arg.split("=")[0].strip() for _, args in calls for arg in args.split(",")}
    return sorted({name for name, _ in calls if name not in params and not hasattr(builtins, name)})


@pytest.mark.parametrize("module", MODULES)
def test_release_defines_every_graded_function_of_the_contract(module):
    rel = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    text = "\n".join(c.source for c in rel.cells if c.metadata.get("nbgrader", {}).get("solution"))
    names = _contract_functions(module)
    assert names
    for name in names:
        assert re.search(rf"^def {name}\(", text, re.M), f"{module}: graded function {name} missing"
    assert "def exam_answers(" in text


@pytest.mark.parametrize("module", MODULES)
def test_source_notebooks_are_stored_without_outputs(module):
    src = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    assert all(not c.get("outputs") for c in src.cells if c.cell_type == "code")
