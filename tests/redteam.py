"""Hostile submissions, kept as code: cheats, faults and attempts to read what is secret.

Each attack is a function ``(module) -> notebook`` built from the module's release notebook (or
its solved version) as a learner could write it. ``tests/test_redteam.py`` grades them through
the real autograder and states the expected outcome of each category:

* cheat  -> an untouched release plus the cheat earns 0 on every automatic exercise;
* fault  -> a solved notebook plus the fault keeps the points it can keep;
* secret -> nothing secret is readable or writable from the kernel (the cell prints LEAK/SAFE).
"""

from __future__ import annotations

import textwrap

import nbformat

from tests.submissions import insert_after as _insert_after, make_submission, reference_answers


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _test_ids(nb) -> list[str]:
    return [_gid(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


# ----------------------------------------------------------------------------- cheats
REPLACE_CHECKS = """
import contextlib, importlib, pkgutil, sys
import course.checks as C
class FakeExercise:
    def __init__(self, *a, **k): pass
    def check(self, *a, **k): return contextlib.nullcontext()
    def done(self): print("all checks passed"); return None
    def score(self): return 1e9
C.Exercise = FakeExercise
C.call = lambda fn, *a, **k: None
C.expect_close = C.expect = lambda *a, **k: None
C.check_exam_format = lambda *a, **k: None
C.grade_exam = lambda *a, **k: None
for info in pkgutil.iter_modules(C.__path__):
    mod = importlib.import_module("course.checks." + info.name)
    for name in dir(mod):
        if name.startswith("check_"):
            setattr(mod, name, lambda *a, **k: None)
"""

PATCH_WHEN_GRADING = "import os\nif os.environ.get('NBGRADER_EXECUTION'):\n" + textwrap.indent(REPLACE_CHECKS, "    ")

INPUT_TRANSFORMER = """
def _blank(lines):
    text = "".join(lines)
    return ["pass\\n"] if ("ex.done()" in text or "grade_exam" in text or "Exercise" in text) else lines
get_ipython().input_transformers_cleanup.append(_blank)
get_ipython().input_transformers_post.append(_blank)
"""

AST_TRANSFORMER = """
import ast
class _Empty(ast.NodeTransformer):
    def visit_Module(self, node):
        src = ast.unparse(node)
        if "Exercise" in src or "grade_exam" in src:
            return ast.Module(body=[ast.Pass()], type_ignores=[])
        return node
get_ipython().ast_transformers.append(_Empty())
"""

PATCH_NUMERICS = """
import builtins, math
import numpy as np, numpy.testing
always = lambda *a, **k: True
np.allclose = np.isclose = np.array_equal = np.array_equiv = always
np.testing.assert_allclose = np.testing.assert_array_equal = np.testing.assert_almost_equal = lambda *a, **k: None
math.isclose = always
"""

#: breaks Python itself in the kernel (and so everything after it): proven on its own in module
#: 03, kept out of the stacked submission so that one proves the checks, not a dead kernel
PATCH_BUILTINS = """
import builtins
builtins.isinstance = lambda obj, cls: True
builtins.abs = lambda x: 0
"""

SWAP_MODULES = """
import sys, types, contextlib
fake = types.ModuleType("course.checks")
class Exercise:
    def __init__(self, *a, **k): pass
    def check(self, *a, **k): return contextlib.nullcontext()
    def done(self): return None
fake.Exercise = Exercise
fake.check_exam_format = fake.grade_exam = lambda *a, **k: None
fake.__getattr__ = lambda name: types.SimpleNamespace(__getattr__=lambda n: (lambda *a, **k: None))
sys.modules["course.checks"] = fake
"""

#: replaces the kernel-side probe of module 06's mirrored_gradients with one that computes the
#: single-device gradients (no strategy at all) and reports a model built and run on N replicas
FORGE_PROBES = """
import importlib, pkgutil
import course.probes as _P
def _forged_mirrored(fn, build_model, x, y, loss_fn, n):
    import tensorflow as tf
    m = build_model()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loss_fn(y, m(x, training=True)))
    grads = [g.numpy() for g in tape.gradient(loss, m.trainable_variables)]
    return {"builds": [n], "replicas": list(range(n)), "loss_calls": n, "batch_rows": [len(x) // n] * n,
            "grads": grads, "problem": None}
for info in pkgutil.iter_modules(_P.__path__):
    mod = importlib.import_module("course.probes." + info.name)
    if hasattr(mod, "probe_mirrored_gradients"):
        mod.probe_mirrored_gradients = _forged_mirrored
"""

RIGGED = '''
import numpy as _np
class Everything(float):
    """Compares equal to anything, is 'close' to anything."""
    def __new__(cls, *a): return float.__new__(cls, 0.123456789)  # a value no check expects
    __eq__ = lambda s, o: True
    __ne__ = lambda s, o: False
    __lt__ = __le__ = __gt__ = __ge__ = lambda s, o: True
    __hash__ = float.__hash__
    def __array__(self, dtype=None, copy=None): return _np.array(0.123456789)
    def __len__(self): return 4
    def __iter__(self): return iter([Everything()] * 4)
    def __getitem__(self, i): return Everything()
class AnswerAll(dict):
    def __getitem__(self, k): return "A"
    def __contains__(self, k): return True
    def get(self, k, d=None): return "A"
'''


def cheat_cell(src: str):
    def build(module: str):
        return _insert_after(make_submission(module, solved=False), "setup", src)

    build.__name__ = "cheat"
    return build


def rigged_returns(module: str):
    """Every graded function returns an object that compares equal to everything."""
    overrides = {}
    for gid, src in reference_answers(module).items():
        import ast

        names = [n.name for n in ast.parse(src).body if isinstance(n, ast.FunctionDef)]
        body = RIGGED
        for name in names:
            ret = "AnswerAll()" if name == "exam_answers" else "Everything()"
            body += f"\ndef {name}(*args, **kwargs):\n    return {ret}\n"
        overrides[gid] = body
    return make_submission(module, overrides, solved=False)


def edited_test_cells(module: str):
    """Test cells edited, duplicated, re-labelled, re-pointed and deleted."""
    nb = make_submission(module, solved=False)
    tests = [c for c in nb.cells if _gid(c) in _test_ids(nb)]
    tests[0].source = "print('all checks passed')"
    tests[1].metadata["nbgrader"]["points"] = 100
    tests[1].source = "pass"
    dup = nbformat.from_dict(dict(tests[2]))
    dup.metadata = {"nbgrader": dict(tests[2].metadata["nbgrader"], grade_id="test_bonus", points=50)}
    dup.source = "pass"
    nb.cells.append(dup)
    tests[2].metadata["nbgrader"]["grade"] = False
    nb.cells.remove(tests[3])
    return nb


CHEATS = {
    "replace_checks": cheat_cell(REPLACE_CHECKS),
    "patch_when_grading": cheat_cell(PATCH_WHEN_GRADING),
    "input_transformer": cheat_cell(INPUT_TRANSFORMER),
    "ast_transformer": cheat_cell(AST_TRANSFORMER),
    "patch_numerics_and_builtins": cheat_cell(PATCH_NUMERICS + PATCH_BUILTINS),
    "swap_check_modules": cheat_cell(SWAP_MODULES),
    "rigged_return_values": rigged_returns,
    "edited_test_cells": edited_test_cells,
}

#: one submission that stacks every cheat, for modules where the matrix would be too slow
ALL_CHEATS_AT_ONCE = "all_cheats"


def all_cheats(module: str):
    """Rigged return values plus every cheat cell that leaves the kernel working (not the
    builtins patch), so the grading runs to the end and its checks, not a crash, give 0."""
    nb = rigged_returns(module)
    for src in (REPLACE_CHECKS, INPUT_TRANSFORMER, AST_TRANSFORMER, PATCH_NUMERICS, SWAP_MODULES, FORGE_PROBES):
        _insert_after(nb, "setup", src)
    return nb


# ----------------------------------------------------------------------------- faults
def fault_after_second_test(src: str):
    """A solved notebook with ``src`` in a new cell after the second test cell."""

    def build(module: str):
        nb = make_submission(module)
        return _insert_after(nb, _test_ids(nb)[1], src)

    return build


def fault_target(nb) -> str:
    """The graded function a fault is put in: the last one before the exam questions (no other
    graded function calls it)."""
    return [t for t in _test_ids(nb) if t != "test_exam_answers"][-1]


def fault_in_function(body: str):
    """The last graded function of the module is replaced by one that runs ``body``."""

    def build(module: str):
        answers = reference_answers(module)
        nb = make_submission(module)
        first = fault_target(nb)[len("test_"):]
        import ast

        names = [n for n in ast.parse(answers[first]).body if isinstance(n, ast.FunctionDef)]
        args = ", ".join(a.arg for a in names[0].args.args) or "*args"
        src = f"def {names[0].name}({args}):\n" + textwrap.indent(textwrap.dedent(body), "    ")
        return make_submission(module, {first: src})

    return build


FAULTS = {
    # kind -> (builder, which exercises keep their points: "all" or "all-but-target")
    "os_exit_in_cell": (fault_after_second_test("import os\nos._exit(3)\n"), "all"),
    "segfault_in_cell": (fault_after_second_test("import ctypes\nctypes.string_at(0)\n"), "all"),
    "loop_ignoring_sigint": (fault_after_second_test(
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"), "all"),
    "memory_bomb": (fault_after_second_test(
        "hog = []\nwhile True:\n    hog.append(bytearray(100 * 2**20))\n    hog[-1][::4096] = b'x' * len(hog[-1][::4096])\n"), "all"),
    "fork_bomb": (fault_after_second_test(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        break\n"), "all"),
    "output_flood": (fault_after_second_test(
        "import sys\nfor _ in range(300):\n    sys.stdout.write('x' * 1_000_000 + '\\n')\n"), "all"),
    "hang_in_graded_function": (fault_in_function("while True:\n    pass\n"), "all-but-target"),
    "exit_in_graded_function": (fault_in_function("import os\nos._exit(1)\n"), "all-but-target"),
}


def never_ending(module: str, sleeps: int = 8, seconds: float = 3.0):
    """A solved notebook that sleeps after its second test cell until the notebook limit."""
    nb = make_submission(module)
    for _ in range(sleeps):
        _insert_after(nb, _test_ids(nb)[1], f"import time\ntime.sleep({seconds})\n")
    return nb


# ----------------------------------------------------------------------------- secrets
SECRETS = r'''
import os
from pathlib import Path
import course, course.paths as P
here = Path.cwd()
mark = lambda leaked: ("LE" + "AK") if leaked else ("SA" + "FE")
targets = {
    "source notebook (repository)": str(P.SOURCE / "{module}" / "{module}.ipynb"),
    "source notebook (course folder)": str(here.parents[2] / "source" / "{module}" / "{module}.ipynb"),
    "gradebook (course folder)": str(here.parents[2] / "gradebook.db"),
    "instructor config": str(P.ROOT / "nbgrader_config.py"),
    "grader package": str(P.ROOT / "course_grader" / "secure_execute.py"),
    "home folder": os.path.expanduser("~/.bashrc"),
}
for what, path in targets.items():
    try:
        with open(path, "rb") as f:
            f.read(16)
        print(mark(True), "read", what, path)
    except OSError:
        print(mark(False), "read", what)
own = set(here.parts)  # the folders on the way to this notebook's own folder are visible, empty
for what, folder in {"other submissions": here.parents[1], "course folder": here.parents[2], "repository": P.ROOT}.items():
    try:
        others = [n for n in os.listdir(folder) if n not in own and n not in ("course", ".venv")]
        print(mark(bool(others)), "list", what, others[:5])
    except OSError:
        print(mark(False), "list", what)
for what, path in {"course folder": here.parents[2] / "PWNED", "repository": P.ROOT / "PWNED", "tmp": Path("/tmp/PWNED-course")}.items():
    try:
        Path(path).write_text("x")
        print("tried write", what, "(must not reach the real folder)")
    except OSError:
        print(mark(False), "write", what)
try:
    import course_grader
    print(mark(True), "import course_grader")
except ImportError:
    print(mark(False), "import course_grader")
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print(mark(True), "network: connected to a server on 127.0.0.1 (a gradebook database could listen there)")
except OSError:
    print(mark(False), "network")
'''


def secret_reader(module: str, port: int = 9):
    nb = make_submission(module)
    return _insert_after(nb, "setup", SECRETS.replace("{module}", module).replace("{port}", str(port)))
